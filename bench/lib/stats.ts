/** Summary statistics for the benchmarks: every figure is a set of runs, never one. */

export interface Summary {
  /** number of runs (samples) behind the figure */
  n: number;
  median: number;
  min: number;
  max: number;
  p50: number;
  p99: number;
  mean: number;
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarize(values: readonly number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return {
    n,
    median: median(s),
    min: n ? s[0]! : Number.NaN,
    max: n ? s[n - 1]! : Number.NaN,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    mean: n ? s.reduce((a, b) => a + b, 0) / n : Number.NaN,
  };
}

/** `summarize` under the name the scenarios use. */
export const stats = summarize;

/** a / b, NaN-safe */
export function ratio(a: number, b: number): number {
  return b === 0 || !Number.isFinite(a) || !Number.isFinite(b) ? Number.NaN : a / b;
}

/** Figures for tables: 3 significant digits, thousands separated. */
export function fmt(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  const d = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
  return v.toFixed(Math.min(d, 4));
}

export function fmtRatio(v: number): string {
  if (Number.isFinite(v) && v > 0 && v < 0.05) return `${(v * 100).toFixed(v < 0.001 ? 4 : 3)}%`;
  return Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US')}×` : '–';
}

export function fmtBytes(b: number): string {
  if (!Number.isFinite(b)) return '–';
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(2)} KB`;
  return `${(b / 1024 / 1024).toFixed(2)} MB`;
}

/** Small helpers of every layer (no Node module: the page bundle uses them too). */

/** Runs `fn` `warmup` times untimed, then `runs` times; returns the samples. */
export async function repeat(warmup: number, runs: number, fn: (i: number) => Promise<number>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(await fn(i));
  return out;
}

export function nf(n: number): string {
  return n.toLocaleString('en-US');
}

let unique = 0;
/** A fresh, unique name (database names, user IDs). */
export function uniq(prefix: string): string {
  unique++;
  return `${prefix}-${Date.now().toString(36)}-${unique}-${Math.random().toString(36).slice(2, 7)}`;
}

export function now(): number {
  return performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

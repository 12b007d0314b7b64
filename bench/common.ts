/**
 * Shared by every scenario: the bench configuration (full or quick), the result rows,
 * the driver seam (the same client-side operations run in Node with fake-indexeddb and
 * in headless Chromium with real IndexedDB), and small admin helpers over HTTP.
 *
 * Nothing here imports a Node module: the browser bundle (bench/browser-entry.ts) uses it.
 */
import { summarize, type Summary } from './stats.js';

export type Runtime = 'node' | 'chromium';
export type AdapterName = 'idb' | 'dexie' | 'memory';

export interface BenchConfig {
  quick: boolean;
  /** untimed runs before the timed ones */
  warmup: number;
  /** timed runs of every scenario */
  runs: number;
  /** timed runs where one run is very long (N = 100,000 full syncs); stated in the table */
  runsLarge: number;
  fullSizes: number[];
  /** the two list sizes compared by scenarios 2 and 3 (small, large) */
  flatSizes: [number, number];
  incrementalK: number[];
  latencyChanges: number;
  latencyN: number;
  burstChanges: number;
  burstMs: number;
  burstN: number;
  bytesSizes: number[];
  bytesK: number[];
  serverLogSizes: [number, number];
  serverClients: number;
  serverSeconds: number;
  fanoutSockets: number;
  fanoutRounds: number;
}

export function benchConfig(quick: boolean, overrides: Partial<BenchConfig> = {}): BenchConfig {
  return { ...baseConfig(quick), ...overrides };
}

function baseConfig(quick: boolean): BenchConfig {
  return quick
    ? {
        quick,
        warmup: 1,
        runs: 2,
        runsLarge: 1,
        fullSizes: [300],
        flatSizes: [200, 2000],
        incrementalK: [1, 10],
        latencyChanges: 20,
        latencyN: 200,
        burstChanges: 100,
        burstMs: 200,
        burstN: 200,
        bytesSizes: [1000],
        bytesK: [1, 10],
        serverLogSizes: [1000, 20_000],
        serverClients: 20,
        serverSeconds: 0.3,
        fanoutSockets: 50,
        fanoutRounds: 2,
      }
    : {
        quick,
        warmup: 1,
        runs: 5,
        runsLarge: 3,
        fullSizes: [1000, 10_000, 100_000],
        flatSizes: [1000, 100_000],
        incrementalK: [1, 10, 200],
        latencyChanges: 1000,
        latencyN: 1000,
        burstChanges: 1000,
        burstMs: 1000,
        burstN: 1000,
        bytesSizes: [1000, 10_000, 100_000],
        bytesK: [1, 10, 200],
        serverLogSizes: [1000, 1_000_000],
        serverClients: 200,
        serverSeconds: 2,
        fanoutSockets: 1000,
        fanoutRounds: 20,
      };
}

/** One line of the results table. */
export interface Row {
  /** scenario number of issue 6 (1–8) */
  scenario: number;
  runtime: Runtime | 'node (server)' | 'build';
  /** what was measured, e.g. "full sync N=10,000 · idb" */
  name: string;
  unit: 'ms' | 'µs' | 'B' | 'requests' | 'answers/s' | 'MB';
  /** repeated measurements (median/min/max of the runs) */
  stats?: Summary;
  /** a deterministic figure (bytes): measured once */
  value?: number;
  /** the baseline the ratio is against, measured in the same process run */
  ratio?: { value: number; against: string };
  /** records/s, peak memory, requests, notes */
  extra?: string;
}

export interface GoalResult {
  goal: string;
  met: boolean | null;
  measured: string;
  why?: string;
}

export interface Report {
  rows: Row[];
  goals: GoalResult[];
}

/** Runs `fn` `warmup` times untimed, then `runs` times; returns the samples. */
export async function repeat(warmup: number, runs: number, fn: (i: number) => Promise<number>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(await fn(i));
  return out;
}

export const stats = summarize;

export function nf(n: number): string {
  return n.toLocaleString('en-US');
}

// ---- the seam between orchestration (always Node) and the client runtime ----

/** Client-side operations (bench/ops.ts); the driver runs them in its runtime. */
export type OpName = keyof typeof import('./ops.js').ops;

export interface Driver {
  runtime: Runtime;
  /** Base URL the client in this runtime uses for the server. */
  apiURL: string;
  call<R = unknown>(op: OpName, arg: Record<string, unknown>): Promise<R>;
  /** Runs `fn` while sampling memory: peak RSS (Node) or peak JS heap (Chromium), in bytes. */
  peakMemory<T>(fn: () => Promise<T>): Promise<{ value: T; peak: number }>;
  memoryLabel: string;
  close(): Promise<void>;
}

// ---- HTTP helpers (the page uses them too, same origin) ----

interface Envelope<T> {
  errCode: number;
  errMsg: string;
  data: T;
}

/** POST to the reference server; returns `data` and the answer's byte size. */
export async function postRaw<T>(apiURL: string, path: string, body: unknown, token?: string): Promise<{ data: T; bytes: number }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(apiURL + path, { method: 'POST', headers, body: JSON.stringify(body) });
  const buf = await res.arrayBuffer();
  const env = JSON.parse(new TextDecoder().decode(buf)) as Envelope<T>;
  if (env.errCode !== 0) throw new Error(`${path}: ${env.errCode} ${env.errMsg}`);
  return { data: env.data, bytes: buf.byteLength };
}

export async function post<T>(apiURL: string, path: string, body: unknown, token?: string): Promise<T> {
  return (await postRaw<T>(apiURL, path, body, token)).data;
}

export async function tokenFor(apiURL: string, userID: string): Promise<string> {
  return (await post<{ token: string }>(apiURL, '/admin/token', { userID })).token;
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

/**
 * The bench's vocabulary: runtimes, result rows, and the driver seam between the
 * orchestration (always Node) and the client runtime (Node or the Chromium page).
 * Types only: the page bundle and every layer above may import it.
 */
import type { Summary } from './stats.js';

export type Runtime = 'node' | 'chromium';
export type AdapterName = 'idb' | 'dexie' | 'memory';

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

/**
 * The client-side operations a driver runs, by name. bench/ops/index.ts implements
 * exactly these (checked there at compile time); listing them here keeps the library
 * free of any import of the ops.
 */
export type OpName =
  | 'openClient'
  | 'closeClient'
  | 'subscribeClient'
  | 'syncTimed'
  | 'clientState'
  | 'waitCursor'
  | 'downloadRun'
  | 'dropSnapshot'
  | 'rawPutRun'
  | 'fullSyncRun'
  | 'pageTimed'
  | 'firstEmission'
  | 'changeToScreen'
  | 'writeToScreen'
  | 'replayQueued';

/** Runs the client-side operations in one runtime (bench/drivers). */
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

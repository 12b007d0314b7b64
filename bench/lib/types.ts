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
  /** scenario number (1–8 of issue 6, 9 writes, 10 first paint) */
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
  | 'replayQueued'
  | 'coldPaint'
  | 'warmPaint';

/** A `watchPage` window as scenario 10 checks it (bench/ops/first-paint.ts). */
export interface PaintWindow {
  /** ms since the client was created */
  ms: number;
  items: number;
  total: number;
  /** conversationIDs of its rows, in order */
  ids: string[];
}

/** One cold run of scenario 10: first paint and full sync of a new client on an empty database. */
export interface ColdPaint {
  /** the first window of `limit` rows (or all, when fewer) */
  paint: PaintWindow;
  /** `status.preview` was on when it was shown (it was the server's first page) */
  preview: boolean;
  /** until `status.hasSynced` */
  syncedMs: number;
  /** until the snapshot was swapped in (`progress$` done) */
  swapMs: number;
  /** the window once synced */
  final: PaintWindow;
  /** durations (ms) of the long tasks between creation and `hasSynced`; `null`: not observable in this runtime */
  longTasks: number[] | null;
}

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

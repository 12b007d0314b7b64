/**
 * The port between the one generation store (`gen-store.ts`) and a storage library.
 * A driver knows how to run a transaction and read or write rows; it knows nothing of
 * cursors, staging or merges. The idb and dexie drivers implement it; the contract
 * suite runs against the adapters built on them.
 *
 * Rows are `LocalConversation`s keyed by `[generation, conversationID]`; every driver
 * keeps an index that yields SPEC §1.2 order within a generation.
 */
import type { LocalConversation } from '../protocol/index.js';
import type { SortKey } from './common.js';
import type { OutboxEntry } from './outbox.js';

/** One transaction over the rows and the meta values. Writes resolve when queued. */
export interface DriverTx {
  getMeta<T>(key: string): Promise<T | undefined>;
  putMeta(key: string, value: unknown): Promise<void>;
  deleteMeta(key: string): Promise<void>;
  /** The rows of `ids` in generation `gen`, in the same order (`undefined` where missing). */
  getRows(gen: number, ids: readonly string[]): Promise<Array<LocalConversation | undefined>>;
  /** The rows of `gen` with `lo ≤ conversationID ≤ hi`. */
  rowsBetween(gen: number, lo: string, hi: string): Promise<LocalConversation[]>;
  putRows(gen: number, rows: readonly LocalConversation[]): Promise<void>;
  deleteRows(gen: number, ids: readonly string[]): Promise<void>;
  /** Deletes every row of `gen` (one key-range delete). */
  dropGen(gen: number): Promise<void>;
  /** Up to `limit` IDs of `gen`, ascending, strictly after `after` (from the start when `null`). */
  ids(gen: number, after: string | null, limit: number): Promise<string[]>;
  /** The IDs of `gen` with `lo ≤ conversationID ≤ hi`. */
  idsBetween(gen: number, lo: string, hi: string): Promise<string[]>;
  /** Up to `limit` rows of `gen` in list order, strictly after the row with sort key `after`. */
  page(gen: number, limit: number, after?: SortKey): Promise<LocalConversation[]>;
  /** This user's queued writes (any order). */
  getOutbox(): Promise<OutboxEntry[]>;
  putOutbox(entries: readonly OutboxEntry[]): Promise<void>;
  deleteOutbox(mutationIDs: readonly string[]): Promise<void>;
}

export interface Driver {
  /** The database this driver opens; known from construction. */
  readonly name: string;
  /**
   * Where the state lives among the meta values: one key per user of the database
   * (an app's shared Dexie instance holds several users).
   */
  readonly stateKey: string;
  /** `true` when the database belongs to the app: `destroy()` then wipes only this user's rows. */
  readonly shared: boolean;
  open(): Promise<void>;
  close(): void;
  /** Deletes the database (only called when not `shared`). */
  deleteDatabase(): Promise<void>;
  /** Runs `fn` in one transaction; a throw aborts it. Failures are mapped with `toStorageError`. */
  run<T>(mode: 'r' | 'rw', fn: (tx: DriverTx) => Promise<T>): Promise<T>;
}

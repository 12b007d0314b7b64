/** Small helpers shared by the adapters (no library imports: every adapter may use it). */
import { ConvSyncError, sameCursor, sortTimeOf, type Cursor, type LocalConversation } from '../protocol/index.js';
import type { PageCursor, StorageOptions } from './types.js';

/** Database name: `opts.name`, else `convsync:<userID>`. */
export function dbName(opts: StorageOptions, userID: string): string {
  return opts.name ?? `convsync:${userID}`;
}

/** The sort key of a record: `[pinned 0|1, sortTime, conversationID]` (SPEC §1.2, descending). */
export type SortKey = [pinned: 0 | 1, sortTime: number, id: string];

export function sortKeyOf(r: LocalConversation): SortKey {
  return [r.isPinned ? 1 : 0, sortTimeOf(r), r.conversationID];
}

/**
 * A row as the IndexedDB drivers store it: the record plus its generation and the
 * sort fields their index reads (`pinned` as 0|1: IndexedDB cannot index booleans).
 */
export interface Stored extends LocalConversation {
  gen: number;
  pinned: 0 | 1;
  sortTime: number;
}

export function toStored(r: LocalConversation, gen: number): Stored {
  const [pinned, sortTime] = sortKeyOf(r);
  return { ...r, gen, pinned, sortTime };
}

export function fromStored(s: Stored): LocalConversation {
  const { gen: _g, pinned: _p, sortTime: _t, ...r } = s;
  return r;
}

/** `Page.next` is the sort key of the last item, JSON-encoded: stable under inserts and deletes. */
export function encodePage(r: LocalConversation): PageCursor {
  return JSON.stringify(sortKeyOf(r));
}

export function decodePage(c: PageCursor): SortKey {
  try {
    const k: unknown = JSON.parse(c);
    if (
      Array.isArray(k) && k.length === 3 && (k[0] === 0 || k[0] === 1) &&
      typeof k[1] === 'number' && Number.isFinite(k[1]) && typeof k[2] === 'string'
    ) return k as SortKey;
  } catch {
    /* fall through */
  }
  throw new ConvSyncError('INVALID_ARGUMENT', `bad page cursor: ${c.slice(0, 80)}`);
}

/** A copy a caller may mutate (records are flat except `latestMsg`). */
export function copyRecord(r: LocalConversation): LocalConversation {
  return r.latestMsg ? { ...r, latestMsg: { ...r.latestMsg } } : { ...r };
}

/** Runs the fault-injection hook; a throw becomes a `STORAGE` error with the original as `cause`. */
export function hook(opts: StorageOptions, id: string): void {
  if (!opts.beforeWrite) return;
  try {
    opts.beforeWrite(id);
  } catch (e) {
    throw new ConvSyncError('STORAGE', `write of ${id} failed`, { cause: e });
  }
}

export function notStaged(): ConvSyncError {
  return new ConvSyncError('STORAGE', 'no full sync is staged (call beginFull first)');
}

/** The staging, when it belongs to `writer`; `STORAGE` when there is none, `CONFLICT` when another writer has it. */
export function ownStaging<S extends { owner?: string }>(s: S | null, writer: string): S {
  if (!s) throw notStaged();
  if (s.owner !== writer) throw new ConvSyncError('CONFLICT', 'the staged full sync belongs to another writer (another tab)');
  return s;
}

/** Compare-and-set of the cursor: `expected` (when given) must be what is stored. */
export function checkCursor(stored: Cursor | null, expected: Cursor | null | undefined): void {
  if (expected !== undefined && !sameCursor(stored, expected)) {
    throw new ConvSyncError('CONFLICT', `the stored cursor moved (${stored ? stored.version : 'none'}) since this write was computed (another tab?)`);
  }
}

/**
 * The swap of a staged snapshot is refused when another writer moved the cursor since the
 * staging was begun or claimed (`base`). (A snapshot may set an older version of the same
 * log: a server restored from a backup is behind the device, and the snapshot is its truth.)
 */
export function checkSwap(stored: Cursor | null, s: { base?: Cursor | null }): void {
  if (s.base !== undefined) checkCursor(stored, s.base);
}

/** A random ID for one adapter instance as a writer. */
export function newWriterID(): string {
  return Math.random().toString(36).slice(2) + Date.now().toString(36);
}

export function notComplete(): ConvSyncError {
  return new ConvSyncError('STORAGE', 'the staged full sync is incomplete (nextCursor is not null)');
}

/**
 * Records per slice when a write puts many rows: between slices the driver awaits one
 * request, which hands the thread back. 1,000 puts in one go held Chromium's main thread
 * for 70–110 ms (a long task per snapshot page); slices of 200 keep each step short.
 */
export const PUT_SLICE = 200;

/**
 * Records or keys per read when a whole generation is walked: one read of a 100k list
 * blocked Chromium's main thread for ~0.6 s while the records were deserialized.
 */
export const CHUNK = 5000;

/**
 * The IndexedDB schema of the idb adapter (database version 1):
 * - `conversations`, key path `[gen, conversationID]`: the record plus `gen` (its
 *   generation), `pinned` (0|1: IndexedDB cannot index booleans) and `sortTime`.
 *   Index `order` on `[gen, pinned, sortTime, conversationID]`, read backwards.
 * - `meta`, key `"state"`: active generation, cursor, staging progress.
 */
import type { IDBPTransaction } from 'idb';
import type { Cursor, LocalConversation } from '../protocol/index.js';
import { sortKeyOf } from './common.js';
import type { StagedFull } from './types.js';

export const CONV = 'conversations';
export const META = 'meta';
export const ORDER = 'order';
export const STATE = 'state';

export interface Stored extends LocalConversation {
  gen: number;
  pinned: 0 | 1;
  sortTime: number;
}

export interface State {
  schema: 1;
  /** Generation of the live list. */
  active: number;
  /** Next generation number to hand out. */
  next: number;
  cursor: Cursor | null;
  staging: (StagedFull & { gen: number }) | null;
  /** Generations to delete (an old list after a swap, an abandoned staging). */
  drop: number[];
}

export type Tx = IDBPTransaction<unknown, string[], IDBTransactionMode>;


/** `IDBIndex.getAllRecords` (Chromium 141+, fake-indexeddb 6.2); not in TS's DOM lib yet. */
export interface WithGetAllRecords {
  getAllRecords(o: { query: IDBKeyRange; count: number; direction: IDBCursorDirection }): IDBRequest<Array<{ value: Stored }>>;
}

export function toStored(r: LocalConversation, gen: number): Stored {
  const [pinned, sortTime] = sortKeyOf(r);
  return { ...r, gen, pinned, sortTime };
}

export function fromStored(s: Stored): LocalConversation {
  const { gen: _g, pinned: _p, sortTime: _t, ...r } = s;
  return r;
}

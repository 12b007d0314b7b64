/**
 * The in-memory database behind `memoryStorage()`: the live records by ID and in SPEC
 * §1.2 order (a `SortedList` of short sorted runs: a page is O(log n + limit), an upsert
 * O(log n) plus a splice within one run), the cursor, the staging and the outbox.
 */
import { compareConversations, type Cursor, type LocalConversation } from '../protocol/index.js';
import type { SortKey } from './common.js';
import type { OutboxEntry } from './outbox.js';
import { moved, noTotals, type Totals } from './totals.js';
import { SortedList } from './sorted-list.js';
import type { StagedFull } from './types.js';

export interface Staging extends StagedFull {
  records: Map<string, LocalConversation>;
  owner: string;
  /** the stored cursor when the staging was begun or claimed */
  base: Cursor | null;
}

type Probe = Parameters<typeof compareConversations>[0];

export interface MemDB {
  live: Map<string, LocalConversation>;
  /** `live` values in SPEC §1.2 order. */
  order: SortedList<LocalConversation, Probe>;
  cursor: Cursor | null;
  staging: Staging | null;
  /** queued local writes, in call order */
  outbox: OutboxEntry[];
  outboxSeq: number;
  /** totals of `live` */
  totals: Totals;
  /** set when `destroy()` removed it: instances that still hold it stop */
  deleted: boolean;
}

/** Databases by name: closing and reopening one in the same process finds it again. */
export const databases = new Map<string, MemDB>();

export const newOrder = (sorted: LocalConversation[] = []): SortedList<LocalConversation, Probe> =>
  new SortedList<LocalConversation, Probe>(compareConversations, sorted);

export function newDB(): MemDB {
  return { live: new Map(), order: newOrder(), cursor: null, staging: null, outbox: [], outboxSeq: 0, totals: noTotals(), deleted: false };
}

export function put(db: MemDB, r: LocalConversation): void {
  const old = db.live.get(r.conversationID);
  if (old) removeRow(db, old);
  db.order.insert(r);
  db.live.set(r.conversationID, r);
  db.totals = moved(db.totals, undefined, r);
}

export function removeRow(db: MemDB, r: LocalConversation): void {
  db.order.remove(r, (x) => x.conversationID === r.conversationID);
  db.live.delete(r.conversationID);
  db.totals = moved(db.totals, r, undefined);
}

/** Up to `n` live records in list order after the record with sort key `key`. */
export function orderPage(db: MemDB, n: number, key: SortKey | undefined): LocalConversation[] {
  const probe: Probe | null = key ? { isPinned: key[0] === 1, latestMsgSendTime: key[1], conversationID: key[2] } : null;
  return db.order.slice(probe, n, (r) => r.conversationID === key?.[2]);
}

/**
 * The totals of the list (SPEC §1.3): how many conversations it shows and their unread
 * sum. Storage keeps them for the records as the server said them, changed by every write,
 * so a live window knows them without reading the whole list; what the user sees adds the
 * pending writes on top (O(pending)).
 */
import { unreadCountOf, type LocalConversation } from '../protocol/index.js';
import { byConversation, overlay, type OutboxEntry } from './outbox.js';

/** What the list shows: how many conversations, and the unread sum over those not muted. */
export interface Totals {
  count: number;
  unread: number;
}

export const noTotals = (): Totals => ({ count: 0, unread: 0 });

/** What one record adds to the totals (`undefined`: not there). */
export function unreadOf(r: LocalConversation | undefined): number {
  return r && r.recvMsgOpt === 0 ? unreadCountOf(r) : 0;
}

/** `t` with `before` taken out and `after` put in (one record changed). */
export function moved(t: Totals, before: LocalConversation | undefined, after: LocalConversation | undefined): Totals {
  return { count: t.count - (before ? 1 : 0) + (after ? 1 : 0), unread: t.unread - unreadOf(before) + unreadOf(after) };
}

/** The totals of a list of records. */
export function totalsOf(list: Iterable<LocalConversation>): Totals {
  let t = noTotals();
  for (const r of list) t = moved(t, undefined, r);
  return t;
}

/** The totals the user sees: `truth` with the pending writes on top; `rows(ids)` reads their records. */
export async function viewTotals(truth: Totals, entries: readonly OutboxEntry[], rows: (ids: string[]) => Promise<Array<LocalConversation | undefined>>): Promise<Totals> {
  if (entries.length === 0) return truth;
  const by = byConversation(entries);
  const ids = [...by.keys()];
  let t = truth;
  (await rows(ids)).forEach((r, i) => (t = moved(t, r, overlay(r, by.get(ids[i]!)!))));
  return t;
}

/**
 * Structural sharing for snapshots: a new value from the SDK that equals the previous
 * snapshot becomes that snapshot, so `useSyncExternalStore` sees the same object and
 * memoized children keep their props. Records are compared two levels deep (`latestMsg`).
 */
import type { LocalConversation, PendingWrite, SyncStatus } from '../index.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Same keys and `Object.is` values; one level of nested objects compared the same way when `depth` > 0. */
export function shallowEqual(a: object, b: object, depth = 0): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    const x = ra[k];
    const y = rb[k];
    if (Object.is(x, y)) continue;
    if (depth > 0 && isObject(x) && isObject(y) && shallowEqual(x, y, depth - 1)) continue;
    return false;
  }
  return true;
}

/** The previous record when the new one holds the same data. */
export function settleRecord(prev: LocalConversation | undefined, next: LocalConversation | undefined): LocalConversation | undefined {
  return prev && next && shallowEqual(prev, next, 1) ? prev : next;
}

/**
 * `next` rows, each replaced by the previous row of the same ID when unchanged; the
 * previous array itself when no row changed, moved, came or went.
 */
export function settleRows(prev: readonly LocalConversation[], next: readonly LocalConversation[]): LocalConversation[] {
  const byID = new Map(prev.map((r) => [r.conversationID, r]));
  let same = prev.length === next.length;
  const out = next.map((r, i) => {
    const kept = settleRecord(byID.get(r.conversationID), r)!;
    if (kept !== prev[i]) same = false;
    return kept;
  });
  return same ? (prev as LocalConversation[]) : out;
}

export const settleStatus = (prev: SyncStatus, next: SyncStatus): SyncStatus => (shallowEqual(prev, next) ? prev : next);

export function settleWrites(prev: PendingWrite[], next: PendingWrite[]): PendingWrite[] {
  return prev.length === next.length && next.every((w, i) => shallowEqual(prev[i]!, w, 1)) ? prev : next;
}

/**
 * The in-memory sorted list behind `conversations$` / `totalUnread$`. Loaded from
 * storage once, when the first subscriber arrives; from then on every local change
 * is folded in from its diff (binary search, no store reads); dropped when the last
 * subscriber leaves.
 */
import { Observable, type Subscriber } from 'rxjs';
import { compareConversations, unreadCountOf, type LocalConversation } from '../protocol/index.js';
import type { LocalDiff } from '../storage/types.js';

interface View {
  list: LocalConversation[];
  total: number;
}

const unread = (c: LocalConversation): number => (c.recvMsgOpt === 0 ? unreadCountOf(c) : 0);

/** Index of the first element not before `c` (SPEC §1.2 order). */
function lowerBound(list: readonly LocalConversation[], c: LocalConversation): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareConversations(list[mid]!, c) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Folds `diff` into a sorted list; returns a new array (the input is not touched). */
export function foldDiff(
  list: readonly LocalConversation[],
  byID: Map<string, LocalConversation>,
  diff: LocalDiff,
): LocalConversation[] {
  const changed = [...diff.added, ...diff.updated];
  // Large diffs (a full sync): rebuild and sort once instead of k splices.
  if ((changed.length + diff.removed.length) * 8 > list.length + 64) {
    for (const id of diff.removed) byID.delete(id);
    for (const c of changed) byID.set(c.conversationID, c);
    return [...byID.values()].sort(compareConversations);
  }
  const next = list.slice();
  const drop = (id: string): void => {
    const old = byID.get(id);
    if (!old) return;
    const i = lowerBound(next, old);
    if (next[i] === old) next.splice(i, 1);
    byID.delete(id);
  };
  for (const id of diff.removed) drop(id);
  for (const c of changed) {
    drop(c.conversationID);
    next.splice(lowerBound(next, c), 0, c);
    byID.set(c.conversationID, c);
  }
  return next;
}

export interface LiveList {
  readonly conversations$: Observable<LocalConversation[]>;
  readonly totalUnread$: Observable<number>;
  /** Folds a committed change in (no-op when nobody is subscribed). */
  fold(diff: LocalDiff): void;
  /** Reads the whole list again (after a change whose diff is not fully known). */
  reload(): void;
  /** Empties the list (the database was deleted). */
  reset(): void;
  /** Someone is subscribed (the list is held in memory). */
  active(): boolean;
}

export function createLiveList(load: () => Promise<LocalConversation[]>): LiveList {
  const lists = new Set<Subscriber<LocalConversation[]>>();
  const totals = new Set<Subscriber<number>>();
  let view: View | null = null;
  let byID = new Map<string, LocalConversation>();
  /** Diffs that arrived while a load was in flight; replayed over its result. */
  let queued: LocalDiff[] | null = null;
  let gen = 0;
  const active = (): boolean => lists.size + totals.size > 0;

  /** Publishes a new list; the total (one pass, like the list copy of a fold) only when it changed. */
  function emit(list: LocalConversation[]): void {
    const old = view;
    const v = (view = { list, total: list.reduce((n, c) => n + unread(c), 0) });
    for (const s of [...lists]) s.next(list);
    if (old?.total !== v.total) for (const s of [...totals]) s.next(v.total);
  }

  function start(): void {
    const g = ++gen;
    queued = [];
    load().then(
      (all) => {
        if (g !== gen) return;
        const q = queued ?? [];
        queued = null;
        byID = new Map(all.map((c) => [c.conversationID, c]));
        let list = all.slice().sort(compareConversations);
        for (const d of q) list = foldDiff(list, byID, d);
        view = null;
        emit(list);
      },
      (e: unknown) => {
        if (g !== gen) return;
        for (const s of [...lists, ...totals]) s.error(e);
      },
    );
  }

  const source = <T>(set: Set<Subscriber<T>>, pick: (v: View) => T): Observable<T> =>
    new Observable<T>((s) => {
      const first = !active();
      set.add(s);
      if (first) start();
      else if (view && !queued) s.next(pick(view));
      return () => {
        set.delete(s);
        if (!active()) {
          view = null;
          queued = null;
          byID = new Map();
          gen++;
        }
      };
    });

  return {
    conversations$: source(lists, (v) => v.list),
    totalUnread$: source(totals, (v) => v.total),
    fold(diff) {
      if (diff.added.length + diff.updated.length + diff.removed.length === 0) return;
      if (queued) queued.push(diff);
      else if (view) emit(foldDiff(view.list, byID, diff));
    },
    reload() {
      if (active()) start();
    },
    active,
    reset() {
      if (!active()) return;
      gen++;
      queued = null;
      byID = new Map();
      emit([]);
    },
  };
}

/**
 * The in-memory sorted list behind `conversations$` (the whole list, for small lists;
 * `watchPage` is the window for any size). Loaded from storage once, when the first
 * subscriber arrives; from then on every commit is folded in from its diff in
 * O(log N + change) (a list of short sorted runs, no store reads); each emission copies
 * the runs into one array. Dropped when the last subscriber leaves.
 */
import { Observable, type Subscriber } from 'rxjs';
import { compareConversations, type LocalConversation } from '../../protocol/index.js';
import { SortedList } from '../../storage/sorted-list.js';
import type { LocalDiff } from '../../storage/types.js';

type Order = SortedList<LocalConversation>;

export interface LiveList {
  readonly conversations$: Observable<LocalConversation[]>;
  /** Folds a committed change in (no-op when nobody is subscribed). */
  fold(diff: LocalDiff): void;
  /** Reads the whole list again (after a change whose diff is not fully known). */
  reload(): void;
  /** Rows to show until the list is in (a cold device's first page from the server). */
  preview(rows: LocalConversation[]): void;
  /** Empties the list (the database was deleted). */
  reset(): void;
  /** Someone is subscribed (the list is held in memory). */
  active(): boolean;
}

export function createLiveList(load: () => Promise<LocalConversation[]>): LiveList {
  const subs = new Set<Subscriber<LocalConversation[]>>();
  let order: Order | null = null;
  let byID = new Map<string, LocalConversation>();
  /** Diffs that arrived while a load was in flight; replayed over its result. */
  let queued: LocalDiff[] | null = null;
  let previewing = false;
  let gen = 0;

  const emit = (): void => {
    if (!order) return;
    const list = order.toArray();
    for (const s of [...subs]) s.next(list);
  };

  function apply(d: LocalDiff): void {
    const o = order!;
    const drop = (id: string): void => {
      const old = byID.get(id);
      if (!old) return;
      o.remove(old, (x) => x === old);
      byID.delete(id);
    };
    for (const id of d.removed) drop(id);
    for (const c of [...d.added, ...d.updated]) {
      drop(c.conversationID);
      o.insert(c);
      byID.set(c.conversationID, c);
    }
  }

  function start(): void {
    const g = ++gen;
    queued = [];
    load().then(
      (all) => {
        if (g !== gen) return;
        const q = queued ?? [];
        queued = null;
        if (previewing && all.length === 0 && q.length === 0) return; // nothing stored yet: keep the preview
        previewing = false;
        byID = new Map(all.map((c) => [c.conversationID, c]));
        order = new SortedList<LocalConversation>(compareConversations, all.slice().sort(compareConversations));
        for (const d of q) apply(d);
        emit();
      },
      (e: unknown) => {
        if (g !== gen) return;
        for (const s of [...subs]) s.error(e);
      },
    );
  }

  return {
    conversations$: new Observable<LocalConversation[]>((s) => {
      subs.add(s);
      if (subs.size === 1) start();
      else if (order && !queued) s.next(order.toArray());
      return () => {
        subs.delete(s);
        if (subs.size > 0) return;
        order = null;
        queued = null;
        byID = new Map();
        gen++;
      };
    }),
    fold(diff) {
      if (diff.added.length + diff.updated.length + diff.removed.length === 0) return;
      // while a load is in flight the diff is replayed over its result too; shown now all the same
      queued?.push(diff);
      if (!order) return;
      previewing = false;
      apply(diff);
      emit();
    },
    reload() {
      if (subs.size > 0) start();
    },
    preview(rows) {
      // only over nothing: an empty list still loading, or one that holds no rows yet
      if (subs.size === 0 || (order && order.size > 0 && !previewing)) return;
      previewing = true;
      byID = new Map(rows.map((c) => [c.conversationID, c]));
      order = new SortedList<LocalConversation>(compareConversations, rows.slice().sort(compareConversations));
      emit();
    },
    active: () => subs.size > 0,
    reset() {
      if (subs.size === 0) return;
      gen++;
      queued = null;
      byID = new Map();
      order = new SortedList<LocalConversation>(compareConversations);
      emit();
    },
  };
}

/**
 * Live windows (`watchPage`): the first `limit` rows of the sorted list with the list's
 * totals, loaded in O(limit) (one page read and the totals storage keeps) and kept live by
 * folding each commit in O(limit + change). Only when a change leaves fewer than `limit`
 * rows it can be sure of (rows left the window, more rows exist beyond it) does it read the
 * window again. `setLimit` grows it by reading only the rows after the ones it holds.
 */
import { Observable, type Subscriber } from 'rxjs';
import { compareConversations, ConvSyncError, type LocalConversation } from '../../protocol/index.js';
import { encodePage } from '../../storage/common.js';
import type { LocalDiff, Page, StorageAdapter, Totals } from '../../storage/types.js';

/** One emission of `watchPage`: the first rows and the totals of the whole list. */
export interface PageView {
  items: LocalConversation[];
  /** how many conversations the list shows */
  total: number;
  /** the unread sum (SPEC §1.3) */
  unreadTotal: number;
}

/** What a window hears: a commit (its diff and the totals after it), a reload, or a preview. */
export type WindowEvent =
  | { diff: LocalDiff; totals?: Totals }
  | { reload: true }
  | { preview: LocalConversation[]; totals: Totals }
  /** the database was deleted: nothing to show */
  | { reset: true };

/** `watchPage`'s Observable: one window shared by its subscribers. */
export interface LiveWindow extends Observable<PageView> {
  /** Shows `limit` rows from now on; a larger one reads only the rows after those held. */
  setLimit(limit: number): void;
}

/** Reads storage after the writes before it (the replica's queue), or `null` when not started. */
export type SettledRead = <T>(read: (s: StorageAdapter) => Promise<T>) => Promise<T>;

/** A window's row count: a positive integer (`watchPage({ limit })`, `setLimit`). */
export function checkLimit(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new ConvSyncError('INVALID_ARGUMENT', 'limit must be a positive integer');
  return n;
}

export function createWindow(limit0: number, read: SettledRead, events: (fn: (e: WindowEvent) => void) => () => void): LiveWindow {
  const subs = new Set<Subscriber<PageView>>();
  let limit = limit0;
  let items: LocalConversation[] = [];
  /** rows exist after the last one held */
  let more = false;
  let totals: Totals | null = null;
  let gen = 0;
  let off: (() => void) | null = null;
  let loading = false;
  /** the rows shown are the server's preview, not storage's */
  let previewing = false;

  /** What subscribers see now, or `null` while there is nothing to show yet. */
  const view = (): PageView | null => (!totals || loading ? null : { items: items.slice(0, limit), total: totals.count, unreadTotal: totals.unread });

  const emit = (): void => {
    const v = view();
    if (v) for (const s of [...subs]) s.next(v);
  };

  const fail = (e: unknown): void => {
    for (const s of [...subs]) s.error(e);
  };

  /**
   * Reads the window and the totals; `extend`: only the rows after the held ones. The read
   * runs in the write queue, so it holds every commit folded before it and none after it
   * (commits met while a whole read is pending are in it, and are dropped).
   */
  function load(extend = false): void {
    const g = ++gen;
    loading = !extend;
    read(async (s) => {
      const after = extend ? items[items.length - 1] : undefined;
      const page: Page = after ? await s.getPage(Math.max(1, limit - items.length), encodePage(after)) : await s.getPage(limit);
      return { page, totals: await s.getTotals(), extend: after !== undefined };
    }).then(({ page, totals: t, extend: ext }) => {
      if (g !== gen) return;
      // a read that began before a cold device's preview arrived finds nothing stored: keep the preview
      if (previewing && t.count === 0) return void (loading = false);
      previewing = false;
      const held = new Set(page.items.map((r) => r.conversationID));
      items = ext ? [...items.filter((r) => !held.has(r.conversationID)), ...page.items] : page.items;
      more = page.next !== null;
      totals = t;
      loading = false;
      emit();
    }, fail);
  }

  function fold(diff: LocalDiff, t?: Totals): void {
    if (t) totals = t;
    const changed = [...diff.added, ...diff.updated];
    if (changed.length + diff.removed.length === 0) return emit();
    // a large change (a full sync): reading the window is O(limit), sorting the change is not
    if (changed.length > 4 * limit + 64) return load();
    const gone = new Set([...diff.removed, ...changed.map((r) => r.conversationID)]);
    const boundary = more ? items[items.length - 1] : undefined;
    const kept = items.filter((r) => !gone.has(r.conversationID));
    // rows beyond the old last one are unknown: only a changed row that now sorts before its
    // place (or at it: the same row, not moved) certainly comes before them
    const inside = changed.filter((r) => !boundary || compareConversations(r, boundary) <= 0);
    const next = [...kept, ...inside].sort(compareConversations);
    const beyond = changed.length > inside.length || more;
    if (next.length >= limit || !beyond) {
      more = next.length > limit || (more && next.length >= limit) || changed.length > inside.length;
      items = next.slice(0, limit);
      if (!t) return void read((s) => s.getTotals()).then((x) => ((totals = x), emit()), fail);
      return emit();
    }
    items = next;
    load(); // fewer sure rows than the window shows: read it again
  }

  function onEvent(e: WindowEvent): void {
    if ('reload' in e) return load();
    if ('reset' in e) {
      gen++;
      previewing = false;
      [items, more, totals, loading] = [[], false, { count: 0, unread: 0 }, false];
      return emit();
    }
    if ('preview' in e) {
      if (totals && !loading && items.length > 0) return; // real rows already: no preview over them
      previewing = true;
      items = e.preview.slice().sort(compareConversations);
      more = e.totals.count > items.length;
      totals = e.totals;
      loading = false;
      return emit();
    }
    // A read in flight runs in the write queue after the write of this commit: it holds it.
    if (loading) return;
    // the first commit over a preview: read what storage holds (rows of the preview may not be in it)
    if (previewing) return load();
    fold(e.diff, e.totals);
  }

  const obs = new Observable<PageView>((s) => {
    subs.add(s);
    if (subs.size === 1) {
      off = events(onEvent);
      load();
    } else {
      const v = view();
      if (v) s.next(v);
    }
    return () => {
      subs.delete(s);
      if (subs.size > 0) return;
      off?.();
      off = null;
      gen++;
      items = [];
      totals = null;
    };
  }) as LiveWindow;
  obs.setLimit = (n: number) => {
    const grow = checkLimit(n) > limit;
    limit = n;
    if (subs.size === 0 || loading) return;
    if (grow && more) load(true);
    else {
      if (items.length > limit) more = true;
      items = items.slice(0, limit);
      emit();
    }
  };
  return obs;
}

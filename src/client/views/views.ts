/**
 * What the app watches, fed from one stream of events: `conversations$` (the whole list),
 * `watchPage` windows and `totalUnread$`. Each commit (this tab's, or another tab's read
 * back from storage) is folded into all of them; a reload reads them again; a preview (a
 * cold device's first page from the server) shows until the list is in.
 */
import type { LocalConversation } from '../../protocol/index.js';
import type { LocalDiff, Totals } from '../../storage/types.js';
import type { Commit } from '../kernel/commit.js';
import { createLiveList } from './live-list.js';
import { createTotals } from './totals.js';
import { checkLimit, createWindow, type LiveWindow, type SettledRead, type WindowEvent } from './window.js';

export interface WatchPageOptions {
  /** Rows in the window. Default 20; `setLimit` on the result grows or shrinks it. */
  limit?: number;
}

export interface Views {
  readonly conversations$: ReturnType<typeof createLiveList>['conversations$'];
  readonly totalUnread$: ReturnType<typeof createTotals>['totalUnread$'];
  watchPage(opts?: WatchPageOptions): LiveWindow;
  /** A diff (and the totals after it, when known): another tab's commit, read back. */
  commit(diff: LocalDiff, totals?: Totals): void;
  /** This tab's commit: folded, or read again when it says `reload`. */
  fold(c: Commit): void;
  /** Something changed that no diff tells: read everything again. */
  reload(): void;
  preview(rows: LocalConversation[], totals: Totals): void;
  /** The database was deleted: show nothing. */
  reset(): void;
  /** Someone shows the totals (a window, `totalUnread$`): commits should carry them. */
  wantTotals(): boolean;
  /** Someone shows the list or a window: foreign commits are worth reading back. */
  watched(): boolean;
}

export function createViews(read: SettledRead): Views {
  const live = createLiveList(() => read((s) => s.getAll()));
  const totals = createTotals(() => read((s) => s.getTotals()));
  const windows = new Set<(e: WindowEvent) => void>();
  const send = (e: WindowEvent): void => {
    for (const w of [...windows]) w(e);
  };
  const listen = (fn: (e: WindowEvent) => void): (() => void) => {
    windows.add(fn);
    return () => windows.delete(fn);
  };

  const commit = (diff: LocalDiff, t?: Totals): void => {
    live.fold(diff);
    if (t) totals.set(t);
    else if (diff.added.length + diff.updated.length + diff.removed.length > 0) totals.reload();
    send(t ? { diff, totals: t } : { diff });
  };
  const reload = (): void => {
    live.reload();
    totals.reload();
    send({ reload: true });
  };

  return {
    conversations$: live.conversations$,
    totalUnread$: totals.totalUnread$,
    watchPage: (opts = {}) => createWindow(checkLimit(opts.limit ?? 20), read, listen),
    commit,
    fold(c) {
      if (c.kind === 'reload') reload();
      else if (c.kind !== 'round-end') commit(c.diff, c.totals);
    },
    reload,
    preview(rows, t) {
      live.preview(rows);
      totals.set(t);
      send({ preview: rows, totals: t });
    },
    reset() {
      live.reset();
      totals.reset();
      send({ reset: true });
    },
    wantTotals: () => totals.active() || windows.size > 0,
    watched: () => live.active() || windows.size > 0 || totals.active(),
  };
}

/**
 * The page store: one live window (`sync.watchPage`) per store, opened at the first
 * subscription (never on a server), kept across unsubscribe/subscribe (React's
 * StrictMode), resized with `setLimit` instead of re-subscribing. Its snapshot is the
 * `ConversationPage` every binding returns.
 */
import type { Subscription } from 'rxjs';
import type { ConversationSync } from '../index.js';
import { settleRows } from './same.js';
import { liveStore, type Store } from './store.js';
import type { ConversationPage, LiveWindow } from './types.js';

export interface PageStore extends Store<ConversationPage> {
  setLimit(limit: number): void;
}

const NO_ROWS: readonly never[] = Object.freeze([]);

function checkLimit(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError('limit must be a positive integer');
}

type Rows = Pick<ConversationPage, 'items' | 'total' | 'unreadTotal'>;

function pageOf(view: Rows | null, error: unknown, setLimit: (n: number) => void): ConversationPage {
  return {
    items: view?.items ?? NO_ROWS,
    total: view?.total ?? 0,
    unreadTotal: view?.unreadTotal ?? 0,
    loading: view === null,
    hasMore: view !== null && view.items.length < view.total,
    error,
    setLimit,
  };
}

export function pageStore(sync: ConversationSync, limit0: number): PageStore {
  checkLimit(limit0);
  let limit = limit0;
  let win: LiveWindow | null = null;
  const setLimit = (n: number): void => {
    checkLimit(n);
    if (n === limit) return;
    limit = n;
    win?.setLimit(n);
  };
  const store = liveStore<ConversationPage>(Object.freeze(pageOf(null, undefined, setLimit)), (set, get) => {
    const w = (win ??= sync.watchPage({ limit }));
    let sub: Subscription | null = null;
    let retry: Subscription | null = null;
    const connect = (): void => {
      sub = w.subscribe({
        next: (v) => {
          const p = get();
          const items = settleRows(p.items, v.items);
          if (!p.loading && p.error === undefined && items === p.items && p.total === v.total && p.unreadTotal === v.unreadTotal) return;
          set(pageOf({ items, total: v.total, unreadTotal: v.unreadTotal }, undefined, setLimit));
        },
        error: (e: unknown) => {
          const p = get();
          set(pageOf(p.loading ? null : p, e, setLimit));
          // the window is torn down; it opens again on the client's next status (a restart)
          let armed = false;
          retry = sync.status$.subscribe(() => {
            if (!armed) return;
            retry?.unsubscribe();
            retry = null;
            connect();
          });
          armed = true;
        },
      });
    };
    connect();
    return () => {
      sub?.unsubscribe();
      retry?.unsubscribe();
    };
  });
  return { ...store, setLimit };
}

/**
 * `useConversationPage`: one live window (`sync.watchPage`) per hook instance, created
 * when React first subscribes (never on the server), kept across StrictMode's
 * unmount/remount, resized with `setLimit` instead of re-subscribing.
 */
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { Subscription } from 'rxjs';
import type { ConversationSync } from '../index.js';
import { settleRows } from './same.js';
import type { Store } from './store.js';
import type { ConversationPage, ConversationPageOptions, LiveWindow, PageView } from './types.js';

interface PageState {
  view: PageView | null;
  error: unknown;
}

interface PageStore extends Store<PageState> {
  setLimit(limit: number): void;
}

const EMPTY: PageState = Object.freeze({ view: null, error: undefined });

function checkLimit(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError('limit must be a positive integer');
}

function settleView(prev: PageView | null, next: PageView): PageView {
  const items = settleRows(prev?.items ?? [], next.items);
  if (prev && items === prev.items && prev.total === next.total && prev.unreadTotal === next.unreadTotal) return prev;
  return { items, total: next.total, unreadTotal: next.unreadTotal };
}

export function pageStore(sync: ConversationSync, limit0: number): PageStore {
  checkLimit(limit0);
  let limit = limit0;
  let win: LiveWindow | null = null;
  let state = EMPTY;
  return {
    subscribe(onChange) {
      const w = (win ??= sync.watchPage({ limit }));
      let sub: Subscription | null = null;
      let retry: Subscription | null = null;
      const set = (s: PageState): void => {
        if (s === state) return;
        state = s;
        onChange();
      };
      const connect = (): void => {
        sub = w.subscribe({
          next: (v) => {
            const view = settleView(state.view, v);
            set(view === state.view && state.error === undefined ? state : { view, error: undefined });
          },
          error: (e: unknown) => {
            set({ view: state.view, error: e });
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
    },
    getSnapshot: () => state,
    setLimit(n) {
      checkLimit(n);
      if (n === limit) return;
      limit = n;
      win?.setLimit(n);
    },
  };
}

const serverState = (): PageState => EMPTY;

/**
 * The first `limit` rows of the sorted list and the list's totals, live
 * (`sync.watchPage`). A changed `limit` resizes the same window; `setLimit` grows it
 * for infinite scroll. On the server: an empty, loading page.
 */
export function useConversationPage(sync: ConversationSync, options: ConversationPageOptions = {}): ConversationPage {
  const limit = options.limit ?? 20;
  // one window per component and client: a new `limit` resizes it (the effect below)
  const store = useMemo(() => pageStore(sync, limit), [sync]);
  useEffect(() => store.setLimit(limit), [store, limit]);
  const { view, error } = useSyncExternalStore(store.subscribe, store.getSnapshot, serverState);
  return useMemo(
    () => ({
      items: view?.items ?? NO_ROWS,
      total: view?.total ?? 0,
      unreadTotal: view?.unreadTotal ?? 0,
      loading: view === null,
      hasMore: view !== null && view.items.length < view.total,
      error,
      setLimit: store.setLimit,
    }),
    [view, error, store],
  );
}

const NO_ROWS: readonly never[] = Object.freeze([]);

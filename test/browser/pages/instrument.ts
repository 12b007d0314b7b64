/**
 * What the binding pages (React, Vue, Svelte) share: one client whose observables are
 * wrapped to count live subscriptions, and whose windows count how they were made and
 * resized, renders counted; and the client itself, made against the page's own server.
 */
import { Observable } from 'rxjs';
import { createConversationSync, idbStorage, type ConversationSync, type LiveWindow } from '../../../src/index.js';

/** Live subscriptions per observable of the client, and what was asked of the windows. */
export const active: Record<string, number> = { status: 0, totalUnread: 0, pendingWrites: 0, changes: 0, window: 0 };
export const windows: { made: number; setLimits: number[] } = { made: 0, setLimits: [] };
/** How often the framework rendered each row (by conversationID) and the one-conversation view (`watched`). */
export const renders: Record<string, number> = {};

/** Counts a render of `key`. */
export const rendered = (key: string): void => void (renders[key] = (renders[key] ?? 0) + 1);

function counted<T>(name: string, source: Observable<T>): Observable<T> {
  return new Observable<T>((s) => {
    active[name]!++;
    const sub = source.subscribe(s);
    return () => {
      active[name]!--;
      sub.unsubscribe();
    };
  });
}

export function instrument(sync: ConversationSync): ConversationSync {
  return {
    ...sync,
    status$: counted('status', sync.status$),
    totalUnread$: counted('totalUnread', sync.totalUnread$),
    pendingWrites$: counted('pendingWrites', sync.pendingWrites$),
    changes$: counted('changes', sync.changes$),
    watchPage(opts) {
      windows.made++;
      const win = sync.watchPage(opts);
      const w = counted('window', win) as LiveWindow;
      w.setLimit = (n) => (windows.setLimits.push(n), win.setLimit(n));
      return w;
    },
  };
}

/** A client of the server that serves the page, as `userID`, on IndexedDB; not started. */
export function pageClient(userID: string, tag: string): ConversationSync {
  const origin = location.origin;
  const token = async (): Promise<string> => {
    const r = await fetch(`${origin}/admin/token`, { method: 'POST', body: JSON.stringify({ userID }) });
    return ((await r.json()) as { data: { token: string } }).data.token;
  };
  return createConversationSync({ userID, apiURL: origin, wsURL: `${origin.replace(/^http/, 'ws')}/ws`, token, storage: idbStorage({ name: `${tag}-${userID}` }) });
}

/** What every page's driver reads: the rows shown, the live subscriptions, the windows, the renders. */
export const probes = {
  rowIDs: () => [...document.querySelectorAll<HTMLElement>('[data-testid="row"]')].map((r) => r.dataset['id']!),
  active: () => ({ ...active }),
  windows: () => ({ made: windows.made, setLimits: [...windows.setLimits] }),
  renders: () => ({ ...renders }),
};

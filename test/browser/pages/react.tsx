/**
 * A bare page for the browser tests of convsync/react: the hooks under <StrictMode>
 * around one client whose observables are wrapped to count live subscriptions, and
 * memoized rows that count their renders. Driven from the test through `window.reactPage`.
 */
import { memo, StrictMode, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { Observable } from 'rxjs';
import { createConversationSync, idbStorage, type ConversationSync, type LocalConversation } from '../../../src/index.js';
import { useConversation, useConversationPage, usePendingWrites, useSyncStatus, useTotalUnread, type LiveWindow } from '../../../src/react/index.js';

/** Live subscriptions per observable of the client, and what was asked of the windows. */
const active: Record<string, number> = { status: 0, totalUnread: 0, pendingWrites: 0, changes: 0, window: 0 };
const windows: { made: number; setLimits: number[] } = { made: 0, setLimits: [] };
const renders: Record<string, number> = {};

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

function instrument(sync: ConversationSync): ConversationSync {
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

const Row = memo(function Row({ c }: { c: LocalConversation }) {
  renders[c.conversationID] = (renders[c.conversationID] ?? 0) + 1;
  return <li data-testid="row" data-id={c.conversationID} data-unread={c.unreadCount} data-pinned={String(c.isPinned)} />;
});

/** One record through useConversation; memo: it renders for its own record only. */
const Watched = memo(function Watched({ sync, id }: { sync: ConversationSync; id: string }) {
  const c = useConversation(sync, id);
  renders['watched'] = (renders['watched'] ?? 0) + 1;
  return <p data-testid="watched" data-id={id} data-unread={c ? c.unreadCount : 'none'} />;
});

let setLimitProp: (n: number) => void = () => {};

function App({ sync, watch, limit0 }: { sync: ConversationSync; watch: string; limit0: number }) {
  const [limit, setLimit] = useState(limit0);
  setLimitProp = setLimit;
  const page = useConversationPage(sync, { limit });
  const unread = useTotalUnread(sync);
  const status = useSyncStatus(sync);
  const writes = usePendingWrites(sync);
  (window as unknown as { more: () => void }).more = () => page.setLimit(page.items.length + 20);
  return (
    <section data-testid="page" data-rows={page.items.length} data-total={page.total} data-page-unread={page.unreadTotal} data-unread={unread} data-loading={String(page.loading)} data-status={status.state} data-writes={writes.length}>
      <ul>
        {page.items.map((c) => (
          <Row key={c.conversationID} c={c} />
        ))}
      </ul>
      <Watched sync={sync} id={watch} />
    </section>
  );
}

let real: ConversationSync | null = null;
let sync: ConversationSync | null = null;
let root: Root | null = null;
let props = { watch: '', limit0: 20 };

const reactPage = {
  async start(userID: string, watch: string, limit0 = 20): Promise<void> {
    const origin = location.origin;
    const token = async (): Promise<string> => {
      const r = await fetch(`${origin}/admin/token`, { method: 'POST', body: JSON.stringify({ userID }) });
      return ((await r.json()) as { data: { token: string } }).data.token;
    };
    real = createConversationSync({ userID, apiURL: origin, wsURL: `${origin.replace(/^http/, 'ws')}/ws`, token, storage: idbStorage({ name: `react-${userID}` }) });
    sync = instrument(real);
    props = { watch, limit0 };
    reactPage.mount();
    await real.start();
  },
  mount(): void {
    root = createRoot(document.getElementById('root')!);
    flushSync(() => root!.render(<StrictMode>{sync && <App sync={sync} {...props} />}</StrictMode>));
  },
  unmount(): void {
    root?.unmount();
    root = null;
  },
  stop: () => real!.stop(),
  more: () => (window as unknown as { more: () => void }).more(),
  setLimitProp: (n: number) => setLimitProp(n),
  rowIDs: () => [...document.querySelectorAll<HTMLElement>('[data-testid="row"]')].map((r) => r.dataset['id']!),
  active: () => ({ ...active }),
  windows: () => ({ made: windows.made, setLimits: [...windows.setLimits] }),
  renders: () => ({ ...renders }),
};

(window as unknown as { reactPage: typeof reactPage }).reactPage = reactPage;

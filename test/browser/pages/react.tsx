/**
 * A bare page for the browser tests of convsync/react: the hooks under <StrictMode>
 * around one client whose subscriptions are counted (./instrument.ts), and memoized
 * rows that count their renders. Driven from the test (../binding-page.ts) through `window.bindingPage`.
 */
import { memo, StrictMode, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { flushSync } from 'react-dom';
import type { ConversationSync, LocalConversation } from '../../../src/index.js';
import { useConversation, useConversationPage, usePendingWrites, useSyncStatus, useTotalUnread } from '../../../src/react/index.js';
import { instrument, pageClient, probes, rendered } from './instrument.js';

const Row = memo(function Row({ c }: { c: LocalConversation }) {
  rendered(c.conversationID);
  return <li data-testid="row" data-id={c.conversationID} data-unread={c.unreadCount} data-pinned={String(c.isPinned)} />;
});

/** One record through useConversation; memo: it renders for its own record only. */
const Watched = memo(function Watched({ sync, id }: { sync: ConversationSync; id: string }) {
  const c = useConversation(sync, id);
  rendered('watched');
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

const bindingPage = {
  async start(userID: string, watch: string, limit0 = 20): Promise<void> {
    real = pageClient(userID, 'react');
    sync = instrument(real);
    props = { watch, limit0 };
    bindingPage.mount();
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
  ...probes,
};

(window as unknown as { bindingPage: typeof bindingPage }).bindingPage = bindingPage;

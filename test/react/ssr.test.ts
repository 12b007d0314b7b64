/**
 * Server-side rendering: every hook of convsync/react rendered with `renderToString` in
 * Node (no IndexedDB, no DOM) with a client that was never started. The markup is the
 * empty state, and the client is not touched at all: no property of it is read.
 */
import { createElement as h, StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { expect, it } from 'vitest';
import type { ConversationSync } from '../../src/index.js';
import { useConversation, useConversationPage, usePendingWrites, useSyncStatus, useTotalUnread } from '../../src/react/index.js';
import { expectUntouched, neverStarted, watched } from '../bindings/watched.js';

function App({ sync }: { sync: ConversationSync }) {
  const page = useConversationPage(sync, { limit: 20 });
  const one = useConversation(sync, 'si_alice_bob');
  const unread = useTotalUnread(sync);
  const status = useSyncStatus(sync);
  const writes = usePendingWrites(sync);
  return h(
    'main',
    null,
    h('p', { id: 'status' }, `${status.state} ${status.connected} ${status.hasSynced} ${status.pendingWrites}`),
    h('p', { id: 'totals' }, `${page.total} ${page.unreadTotal} ${unread} ${page.loading} ${page.hasMore}`),
    h('p', { id: 'one' }, one ? one.showName : 'none'),
    h('p', { id: 'writes' }, String(writes.length)),
    h('ul', null, ...page.items.map((c) => h('li', { key: c.conversationID }, c.showName))),
  );
}

it('renderToString: every hook, a never-started client: the empty state, and the client untouched', async () => {
  const real = neverStarted('alice');
  const { sync, reads } = watched(real);

  const html = renderToString(h(StrictMode, null, h(App, { sync })));

  expect(html).toBe(
    '<main><p id="status">stopped false false 0</p><p id="totals">0 0 0 true false</p><p id="one">none</p><p id="writes">0</p><ul></ul></main>',
  );
  expect(reads).toEqual([]);
  await expectUntouched(real);
});

it('renderToString twice with the same client gives the same markup (no state kept between requests)', () => {
  const sync = neverStarted('bob');
  const a = renderToString(h(App, { sync }));
  const b = renderToString(h(App, { sync }));
  expect(b).toBe(a);
  expect(a).toContain('<ul></ul>');
});

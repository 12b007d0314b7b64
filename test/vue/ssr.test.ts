/**
 * Server-side rendering: every composable of convsync/vue rendered with Vue's
 * `renderToString` in Node (no IndexedDB, no DOM) with a client that was never started.
 * The markup is the empty state, and the client is not touched at all: no property of
 * it is read.
 */
import { createSSRApp, defineComponent, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { expect, it } from 'vitest';
import type { ConversationSync } from '../../src/index.js';
import { useConversation, useConversationPage, usePendingWrites, useSyncStatus, useTotalUnread } from '../../src/vue/index.js';
import { expectUntouched, neverStarted, watched } from '../bindings/watched.js';

const App = defineComponent({
  props: { sync: { type: Object as () => ConversationSync, required: true } },
  setup({ sync }) {
    const page = useConversationPage(sync, { limit: 20 });
    const one = useConversation(sync, 'si_alice_bob');
    const unread = useTotalUnread(sync);
    const status = useSyncStatus(sync);
    const writes = usePendingWrites(sync);
    return () => {
      const s = status.value;
      const p = page.value;
      return h('main', [
        h('p', { id: 'status' }, `${s.state} ${s.connected} ${s.hasSynced} ${s.pendingWrites}`),
        h('p', { id: 'totals' }, `${p.total} ${p.unreadTotal} ${unread.value} ${p.loading} ${p.hasMore}`),
        h('p', { id: 'one' }, one.value ? one.value.showName : 'none'),
        h('p', { id: 'writes' }, String(writes.value.length)),
        h('ul', p.items.map((c) => h('li', { key: c.conversationID }, c.showName))),
      ]);
    };
  },
});

it('renderToString: every composable, a never-started client: the empty state, and the client untouched', async () => {
  const real = neverStarted('alice');
  const { sync, reads } = watched(real);

  const html = await renderToString(createSSRApp(App, { sync }));

  expect(html).toBe('<main><p id="status">stopped false false 0</p><p id="totals">0 0 0 true false</p><p id="one">none</p><p id="writes">0</p><ul></ul></main>');
  expect(reads).toEqual([]);
  await expectUntouched(real);
});

it('renderToString twice with the same client gives the same markup', async () => {
  const sync = neverStarted('bob');
  const a = await renderToString(createSSRApp(App, { sync }));
  expect(await renderToString(createSSRApp(App, { sync }))).toBe(a);
  expect(a).toContain('<ul></ul>');
});

/**
 * convsync/vue outside a component: in an `effectScope` a composable follows the client
 * from the call and lets go at `scope.stop()`; a new `limit` resizes the one window;
 * outside any scope it throws. A client that is not started, its subscriptions counted.
 */
import { effectScope, nextTick, ref } from 'vue';
import { expect, it } from 'vitest';
import { useConversation, useConversationPage, usePendingWrites, useSyncStatus, useTotalUnread } from '../../src/vue/index.js';
import { active, instrument, windows } from '../browser/pages/instrument.js';
import { neverStarted } from '../bindings/watched.js';

it('an effect scope: subscribed from the call, a new limit resizes the same window, nothing left after stop()', async () => {
  const sync = instrument(neverStarted('scope'));
  const limit = ref(10);
  const scope = effectScope();
  const refs = scope.run(() => ({
    page: useConversationPage(sync, { limit }),
    one: useConversation(sync, 'x'),
    unread: useTotalUnread(sync),
    status: useSyncStatus(sync),
    writes: usePendingWrites(sync),
  }))!;
  expect(active).toEqual({ status: 2, totalUnread: 1, pendingWrites: 1, changes: 1, window: 1 });
  expect(refs.status.value.state).toBe('stopped');
  expect(refs.page.value.loading).toBe(true);
  limit.value = 30;
  await nextTick();
  expect(windows).toEqual({ made: 1, setLimits: [30] });
  scope.stop();
  expect(active).toEqual({ status: 0, totalUnread: 0, pendingWrites: 0, changes: 0, window: 0 });
});

it('outside setup() and any effect scope: a clear error', () => {
  expect(() => useTotalUnread(neverStarted('none'))).toThrow(/setup\(\) or inside an effectScope/);
});

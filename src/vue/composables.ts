/**
 * The composables: each one a shallow ref over a store of src/bindings. In a component
 * the store is followed from `onMounted` (never on the server, and hydration starts from
 * the same empty state the server rendered); in a bare `effectScope` from the call. Both
 * stop when the scope ends.
 */
import { computed, getCurrentInstance, getCurrentScope, onMounted, onScopeDispose, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref } from 'vue';
import type { ConversationSync, LocalConversation, PendingWrite, SyncStatus } from '../index.js';
import { conversationStore } from '../bindings/conversation.js';
import { pageStore } from '../bindings/page.js';
import { pendingWritesStore, statusStore, totalUnreadStore } from '../bindings/status.js';
import type { Store } from '../bindings/store.js';
import type { ConversationPage } from '../bindings/types.js';

function follow<T>(make: () => Store<T>): Readonly<Ref<T>> {
  if (!getCurrentScope()) throw new Error('convsync/vue: call it in setup() or inside an effectScope');
  const store = computed(make);
  const value = shallowRef(store.value.initial);
  let live = false;
  let off = (): void => {};
  const start = (): void => {
    off();
    const s = store.value;
    off = s.subscribe(() => (value.value = s.getSnapshot()));
    value.value = s.getSnapshot();
    live = true;
  };
  // a new store (another conversation ID) is followed instead of the old one
  watch(store, () => live && start());
  if (getCurrentInstance()) onMounted(start);
  else start();
  onScopeDispose(() => off());
  return value;
}

/**
 * The first `limit` rows of the sorted list and the list's totals, live
 * (`sync.watchPage`). `limit` may be a ref or a getter: a new value resizes the same
 * window; `page.value.setLimit` grows it for infinite scroll. On the server: an empty,
 * loading page.
 */
export function useConversationPage(sync: ConversationSync, options: { limit?: MaybeRefOrGetter<number> } = {}): Readonly<Ref<ConversationPage>> {
  const limit = (): number => toValue(options.limit) ?? 20;
  const store = pageStore(sync, limit());
  watch(limit, (n) => store.setLimit(n));
  return follow(() => store);
}

/**
 * One conversation, live: `undefined` while unknown (not loaded yet, not in the list,
 * deleted, or on the server). `conversationID` may be a ref or a getter.
 */
export function useConversation(sync: ConversationSync, conversationID: MaybeRefOrGetter<string>): Readonly<Ref<LocalConversation | undefined>> {
  return follow(() => conversationStore(sync, toValue(conversationID)));
}

/** The unread sum of the whole list (`sync.totalUnread$`); 0 until it is read, and on the server. */
export function useTotalUnread(sync: ConversationSync): Readonly<Ref<number>> {
  return follow(() => totalUnreadStore(sync));
}

/** The client's `SyncStatus` (`sync.status$`); the same object until a field changes. `STOPPED_STATUS` on the server. */
export function useSyncStatus(sync: ConversationSync): Readonly<Ref<SyncStatus>> {
  return follow(() => statusStore(sync));
}

/** The local writes the server has not confirmed yet, oldest first (`sync.pendingWrites$`); `[]` on the server. */
export function usePendingWrites(sync: ConversationSync): Readonly<Ref<PendingWrite[]>> {
  return follow(() => pendingWritesStore(sync));
}

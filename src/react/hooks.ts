/**
 * The hooks: each one a `useSyncExternalStore` over a store of src/bindings, made once
 * per component and client. The server snapshot is the store's `initial` value, so a
 * server render never touches the client.
 */
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { ConversationSync, LocalConversation, PendingWrite, SyncStatus } from '../index.js';
import { conversationStore } from '../bindings/conversation.js';
import { pageStore } from '../bindings/page.js';
import { pendingWritesStore, statusStore, totalUnreadStore } from '../bindings/status.js';
import type { Store } from '../bindings/store.js';
import type { ConversationPage, ConversationPageOptions } from '../bindings/types.js';

function useStore<T>(store: Store<T>): T {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, () => store.initial);
}

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
  return useStore(store);
}

/**
 * One conversation, live: `undefined` while unknown (not loaded yet, not in the list,
 * deleted, or on the server). Re-renders only when this conversation changes.
 */
export function useConversation(sync: ConversationSync, conversationID: string): LocalConversation | undefined {
  return useStore(useMemo(() => conversationStore(sync, conversationID), [sync, conversationID]));
}

/** The unread sum of the whole list (`sync.totalUnread$`); 0 until it is read, and on the server. */
export function useTotalUnread(sync: ConversationSync): number {
  return useStore(useMemo(() => totalUnreadStore(sync), [sync]));
}

/** The client's `SyncStatus` (`sync.status$`), current from the first render; the same object until a field changes. `STOPPED_STATUS` on the server. */
export function useSyncStatus(sync: ConversationSync): SyncStatus {
  return useStore(useMemo(() => statusStore(sync), [sync]));
}

/** The local writes the server has not confirmed yet, oldest first (`sync.pendingWrites$`); `[]` on the server. */
export function usePendingWrites(sync: ConversationSync): PendingWrite[] {
  return useStore(useMemo(() => pendingWritesStore(sync), [sync]));
}

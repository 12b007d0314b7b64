/**
 * The stores: each one a store of src/bindings behind Svelte's store contract, written
 * by hand (no import of svelte). On a server (no `document`) a store gives its empty
 * value and never touches the client.
 */
import type { ConversationSync, LocalConversation, PendingWrite, SyncStatus } from '../index.js';
import { conversationStore } from '../bindings/conversation.js';
import { pageStore } from '../bindings/page.js';
import { pendingWritesStore, statusStore, totalUnreadStore } from '../bindings/status.js';
import type { Store } from '../bindings/store.js';
import type { ConversationPage, ConversationPageOptions } from '../bindings/types.js';

/** Svelte's store contract (`svelte/store`'s `Readable`): usable as `$store`, with `fromStore`, and in runes. */
export interface Readable<T> {
  /** Calls `run` with the value now and at each change; the returned function stops it. */
  subscribe(run: (value: T) => void, invalidate?: () => void): () => void;
}

function readable<T>(store: Store<T>): Readable<T> {
  return {
    subscribe(run) {
      if (typeof document === 'undefined') {
        run(store.initial);
        return () => {};
      }
      let ready = false;
      const off = store.subscribe(() => ready && run(store.getSnapshot()));
      ready = true;
      run(store.getSnapshot());
      return off;
    },
  };
}

/**
 * The first `limit` rows of the sorted list and the list's totals, live
 * (`sync.watchPage`); `$page.setLimit(n)` resizes the same window (infinite scroll).
 * On the server: an empty, loading page.
 */
export function conversationPage(sync: ConversationSync, options: ConversationPageOptions = {}): Readable<ConversationPage> {
  return readable(pageStore(sync, options.limit ?? 20));
}

/** One conversation, live: `undefined` while unknown (not loaded yet, not in the list, deleted, or on the server). */
export function conversation(sync: ConversationSync, conversationID: string): Readable<LocalConversation | undefined> {
  return readable(conversationStore(sync, conversationID));
}

/** The unread sum of the whole list (`sync.totalUnread$`); 0 until it is read, and on the server. */
export function totalUnread(sync: ConversationSync): Readable<number> {
  return readable(totalUnreadStore(sync));
}

/** The client's `SyncStatus` (`sync.status$`); the same object until a field changes. `STOPPED_STATUS` on the server. */
export function syncStatus(sync: ConversationSync): Readable<SyncStatus> {
  return readable(statusStore(sync));
}

/** The local writes the server has not confirmed yet, oldest first (`sync.pendingWrites$`); `[]` on the server. */
export function pendingWrites(sync: ConversationSync): Readable<PendingWrite[]> {
  return readable(pendingWritesStore(sync));
}

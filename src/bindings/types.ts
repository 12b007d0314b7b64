/** The shapes the bindings return, named from the client's public API. */
import type { LocalConversation } from '../index.js';

/** `LiveWindow`: what `sync.watchPage()` returns; `PageView`: one emission of it. */
export type { LiveWindow, PageView } from '../index.js';

/** The options of a page (`useConversationPage`, `conversationPage`). */
export interface ConversationPageOptions {
  /** Rows in the window. Default 20. A new value resizes the window (no new subscription). */
  limit?: number;
}

/** A live page: what `useConversationPage` (React, Vue) and `conversationPage` (Svelte) give. */
export interface ConversationPage {
  /** The first `limit` rows in list order. A row keeps its object while its data is unchanged. */
  items: readonly LocalConversation[];
  /** How many conversations the whole list shows. */
  total: number;
  /** The unread sum of the whole list. */
  unreadTotal: number;
  /** No page yet: before the client's storage is open, and always on the server. */
  loading: boolean;
  /** Rows exist beyond `items` (`items.length < total`). */
  hasMore: boolean;
  /** Why the window stopped (a storage error); it resubscribes on the next status change. */
  error: unknown;
  /** Shows `limit` rows from now on; a larger one reads only the new rows (infinite scroll). */
  setLimit(limit: number): void;
}

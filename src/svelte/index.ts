/**
 * convsync/svelte: stores over a `ConversationSync` client by Svelte's store contract
 * (Svelte 4 and 5; nothing of svelte is imported). Each takes the client first, follows
 * it while subscribed (never on the server, never starting the client) and gives a value
 * that stays the same object until its data changes.
 */
export { conversationPage, conversation, totalUnread, syncStatus, pendingWrites, type Readable } from './stores.js';
export { STOPPED_STATUS } from '../bindings/status.js';
export type { ConversationPage, ConversationPageOptions, LiveWindow, PageView } from '../bindings/types.js';

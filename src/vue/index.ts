/**
 * convsync/vue: composables over a `ConversationSync` client (Vue 3.3 or later). Each
 * takes the client first and returns a read-only shallow ref that follows the client
 * from mount (never on the server, never starting the client) until its component or
 * effect scope ends; its value stays the same object until its data changes.
 */
export { useConversationPage, useConversation, useTotalUnread, useSyncStatus, usePendingWrites } from './composables.js';
export { STOPPED_STATUS } from '../bindings/status.js';
export type { ConversationPage, LiveWindow, PageView } from '../bindings/types.js';

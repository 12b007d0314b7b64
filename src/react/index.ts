/**
 * convsync/react: React hooks over a `ConversationSync` client (React 18 or later).
 * Each takes the client first, subscribes when the component mounts (never on the
 * server, never starting the client) and returns a snapshot that stays the same object
 * until its data changes.
 */
export { useConversationPage } from './page.js';
export { useConversation } from './conversation.js';
export { useTotalUnread, useSyncStatus, usePendingWrites, STOPPED_STATUS } from './status.js';
export type { ConversationPage, ConversationPageOptions, LiveWindow, PageView } from './types.js';

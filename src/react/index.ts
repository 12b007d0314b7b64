/**
 * convsync/react: React hooks over a `ConversationSync` client (React 18 or later).
 * Each takes the client first, subscribes when the component mounts (never on the
 * server, never starting the client) and returns a snapshot that stays the same object
 * until its data changes. The built entry starts with `'use client'` (Next.js App Router).
 */
export { useConversationPage, useConversation, useTotalUnread, useSyncStatus, usePendingWrites } from './hooks.js';
export { STOPPED_STATUS } from '../bindings/status.js';
export type { ConversationPage, ConversationPageOptions, LiveWindow, PageView } from '../bindings/types.js';

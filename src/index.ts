/** convsync: the client SDK. Adapters are imported from their own modules so bundlers drop the unused ones. */
export { createConversationSync } from './client/create.js';
export type { ConversationSync, ConversationSyncOptions, PageOptions } from './client/create.js';
export type { WriteResult } from './client/writes/calls.js';
export type { PendingWrite } from './client/writes/pending.js';
export type { ChangeMode, ChangeSet, ClientMetrics, Progress } from './client/kernel/types.js';
export type { LiveWindow, PageView } from './client/views/window.js';
export type { WatchPageOptions } from './client/views/views.js';
export type { SyncState, SyncStatus } from './client/kernel/status.js';
export type { Clock } from './client/kernel/clock.js';
export type { FetchLike, TokenOption } from './client/remote/http.js';
export type { WebSocketCtor } from './client/remote/socket.js';
export type { LockHolder, TabCoordinator } from './client/tabs/coordinator.js';
/** Several clients of one user in one process, as tabs of one browser (Node tests). */
export { memoryTabs, type MemoryTab, type MemoryTabs } from './client/tabs/memory.js';
export { idbStorage } from './storage/idb.js';
export { dexieStorage, type DexieInstance, type DexieStorageOptions } from './storage/dexie.js';
export { memoryStorage } from './storage/memory.js';
export type { ConversationSettings, LocalDiff, NewWrite, OutboxEntry, Page, PageCursor, StagedFull, StorageAdapter, StorageOptions, WriteKind, WriteOutcome } from './storage/types.js';
export { ConvSyncError, type ErrorCode } from './protocol/errors.js';
export { isConvSyncError } from './client/kernel/errors.js';
/** The list order (SPEC §1.2) and unread arithmetic, for apps that keep their own rows. */
export { compareConversations, totalUnreadOf, unreadCountOf } from './protocol/order.js';
export type * from './protocol/types.js';

/** The stores over the client's value streams: the unread total, the status, the queued writes. */
import type { ConversationSync, PendingWrite, SyncStatus } from '../index.js';
import { settleStatus, settleWrites } from './same.js';
import { observableStore, type Store } from './store.js';

/** A client that is not running, as `status$` shows it before `start()`; also what a server renders. */
export const STOPPED_STATUS: SyncStatus = Object.freeze({ state: 'stopped', connected: false, pendingWrites: 0, hasSynced: false, preview: false });
const NO_WRITES: PendingWrite[] = Object.freeze([]) as unknown as PendingWrite[];

/** `sync.totalUnread$`; 0 until it is read. */
export const totalUnreadStore = (sync: ConversationSync): Store<number> => observableStore(() => sync.totalUnread$, 0);

/** `sync.status$`, current from the first read; the same object until a field changes. */
export const statusStore = (sync: ConversationSync): Store<SyncStatus> => observableStore(() => sync.status$, STOPPED_STATUS, { settle: settleStatus, peek: true });

/** `sync.pendingWrites$`, current from the first read; the same array until a write changes. */
export const pendingWritesStore = (sync: ConversationSync): Store<PendingWrite[]> => observableStore(() => sync.pendingWrites$, NO_WRITES, { settle: settleWrites, peek: true });

/** The hooks over the client's value streams: the unread total, the status, the queued writes. */
import { useMemo, useSyncExternalStore } from 'react';
import type { ConversationSync, PendingWrite, SyncStatus } from '../index.js';
import { settleStatus, settleWrites } from './same.js';
import { observableStore } from './store.js';

/** A client that is not running, as `status$` shows it before `start()`; also the server's snapshot. */
export const STOPPED_STATUS: SyncStatus = Object.freeze({ state: 'stopped', connected: false, pendingWrites: 0, hasSynced: false, preview: false });
const NO_WRITES: PendingWrite[] = Object.freeze([]) as unknown as PendingWrite[];

const zero = (): number => 0;
const stopped = (): SyncStatus => STOPPED_STATUS;
const noWrites = (): PendingWrite[] => NO_WRITES;

/** The unread sum of the whole list (`sync.totalUnread$`); 0 until it is read, and on the server. */
export function useTotalUnread(sync: ConversationSync): number {
  const store = useMemo(() => observableStore(() => sync.totalUnread$, 0), [sync]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, zero);
}

/** The client's `SyncStatus` (`sync.status$`), current from the first render; the same object until a field changes. `STOPPED_STATUS` on the server. */
export function useSyncStatus(sync: ConversationSync): SyncStatus {
  const store = useMemo(() => observableStore(() => sync.status$, STOPPED_STATUS, { settle: settleStatus, peek: true }), [sync]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, stopped);
}

/** The local writes the server has not confirmed yet, oldest first (`sync.pendingWrites$`); `[]` on the server. */
export function usePendingWrites(sync: ConversationSync): PendingWrite[] {
  const store = useMemo(() => observableStore(() => sync.pendingWrites$, NO_WRITES, { settle: settleWrites, peek: true }), [sync]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, noWrites);
}

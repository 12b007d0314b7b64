/** `status$`: one pure reducer, so every transition is visible and testable. */
import type { ConvSyncError, SyncMode } from '../../protocol/index.js';

/** `stopped`: not started, stopped, or stopped by another tab (a logout: `error.code` `DB_DELETED`). */
export type SyncState = 'idle' | 'syncing' | 'offline' | 'error' | 'stopped';

export interface SyncStatus {
  state: SyncState;
  /** The notification socket is authenticated and live. */
  connected: boolean;
  /** Local writes not yet confirmed by the server (`pendingWrites$` lists them). */
  pendingWrites: number;
  /** A sync completed once on this device (the list is the server's, as of `lastSyncAt` or an earlier session). */
  hasSynced: boolean;
  /** A cold device shows the server's first sorted page while the full list downloads. */
  preview: boolean;
  /** ms since epoch of the last successful sync. */
  lastSyncAt?: number;
  lastMode?: SyncMode;
  /** The last failure; kept until a sync succeeds. */
  error?: ConvSyncError;
}

export type StatusEvent =
  /** a sync begins */
  | { type: 'sync' }
  /** a sync succeeded */
  | { type: 'ok'; mode: SyncMode; at: number }
  /** a sync failed: NETWORK / TIMEOUT mean offline, anything else is an error */
  | { type: 'fail'; error: ConvSyncError }
  /** a malformed frame or a failed pushed apply, outside of a sync's own result */
  | { type: 'problem'; error: ConvSyncError }
  /** the socket came up (authenticated) or went down */
  | { type: 'socket'; up: boolean }
  /** the number of queued local writes changed */
  | { type: 'pending'; count: number }
  /** storage was opened: whether it holds a synced list from before */
  | { type: 'restored'; hasSynced: boolean }
  /** a preview of the server's first page is shown (or no longer) */
  | { type: 'preview'; on: boolean }
  /** the client started (its status until it hears the leader's, or runs its own syncs) */
  | { type: 'start' }
  /** the client stopped; `error` says why when it was not asked to (a logout in another tab) */
  | { type: 'stop'; error?: ConvSyncError };

export const initialStatus: SyncStatus = { state: 'stopped', connected: false, pendingWrites: 0, hasSynced: false, preview: false };

const offlineCodes = new Set(['NETWORK', 'TIMEOUT']);

export function reduceStatus(s: SyncStatus, e: StatusEvent): SyncStatus {
  const { error: _drop, ...rest } = s;
  switch (e.type) {
    case 'sync':
      return { ...s, state: 'syncing' };
    case 'ok':
      return { ...rest, state: 'idle', lastSyncAt: e.at, lastMode: e.mode, hasSynced: true, preview: false };
    case 'fail':
      return { ...s, state: offlineCodes.has(e.error.code) ? 'offline' : 'error', error: e.error };
    case 'problem':
      return { ...s, state: s.state === 'syncing' ? 'syncing' : 'error', error: e.error };
    case 'socket':
      return { ...s, connected: e.up };
    case 'pending':
      return { ...s, pendingWrites: e.count };
    case 'restored':
      return { ...s, hasSynced: e.hasSynced || s.hasSynced };
    case 'preview':
      return { ...s, preview: e.on };
    case 'start':
      return { ...rest, state: 'idle', connected: false };
    case 'stop':
      return { ...rest, state: 'stopped', connected: false, preview: false, ...(e.error ? { error: e.error } : {}) };
  }
}

/** Public value types of the client: change events, progress, metrics. */
import type { ErrorCode, SyncMode } from '../../protocol/index.js';
import type { LocalDiff } from '../../storage/types.js';

/**
 * How a change reached the device: a sync (by its mode), a pushed frame, a local edit (a
 * draft, or a write shown before the server has it), or the roll-back of a write the
 * server refused.
 */
export type ChangeMode = SyncMode | 'pushed' | 'local' | 'rollback';

/** One `changes$` event: the true diff of one sync, one pushed frame or one local edit. */
export interface ChangeSet extends LocalDiff {
  mode: ChangeMode;
}

/** Full-sync progress: records staged so far; `done` once the snapshot is swapped in. */
export interface Progress {
  staged: number;
  /** the snapshot's size, as its first page said (absent when the server does not say) */
  total?: number;
  done: boolean;
}

export interface ClientMetrics {
  /** completed syncs by mode (a full sync's catch-up incremental is part of it) */
  syncs: Record<SyncMode, number>;
  /** HTTP requests sent, retries included */
  requests: number;
  /** bytes of answer bodies received */
  bytesReceived: number;
  /** notifications received (changed, unread, private) */
  notifications: number;
  /** pushed deltas applied without a request */
  pushedDeltasApplied: number;
  /** unread frames applied in place */
  unreadApplied: number;
  /** drift checks made / mismatches found */
  driftChecks: number;
  driftMismatches: number;
  /** socket connections authenticated (first connect and every reconnect) */
  socketConnects: number;
  /** of those, reconnects (all but the first) */
  socketReconnects: number;
  /** this tab leads: it holds the socket and runs the syncs of every tab of the user */
  leader: boolean;
  /** how many times this tab became the leader */
  leaderTerms: number;
  /** messages from other tabs dropped as malformed (docs/tabs.md) */
  tabMessagesDropped: number;
  /** failures by code */
  errors: Partial<Record<ErrorCode, number>>;
}

export function newMetrics(): ClientMetrics {
  return {
    syncs: { full: 0, incremental: 0, equal: 0 },
    requests: 0,
    bytesReceived: 0,
    notifications: 0,
    pushedDeltasApplied: 0,
    unreadApplied: 0,
    driftChecks: 0,
    driftMismatches: 0,
    socketConnects: 0,
    socketReconnects: 0,
    leader: false,
    leaderTerms: 0,
    tabMessagesDropped: 0,
    errors: {},
  };
}

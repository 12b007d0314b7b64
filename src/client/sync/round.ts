/**
 * One sync round (SPEC §3.1, §5.3): resume or run a full sync when needed, then an
 * incremental sync from the local cursor, then (rate-limited) the drift check. Every
 * write goes through the replica, tagged with the round, so `changes$` reports the
 * round's true diff once.
 */
import { ConvSyncError, idHash, readFullIDs, readIncremental, type Cursor, type SyncMode } from '../../protocol/index.js';
import type { Clock } from '../kernel/clock.js';
import { badAnswer, runFullSync, type FullSyncDeps } from './full.js';
import type { Replica } from '../kernel/replica.js';
import type { Transport } from '../remote/transport.js';
import type { ClientMetrics, Progress } from '../kernel/types.js';

export interface RoundConfig {
  replica: Replica;
  transport: Transport;
  clock: Clock;
  metrics: ClientMetrics;
  pageSize: number;
  driftCheck: boolean;
  driftCheckIntervalMs: number;
  onProgress(p: Progress): void;
  previewSize: number;
  onPreview: FullSyncDeps['onPreview'];
  keepDiff: FullSyncDeps['keepDiff'];
  /** asks for one more round after this one (the server moved on during the drift check) */
  followUp(): void;
}

/** Round IDs, unique in the process: a round of a leadership term that ended never meets one of the next. */
let lastRound = 0;

/** Returns the round function the sync loop calls. */
export function createSyncRound(c: RoundConfig): () => Promise<SyncMode> {
  const { replica, transport, clock } = c;
  let lastDrift = Number.NEGATIVE_INFINITY;

  async function steps(round: number): Promise<SyncMode> {
    const full: FullSyncDeps = { replica, transport, round, pageSize: c.pageSize, onProgress: c.onProgress, previewSize: c.previewSize, onPreview: c.onPreview, keepDiff: c.keepDiff };
    let staged = await replica.resumeFull();
    let needFull = staged !== null || replica.cursor === null;
    let didFull = false;
    for (let i = 0; i < 4; i++) {
      if (needFull) {
        await runFullSync(full, staged);
        staged = null;
        needFull = false;
        didFull = true;
        lastDrift = clock.now();
      }
      const r = await incremental(round);
      if (r !== 'full') await replica.confirmLog(round);
      needFull = r === 'full' || (!didFull && c.driftCheck && clock.now() - lastDrift >= c.driftCheckIntervalMs && (await drifted()));
      if (!needFull) return didFull ? 'full' : r;
    }
    throw new ConvSyncError('SERVER', 'the server keeps asking for a full sync');
  }

  async function incremental(round: number): Promise<SyncMode> {
    const cur = replica.cursor;
    if (!cur) return 'full';
    // the semantic checks run inside the transport's validation, so errors carry the operationID
    const a = await transport.post('get_incremental_conversations', { versionID: cur.versionID, version: cur.version }, (d) => {
      const a = readIncremental(d);
      if (a.full) return a;
      if (a.versionID !== cur.versionID) throw badAnswer('a non-full answer for another versionID');
      if (a.version < cur.version) throw badAnswer(`version went backwards (${cur.version} → ${a.version})`);
      if (a.version === cur.version && a.insert.length + a.update.length + a.delete.length > 0) {
        throw badAnswer('changes without a new version');
      }
      return a;
    });
    if (a.full) return 'full';
    if (a.version === cur.version) return 'equal';
    const next = { versionID: a.versionID, version: a.version };
    // the cursor may have moved on since the request (a read the socket announced): an answer it passed is old
    const passed = (at: Cursor | null): boolean => at !== null && at.versionID === next.versionID && at.version >= next.version;
    await replica.apply((at) => (passed(at) ? null : { upsert: [...a.insert, ...a.update], remove: a.delete, next }), 'incremental', round);
    return 'incremental';
  }

  /** Compares the idHash of the local IDs with the server's; `true` on a real mismatch. */
  async function drifted(): Promise<boolean> {
    lastDrift = clock.now();
    const cur = replica.cursor;
    const ids = await replica.settled((s) => s.allIDs());
    const a = await transport.post('get_full_conversation_ids', { idHash: idHash(ids) }, readFullIDs);
    c.metrics.driftChecks++;
    if (!cur || a.versionID !== cur.versionID || a.version !== cur.version) {
      // the server moved on meanwhile: the sets are not comparable; catch up first
      c.followUp();
      return false;
    }
    if (a.equal) return false;
    c.metrics.driftMismatches++;
    return true;
  }

  return async () => {
    const round = ++lastRound;
    let mode: SyncMode | undefined;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return (mode = await steps(round));
        } catch (e) {
          // another tab wrote the cursor meanwhile (a leader that was replaced): the replica
          // has read it again; start over from there
          if ((e as ConvSyncError).code !== 'CONFLICT' || attempt >= 2) throw e;
        }
      }
    } finally {
      // what was committed is reported even when a later step failed
      replica.endRound(round, mode ?? 'incremental');
    }
  };
}

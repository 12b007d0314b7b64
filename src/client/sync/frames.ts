/**
 * What each notification frame does (SPEC §4, §5.3). A `conversation.changed` that
 * continues the local version chain is applied directly; an unread frame raises the
 * read position in place; anything that cannot be applied asks the sync loop for a round.
 */
import type { ChangedFrame, ConvSyncError, Cursor, ServerFrame, UnreadFrame } from '../../protocol/index.js';
import { chainFrames } from './pushed.js';
import type { Replica } from '../kernel/replica.js';
import type { SyncLoop } from './loop.js';
import type { ClientMetrics } from '../kernel/types.js';

/** The frames that reach the client after the socket's own (auth, ping, pong). */
export type DataFrame = Exclude<ServerFrame, { type: 'auth.ok' | 'ping' | 'pong' }>;

export interface Frames {
  frame(f: DataFrame): Promise<void>;
  /** A malformed frame: reported, and a sync (it may have meant a change). */
  malformed(e: ConvSyncError): void;
}

const cursorOf = (c: Cursor): Cursor => ({ versionID: c.versionID, version: c.version });

export function createFrames(replica: Replica, loop: SyncLoop, m: ClientMetrics): Frames {
  /** `conversation.changed` frames waiting for the write queue. */
  let pushed: ChangedFrame[] = [];
  const failed = (e: unknown): void => {
    if ((e as ConvSyncError).code === 'STOPPED') return;
    loop.problem(e as ConvSyncError);
    loop.trigger();
  };

  /**
   * Frames that arrive while earlier writes run are applied together, in version order
   * and one transaction, so a burst never queues up one transaction per frame.
   */
  async function changed(f: ChangedFrame): Promise<void> {
    pushed.push(f);
    let gap = false;
    let applied = 0;
    await replica
      .apply(
        (cursor) => {
          const chain = chainFrames(pushed, cursor, loop.inRound);
          pushed = [];
          gap = chain.gap;
          applied = chain.applied;
          return chain.next && { upsert: chain.upsert, remove: chain.remove, next: chain.next };
        },
        'pushed',
      )
      .then(
        () => void (m.pushedDeltasApplied += applied),
        (e: unknown) => failed(e),
      );
    if (gap) loop.trigger();
  }

  /** Raises hasReadSeq in place; advances the cursor when the read is the next version. */
  async function unread(f: UnreadFrame): Promise<void> {
    let behind = false;
    const advance = (cur: Cursor | null): Cursor | null => {
      const same = cur !== null && f.versionID === cur.versionID;
      const next = same && !loop.inRound && f.version === cur.version + 1;
      // a newer version not recorded here (a gap, another log, a sync in flight): catch up
      behind = !next && (!same || f.version > cur.version);
      return next ? cursorOf(f) : null;
    };
    try {
      const r = await replica.raiseRead(f.conversationID, f.hasReadSeq, advance);
      if (!r.rec) return loop.trigger(); // a record this device does not have yet
      if (r.raised) m.unreadApplied++;
    } catch (e) {
      return failed(e);
    }
    if (behind) loop.trigger();
  }

  return {
    frame(f) {
      m.notifications++;
      if (f.type === 'conversation.changed') return changed(f);
      if (f.type === 'conversation.unread') return unread(f);
      loop.trigger(); // conversation.private
      return Promise.resolve();
    },
    malformed(e) {
      loop.problem(e);
      loop.trigger();
    },
  };
}

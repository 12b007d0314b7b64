/** Turning queued `conversation.changed` frames into one write (SPEC §5.3, pushed deltas). */
import type { ChangedFrame, Conversation, Cursor } from '../../protocol/index.js';
import { withHigherSeqs } from '../../storage/merge.js';

export interface PushedChain {
  upsert: Conversation[];
  remove: string[];
  /** The cursor after the chain; `null` when no frame continues ours. */
  next: Cursor | null;
  /** Frames in the chain. */
  applied: number;
  /** A frame could not be chained (a gap, another log, no delta, a sync in flight): a sync must follow. */
  gap: boolean;
}

/**
 * The longest run of `frames` (in version order) that continues `cursor` one version
 * at a time, merged into one delta: later records win per ID with seqs by max, a delete
 * drops an earlier upsert. Duplicates and old frames are skipped. A record deleted and
 * then written again ends the run: one merged write would keep the deleted record's
 * draft, so that is left to a sync.
 */
export function chainFrames(frames: ChangedFrame[], cursor: Cursor | null, syncing: boolean): PushedChain {
  let next: Cursor | null = null;
  let at = cursor;
  const upsert = new Map<string, Conversation>();
  const gone = new Set<string>();
  let applied = 0;
  for (const f of [...frames].sort((x, y) => x.version - y.version)) {
    if (at && f.versionID === at.versionID && f.version <= at.version) continue;
    const d = f.delta;
    const ups = d ? [...d.insert, ...d.update] : [];
    if (!at || !d || syncing || f.versionID !== at.versionID || f.version !== at.version + 1 || ups.some((c) => gone.has(c.conversationID))) {
      return { upsert: [...upsert.values()], remove: [...gone], next, applied, gap: true };
    }
    for (const c of ups) {
      const had = upsert.get(c.conversationID);
      upsert.set(c.conversationID, had ? withHigherSeqs(c, had) : c);
    }
    for (const id of d.delete) upsert.delete(id), gone.add(id);
    at = next = { versionID: f.versionID, version: f.version };
    applied++;
  }
  return { upsert: [...upsert.values()], remove: [...gone], next, applied, gap: false };
}

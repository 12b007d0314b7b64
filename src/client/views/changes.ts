/** Accumulates the diffs of one sync's writes into the one true diff `changes$` reports. */
import type { LocalConversation } from '../../protocol/index.js';
import type { LocalDiff } from '../../storage/types.js';
import type { Commit } from '../kernel/commit.js';
import type { ChangeSet } from '../kernel/types.js';

export interface DiffAcc {
  add(d: LocalDiff): void;
  readonly empty: boolean;
  result(): LocalDiff;
}

export function diffAcc(): DiffAcc {
  /** id → [record, added?] */
  const recs = new Map<string, [LocalConversation, boolean]>();
  const gone = new Set<string>();
  return {
    add(d) {
      // removed earlier in this sync and back now: it existed before, so it is an update
      for (const c of d.added) recs.set(c.conversationID, [c, !gone.delete(c.conversationID)]);
      for (const c of d.updated) recs.set(c.conversationID, [c, recs.get(c.conversationID)?.[1] ?? false]);
      for (const id of d.removed) {
        if (!recs.get(id)?.[1]) gone.add(id);
        recs.delete(id);
      }
    },
    get empty() {
      return recs.size + gone.size === 0;
    },
    result() {
      const r: LocalDiff = { added: [], updated: [], removed: [...gone] };
      for (const [c, added] of recs.values()) (added ? r.added : r.updated).push(c);
      return r;
    },
  };
}

/**
 * `changes$` from the replica's commits: a commit outside a sync round is one event; the
 * commits of a round are merged into one event, sent at the round's end. Empty diffs
 * send nothing.
 */
export function changesOf(send: (c: ChangeSet) => void): (c: Commit) => void {
  const rounds = new Map<number, DiffAcc>();
  return (c) => {
    if (c.kind === 'round-end') {
      const acc = rounds.get(c.round);
      rounds.delete(c.round);
      if (acc && !acc.empty) send({ ...acc.result(), mode: c.mode });
      return;
    }
    if (c.round === undefined) {
      if (c.diff.added.length + c.diff.updated.length + c.diff.removed.length > 0) send({ ...c.diff, mode: c.mode });
      return;
    }
    let acc = rounds.get(c.round);
    if (!acc) rounds.set(c.round, (acc = diffAcc()));
    acc.add(c.diff);
  };
}

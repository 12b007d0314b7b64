/**
 * What a sync write changes, worked out before any adapter touches its store, so the
 * three adapters share one set of rules and differ only in how they write. Each plan
 * runs the fault-injection hook (`hook(opts, id)`) once per record write it decides on.
 */
import type { Conversation, LocalConversation } from '../protocol/index.js';
import { copyRecord } from './common.js';
import { mergeIncoming } from './merge.js';
import type { LocalDiff, Page, PageCursor } from './types.js';

export interface DeltaPlan {
  /** Per ID: the record to store, or `null` to delete it. */
  writes: Map<string, LocalConversation | null>;
  diff: LocalDiff;
}

/**
 * An incremental apply: upserts merged with what is stored (and with earlier upserts of
 * the same answer), deletes of IDs that exist. Records equal to what is stored are
 * neither written nor reported. `stored` holds the live copies of the IDs involved.
 */
export function planDelta(
  stored: ReadonlyMap<string, LocalConversation>,
  upsert: Conversation[],
  remove: string[],
  beforeWrite: (id: string) => void,
): DeltaPlan {
  const writes = new Map<string, LocalConversation | null>();
  const current = (id: string): LocalConversation | null | undefined => (writes.has(id) ? writes.get(id) : stored.get(id));
  for (const c of upsert) {
    const merged = mergeIncoming(current(c.conversationID) ?? undefined, c);
    if (!merged) continue;
    beforeWrite(c.conversationID);
    writes.set(c.conversationID, merged);
  }
  for (const id of remove) {
    if (!current(id)) continue;
    beforeWrite(id);
    writes.set(id, null);
  }
  const diff: LocalDiff = { added: [], updated: [], removed: [] };
  for (const [id, r] of writes) {
    const old = stored.get(id);
    if (r === null) {
      if (old) diff.removed.push(id);
    } else (old ? diff.updated : diff.added).push(copyRecord(r));
  }
  return { writes, diff };
}

export interface StagePlan extends Pick<LocalDiff, 'added' | 'updated'> {
  /** The records to stage, in page order. */
  rows: LocalConversation[];
}

/** One snapshot page: each record merged with its live copy (seqs as the server has them); which are new or changed. */
export function planStage(
  live: ReadonlyMap<string, LocalConversation>,
  records: Conversation[],
  beforeWrite: (id: string) => void,
): StagePlan {
  const plan: StagePlan = { rows: [], added: [], updated: [] };
  for (const c of records) {
    const old = live.get(c.conversationID);
    const merged = mergeIncoming(old, c, 'server');
    beforeWrite(c.conversationID);
    plan.rows.push(merged ?? old!);
    if (!old) plan.added.push(copyRecord(merged!));
    else if (merged) plan.updated.push(copyRecord(merged));
  }
  return plan;
}

/** The whole list, read page by page: one read of a 100k list blocked Chromium's main thread for ~0.6 s. */
export async function readAllPaged(readPage: (limit: number, after?: PageCursor) => Promise<Page>, chunk: number): Promise<LocalConversation[]> {
  const all: LocalConversation[] = [];
  for (let after: PageCursor | undefined; ; ) {
    const page = await readPage(chunk, after);
    all.push(...page.items);
    if (page.next === null) return all;
    after = page.next;
  }
}

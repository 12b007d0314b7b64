/** What a commit changes: its edits evaluated against the stored records (both stores). */
import { sameConversation, type Conversation } from '../protocol/index.js';
import type { Edit } from './ports.js';
import { LogState, type LogStateValue } from './version-log.js';

/** Staged edits diffed against the stored records: what a commit would change. */
export interface Diff {
  insert: Conversation[];
  update: Conversation[];
  delete: string[];
  log: Array<{ eID: string; state: LogStateValue }>;
}

/**
 * Evaluates `edits` against a staged view of `recs` (the stored records of `userID`), then
 * compares: what the commit would insert, update and delete, and its log entries. Throws
 * what an edit throws, before anything is applied. Both stores commit through it.
 */
export function diff(recs: ReadonlyMap<string, Conversation>, userID: string, edits: readonly Edit[]): Diff {
  // 1. evaluate every edit against a staged view; nothing is applied yet
  const staged = new Map<string, Conversation | undefined>();
  for (const e of edits) {
    const cur = staged.has(e.conversationID) ? staged.get(e.conversationID) : recs.get(e.conversationID);
    const next = e.apply(cur);
    if (next !== undefined && (next.conversationID !== e.conversationID || next.ownerUserID !== userID)) {
      throw new Error(`edit of ${e.conversationID} returned a record of another ID or owner`);
    }
    staged.set(e.conversationID, next);
  }
  // 2. compare with the stored records
  const d: Diff = { insert: [], update: [], delete: [], log: [] };
  for (const [id, next] of staged) {
    const old = recs.get(id);
    if (old === undefined && next === undefined) continue;
    if (old === undefined) {
      d.insert.push(next!);
      d.log.push({ eID: id, state: LogState.INSERT });
    } else if (next === undefined) {
      d.delete.push(id);
      d.log.push({ eID: id, state: LogState.DELETE });
    } else if (!sameConversation(old, next)) {
      d.update.push(next);
      d.log.push({ eID: id, state: LogState.UPDATE });
    }
  }
  return d;
}


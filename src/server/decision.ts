/**
 * The sync decision (SPEC §2.1 single, §2.2 batch).
 *
 * Steps 1–3 and the two cheap "full" cases (client ahead, client behind the compaction
 * watermark) are decided from the log head alone; the log is read only when an
 * incremental answer is possible. After the read the head is checked again (a reset or
 * write may have happened in between on a real database), which is where OpenIM goes
 * wrong: it answers an empty non-full result to a client behind the watermark.
 */
import { isValidCursor, type Conversation, type Cursor, type IncrementalAnswer, type SyncMode } from '../protocol/index.js';
import type { ConversationReads } from './ports.js';
import { LogState, type LogChanges, type LogHead } from './version-log.js';

export type DecisionReason =
  | 'invalid-cursor'
  | 'id-mismatch'
  | 'equal'
  | 'client-ahead'
  | 'compacted'
  | 'overflow'
  | 'incremental';

export interface Decision {
  mode: SyncMode;
  reason: DecisionReason;
  answer: IncrementalAnswer;
}

function empty(head: LogHead, full: boolean): IncrementalAnswer {
  return { versionID: head.id, version: head.version, full, delete: [], insert: [], update: [] };
}

function full(head: LogHead, reason: DecisionReason): Decision {
  return { mode: 'full', reason, answer: empty(head, true) };
}

/** The decision from the head alone, or `null` when the log must be read. */
export function decideFromHead(head: LogHead, c: Cursor): Decision | null {
  if (!isValidCursor(c.versionID, c.version)) return full(head, 'invalid-cursor');
  if (c.versionID !== head.id) return full(head, 'id-mismatch');
  if (c.version === head.version) return { mode: 'equal', reason: 'equal', answer: empty(head, false) };
  if (c.version > head.version) return full(head, 'client-ahead');
  if (c.version < head.deleted) return full(head, 'compacted');
  return null;
}

/** The decision once the changes since the client's version are read. */
export function decideFromChanges(ch: LogChanges, c: Cursor, limit: number): Decision | { need: LogChanges } {
  const again = decideFromHead(ch, c);
  if (again) return again;
  if (ch.logLen > limit || ch.entries.length !== ch.logLen) return full(ch, 'overflow');
  return { need: ch };
}

/** Splits the entries into ID lists and reads inserted/updated records fresh. */
async function incremental(store: ConversationReads, userID: string, ch: LogChanges): Promise<Decision> {
  const answer = empty(ch, false);
  const wanted: string[] = [];
  const stateOf = new Map<string, number>();
  for (const e of ch.entries) {
    if (e.state === LogState.DELETE) answer.delete.push(e.eID);
    else {
      wanted.push(e.eID);
      stateOf.set(e.eID, e.state);
    }
  }
  if (wanted.length > 0) {
    const found = new Map<string, Conversation>();
    for (const r of await store.get(userID, wanted)) found.set(r.conversationID, r);
    for (const id of wanted) {
      const r = found.get(id);
      // a record gone since the read is reported deleted; the next sync carries the entry anyway
      if (!r) answer.delete.push(id);
      else if (stateOf.get(id) === LogState.INSERT) answer.insert.push(r);
      else answer.update.push(r);
    }
  }
  return { mode: 'incremental', reason: 'incremental', answer };
}

/** SPEC §2.1: the answer for one target, reading the log only when an incremental answer is possible. */
export async function decide(store: ConversationReads, userID: string, c: Cursor, limit: number): Promise<Decision> {
  const head = await store.head(userID);
  const quick = decideFromHead(head, c);
  if (quick) return quick;
  const r = decideFromChanges(await store.changesSince(userID, c.version, limit), c, limit);
  return 'need' in r ? incremental(store, userID, r.need) : r;
}

/** One head lookup for all targets; log reads only for those that need one. */
export async function decideBatch(
  store: ConversationReads,
  targets: ReadonlyArray<{ userID: string } & Cursor>,
  limit: number,
): Promise<Map<string, Decision>> {
  const heads = await store.heads(targets.map((t) => t.userID));
  const out = new Map<string, Decision>();
  const pending: Array<Promise<void>> = [];
  for (const t of targets) {
    const quick = decideFromHead(heads.get(t.userID)!, t);
    if (quick) out.set(t.userID, quick);
    else {
      pending.push(
        (async () => {
          const r = decideFromChanges(await store.changesSince(t.userID, t.version, limit), t, limit);
          out.set(t.userID, 'need' in r ? await incremental(store, t.userID, r.need) : r);
        })(),
      );
    }
  }
  await Promise.all(pending);
  return out;
}

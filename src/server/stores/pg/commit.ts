/**
 * `ConversationWrites` on PostgreSQL. A commit is one transaction that first locks the
 * user's head row (`SELECT … FOR UPDATE`): every writer of that user queues there, so
 * versions are handed out one by one and nothing a writer read can change under it.
 * Then: the mutation lookup (`mutations.ts`), the edits evaluated against the stored
 * records (as in the memory store), and one statement that writes records, log entries, the
 * mutation ID, the announced frames, the head and the `NOTIFY` together (a client's
 * mutation is remembered by one more statement of the same transaction).
 */
import type { Pool, PoolClient } from 'pg';
import type { Conversation, Cursor, ServerFrame } from '../../../protocol/index.js';
import { unreadCountOf } from '../../../protocol/index.js';
import { diff, type Diff } from '../../diff.js';
import { refusalOf, type MutationKey } from '../../mutation.js';
import { MUTATIONS_REMEMBERED, type Announce, type Commit, type CommitResult, type Edit } from '../../ports.js';
import { newLogID, type LogHead } from '../../version-log.js';
import { createHeads } from './reads.js';
import { rememberClient, repeatAnswer } from './mutations.js';
import { transaction } from './transaction.js';

/** The channel every instance listens on; the payload is `{"u": userID, "s": frameSeq}`. */
export const CHANNEL = 'convsync_frames';

/** A frame recorded for a user, with its place in that user's sequence. */
export interface SeqFrame {
  seq: number;
  frame: ServerFrame;
}

/** The locked head row of a user. */
interface LockedHead extends LogHead {
  frameSeq: number;
  mutationSeq: number;
}

/** Locks the head row of `userID` (created first when missing). */
export async function lockHead(c: PoolClient, userID: string): Promise<LockedHead> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const r = await c.query<{ log_id: string; version: number; deleted: number; frame_seq: number; mutation_seq: number }>(
      'SELECT log_id, version, deleted, frame_seq, mutation_seq FROM convsync_heads WHERE user_id = $1 FOR UPDATE',
      [userID],
    );
    const row = r.rows[0];
    if (row) return { id: row.log_id, version: row.version, deleted: row.deleted, frameSeq: row.frame_seq, mutationSeq: row.mutation_seq };
    await createHeads(c, [userID]);
  }
  throw new Error(`no head row for ${userID}`);
}

/** What the store needs to know of a committed transaction: the answer and the frames it recorded. */
export interface Committed {
  commit: Commit;
  frames: SeqFrame[];
  /** a refusal remembered for the client (committed): thrown once the transaction is done */
  refused?: unknown;
}

/** The sort and unread columns of a record (SPEC §1.2, §1.3). */
function columns(c: Conversation): [number, number, number] {
  return [c.isPinned ? 1 : 0, c.latestMsgSendTime, c.recvMsgOpt === 0 ? unreadCountOf(c) : 0];
}

/** SPEC §3.2 commit semantics in one transaction (see the file comment). */
export function commitTx(pool: Pool, userID: string, edits: readonly Edit[], key: MutationKey | undefined, announce: Announce | undefined): Promise<Committed> {
  return transaction(pool, async (c) => {
    const head = await lockHead(c, userID);
    const repeat = key ? await repeatAnswer(c, userID, key, { versionID: head.id, version: head.version }) : null;
    if (repeat) return { commit: { change: null, answer: repeat, repeat: true }, frames: [] };
    const ids = [...new Set(edits.map((e) => e.conversationID))];
    const stored = new Map<string, Conversation>();
    if (ids.length > 0) {
      const r = await c.query<{ record: Conversation }>('SELECT record FROM convsync_records WHERE user_id = $1 AND conversation_id = ANY($2::text[])', [userID, ids]);
      for (const x of r.rows) stored.set(x.record.conversationID, x.record);
    }
    let d: Diff;
    try {
      d = diff(stored, userID, edits);
    } catch (e) {
      const refusal = key && 'clientID' in key ? refusalOf(e) : null;
      if (!refusal || !key || !('clientID' in key)) throw e;
      await rememberClient(c, userID, key, refusal);
      return { commit: { change: null, answer: { versionID: head.id, version: head.version }, repeat: false }, frames: [], refused: e };
    }
    const now = Date.now();
    const version = d.log.length > 0 ? head.version + 1 : head.version;
    const answer: Cursor = { versionID: head.id, version };
    const change: CommitResult | null = d.log.length > 0 ? { id: head.id, version, deleted: head.deleted, insert: d.insert, update: d.update, delete: d.delete } : null;
    const frames = (announce?.(change) ?? []).map((frame, i) => ({ seq: head.frameSeq + i + 1, frame }));
    const put = [...d.insert, ...d.update];
    const cols = put.map(columns);
    const legacy = key && 'mutationID' in key ? key : null;
    const mutationSeq = legacy ? head.mutationSeq + 1 : head.mutationSeq;
    const frameSeq = head.frameSeq + frames.length;
    await c.query(
      `WITH
       put AS (
         INSERT INTO convsync_records (user_id, conversation_id, record, pinned, sort_time, unread)
         SELECT $1::text, id, rec::jsonb, p, t, u FROM unnest($2::text[], $3::text[], $4::int2[], $5::float8[], $6::float8[]) AS x(id, rec, p, t, u)
         ON CONFLICT (user_id, conversation_id) DO UPDATE
           SET record = excluded.record, pinned = excluded.pinned, sort_time = excluded.sort_time, unread = excluded.unread),
       del AS (DELETE FROM convsync_records WHERE user_id = $1 AND conversation_id = ANY($7::text[])),
       log AS (
         INSERT INTO convsync_log (user_id, e_id, version, state, last_update)
         SELECT $1::text, e, $10::bigint, s, $11::bigint FROM unnest($8::text[], $9::int2[]) AS x(e, s)
         ON CONFLICT (user_id, e_id) DO UPDATE SET version = excluded.version, state = excluded.state, last_update = excluded.last_update),
       mut AS (
         INSERT INTO convsync_mutations (user_id, mutation_id, seq, version_id, version, hash)
         SELECT $1::text, $12::text, $13::bigint, $14::text, $10::bigint, $23::text WHERE $12::text IS NOT NULL),
       forget AS (DELETE FROM convsync_mutations WHERE user_id = $1 AND $12::text IS NOT NULL AND seq <= $13::bigint - $15::bigint),
       fr AS (
         INSERT INTO convsync_frames (user_id, seq, frame, created_at)
         SELECT $1::text, s, f, $11::bigint FROM unnest($16::int8[], $17::text[]) AS x(s, f)),
       head AS (
         UPDATE convsync_heads SET version = $10::bigint, last_update = CASE WHEN $10::bigint > $18::bigint THEN $11::bigint ELSE last_update END,
                frame_seq = $19::bigint, mutation_seq = $13::bigint
         WHERE user_id = $1)
       SELECT pg_notify($20::text, $21::text) WHERE $22::boolean`,
      [
        userID,
        put.map((r) => r.conversationID),
        put.map((r) => JSON.stringify(r)),
        cols.map((x) => x[0]),
        cols.map((x) => x[1]),
        cols.map((x) => x[2]),
        d.delete,
        d.log.map((e) => e.eID),
        d.log.map((e) => e.state),
        version,
        now,
        legacy?.mutationID ?? null,
        mutationSeq,
        head.id,
        MUTATIONS_REMEMBERED,
        frames.map((f) => f.seq),
        frames.map((f) => JSON.stringify(f.frame)),
        head.version,
        frameSeq,
        CHANNEL,
        JSON.stringify({ u: userID, s: frameSeq }),
        frames.length > 0,
        legacy?.hash ?? null,
      ],
    );
    if (key && 'clientID' in key) await rememberClient(c, userID, key, answer);
    return { commit: { change, answer, repeat: false }, frames };
  });
}

/** Records frames of `userID` under its head row lock (inside a transaction that holds it). */
export async function recordFrames(c: PoolClient, userID: string, fromSeq: number, frames: readonly ServerFrame[]): Promise<SeqFrame[]> {
  const out = frames.map((frame, i) => ({ seq: fromSeq + i + 1, frame }));
  if (out.length === 0) return out;
  const last = out[out.length - 1]!.seq;
  await c.query(
    `WITH fr AS (INSERT INTO convsync_frames (user_id, seq, frame, created_at) SELECT $1::text, s, f, $4::bigint FROM unnest($2::int8[], $3::text[]) AS x(s, f)),
          head AS (UPDATE convsync_heads SET frame_seq = $5::bigint WHERE user_id = $1)
     SELECT pg_notify($6::text, $7::text)`,
    [userID, out.map((f) => f.seq), out.map((f) => JSON.stringify(f.frame)), Date.now(), last, CHANNEL, JSON.stringify({ u: userID, s: last })],
  );
  return out;
}

/** Drops the log of `userID` (a new id, version 1; mutation IDs stay) and records its frames. */
export function resetTx(pool: Pool, userID: string, announce: ((head: LogHead) => ServerFrame[]) | undefined): Promise<{ head: LogHead; frames: SeqFrame[] }> {
  return transaction(pool, async (c) => {
    const locked = await lockHead(c, userID);
    const head: LogHead = { id: newLogID(), version: 1, deleted: 0 };
    await c.query('DELETE FROM convsync_log WHERE user_id = $1', [userID]);
    await c.query('UPDATE convsync_heads SET log_id = $2, version = 1, deleted = 0, last_update = $3 WHERE user_id = $1', [userID, head.id, Date.now()]);
    const frames = await recordFrames(c, userID, locked.frameSeq, announce?.(head) ?? []);
    return { head, frames };
  });
}

/** Drops entries up to `keepVersion`, clamped to `[deleted, version]`, and raises the watermark. */
export function compactTx(pool: Pool, userID: string, keepVersion: number): Promise<LogHead> {
  return transaction(pool, async (c) => {
    const h = await lockHead(c, userID);
    const keep = Math.min(Math.max(keepVersion, h.deleted), h.version);
    if (keep > h.deleted) {
      await c.query('DELETE FROM convsync_log WHERE user_id = $1 AND version <= $2', [userID, keep]);
      await c.query('UPDATE convsync_heads SET deleted = $2 WHERE user_id = $1', [userID, keep]);
    }
    return { id: h.id, version: h.version, deleted: keep };
  });
}

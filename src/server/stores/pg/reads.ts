/**
 * `ConversationReads` on PostgreSQL: log heads (created on first access), changes since a
 * version (one statement, so the head and the entries come from one snapshot, over the
 * `(user_id, version)` index: O(log L + k)), records by ID, by ID order and in SPEC §1.2
 * order (an index on `(user_id, pinned, sort_time, conversation_id)`).
 */
import type { Pool, PoolClient } from 'pg';
import type { Conversation } from '../../../protocol/index.js';
import type { ConversationReads, SortedPage } from '../../ports.js';
import { newLogID, type LogChanges, type LogEntry, type LogHead, type LogStateValue } from '../../version-log.js';

/** A pool or a client inside a transaction. */
export type Queryable = Pool | PoolClient;

interface HeadRow {
  user_id: string;
  log_id: string;
  version: number;
  deleted: number;
}

const headOf = (r: HeadRow): LogHead => ({ id: r.log_id, version: r.version, deleted: r.deleted });

/** Creates the heads of users that have none (a fresh log each: version 1, deleted 0). */
export async function createHeads(db: Queryable, userIDs: readonly string[], now = Date.now()): Promise<void> {
  await db.query(
    `INSERT INTO convsync_heads (user_id, log_id, version, deleted, last_update)
     SELECT u, l, 1, 0, $3::bigint FROM unnest($1::text[], $2::text[]) AS t(u, l)
     ON CONFLICT (user_id) DO NOTHING`,
    [userIDs, userIDs.map(() => newLogID()), now],
  );
}

/** The heads of `userIDs`, creating the missing ones. */
export async function readHeads(db: Queryable, userIDs: readonly string[]): Promise<Map<string, LogHead>> {
  const read = async () => {
    const r = await db.query<HeadRow>('SELECT user_id, log_id, version, deleted FROM convsync_heads WHERE user_id = ANY($1::text[])', [userIDs]);
    return new Map(r.rows.map((row) => [row.user_id, headOf(row)]));
  };
  let out = await read();
  const missing = userIDs.filter((u) => !out.has(u));
  if (missing.length > 0) {
    await createHeads(db, missing);
    out = await read();
  }
  return out;
}

interface ChangesRow {
  log_id: string;
  version: number;
  deleted: number;
  entries: Array<{ e_id: string; state: number; version: number; last_update: number }>;
  total: number | null;
}

/** SPEC §2 "read changes since v", in one statement; the exact count only on overflow. */
async function changesSince(db: Queryable, userID: string, version: number, limit: number): Promise<LogChanges> {
  const run = () =>
    db.query<ChangesRow>(
      `WITH e AS (
         SELECT e_id, state, version, last_update FROM convsync_log
         WHERE user_id = $1 AND version > $2 ORDER BY version, e_id LIMIT $3 + 1)
       SELECT h.log_id, h.version, h.deleted,
              coalesce((SELECT json_agg(e ORDER BY e.version, e.e_id) FROM e), '[]') AS entries,
              CASE WHEN (SELECT count(*) FROM e) > $3
                   THEN (SELECT count(*) FROM convsync_log WHERE user_id = $1 AND version > $2) END AS total
       FROM convsync_heads h WHERE h.user_id = $1`,
      [userID, version, Math.min(limit, 2 ** 31 - 2)],
    );
  let r = await run();
  if (r.rows.length === 0) {
    await createHeads(db, [userID]);
    r = await run();
  }
  const row = r.rows[0]!;
  const overflow = row.total !== null;
  const entries: LogEntry[] = overflow
    ? []
    : row.entries.map((e) => ({ eID: e.e_id, state: e.state as LogStateValue, version: Number(e.version), lastUpdate: Number(e.last_update) }));
  return { id: row.log_id, version: row.version, deleted: row.deleted, logLen: overflow ? Number(row.total) : entries.length, entries };
}

/** The read port over a pool. */
export function pgReads(db: Queryable): ConversationReads {
  return {
    head: async (userID) => (await readHeads(db, [userID])).get(userID)!,
    heads: (userIDs) => readHeads(db, [...new Set(userIDs)]),
    changesSince: (userID, version, limit) => changesSince(db, userID, version, limit),
    async get(userID, conversationIDs) {
      const r = await db.query<{ record: Conversation }>(
        'SELECT record FROM convsync_records WHERE user_id = $1 AND conversation_id = ANY($2::text[])',
        [userID, conversationIDs],
      );
      return r.rows.map((x) => x.record);
    },
    async page(userID, after, limit) {
      const r = await db.query<{ record: Conversation }>(
        `SELECT record FROM convsync_records WHERE user_id = $1 AND ($2::text IS NULL OR conversation_id > $2)
         ORDER BY conversation_id LIMIT $3`,
        [userID, after, limit + 1],
      );
      const more = r.rows.length > limit;
      return { items: r.rows.slice(0, limit).map((x) => x.record), more };
    },
    async count(userID) {
      const r = await db.query<{ n: number }>('SELECT count(*) AS n FROM convsync_records WHERE user_id = $1', [userID]);
      return Number(r.rows[0]!.n);
    },
    async ids(userID) {
      const r = await db.query<{ id: string }>('SELECT conversation_id AS id FROM convsync_records WHERE user_id = $1 ORDER BY conversation_id', [userID]);
      return r.rows.map((x) => x.id);
    },
    async sorted(userID, offset, limit): Promise<SortedPage> {
      const r = await db.query<{ total: number; unread_total: number; items: Array<{ record: Conversation; unread: number }> }>(
        `SELECT (SELECT count(*) FROM convsync_records WHERE user_id = $1) AS total,
                (SELECT coalesce(sum(unread), 0) FROM convsync_records WHERE user_id = $1) AS unread_total,
                coalesce((SELECT json_agg(json_build_object('record', p.record, 'unread', p.unread)
                                          ORDER BY p.pinned DESC, p.sort_time DESC, p.conversation_id DESC) FROM (
                  SELECT record, pinned, sort_time, conversation_id,
                         greatest(0, (record->>'maxSeq')::float8 - (record->>'hasReadSeq')::float8) AS unread
                  FROM convsync_records WHERE user_id = $1
                  ORDER BY pinned DESC, sort_time DESC, conversation_id DESC OFFSET $2 LIMIT $3) p), '[]') AS items`,
        [userID, offset, limit],
      );
      const row = r.rows[0]!;
      return {
        total: Number(row.total),
        unreadTotal: Number(row.unread_total),
        items: row.items.map((x) => ({ ...x.record, unreadCount: Number(x.unread) })),
      };
    },
  };
}

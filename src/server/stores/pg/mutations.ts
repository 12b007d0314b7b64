/**
 * The mutation memory of the PostgreSQL store (see `ConversationWrites.commit`): looked up
 * under the user's head row lock, in statements of their own. (Read in the locking
 * statement itself, a row committed by the writer it waited for is not seen: PostgreSQL
 * re-checks only the locked row, so a duplicate sent through two instances inserted the
 * mutation again and failed with a duplicate key.)
 */
import type { PoolClient } from 'pg';
import type { Cursor } from '../../../protocol/index.js';
import { conflict, isRefusal, judge, refusalError, type MutationKey, type Refusal } from '../../mutation.js';

interface ClientRow {
  last_number: number;
  hash: string;
  version_id: string | null;
  version: number | null;
  err_code: number | null;
  err_msg: string | null;
}

/**
 * The answer of a repeat (`head` when it answers the current head), or `null` when the
 * mutation is to be applied. Throws 1409/1410 and remembered refusals. Drops the user's
 * clients unseen for the retention first (the asking one included: it is then unknown).
 */
export async function repeatAnswer(c: PoolClient, userID: string, key: MutationKey, head: Cursor): Promise<Cursor | null> {
  if ('mutationID' in key) {
    const r = await c.query<{ version_id: string; version: number; hash: string | null }>(
      'SELECT version_id, version, hash FROM convsync_mutations WHERE user_id = $1 AND mutation_id = $2',
      [userID, key.mutationID],
    );
    const first = r.rows[0];
    if (!first) return null;
    if (key.hash !== null && first.hash !== null && key.hash !== first.hash) throw conflict(`mutationID ${key.mutationID}`);
    return { versionID: first.version_id, version: first.version };
  }
  await c.query('DELETE FROM convsync_clients WHERE user_id = $1 AND seen_at < $2', [userID, key.now - key.retainMs]);
  const r = await c.query<ClientRow>(
    'SELECT last_number, hash, version_id, version, err_code, err_msg FROM convsync_clients WHERE user_id = $1 AND client_id = $2',
    [userID, key.clientID],
  );
  const row = r.rows[0];
  const answer: Cursor | Refusal | undefined = !row
    ? undefined
    : row.err_code !== null
      ? { errCode: row.err_code, errMsg: row.err_msg ?? '' }
      : { versionID: row.version_id!, version: row.version! };
  const j = judge(row && answer ? { last: row.last_number, hash: row.hash, answer, seenAt: key.now } : undefined, key);
  if (j.kind === 'apply') return null;
  await c.query('UPDATE convsync_clients SET seen_at = $3 WHERE user_id = $1 AND client_id = $2', [userID, key.clientID, key.now]);
  if (j.answer === null) return head;
  if (isRefusal(j.answer)) throw refusalError(j.answer);
  return j.answer;
}

/** Remembers a client's mutation as its last, with its answer (a version or a refusal). */
export async function rememberClient(c: PoolClient, userID: string, key: Extract<MutationKey, { clientID: string }>, answer: Cursor | Refusal): Promise<void> {
  const refused = isRefusal(answer);
  await c.query(
    `INSERT INTO convsync_clients (user_id, client_id, last_number, hash, version_id, version, err_code, err_msg, seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (user_id, client_id) DO UPDATE SET last_number = excluded.last_number, hash = excluded.hash,
       version_id = excluded.version_id, version = excluded.version, err_code = excluded.err_code, err_msg = excluded.err_msg,
       seen_at = excluded.seen_at`,
    [
      userID,
      key.clientID,
      key.number,
      key.hash,
      refused ? null : answer.versionID,
      refused ? null : answer.version,
      refused ? answer.errCode : null,
      refused ? answer.errMsg : null,
      key.now,
    ],
  );
}

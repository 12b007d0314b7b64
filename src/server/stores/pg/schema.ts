/**
 * The PostgreSQL schema of the store, created by the server on first start and migrated
 * forward: `convsync_schema` holds the version applied, each entry of `MIGRATIONS` takes
 * the database one version further. Instances starting together take an advisory lock, so
 * one of them migrates and the others find it done.
 */
import type { Pool } from 'pg';
import { transaction } from './transaction.js';

/** Statements that take the schema from version i to i + 1 (index i). */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE convsync_meta (key text PRIMARY KEY, value text NOT NULL);
  -- one version log per user (SPEC §2): its head, and the counters of frames and mutations
  CREATE TABLE convsync_heads (
    user_id      text PRIMARY KEY,
    log_id       char(24) NOT NULL,
    version      bigint NOT NULL,
    deleted      bigint NOT NULL DEFAULT 0,
    last_update  bigint NOT NULL,
    frame_seq    bigint NOT NULL DEFAULT 0,
    mutation_seq bigint NOT NULL DEFAULT 0
  );
  CREATE TABLE convsync_records (
    user_id         text NOT NULL,
    conversation_id text COLLATE "C" NOT NULL,
    record          jsonb NOT NULL,
    pinned          smallint NOT NULL,
    sort_time       double precision NOT NULL,
    unread          double precision NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
  );
  CREATE INDEX convsync_records_sorted ON convsync_records (user_id, pinned DESC, sort_time DESC, conversation_id DESC);
  CREATE INDEX convsync_records_conversation ON convsync_records (conversation_id);
  -- at most one entry per element: a later change replaces the row
  CREATE TABLE convsync_log (
    user_id     text NOT NULL,
    e_id        text COLLATE "C" NOT NULL,
    version     bigint NOT NULL,
    state       smallint NOT NULL,
    last_update bigint NOT NULL,
    PRIMARY KEY (user_id, e_id)
  );
  CREATE INDEX convsync_log_version ON convsync_log (user_id, version);
  CREATE TABLE convsync_mutations (
    user_id     text NOT NULL,
    mutation_id text NOT NULL,
    seq         bigint NOT NULL,
    version_id  char(24) NOT NULL,
    version     bigint NOT NULL,
    PRIMARY KEY (user_id, mutation_id)
  );
  CREATE INDEX convsync_mutations_seq ON convsync_mutations (user_id, seq);
  -- frames announced by commits, per user in commit order, for every instance's sockets
  CREATE TABLE convsync_frames (
    user_id    text NOT NULL,
    seq        bigint NOT NULL,
    frame      text NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (user_id, seq)
  );
  CREATE INDEX convsync_frames_created ON convsync_frames (created_at);
  -- the demo directory (admin tools)
  CREATE TABLE convsync_conversations (
    conversation_id text PRIMARY KEY,
    seq             bigint NOT NULL DEFAULT 0,
    show_name       text NOT NULL DEFAULT '',
    face_url        text NOT NULL DEFAULT ''
  );
  CREATE TABLE convsync_members (
    conversation_id text NOT NULL,
    user_id         text NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
  );
  CREATE TABLE convsync_names (user_id text PRIMARY KEY, name text NOT NULL);
  `,
  `
  -- exactly once, forever: the content hash of a legacy mutation ID (NULL for rows written before)
  ALTER TABLE convsync_mutations ADD COLUMN hash text;
  -- per (user, client): the last mutation number processed, its answer (a version, or the
  -- refusal: err_code) and content hash, and when the client was last seen (retention)
  CREATE TABLE convsync_clients (
    user_id     text NOT NULL,
    client_id   text NOT NULL,
    last_number bigint NOT NULL,
    hash        text NOT NULL,
    version_id  char(24),
    version     bigint,
    err_code    integer,
    err_msg     text,
    seen_at     bigint NOT NULL,
    PRIMARY KEY (user_id, client_id)
  );
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** `pg_advisory_xact_lock` key of migrations: any constant shared by every instance. */
const MIGRATION_LOCK = 0x636f6e76; // "conv"

/** Creates or migrates the schema; refuses a database whose schema is newer than this code. */
export function migrate(pool: Pool): Promise<number> {
  return transaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await c.query('CREATE TABLE IF NOT EXISTS convsync_schema (version integer NOT NULL)');
    const r = await c.query<{ version: number }>('SELECT version FROM convsync_schema');
    const from = r.rows[0]?.version ?? 0;
    if (from > SCHEMA_VERSION) {
      throw new Error(`the database schema is version ${from}, newer than this server's (${SCHEMA_VERSION}): upgrade convsync`);
    }
    for (let v = from; v < SCHEMA_VERSION; v++) await c.query(MIGRATIONS[v]!);
    if (r.rows.length === 0) await c.query('INSERT INTO convsync_schema (version) VALUES ($1)', [SCHEMA_VERSION]);
    else if (from < SCHEMA_VERSION) await c.query('UPDATE convsync_schema SET version = $1', [SCHEMA_VERSION]);
    return SCHEMA_VERSION;
  });
}

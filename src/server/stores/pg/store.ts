/**
 * `PostgresConversationStore`: every port of `ports.ts` on PostgreSQL — reads
 * (`reads.ts`), writes in one transaction each (`commit.ts`), the directory
 * (`directory.ts`), the cross-instance feed (`feed.ts`) — plus retention, the shared token
 * secret and the pruning of delivered frames.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { Conversation, ServerFrame } from '../../../protocol/index.js';
import type { Logger } from '../../logger.js';
import type {
  Announce,
  Commit,
  ConversationDirectory,
  ConversationInfo,
  ConversationReads,
  ConversationStore,
  Edit,
  MemberInfo,
  RetentionPolicy,
  SortedPage,
  Unsubscribe,
} from '../../ports.js';
import type { LogChanges, LogHead } from '../../version-log.js';
import { commitTx, compactTx, resetTx } from './commit.js';
import { pgDirectory } from './directory.js';
import type { FeedStats, PgFeed } from './feed.js';
import { pgReads } from './reads.js';
import { StoreUnavailableError } from '../../unavailable.js';

/** How long recorded frames are kept for instances that catch up after a lost connection: 10 minutes. */
export const DEFAULT_FRAMES_KEEP_MS = 10 * 60 * 1000;

/** The store's own housekeeping. */
export interface PgStoreOptions {
  logger: Logger;
  /** frames older than this are deleted (checked every minute), default 10 minutes */
  framesKeepMs?: number;
}

/** The ports on one PostgreSQL database; several server instances may share it. */
export class PostgresConversationStore implements ConversationStore {
  private readonly reads: ConversationReads;
  private readonly dir: ConversationDirectory;
  private readonly prune: NodeJS.Timeout;
  private closing: Promise<void> | null = null;

  constructor(
    /** the connection pool (tests read the tables through it) */
    readonly pool: Pool,
    private readonly feed: PgFeed,
    private readonly o: PgStoreOptions,
  ) {
    this.reads = pgReads(pool);
    this.dir = pgDirectory(pool);
    this.prune = setInterval(() => void this.pruneFrames(), 60_000);
    this.prune.unref();
  }

  /** Counters of the listening connection. */
  get feedStats(): Readonly<FeedStats> {
    return this.feed.stats;
  }

  // ---- ConversationReads ----
  head(userID: string): Promise<LogHead> {
    return this.reads.head(userID);
  }
  heads(userIDs: readonly string[]): Promise<Map<string, LogHead>> {
    return this.reads.heads(userIDs);
  }
  changesSince(userID: string, version: number, limit: number): Promise<LogChanges> {
    return this.reads.changesSince(userID, version, limit);
  }
  get(userID: string, conversationIDs: readonly string[]): Promise<Conversation[]> {
    return this.reads.get(userID, conversationIDs);
  }
  page(userID: string, after: string | null, limit: number): Promise<{ items: Conversation[]; more: boolean }> {
    return this.reads.page(userID, after, limit);
  }
  count(userID: string): Promise<number> {
    return this.reads.count(userID);
  }
  ids(userID: string): Promise<string[]> {
    return this.reads.ids(userID);
  }
  sorted(userID: string, offset: number, limit: number): Promise<SortedPage> {
    return this.reads.sorted(userID, offset, limit);
  }

  // ---- ConversationWrites ----
  async commit(userID: string, edits: readonly Edit[], mutationID?: string, announce?: Announce): Promise<Commit> {
    const r = await commitTx(this.pool, userID, edits, mutationID, announce);
    this.feed.committed(userID, r.frames);
    return r.commit;
  }

  async resetLog(userID: string, announce?: (head: LogHead) => ServerFrame[]): Promise<LogHead> {
    const r = await resetTx(this.pool, userID, announce);
    this.feed.committed(userID, r.frames);
    return r.head;
  }

  compact(userID: string, keepVersion: number): Promise<LogHead> {
    return compactTx(this.pool, userID, keepVersion);
  }

  /**
   * Finds the logs with entries older than `maxAgeMs` or more than `maxEntries` entries (a
   * scan of the log table, once per sweep) and compacts each in its own transaction.
   */
  async retain(policy: RetentionPolicy, now = Date.now()): Promise<number> {
    const keep = new Map<string, number>();
    const raise = (u: string, v: number) => keep.set(u, Math.max(keep.get(u) ?? 0, v));
    if (policy.maxAgeMs !== undefined) {
      const r = await this.pool.query<{ user_id: string; v: number }>(
        'SELECT user_id, max(version) AS v FROM convsync_log WHERE last_update < $1 GROUP BY user_id',
        [now - policy.maxAgeMs],
      );
      for (const x of r.rows) raise(x.user_id, x.v);
    }
    if (policy.maxEntries !== undefined) {
      const r = await this.pool.query<{ user_id: string; v: number }>(
        `SELECT user_id, (SELECT version FROM convsync_log l WHERE l.user_id = o.user_id ORDER BY version DESC OFFSET $1 LIMIT 1) AS v
         FROM convsync_log o GROUP BY user_id HAVING count(*) > $1`,
        [policy.maxEntries],
      );
      for (const x of r.rows) raise(x.user_id, x.v);
    }
    let n = 0;
    for (const [userID, v] of keep) {
      const before = await this.reads.head(userID);
      const after = await this.compact(userID, v);
      if (after.deleted > before.deleted) n++;
    }
    return n;
  }

  // ---- ConversationDirectory ----
  conversationInfo(conversationID: string): Promise<ConversationInfo | null> {
    return this.dir.conversationInfo(conversationID);
  }
  addMembers(conversationIDs: readonly string[], userIDs: readonly string[], info?: MemberInfo): Promise<void> {
    return this.dir.addMembers(conversationIDs, userIDs, info);
  }
  setUserNames(names: ReadonlyMap<string, string>): Promise<void> {
    return this.dir.setUserNames(names);
  }
  userName(userID: string): Promise<string | undefined> {
    return this.dir.userName(userID);
  }

  // ---- ConversationFeed ----
  subscribe(deliver: (userID: string, frame: ServerFrame) => void): Unsubscribe {
    return this.feed.subscribe(deliver);
  }
  follow(userID: string): Promise<void> {
    return this.feed.follow(userID);
  }
  unfollow(userID: string): void {
    this.feed.unfollow(userID);
  }

  // ---- shared state and lifetime ----

  /** The token secret of every instance on this database, created by the first one. */
  async sharedSecret(): Promise<string> {
    await this.pool.query(`INSERT INTO convsync_meta (key, value) VALUES ('token_secret', $1) ON CONFLICT (key) DO NOTHING`, [
      randomBytes(32).toString('base64url'),
    ]);
    const r = await this.pool.query<{ value: string }>(`SELECT value FROM convsync_meta WHERE key = 'token_secret'`);
    return r.rows[0]!.value;
  }

  /** Ready when a query answers and the listening connection (the fan-out of other instances' frames) is up. */
  async ready(): Promise<void> {
    if (this.feed.stats.listenerPid === null) throw new StoreUnavailableError('the listening connection to the database is down');
    await this.pool.query('SELECT 1');
  }

  /** Deletes frames older than `framesKeepMs`; answers how many. */
  async pruneFrames(now = Date.now()): Promise<number> {
    try {
      const r = await this.pool.query('DELETE FROM convsync_frames WHERE created_at < $1', [now - (this.o.framesKeepMs ?? DEFAULT_FRAMES_KEEP_MS)]);
      return r.rowCount ?? 0;
    } catch (e) {
      this.o.logger.error('pruning frames failed', { error: e instanceof Error ? e.message : String(e) });
      return 0;
    }
  }

  /** Stops listening and closes every connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.prune);
      await this.feed.close();
      await this.pool.end();
    })();
    return this.closing;
  }
}

/**
 * Opens the PostgreSQL store: imports `pg` (an optional peer dependency: a missing one is a
 * `MissingPeerError` that says `npm i pg`), creates or migrates the schema, starts the
 * listening connection. Loaded by `openStore` only when a `postgres://` URL is given.
 */
import type { ClientConfig, Pool } from 'pg';
import { silentLogger } from '../../logger.js';
import type { PostgresStoreOptions } from '../open.js';
import { loadPeer } from '../../optional.js';
import { PgFeed } from './feed.js';
import { migrate } from './schema.js';
import { PostgresConversationStore } from './store.js';

type PgModule = typeof import('pg');

/** `bigint` (int8) and `numeric` columns as numbers: every count, version and seq fits. */
function numberTypes(pg: PgModule): ClientConfig['types'] {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === 20 || oid === 1700) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format as 'text');
    }) as never,
  };
}

/** Opens (and on first use creates) the store on the database at `url`. */
export async function openPostgresStore(url: string, o: PostgresStoreOptions = {}): Promise<PostgresConversationStore> {
  const ns = await loadPeer('pg', 'The PostgreSQL store (--store postgres://…)', () => import('pg'));
  const pg = ((ns as unknown as { default?: PgModule }).default ?? ns) as PgModule;
  const logger = o.logger ?? silentLogger;
  const types = numberTypes(pg);
  const pool: Pool = new pg.Pool({
    connectionString: url,
    max: o.poolSize ?? 10,
    application_name: 'convsync',
    types,
    // a database that is away is answered 503 quickly, not after a hang
    connectionTimeoutMillis: o.connectTimeoutMs ?? 5000,
    keepAlive: true,
  });
  pool.on('error', (e) => logger.error('idle database connection failed', { error: e.message }));
  try {
    await migrate(pool);
    const feed = new PgFeed(pool, {
      connect: () =>
        new pg.Client({ connectionString: url, application_name: 'convsync-listen', keepAlive: true, types, connectionTimeoutMillis: o.connectTimeoutMs ?? 5000 }),
      logger,
      ...(o.listenRetryMs !== undefined ? { retryMs: o.listenRetryMs } : {}),
    });
    await feed.start();
    return new PostgresConversationStore(pool, feed, { logger, ...(o.framesKeepMs !== undefined ? { framesKeepMs: o.framesKeepMs } : {}) });
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
}

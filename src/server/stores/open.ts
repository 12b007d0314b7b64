/**
 * Which store a server runs on (`createServer({ store })`, `--store`): an object, `'memory'`,
 * or a `postgres://` URL, whose module (and `pg`) is imported only then; and the timer
 * that applies the retention policy.
 */
import type { Logger } from '../logger.js';
import { MemoryConversationStore } from './memory/store.js';
import type { ConversationStore, RetentionPolicy } from '../ports.js';

/** Options of `openPostgresStore`. */
export interface PostgresStoreOptions {
  /** connections of the pool, default 10 (the listening connection is one more) */
  poolSize?: number;
  /** a connection attempt that takes longer fails (the request answers 503), default 5000 ms */
  connectTimeoutMs?: number;
  /** recorded frames are kept this long for instances that reconnect, default 10 minutes */
  framesKeepMs?: number;
  /** first reconnect delay of the listening connection, default 100 ms */
  listenRetryMs?: number;
  logger?: Logger;
}

/** The PostgreSQL store as `openPostgresStore` answers it. */
export interface PostgresStore extends ConversationStore {
  /** stops listening and closes every connection */
  close(): Promise<void>;
  /** the listening connection: times connected, catch-ups after a reconnect, its backend pid */
  readonly feedStats: Readonly<{ connects: number; catchUps: number; listenerPid: number | null }>;
  /** deletes recorded frames older than `framesKeepMs` (also done every minute) */
  pruneFrames(now?: number): Promise<number>;
}

/**
 * Opens (and on first use creates) the PostgreSQL store at `url`; needs the `pg` package.
 * Several server instances may share the database. Close it when done.
 */
export async function openPostgresStore(url: string, o: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const m = await import('./pg/open.js');
  return m.openPostgresStore(url, o);
}

/** A store, or how to open one: `'memory'` or `postgres://user:pass@host:port/db`. */
export type StoreSpec = ConversationStore | 'memory' | (string & {});

/** The retention policy and how often it is applied. */
export interface RetentionOptions extends RetentionPolicy {
  /** time between two sweeps, default 10 minutes (the first one runs after this time) */
  intervalMs?: number;
}

/** How long a store opened from a URL keeps log entries unless told otherwise: 30 days. */
export const DEFAULT_PG_RETENTION: RetentionOptions = { maxAgeMs: 30 * 24 * 3600 * 1000 };
export const DEFAULT_RETENTION_INTERVAL_MS = 10 * 60 * 1000;

/** A store for a server: whether the server owns (and closes) it, and its default retention. */
export interface OpenedStore {
  store: ConversationStore;
  owned: boolean;
  retention: RetentionOptions | undefined;
}

/** True for `postgres://` and `postgresql://` URLs. */
export function isPostgresURL(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

/** Opens the store a spec names (creating the PostgreSQL schema on first use). */
export async function openStore(spec: StoreSpec): Promise<OpenedStore> {
  if (typeof spec !== 'string') return { store: spec, owned: false, retention: undefined };
  if (spec === 'memory') return { store: new MemoryConversationStore(), owned: true, retention: undefined };
  if (isPostgresURL(spec)) {
    return { store: await openPostgresStore(spec), owned: true, retention: DEFAULT_PG_RETENTION };
  }
  throw new RangeError(`store: expected "memory" or a postgres:// URL, got ${JSON.stringify(spec.slice(0, 40))}`);
}

/** Applies `policy` every `intervalMs` until stopped; `idle()` waits for a sweep in progress. */
export function retentionTimer(store: ConversationStore, o: RetentionOptions, logger: Logger): { stop(): void; idle(): Promise<void> } {
  const policy: RetentionPolicy = {};
  if (o.maxAgeMs !== undefined) policy.maxAgeMs = o.maxAgeMs;
  if (o.maxEntries !== undefined) policy.maxEntries = o.maxEntries;
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = store.retain(policy).then(
      (n) => {
        if (n > 0) logger.info('retention', { compacted: n });
      },
      (e: unknown) => logger.error('retention failed', { error: e instanceof Error ? e.message : String(e) }),
    );
  }, o.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    idle: () => running,
  };
}

/**
 * `createServer()`: the reference server on Node's `http` + `ws` (loaded when a server
 * starts), over a store given as an object, `'memory'` or a `postgres://` URL.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueToken, newTokenSecret } from './auth.js';
import { createRequestHandler } from './http.js';
import { silentLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { buildRoutes } from './routes.js';
import { ConversationService, type MutationEvent } from './service.js';
import { MemoryConversationStore } from './memory-store.js';
import { openStore, retentionTimer, type StoreSpec, type RetentionOptions } from './open-store.js';
import type { ConversationStore } from './ports.js';
import { loadWebSocketServer, WsHub } from './ws-hub.js';

export const DEFAULT_SYNC_LIMIT = 200;

/**
 * Everything a server holds that must outlive it: the store (records, version logs,
 * memberships) and the token secret. Hand a stopped server's `state` to a new
 * `createServer` to get a "restarted" server with the same data and valid tokens.
 */
export interface ServerState {
  tokenSecret: string;
  store: ConversationStore;
}

export function createServerState(store: ConversationStore = new MemoryConversationStore()): ServerState {
  return { tokenSecret: newTokenSecret(), store };
}

export interface CreateServerOptions {
  /** default 0: a free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** enables `/admin/*` (default false) */
  admin?: boolean;
  /** default 200 (SPEC §2) */
  syncLimit?: number;
  /** serve GET requests for non-API paths from this folder */
  staticDir?: string;
  /** time allowed for the first (auth) WebSocket frame, default 5000 */
  authTimeoutMs?: number;
  /** server ping interval, default 25000; a socket silent for two intervals is dropped */
  heartbeatMs?: number;
  /** when set, WebSocket upgrades and CORS are restricted to these origins */
  allowedOrigins?: readonly string[];
  /**
   * The store: an object implementing the ports, `'memory'` (the default) or a
   * `postgres://…` URL (needs the `pg` package; several instances may share one database).
   * A store opened from a string is closed with the server. Not together with `state`.
   */
  store?: StoreSpec;
  /**
   * Automatic compaction of old log entries (moves each log's `deleted` watermark).
   * Default: off for the memory store, entries older than 30 days for a store opened from
   * a `postgres://` URL; `false` turns it off.
   */
  retention?: RetentionOptions | false;
  state?: ServerState;
  logger?: Logger;
  /** default 1 MiB */
  maxBodyBytes?: number;
  /**
   * Called once per user write that carries a `mutationID` and succeeds, with `repeat`
   * true when it was answered from memory (nothing applied). An exception is logged.
   */
  onMutation?: (e: MutationEvent) => void;
}

export interface ConvSyncServer {
  url: string;
  wsURL: string;
  host: string;
  port: number;
  state: ServerState;
  metrics: Metrics;
  service: ConversationService;
  /** a token for `userID`, as `/admin/token` would issue (works with admin off too) */
  issueToken(userID: string, ttlSeconds?: number): string;
  /** authenticated sockets of a user, or of everyone */
  connections(userID?: string): number;
  /** closes sockets and the listener; resolves once the port is released */
  close(): Promise<void>;
}

/** Starts a server; rejects with a `MissingPeerError` when `ws` (or `pg` for a postgres store) is not installed. */
export async function createServer(opts: CreateServerOptions = {}): Promise<ConvSyncServer> {
  if (opts.state && opts.store !== undefined) throw new TypeError('createServer: give either state or store, not both');
  const logger = opts.logger ?? silentLogger;
  const syncLimit = opts.syncLimit ?? DEFAULT_SYNC_LIMIT;
  if (!Number.isSafeInteger(syncLimit) || syncLimit < 1) throw new RangeError('syncLimit must be a positive integer');
  const WebSocketServer = await loadWebSocketServer();
  const opened = opts.state ? { store: opts.state.store, owned: false, retention: undefined } : await openStore(opts.store ?? 'memory');
  try {
    const state = opts.state ?? { tokenSecret: (await opened.store.sharedSecret?.()) ?? newTokenSecret(), store: opened.store };
    return await listen(opts, state, WebSocketServer, logger, syncLimit, opened.owned, opts.retention ?? opened.retention);
  } catch (e) {
    if (opened.owned) await opened.store.close?.();
    throw e;
  }
}

async function listen(
  opts: CreateServerOptions,
  state: ServerState,
  WebSocketServer: Awaited<ReturnType<typeof loadWebSocketServer>>,
  logger: Logger,
  syncLimit: number,
  ownsStore: boolean,
  retention: RetentionOptions | false | undefined,
): Promise<ConvSyncServer> {
  const metrics = new Metrics();
  const secret = () => state.tokenSecret;
  const store = state.store;
  const hub = new WsHub({
    WebSocketServer,
    follow: (userID) => store.follow(userID),
    unfollow: (userID) => store.unfollow(userID),
    tokenSecret: secret,
    metrics,
    logger,
    authTimeoutMs: opts.authTimeoutMs ?? 5000,
    heartbeatMs: opts.heartbeatMs ?? 25_000,
    allowedOrigins: opts.allowedOrigins,
  });
  const hook = opts.onMutation;
  const onMutation = hook
    ? (e: MutationEvent) => {
        try {
          hook(e);
        } catch (err) {
          logger.error('onMutation hook failed', { error: err instanceof Error ? err.message : String(err) });
        }
      }
    : undefined;
  const service = new ConversationService(store, metrics, onMutation ? { onMutation } : {});
  const unsubscribe = store.subscribe((userID, frame) => hub.send(userID, frame));
  const routes = buildRoutes({ service, metrics, syncLimit, tokenSecret: secret });
  const server: Server = createHttpServer(
    createRequestHandler({
      routes,
      admin: opts.admin ?? false,
      tokenSecret: secret,
      metrics,
      logger,
      staticDir: opts.staticDir,
      allowedOrigins: opts.allowedOrigins,
      ...(opts.maxBodyBytes !== undefined ? { maxBodyBytes: opts.maxBodyBytes } : {}),
    }),
  );
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/ws') hub.handleUpgrade(req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const host = opts.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    unsubscribe();
    await hub.close();
    throw e;
  }
  const sweeper = retention ? retentionTimer(store, retention, logger) : null;
  const port = (server.address() as AddressInfo).port;
  const hostInURL = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;

  return {
    url: `http://${hostInURL}:${port}`,
    wsURL: `ws://${hostInURL}:${port}/ws`,
    host,
    port,
    state,
    metrics,
    service,
    issueToken: (userID, ttlSeconds) => issueToken(state.tokenSecret, userID, ttlSeconds).token,
    connections: (userID) => hub.count(userID),
    close() {
      closing ??= (async () => {
        sweeper?.stop();
        const released = new Promise<void>((resolve) => server.close(() => resolve()));
        await hub.close();
        server.closeAllConnections();
        await released;
        unsubscribe();
        await sweeper?.idle();
        if (ownsStore) await store.close?.();
      })();
      return closing;
    },
  };
}

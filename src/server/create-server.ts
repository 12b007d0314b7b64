/**
 * `createServer()`: the reference server on Node's `http` + `ws` (loaded when a server
 * starts), over a store given as an object, `'memory'` or a `postgres://` URL.
 */
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueToken, newTokenSecret } from './auth.js';
import { createRequestHandler } from './http/handler.js';
import { silentLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { buildRoutes } from './http/routes.js';
import { ConversationService, type MutationEvent } from './service.js';
import { MemoryConversationStore } from './stores/memory/store.js';
import { openStore, retentionTimer, type StoreSpec, type RetentionOptions } from './stores/open.js';
import type { ConversationStore } from './ports.js';
import { WsHub } from './ws/hub.js';
import { loadWebSocketServer } from './ws/load.js';
import { DEFAULT_MAX_SOCKETS_PER_USER, DEFAULT_MAX_UNAUTHENTICATED_SOCKETS, limitOption } from './ws/limits.js';
import { checkAllowedHosts, hostRule } from './http/request-guard.js';

export const DEFAULT_SYNC_LIMIT = 200;
/** default of `headersTimeoutMs` and `requestTimeoutMs` */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

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
   * The `Host` names served besides the loopback names and `host` (with the server's
   * port), against DNS rebinding: `name` (any port) or `name:port`; `true` serves any Host.
   * Default: with `admin` on, only loopback and `host`; with admin off, any Host (a list
   * given explicitly applies either way). A refused Host gets 403/1002 (upgrades: 403).
   */
  allowedHosts?: readonly string[] | true;
  /** the request headers must have arrived within this time, default 10000 (0: no limit) */
  headersTimeoutMs?: number;
  /** headers and body must have arrived within this time, default 10000 (0: no limit) */
  requestTimeoutMs?: number;
  /** WebSocket connections that have not authenticated yet, default 1000; upgrades past it get 503 */
  maxUnauthenticatedSockets?: number;
  /** authenticated WebSocket connections per user, default 100; one more is closed with 4429 */
  maxSocketsPerUser?: number;
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
  /** WebSocket connections that have not authenticated yet */
  unauthenticatedConnections(): number;
  /** closes sockets and the listener; resolves once the port is released */
  close(): Promise<void>;
}

/** Starts a server; rejects with a `MissingPeerError` when `ws` (or `pg` for a postgres store) is not installed. */
export async function createServer(opts: CreateServerOptions = {}): Promise<ConvSyncServer> {
  if (opts.state && opts.store !== undefined) throw new TypeError('createServer: give either state or store, not both');
  const logger = opts.logger ?? silentLogger;
  const syncLimit = opts.syncLimit ?? DEFAULT_SYNC_LIMIT;
  if (!Number.isSafeInteger(syncLimit) || syncLimit < 1) throw new RangeError('syncLimit must be a positive integer');
  checkAllowedHosts(opts.allowedHosts);
  for (const k of ['headersTimeoutMs', 'requestTimeoutMs'] as const) {
    const v = opts[k];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw new RangeError(`${k} must be a non-negative integer`);
  }
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
    maxUnauthenticatedSockets: limitOption('maxUnauthenticatedSockets', opts.maxUnauthenticatedSockets, DEFAULT_MAX_UNAUTHENTICATED_SOCKETS),
    maxSocketsPerUser: limitOption('maxSocketsPerUser', opts.maxSocketsPerUser, DEFAULT_MAX_SOCKETS_PER_USER),
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
  const host = opts.host ?? '127.0.0.1';
  let port = 0;
  const hostAllowed = hostRule({ allowedHosts: opts.allowedHosts, admin: opts.admin ?? false, host, port: () => port });
  const server: Server = createHttpServer(
    requestTimeouts(opts.headersTimeoutMs, opts.requestTimeoutMs),
    createRequestHandler({
      hostAllowed,
      routes,
      admin: opts.admin ?? false,
      tokenSecret: secret,
      metrics,
      logger,
      staticDir: opts.staticDir,
      allowedOrigins: opts.allowedOrigins,
      ready: store.ready ? () => store.ready!() : undefined,
      ...(opts.maxBodyBytes !== undefined ? { maxBodyBytes: opts.maxBodyBytes } : {}),
    }),
  );
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/ws') socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else if (!hostAllowed(req.headers.host)) hub.refuse(socket, 'host', '403 Forbidden');
    else hub.handleUpgrade(req, socket, head);
  });
  server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
    const timedOut = e.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (timedOut) metrics.requestTimeouts++;
    // the answer in progress, if any (Node keeps it on the socket): never write into one already started
    const started = (socket as { _httpMessage?: ServerResponse | null })._httpMessage?.headersSent === true;
    if (socket.writable && !started) {
      socket.end(`HTTP/1.1 ${timedOut ? '408 Request Timeout' : '400 Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else socket.destroy();
  });

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
  port = (server.address() as AddressInfo).port;
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
    unauthenticatedConnections: () => hub.unauthenticated(),
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

/**
 * Node's own timeouts for slow requests (a connection is cut with 408 when its headers, or
 * its headers and body, are not in within them), checked often enough to be close to exact.
 */
function requestTimeouts(headersMs = DEFAULT_REQUEST_TIMEOUT_MS, requestMs = DEFAULT_REQUEST_TIMEOUT_MS) {
  // Node requires headersTimeout <= requestTimeout when both are on
  const headersTimeout = requestMs > 0 && (headersMs === 0 || headersMs > requestMs) ? requestMs : headersMs;
  const shortest = Math.min(...[headersTimeout, requestMs].filter((x) => x > 0));
  const connectionsCheckingInterval = Number.isFinite(shortest) ? Math.max(20, Math.min(1000, Math.floor(shortest / 10))) : 30_000;
  return { headersTimeout, requestTimeout: requestMs, connectionsCheckingInterval };
}

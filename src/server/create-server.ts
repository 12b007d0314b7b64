/** `createServer()`: the reference server on Node's `http` + `ws`. */
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueToken, newTokenSecret } from './auth.js';
import { createRequestHandler } from './http.js';
import { silentLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { buildRoutes } from './routes.js';
import { ConversationService, type MutationEvent } from './service.js';
import { MemoryConversationStore } from './memory-store.js';
import type { ConversationStore } from './ports.js';
import { WsHub } from './ws-hub.js';

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

export async function createServer(opts: CreateServerOptions = {}): Promise<ConvSyncServer> {
  const state = opts.state ?? createServerState();
  const logger = opts.logger ?? silentLogger;
  const metrics = new Metrics();
  const syncLimit = opts.syncLimit ?? DEFAULT_SYNC_LIMIT;
  if (!Number.isSafeInteger(syncLimit) || syncLimit < 1) throw new RangeError('syncLimit must be a positive integer');
  const secret = () => state.tokenSecret;
  const hub = new WsHub({
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
  const service = new ConversationService(state.store, hub, metrics, onMutation ? { onMutation } : {});
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
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
        const released = new Promise<void>((resolve) => server.close(() => resolve()));
        await hub.close();
        server.closeAllConnections();
        await released;
      })();
      return closing;
    },
  };
}

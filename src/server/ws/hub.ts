/**
 * WebSocket notifications (SPEC §4). `GET /ws` upgrades; the first frame must be
 * `{"type":"auth","token":"…"}` within `authTimeoutMs` (else close 4401); then the
 * socket joins its user's set and receives every notification for that user.
 *
 * - Any first frame that is not a valid auth (bad JSON, another type, bad or expired
 *   token) closes with 4401; after auth, a frame that is not a JSON object with a string
 *   `type` (or a binary frame) closes that socket only, with 4400. Unknown types are ignored.
 * - Heartbeat both ways: a client `ping` gets a `pong`; the server sends `ping` every
 *   `heartbeatMs` and terminates a socket that let two pass without sending anything.
 * - A socket joins its user only once the store's feed follows the user (`follow`), so
 *   every frame committed after `auth.ok` reaches it; leaving unfollows.
 * - Limits (`ws-limits.ts`): unauthenticated sockets (503 on upgrade past it), sockets per
 *   user (4429), and a socket closes with 4401 when its token expires.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer, WebSocket, RawData } from 'ws';
import type { WebSocketServerCtor } from './load.js';
import { isObj, type ServerFrame } from '../../protocol/index.js';
import { verifyToken } from '../auth.js';
import type { Metrics, WsRefusal } from '../metrics.js';
import type { Logger } from '../logger.js';
import { CLOSE_TOO_MANY, SocketLimits, timerAt } from './limits.js';
import { isUnavailable } from '../unavailable.js';

export const CLOSE_AUTH = 4401;
export const CLOSE_MALFORMED = 4400;
/** `OPEN`, `CLOSED` */
const OPEN = 1;
const CLOSED = 3;

export interface WsHubOptions {
  WebSocketServer: WebSocketServerCtor;
  tokenSecret: () => string;
  /** resolves once frames of the user committed from now on will be delivered here */
  follow: (userID: string) => Promise<void>;
  /** one socket of the user left */
  unfollow: (userID: string) => void;
  metrics: Metrics;
  logger: Logger;
  authTimeoutMs: number;
  heartbeatMs: number;
  allowedOrigins: readonly string[] | undefined;
  maxUnauthenticatedSockets: number;
  maxSocketsPerUser: number;
  maxPayload?: number;
}

interface Conn {
  ws: WebSocket;
  userID: string | null;
  /** authenticated, waiting for the feed to follow the user: frames are ignored meanwhile */
  joining: boolean;
  missed: number;
  authTimer: NodeJS.Timeout | null;
  /** not authenticated yet: counts against the unauthenticated limit */
  unauthenticated: boolean;
  /** the user whose slot this socket holds (from its valid auth frame on) */
  slot: string | null;
  /** cancels the close at the token's expiry */
  expiry: (() => void) | null;
}

export class WsHub {
  private readonly wss: WebSocketServer;
  private readonly byUser = new Map<string, Set<Conn>>();
  private readonly all = new Set<Conn>();
  private readonly beat: NodeJS.Timeout;
  /** set by `close()`: upgrades still in flight are refused, late accepts terminated */
  private closing = false;
  private readonly limits: SocketLimits;

  constructor(private readonly o: WsHubOptions) {
    this.limits = new SocketLimits(o.maxUnauthenticatedSockets, o.maxSocketsPerUser);
    this.wss = new o.WebSocketServer({ noServer: true, maxPayload: o.maxPayload ?? 64 * 1024 });
    this.beat = setInterval(() => this.heartbeat(), o.heartbeatMs);
    this.beat.unref();
  }

  /** Handles an HTTP upgrade on `/ws`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const origin = req.headers.origin;
    if (this.o.allowedOrigins && origin !== undefined && !this.o.allowedOrigins.includes(origin)) {
      this.refuse(socket, 'origin', '403 Forbidden');
      this.o.logger.info('ws origin refused', { origin });
      return;
    }
    if (!this.limits.roomForUpgrade()) {
      this.refuse(socket, 'unauthenticated_limit', '503 Service Unavailable');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** Refuses an upgrade with an HTTP status (before any frame), and counts it. */
  refuse(socket: Duplex, reason: WsRefusal, status: string): void {
    this.o.metrics.wsRefused(reason);
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  /** Sockets that have not authenticated yet. */
  unauthenticated(): number {
    return this.limits.pending;
  }

  /** Sends one frame to every open socket of `userID`. Returns how many got it. */
  send(userID: string, frame: ServerFrame): number {
    const conns = this.byUser.get(userID);
    if (!conns || conns.size === 0) return 0;
    const text = JSON.stringify(frame);
    let n = 0;
    for (const c of conns) {
      if (c.ws.readyState === OPEN) {
        c.ws.send(text);
        n++;
      }
    }
    this.o.metrics.notificationsSent += n;
    return n;
  }

  /** Authenticated sockets of a user (all users when omitted). */
  count(userID?: string): number {
    if (userID === undefined) return [...this.byUser.values()].reduce((s, x) => s + x.size, 0);
    return this.byUser.get(userID)?.size ?? 0;
  }

  /** Closes every socket (1001 going away) and waits until they are gone. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.beat);
    const closing: Array<Promise<void>> = [];
    for (const c of this.all) {
      if (c.authTimer) clearTimeout(c.authTimer);
      if (c.ws.readyState === CLOSED) continue;
      closing.push(
        new Promise<void>((resolve) => {
          const t = setTimeout(() => c.ws.terminate(), 1000);
          t.unref();
          c.ws.once('close', () => {
            clearTimeout(t);
            resolve();
          });
          c.ws.close(1001, 'server shutting down');
        }),
      );
    }
    await Promise.all(closing);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    // an upgrade that completed while close() ran: it would hold the server open forever
    if (this.closing) {
      ws.terminate();
      return;
    }
    const c: Conn = { ws, userID: null, joining: false, missed: 0, authTimer: null, unauthenticated: true, slot: null, expiry: null };
    this.all.add(c);
    this.limits.opened();
    this.o.metrics.ws.accepted++;
    c.authTimer = setTimeout(() => {
      c.authTimer = null;
      if (c.userID === null) this.closeConn(c, CLOSE_AUTH, 'auth timeout');
    }, this.o.authTimeoutMs);
    ws.on('message', (data, isBinary) => this.onMessage(c, data, isBinary));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.drop(c);
      this.all.delete(c);
    });
  }

  /** Stops delivering to a connection (idempotent): when we close it and when it closes. */
  private drop(c: Conn): void {
    if (c.authTimer) clearTimeout(c.authTimer);
    c.authTimer = null;
    this.authenticated(c);
    c.expiry?.();
    c.expiry = null;
    if (c.slot !== null) this.limits.release(c.slot);
    c.slot = null;
    if (c.userID !== null) {
      const set = this.byUser.get(c.userID);
      if (set?.delete(c)) {
        this.o.metrics.openSockets--;
        this.o.unfollow(c.userID);
      }
      if (set && set.size === 0) this.byUser.delete(c.userID);
    }
  }

  /** The socket no longer counts as unauthenticated (idempotent). */
  private authenticated(c: Conn): void {
    if (c.unauthenticated) this.limits.leftUnauthenticated();
    c.unauthenticated = false;
  }

  private closeConn(c: Conn, code: number, reason: string): void {
    this.drop(c);
    c.ws.close(code, reason);
  }

  private onMessage(c: Conn, data: RawData, isBinary: boolean): void {
    c.missed = 0;
    if (c.ws.readyState !== OPEN) return;
    let frame: unknown;
    try {
      frame = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      frame = undefined;
    }
    if (c.joining) return;
    if (c.userID === null) {
      this.onAuth(c, frame);
      return;
    }
    if (!isObj(frame) || typeof frame.type !== 'string') {
      this.closeConn(c, CLOSE_MALFORMED, 'malformed frame');
      return;
    }
    if (frame.type === 'ping') c.ws.send('{"type":"pong"}');
    // 'pong' only proves liveness (done above); other types are ignored for forward compatibility
  }

  private onAuth(c: Conn, frame: unknown): void {
    if (!isObj(frame) || frame.type !== 'auth' || typeof frame.token !== 'string') {
      this.closeConn(c, CLOSE_AUTH, 'first frame must be auth');
      return;
    }
    const check = verifyToken(this.o.tokenSecret(), frame.token);
    if (!check.ok) {
      this.closeConn(c, CLOSE_AUTH, check.reason);
      return;
    }
    if (c.authTimer) clearTimeout(c.authTimer);
    c.authTimer = null;
    const userID = check.userID;
    this.authenticated(c);
    if (!this.limits.claim(userID)) {
      this.o.metrics.wsRefused('user_limit');
      this.closeConn(c, CLOSE_TOO_MANY, 'too many sockets for this user');
      return;
    }
    c.slot = userID;
    c.expiry = timerAt(check.expiresAt, () => {
      this.o.metrics.wsRefused('token_expired');
      this.closeConn(c, CLOSE_AUTH, 'token expired');
    });
    c.joining = true;
    this.o.follow(userID).then(
      () => this.join(c, userID),
      (e: unknown) => {
        this.o.logger.error('ws follow failed', { error: e instanceof Error ? e.message : String(e) });
        c.joining = false;
        // 1013: the database is away, try again later; 1011: a bug
        const [code, reason] = isUnavailable(e) ? [1013, 'try again later'] : [1011, 'server error'];
        if (c.ws.readyState === OPEN) c.ws.close(code, reason);
      },
    );
  }

  /** The feed follows the user: the socket joins (or, gone meanwhile, unfollows again). */
  private join(c: Conn, userID: string): void {
    c.joining = false;
    if (c.ws.readyState !== OPEN || this.closing) {
      this.o.unfollow(userID);
      return;
    }
    c.userID = userID;
    let set = this.byUser.get(userID);
    if (!set) {
      set = new Set();
      this.byUser.set(userID, set);
    }
    set.add(c);
    this.o.metrics.openSockets++;
    c.ws.send(JSON.stringify({ type: 'auth.ok', userID }));
  }

  private heartbeat(): void {
    for (const c of this.all) {
      if (c.userID === null || c.ws.readyState !== OPEN) continue;
      if (c.missed >= 2) {
        this.drop(c);
        c.ws.terminate();
        continue;
      }
      c.missed++;
      c.ws.send('{"type":"ping"}');
    }
  }
}

/**
 * The notification socket (SPEC §4): auth frame first, heartbeat, reconnect with
 * backoff, validated frames only. Knows nothing of storage or sync.
 */
import { ConvSyncError, readServerFrame, type ServerFrame } from '../../protocol/index.js';
import { backoff } from '../kernel/backoff.js';
import type { Clock } from '../kernel/clock.js';
import type { TokenSource } from './http.js';

/** A WebSocket constructor: the browser's, or `WebSocket` from the `ws` package. */
export type WebSocketCtor = new (url: string) => object;

/** The part of the WebSocket API used here (browser and `ws` both have it). */
interface WS {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: (() => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface SocketOptions {
  url: string;
  userID: string;
  WebSocket: WebSocketCtor;
  token: TokenSource;
  clock: Clock;
  random: () => number;
  pingIntervalMs: number;
  authTimeoutMs: number;
  maxBackoffMs: number;
  /** counters of authenticated connections (the first and every reconnect) */
  stats?: { socketConnects: number; socketReconnects: number };
}

export interface SocketEvents {
  /** authenticated: live from now on */
  up(): void;
  /** the connection was lost (only after `up`) */
  down(): void;
  frame(f: Exclude<ServerFrame, { type: 'auth.ok' | 'ping' | 'pong' }>): void;
  /** a malformed frame (BAD_FRAME) or a refused auth */
  problem(e: ConvSyncError): void;
}

export interface Socket {
  start(): void;
  stop(): void;
}

const noop = (): void => {};

export function createSocket(o: SocketOptions, ev: SocketEvents): Socket {
  let ws: WS | null = null;
  let up = false;
  let running = false;
  let attempt = 0;
  let missed = 0;
  let refresh = false;
  let timer: unknown = null;

  const later = (fn: () => void, ms: number): void => {
    o.clock.clearTimeout(timer);
    timer = o.clock.setTimeout(fn, ms);
  };

  function connect(): void {
    if (!running) return;
    let s: WS;
    try {
      s = new o.WebSocket(o.url) as unknown as WS;
    } catch {
      lost(null);
      return;
    }
    ws = s;
    missed = 0;
    later(() => lost(s), o.authTimeoutMs);
    s.onerror = noop; // a close event follows
    s.onclose = (e) => {
      if (e.code === 4401) refresh = true;
      lost(s);
    };
    s.onopen = () => {
      const t = refresh ? o.token.refresh() : o.token.get();
      refresh = false;
      t.then(
        (token) => ws === s && send(s, { type: 'auth', token }),
        (e: unknown) => {
          if (e instanceof ConvSyncError) ev.problem(e);
          lost(s);
        },
      );
    };
    s.onmessage = (m) => onMessage(s, typeof m.data === 'string' ? m.data : String(m.data));
  }

  function send(s: WS, frame: object): void {
    if (s.readyState === 1) s.send(JSON.stringify(frame));
  }

  function onMessage(s: WS, raw: string): void {
    if (ws !== s) return;
    missed = 0;
    let f: ServerFrame | null;
    try {
      f = readServerFrame(raw);
    } catch (e) {
      if (e instanceof ConvSyncError) ev.problem(e);
      return;
    }
    if (!f) return;
    switch (f.type) {
      case 'ping':
        return send(s, { type: 'pong' });
      case 'pong':
        return;
      case 'auth.ok':
        if (up) return;
        if (f.userID !== o.userID) {
          ev.problem(new ConvSyncError('AUTH', `socket authenticated as ${f.userID}, not ${o.userID}`));
          return lost(s);
        }
        up = true;
        attempt = 0;
        if (o.stats && o.stats.socketConnects++ > 0) o.stats.socketReconnects++;
        later(() => beat(s), o.pingIntervalMs);
        return ev.up();
      case 'conversation.private':
        if (up && (f.sendID === o.userID || f.recvID === o.userID)) ev.frame(f);
        return;
      default:
        if (up && f.userID === o.userID) ev.frame(f);
    }
  }

  /** Heartbeat: ping every interval; two pings without any frame back → reconnect. */
  function beat(s: WS): void {
    if (ws !== s) return;
    if (missed >= 2) return lost(s);
    missed++;
    send(s, { type: 'ping' });
    later(() => beat(s), o.pingIntervalMs);
  }

  /** Drops `s` at once (a dead link's close handshake may never finish) and plans a reconnect. */
  function lost(s: WS | null): void {
    if (s && ws !== s) return;
    ws = null;
    if (s) {
      s.onopen = s.onclose = s.onmessage = noop;
      try {
        s.close();
      } catch {
        /* already closed */
      }
    }
    const wasUp = up;
    up = false;
    if (wasUp) ev.down();
    if (!running) return;
    later(connect, backoff(attempt++, 500, o.maxBackoffMs, o.random));
  }

  return {
    start() {
      if (running) return;
      running = true;
      attempt = 0;
      connect();
    },
    stop() {
      running = false;
      o.clock.clearTimeout(timer);
      const s = ws;
      if (s) lost(s);
      up = false;
    },
  };
}

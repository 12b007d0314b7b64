/**
 * Test helpers for the reference server: start one on 127.0.0.1:0, get tokens, call
 * endpoints, open sockets and await frames. Reusable by every suite.
 *
 *   const s = await startServer();            // admin on by default
 *   const token = s.token('u1');
 *   const r = await s.post('/conversation/get_incremental_conversations', { userID: 'u1', versionID: '', version: 0 }, token);
 *   await s.close();
 */
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import { createServer, type ConvSyncServer, type CreateServerOptions } from '../../src/server/index.js';
import { dataOf, postJSON, type Envelope } from '../../support/http.js';

export interface PostResult<T = any> {
  status: number;
  headers: Headers;
  body: Envelope<T>;
}

export interface TestServer {
  server: ConvSyncServer;
  url: string;
  wsURL: string;
  /** a token for `userID` (signed with the server's secret) */
  token(userID: string, ttlSeconds?: number): string;
  /** POST JSON (or a raw string) with an optional bearer token and extra headers */
  post<T = any>(path: string, body: unknown, token?: string, headers?: Record<string, string>): Promise<PostResult<T>>;
  /** POST an admin route and return `data`, failing on a non-zero errCode */
  admin<T = any>(path: string, body: unknown): Promise<T>;
  /** POST as `userID` (a token is made for it) and return `data`, failing on a non-zero errCode */
  call<T = any>(userID: string, path: string, body: unknown): Promise<T>;
  socket(token?: string): Promise<TestSocket>;
  close(): Promise<void>;
}

/** POST JSON (or a raw string) with an optional bearer token and extra headers (support/http.ts). */
export async function post<T = any>(url: string, path: string, body: unknown, token?: string, headers: Record<string, string> = {}): Promise<PostResult<T>> {
  const r = await postJSON<T>(url, path, body, token, headers);
  return { status: r.status, headers: r.headers, body: r.body };
}

export async function startServer(opts: CreateServerOptions = {}): Promise<TestServer> {
  const server = await createServer({ host: '127.0.0.1', port: 0, admin: true, ...opts });
  return wrap(server);
}

/** `startServer` for a test file whose servers are all closed after each test. */
export function serversClosedAfterEach(): (opts?: CreateServerOptions) => Promise<TestServer> {
  const started: TestServer[] = [];
  afterEach(async () => {
    for (const s of started.splice(0)) await s.close();
  });
  return async (opts) => {
    const s = await startServer(opts);
    started.push(s);
    return s;
  };
}

/** Wraps an already started server (e.g. one restarted from a previous `state`). */
export function wrap(server: ConvSyncServer): TestServer {
  const sockets = new Set<TestSocket>();
  const t: TestServer = {
    server,
    url: server.url,
    wsURL: server.wsURL,
    token: (userID, ttl) => server.issueToken(userID, ttl),
    post: (path, body, token, headers) => post(server.url, path, body, token, headers),
    async admin(path, body) {
      return dataOf(path, (await post(server.url, path, body)).body);
    },
    async call(userID, path, body) {
      return dataOf(path, (await post(server.url, path, body, server.issueToken(userID))).body);
    },
    async socket(token) {
      const s = await openSocket(server.wsURL, token);
      sockets.add(s);
      return s;
    },
    async close() {
      for (const s of sockets) s.ws.terminate();
      await server.close();
    },
  };
  return t;
}

export interface TestSocket {
  ws: WebSocket;
  /** every frame received so far (parsed JSON) */
  frames: any[];
  /** resolves with the next frame (after those already taken) matching `pred` */
  next(pred?: (f: any) => boolean): Promise<any>;
  /** resolves with the close code */
  closed: Promise<number>;
  send(v: unknown): void;
}

/**
 * Opens a socket; when `token` is given, sends the auth frame and waits for `auth.ok`
 * (which stays in `frames`, already taken).
 */
export async function openSocket(wsURL: string, token?: string, headers?: Record<string, string>): Promise<TestSocket> {
  const ws = new WebSocket(wsURL, headers ? { headers } : undefined);
  const frames: any[] = [];
  let taken = 0;
  const waiters: Array<{ pred: (f: any) => boolean; resolve: (f: any) => void; reject: (e: Error) => void }> = [];
  let closeCode: number | null = null;
  const closed = new Promise<number>((resolve) => {
    ws.on('close', (code) => {
      closeCode = code;
      for (const w of waiters.splice(0)) w.reject(new Error(`socket closed (${code}) while waiting for a frame`));
      resolve(code);
    });
  });
  const scan = () => {
    for (let wi = 0; wi < waiters.length; wi++) {
      const w = waiters[wi]!;
      for (let i = taken; i < frames.length; i++) {
        if (w.pred(frames[i])) {
          taken = i + 1;
          waiters.splice(wi, 1);
          w.resolve(frames[i]);
          scan();
          return;
        }
      }
    }
  };
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    scan();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const s: TestSocket = {
    ws,
    frames,
    closed,
    send: (v) => ws.send(typeof v === 'string' ? v : JSON.stringify(v)),
    next(pred = () => true) {
      return new Promise((resolve, reject) => {
        if (closeCode !== null && !frames.slice(taken).some(pred)) {
          reject(new Error(`socket closed (${closeCode})`));
          return;
        }
        waiters.push({ pred, resolve, reject });
        scan();
      });
    },
  };
  if (token !== undefined) {
    s.send({ type: 'auth', token });
    const ok = await s.next((f) => f.type === 'auth.ok');
    if (ok.userID === undefined) throw new Error('auth failed');
  }
  return s;
}

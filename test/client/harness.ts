/** Integration harness: a real client against the real reference server over loopback. */
import 'fake-indexeddb/auto';
import { filter, firstValueFrom, skip, timeout, type Observable } from 'rxjs';
import WebSocket from 'ws';
import { afterEach, expect } from 'vitest';
import { createConversationSync, type ConversationSync, type ConversationSyncOptions } from '../../src/client/create.js';
import type { Conversation, Cursor, LocalConversation } from '../../src/protocol/index.js';
import { dexieStorage } from '../../src/storage/dexie.js';
import { idbStorage } from '../../src/storage/idb.js';
import { memoryStorage } from '../../src/storage/memory.js';
import type { StorageAdapter } from '../../src/storage/types.js';
import type { WebSocketCtor } from '../../src/client/remote/socket.js';
import type { SyncStatus } from '../../src/client/kernel/status.js';
import type { ConversationStore } from '../../src/server/ports.js';
import type { TestServer } from '../helpers/server.js';
import { makeConversation } from '../helpers/fixtures.js';

export type Kind = 'memory' | 'idb' | 'dexie';
let dbSeq = 0;
export const uniqueName = (tag = 'db'): string => `convsync-test:${tag}:${process.pid}:${++dbSeq}`;

export function makeStorage(kind: Kind, name: string, beforeWrite?: (id: string) => void): StorageAdapter {
  const o = { name, ...(beforeWrite ? { beforeWrite } : {}) };
  return kind === 'memory' ? memoryStorage(o) : kind === 'idb' ? idbStorage(o) : dexieStorage(o);
}

const WRITES = ['applyDelta', 'raiseRead', 'setDraft', 'beginFull', 'stagePage', 'commitFull', 'abortFull', 'destroy'] as const;

/** Wraps an adapter to count the calls of every write method. */
export function countWrites(s: StorageAdapter): { storage: StorageAdapter; writes: () => number } {
  let n = 0;
  const wrapped = { ...s } as Record<string, unknown>;
  for (const k of Object.keys(s) as Array<keyof StorageAdapter>) {
    const f = s[k] as (...a: unknown[]) => unknown;
    wrapped[k] = (...a: unknown[]) => {
      if ((WRITES as readonly string[]).includes(k)) n++;
      return f.apply(s, a);
    };
  }
  return { storage: wrapped as unknown as StorageAdapter, writes: () => n };
}

/** One client's sockets, each a `ws` WebSocket behind a tap: frames can be dropped, held, injected; the link can be cut. */
export interface Taps {
  /** every socket the client opened, oldest first */
  readonly sockets: TapSocket[];
  /** return false to drop a frame (raw text) before the client sees it */
  pass: (raw: string, socket: TapSocket) => boolean;
  /** the socket opened last */
  last(): TapSocket;
}

export interface TapSocket {
  readonly inner: WebSocket;
  /** every frame the server sent, dropped ones included */
  readonly seen: string[];
  /** Hands a frame to the client as if the server had sent it. */
  inject(frame: unknown): void;
}

/** A WebSocket constructor for one client, and the taps of the sockets it opens. */
export function tapped(): { taps: Taps; WebSocket: WebSocketCtor } {
  const taps: Taps = {
    sockets: [],
    pass: () => true,
    last() {
      const t = taps.sockets.at(-1);
      if (!t) throw new Error('the client opened no socket');
      return t;
    },
  };
  class Tap implements TapSocket {
    inner: WebSocket;
    seen: string[] = [];
    private handler: ((ev: { data: unknown }) => void) | null = null;
    constructor(url: string) {
      this.inner = new WebSocket(url);
      taps.sockets.push(this);
    }
    get readyState(): number {
      return this.inner.readyState;
    }
    send(d: string): void {
      this.inner.send(d);
    }
    close(code?: number, reason?: string): void {
      this.inner.close(code, reason);
    }
    set onopen(f: (() => void) | null) {
      this.inner.onopen = () => f?.();
    }
    set onclose(f: ((ev: { code: number }) => void) | null) {
      this.inner.onclose = (e) => f?.({ code: e.code });
    }
    set onerror(f: ((ev: unknown) => void) | null) {
      this.inner.onerror = (e) => f?.(e);
    }
    set onmessage(f: ((ev: { data: unknown }) => void) | null) {
      this.handler = f;
      this.inner.onmessage = (e) => {
        const raw = String(e.data);
        this.seen.push(raw);
        if (taps.pass(raw, this)) f?.({ data: raw });
      };
    }
    inject(frame: unknown): void {
      this.handler?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
    }
  }
  return { taps, WebSocket: Tap };
}

/**
 * What the harness uses of a server: its URLs, tokens and store. A `TestServer` is one;
 * so is a server in another process whose store this process can read.
 */
export interface ServerHandle {
  url: string;
  wsURL: string;
  token(userID: string, ttlSeconds?: number): string;
  server: { state: { store: ConversationStore } };
}

export interface Client {
  sync: ConversationSync;
  /** the client's sockets */
  taps: Taps;
  storage: StorageAdapter;
  /** paths of the HTTP requests sent */
  requests: string[];
  writes: () => number;
  /**
   * makes the next answers of `path` crafted: return a Response (or a promise of one) to
   * replace the real one; `real()` sends the request to the server and gives its answer;
   * `init` is the request as the client made it (its `signal` aborts on timeout / stop)
   */
  craft: {
    fn: ((path: string, body: unknown, real: () => Promise<Response>, init: RequestInit) => Response | undefined | Promise<Response | undefined>) | null;
  };
  tokenCalls: () => number;
}

export interface ClientOptions extends Partial<ConversationSyncOptions> {
  kind?: Kind;
  name?: string;
  socket?: boolean;
  beforeWrite?: (id: string) => void;
  tokenFn?: () => Promise<string>;
}

export function makeClient(s: ServerHandle, userID: string, o: ClientOptions = {}): Client {
  const requests: string[] = [];
  const craft: Client['craft'] = { fn: null };
  let tokenCalls = 0;
  const base = o.storage ?? makeStorage(o.kind ?? 'memory', o.name ?? uniqueName(userID), o.beforeWrite);
  const { storage, writes } = countWrites(base);
  const tokenFn = o.tokenFn ?? (async () => s.token(userID));
  const { taps, WebSocket: TapWS } = tapped();
  const sync = createConversationSync({
    userID,
    apiURL: s.url,
    ...(o.socket === false ? {} : { wsURL: s.wsURL }),
    token: async () => (tokenCalls++, tokenFn()),
    WebSocket: TapWS,
    fetch: async (url, init) => {
      const path = new URL(url).pathname;
      requests.push(path);
      const crafted = await craft.fn?.(path, JSON.parse(String(init.body)), () => fetch(url, init), init);
      if (crafted) return crafted;
      return fetch(url, init);
    },
    maxBackoffMs: 300,
    random: () => 0.9,
    driftCheck: false,
    ...o,
    storage,
  });
  return { sync, taps, storage, requests, writes, craft, tokenCalls: () => tokenCalls };
}

/** First value of `obs` matching `pred`, within `ms`. */
export function waitFor<T>(obs: Observable<T>, pred: (v: T) => boolean, ms = 10_000): Promise<T> {
  return firstValueFrom(obs.pipe(filter(pred), timeout({ first: ms })));
}

/** The first status after the one `status$` holds now that matches `pred`, within `ms`. */
export function nextStatus(c: Client, pred: (s: SyncStatus) => boolean, ms = 10_000): Promise<SyncStatus> {
  return firstValueFrom(c.sync.status$.pipe(skip(1), filter(pred), timeout({ first: ms })));
}

/** Resolves once the socket went down and came back up (subscribe before cutting it). */
export function reconnected(c: Client, ms = 10_000): Promise<SyncStatus> {
  return nextStatus(c, (s) => !s.connected, ms).then(() => waitFor(c.sync.status$, (s) => s.connected, ms));
}

/**
 * Polls `cond` (bounded) — only for facts that have no event: the server's state, and
 * the client's cursor reaching a version.
 */
export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  for (let i = 0; i < 100_000; i++) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts and waits until the socket is up (when there is one) and a sync has completed after that. */
/**
 * `id` is pinned and above every row that is not: where a just-pinned conversation
 * belongs, whether or not the seed pinned others (about 1 row in 100).
 */
export function pinnedOnTop(list: readonly Pick<Conversation, 'conversationID' | 'isPinned'>[], id: string): boolean {
  const at = list.findIndex((c) => c.conversationID === id);
  return at >= 0 && list.slice(0, at + 1).every((c) => c.isPinned);
}

export async function startLive(c: Client): Promise<void> {
  await c.sync.start();
  await waitFor(c.sync.status$, (s) => s.connected);
  await c.sync.sync();
}

export async function serverHead(s: ServerHandle, userID: string): Promise<Cursor> {
  const h = await s.server.state.store.head(userID);
  return { versionID: h.id, version: h.version };
}

export async function serverList(s: ServerHandle, userID: string): Promise<Conversation[]> {
  const ids = await s.server.state.store.ids(userID);
  return s.server.state.store.get(userID, ids);
}

/** The wire part of a local record. */
export function wire(c: LocalConversation): Conversation {
  const { draftText: _a, draftTextTime: _b, unreadCount: _c, ...w } = c;
  return w;
}

const byID = (a: { conversationID: string }, b: { conversationID: string }) => (a.conversationID < b.conversationID ? -1 : 1);

/** Asserts the local list equals the server's data field by field, and the cursor its head. */
export async function expectEqualToServer(c: Client, s: ServerHandle, userID: string): Promise<void> {
  const local = (await c.sync.getPage({ limit: 1_000_000 })).items.map(wire).sort(byID);
  const remote = (await serverList(s, userID)).sort(byID);
  expect(local.length).toBe(remote.length);
  expect(local).toEqual(remote);
  expect(c.sync.cursor()).toEqual(await serverHead(s, userID));
  expect(await c.storage.getCursor()).toEqual(await serverHead(s, userID));
}

/** Resolves once the client's cursor equals the server's head. */
export async function caughtUp(c: Client, s: ServerHandle, userID: string, ms = 15_000): Promise<void> {
  await until(async () => {
    const h = await serverHead(s, userID);
    const cur = c.sync.cursor();
    return cur !== null && cur.versionID === h.versionID && cur.version === h.version;
  }, ms, 'client cursor to reach the server head');
}

/** The servers and clients a test file starts: all stopped after each test. */
export function stopAfterEach(): { servers: TestServer[]; clients: Client[] } {
  const started = { servers: [] as TestServer[], clients: [] as Client[] };
  afterEach(async () => {
    for (const c of started.clients.splice(0)) await c.sync.stop();
    for (const s of started.servers.splice(0)) await s.close();
  });
  return started;
}

/** A group conversation of `userID`, built on the shared fixture. */
export function conv(id: string, userID: string, over: Partial<Conversation> = {}): Conversation {
  return makeConversation(id, { ownerUserID: userID, showName: `group ${id}`, ...over });
}

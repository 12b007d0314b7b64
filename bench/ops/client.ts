/**
 * The client side of the benchmarks, runtime-agnostic: it runs in Node (fake-indexeddb,
 * `ws`) and, bundled by bench/drivers/chromium.ts, in headless Chromium (real IndexedDB,
 * native WebSocket). Clients are kept in a registry and named by handles, so the orchestrator
 * (Node) can drive a client that lives in another runtime.
 */
import type { Subscription } from 'rxjs';
import {
  createConversationSync,
  dexieStorage,
  idbStorage,
  memoryStorage,
  type ConversationSync,
  type Cursor,
  type LocalConversation,
  type StorageAdapter,
  type WebSocketCtor,
} from '../../src/index.js';
import type { AdapterName, Runtime } from '../lib/types.js';
import { now } from '../lib/util.js';

export interface ClientEnv {
  runtime: Runtime;
  apiURL: string;
  wsURL: string;
  WebSocket: WebSocketCtor;
}

let env: ClientEnv | null = null;

export function setClientEnv(e: ClientEnv): void {
  env = e;
}

export function clientEnv(): ClientEnv {
  if (!env) throw new Error('bench client env not set');
  return env;
}

export function makeStorage(adapter: AdapterName, name: string): StorageAdapter {
  if (adapter === 'idb') return idbStorage({ name });
  if (adapter === 'dexie') return dexieStorage({ name });
  return memoryStorage({ name });
}

/**
 * A WebSocket that passes every frame through JSON (parse + stringify) and, when
 * `strip` is set, drops the `delta` of `conversation.changed` frames: the same change
 * then reaches the client as a bare notification that needs a sync. Both paths pay the
 * same re-encoding, so their difference is the sync alone.
 */
export function filteringWebSocket(Base: WebSocketCtor, strip: boolean): WebSocketCtor {
  type Inner = {
    readyState: number;
    send(d: string): void;
    close(c?: number, r?: string): void;
    onopen: unknown;
    onclose: unknown;
    onerror: unknown;
    onmessage: ((ev: { data: unknown }) => void) | null;
  };
  return class FilteringWebSocket {
    private readonly inner: Inner;
    constructor(url: string) {
      this.inner = new Base(url) as Inner;
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
    set onopen(f: unknown) {
      this.inner.onopen = f;
    }
    get onopen(): unknown {
      return this.inner.onopen;
    }
    set onclose(f: unknown) {
      this.inner.onclose = f;
    }
    get onclose(): unknown {
      return this.inner.onclose;
    }
    set onerror(f: unknown) {
      this.inner.onerror = f;
    }
    get onerror(): unknown {
      return this.inner.onerror;
    }
    set onmessage(f: ((ev: { data: unknown }) => void) | null) {
      this.inner.onmessage =
        f === null
          ? null
          : (ev) => {
              const raw = typeof ev.data === 'string' ? ev.data : String(ev.data);
              let out = raw;
              try {
                const frame = JSON.parse(raw) as { type?: unknown; delta?: unknown };
                if (strip && frame.type === 'conversation.changed') delete frame.delta;
                out = JSON.stringify(frame);
              } catch {
                /* not JSON: pass it on untouched */
              }
              f({ data: out });
            };
    }
    get onmessage(): null {
      return null;
    }
  };
}

export interface OpenArgs {
  userID: string;
  token: string;
  adapter: AdapterName;
  /** database name (reuse one to open a warm database) */
  name: string;
  /** keep a `conversations$` subscriber (a UI) */
  subscribe?: boolean;
  /** connect the notification socket */
  ws?: boolean;
  /** with `ws`: strip pushed deltas (notify-then-sync) */
  stripDelta?: boolean;
  /** wait until this many records are held */
  expect?: number;
  /** requests fail while the handle is `offline` (scenario 9) */
  gate?: boolean;
}

interface Handle {
  /** with `gate`: every request fails while set */
  offline: boolean;
  /** requests sent, by path */
  sent: string[];
  sync: ConversationSync;
  storage: StorageAdapter;
  list: LocalConversation[] | null;
  sub: Subscription | null;
  waiters: Set<() => void>;
}

const handles = new Map<number, Handle>();
let nextHandle = 1;

export function handle(h: number): Handle {
  const x = handles.get(h);
  if (!x) throw new Error(`no client ${h}`);
  return x;
}

export function createClient(a: OpenArgs, storage: StorageAdapter, gate?: { offline: boolean; sent: string[] }): ConversationSync {
  const e = clientEnv();
  return createConversationSync({
    ...(gate
      ? {
          fetch: (url: string, init: RequestInit) => {
            gate.sent.push(new URL(url).pathname);
            return gate.offline ? Promise.reject(new TypeError('offline (bench)')) : fetch(url, init);
          },
        }
      : {}),
    userID: a.userID,
    apiURL: e.apiURL,
    token: a.token,
    storage,
    ...(a.ws ? { wsURL: e.wsURL, WebSocket: filteringWebSocket(e.WebSocket, a.stripDelta ?? false) } : {}),
    driftCheck: false,
    syncOnOnline: false,
  });
}

/** Waits (bounded) until `ok()` holds, re-checking on every list emission and every few ms. */
export function waitUntil(h: Handle | null, ok: () => boolean, timeoutMs: number, what: string): Promise<void> {
  if (ok()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearInterval(tick);
      clearTimeout(limit);
      h?.waiters.delete(check);
    };
    const check = (): void => {
      if (ok()) {
        done();
        resolve();
      }
    };
    const tick = setInterval(check, 2);
    const limit = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    h?.waiters.add(check);
  });
}

/** Opens a client, runs its first sync to the end; with `subscribe`, waits for the list. */
export async function openClient(a: OpenArgs): Promise<{ h: number; ms: number; count: number }> {
  const storage = makeStorage(a.adapter, a.name);
  const gate = { offline: false, sent: [] as string[] };
  const sync = createClient(a, storage, a.gate ? gate : undefined);
  const x: Handle = Object.assign(gate, { sync, storage, list: null, sub: null, waiters: new Set<() => void>() });
  const t0 = now();
  if (a.subscribe) {
    x.sub = sync.conversations$.subscribe((list) => {
      x.list = list;
      for (const w of [...x.waiters]) w();
    });
  }
  await sync.start();
  await sync.sync();
  if (a.ws) {
    await waitUntil(x, () => sync.metrics().socketConnects > 0, 10_000, 'the socket');
    await sync.sync();
  }
  if (a.subscribe && a.expect !== undefined) {
    const n = a.expect;
    await waitUntil(x, () => x.list?.length === n, 120_000, `${n} records on conversations$`);
  }
  const ms = now() - t0;
  const count = (await storage.allIDs()).length;
  const h = nextHandle++;
  handles.set(h, x);
  return { h, ms, count };
}

export async function closeClient(a: { h: number; clear?: boolean }): Promise<void> {
  const x = handle(a.h);
  handles.delete(a.h);
  x.sub?.unsubscribe();
  if (a.clear) await x.sync.clear();
  else await x.sync.stop();
}

/** One `sync()` timed; the mode and the requests it took. */
export async function syncTimed(a: { h: number }): Promise<{ ms: number; mode: string; requests: number }> {
  const x = handle(a.h);
  const before = x.sync.metrics().requests;
  const t0 = now();
  const mode = await x.sync.sync();
  const ms = now() - t0;
  return { ms, mode, requests: x.sync.metrics().requests - before };
}

export function clientState(a: { h: number }): { cursor: Cursor | null; requests: number; bytes: number; pushed: number } {
  const x = handle(a.h);
  const m = x.sync.metrics();
  return { cursor: x.sync.cursor(), requests: m.requests, bytes: m.bytesReceived, pushed: m.pushedDeltasApplied };
}

/** Resolves once the client's cursor has reached `version` of `versionID`. */
export async function waitCursor(a: { h: number; versionID: string; version: number; timeoutMs: number }): Promise<void> {
  const x = handle(a.h);
  await waitUntil(
    x,
    () => {
      const c = x.sync.cursor();
      return c !== null && c.versionID === a.versionID && c.version >= a.version;
    },
    a.timeoutMs,
    `version ${a.version}`,
  );
}

/** A wire record from a local one (client-only fields dropped). */
export function wireOf(c: LocalConversation): Record<string, unknown> {
  const { draftText: _d, draftTextTime: _t, unreadCount: _u, ...wire } = c;
  return wire;
}

/** Attaches a `conversations$` subscriber (a UI) and waits until it holds `expect` records. */
export async function subscribeClient(a: { h: number; expect: number }): Promise<{ ms: number }> {
  const x = handle(a.h);
  const t0 = now();
  x.sub ??= x.sync.conversations$.subscribe((list) => {
    x.list = list;
    for (const w of [...x.waiters]) w();
  });
  await waitUntil(x, () => x.list?.length === a.expect, 120_000, `${a.expect} records on conversations$`);
  return { ms: now() - t0 };
}

/** `createConversationSync`: the public client object of SPEC §5.1, wired from the parts. */
import type { Observable } from 'rxjs';
import { ConvSyncError, type Cursor, type LocalConversation, type SyncMode } from '../protocol/index.js';
import type { Page, StorageAdapter } from '../storage/types.js';
import { realClock, type Clock } from './clock.js';
import { createEngine, type Engine } from './engine.js';
import { newMetrics, type ChangeSet, type ClientMetrics, type Progress } from './types.js';
import { idbStorage } from '../storage/idb.js';
import { createHub } from './hub.js';
import { createHttp, tokenSource, type FetchLike, type TokenOption } from './http.js';
import { createLiveList } from './live-list.js';
import { createSocket, type Socket, type WebSocketCtor } from './socket.js';
import { initialStatus, reduceStatus, type StatusEvent, type SyncStatus } from './status.js';

export interface ConversationSyncOptions {
  /** The user whose list this client keeps. Required. */
  userID: string;
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:8787`. Required. */
  apiURL: string;
  /** WebSocket URL, e.g. `ws://127.0.0.1:8787/ws`. Default: none (no live updates; the client polls). */
  wsURL?: string;
  /** A token, or a function giving one; the function is called again once after a 401. Required. */
  token: TokenOption;
  /** Where the list lives. Default `idbStorage()` (database `convsync:<userID>`); `memoryStorage()`, `dexieStorage()` too. */
  storage?: StorageAdapter;
  /** WebSocket constructor. Default: `globalThis.WebSocket` (Node: pass `WebSocket` from `ws`). */
  WebSocket?: WebSocketCtor;
  /** fetch implementation. Default: `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Time source and timers (tests). Default: the real clock. */
  clock?: Clock;
  /** Random source for backoff jitter (tests). Default: `Math.random`. */
  random?: () => number;
  /** Poll interval while the socket is down (or there is none). Default 60 000 ms. */
  pollIntervalMs?: number;
  /** Timeout of one HTTP request. Default 15 000 ms. */
  requestTimeoutMs?: number;
  /** Records per snapshot page in a full sync (server max 5000). Default 1000. */
  pageSize?: number;
  /** Upper bound of the retry / reconnect backoff. Default 30 000 ms. */
  maxBackoffMs?: number;
  /** Socket heartbeat interval. Default 25 000 ms (two unanswered pings → reconnect). */
  pingIntervalMs?: number;
  /**
   * Compare the local idHash with the server's after an incremental or equal sync
   * (one cheap `get_full_conversation_ids` request; a mismatch triggers a full sync).
   * Default `true`.
   */
  driftCheck?: boolean;
  /** At most one drift check per this interval; a full sync counts as one. Default 300 000 ms. */
  driftCheckIntervalMs?: number;
  /**
   * Least time between two sync rounds started by notifications, reconnects or the
   * `online` event (a manual `sync()` is never delayed). Default 100 ms.
   */
  minSyncGapMs?: number;
  /** Sync when the browser reports `online` (only where `globalThis.addEventListener` exists). Default `true`. */
  syncOnOnline?: boolean;
}

export interface PageOptions {
  /** Records per page. Default 20. */
  limit?: number;
  /** `next` of the previous page. */
  after?: string | null;
}

export interface ConversationSync {
  /** Opens storage (cached data readable at once), then connects and syncs in the background. */
  start(): Promise<void>;
  /** Closes the socket and the database; the data stays. */
  stop(): Promise<void>;
  /** Stops and deletes this user's local database. */
  clear(): Promise<void>;
  /** Runs a sync now, or joins the one in flight; resolves with its mode. */
  sync(): Promise<SyncMode>;
  get(conversationID: string): Promise<LocalConversation | undefined>;
  /** One page of the sorted list, straight from storage. */
  getPage(opts?: PageOptions): Promise<Page>;
  /** Sets (or with `''` clears) a local draft; resolves with the record, `undefined` if unknown. */
  setDraft(conversationID: string, text: string): Promise<LocalConversation | undefined>;
  /** The whole sorted list, live (lazy: loaded when first subscribed). */
  readonly conversations$: Observable<LocalConversation[]>;
  readonly totalUnread$: Observable<number>;
  readonly status$: Observable<SyncStatus>;
  /** One event per sync (its true diff), per applied pushed frame, per draft. */
  readonly changes$: Observable<ChangeSet>;
  /** Full-sync progress. */
  readonly progress$: Observable<Progress>;
  /** The stored cursor (null before the first sync). */
  cursor(): Cursor | null;
  metrics(): ClientMetrics;
}

const defaults = {
  pollIntervalMs: 60_000,
  requestTimeoutMs: 15_000,
  pageSize: 1000,
  maxBackoffMs: 30_000,
  pingIntervalMs: 25_000,
  driftCheck: true,
  driftCheckIntervalMs: 300_000,
  minSyncGapMs: 100,
  syncOnOnline: true,
  clock: realClock,
  random: Math.random,
};

export function createConversationSync(options: ConversationSyncOptions): ConversationSync {
  if (!options?.userID || typeof options.apiURL !== 'string' || options.token === undefined) {
    throw new ConvSyncError('INVALID_ARGUMENT', 'userID, apiURL and token are required');
  }
  const o = { ...defaults, ...options };
  const { userID, clock } = o;
  const storage = o.storage ?? idbStorage();
  const token = tokenSource(o.token);
  const metrics = newMetrics();
  const status$ = createHub<SyncStatus>(initialStatus);
  const changes$ = createHub<ChangeSet>();
  const progress$ = createHub<Progress>();
  const status = (e: StatusEvent): void => status$.next(reduceStatus(status$.value(), e));

  let engine: Engine | null = null;
  let socket: Socket | null = null;
  let abortHttp: (() => void) | null = null;
  let starting: Promise<void> | null = null;
  let offOnline: (() => void) | null = null;
  let opened = false;
  // the live list waits for the store to be open (subscribing before start() is fine)
  let onOpen: () => void = () => {};
  let whenOpen = new Promise<void>((r) => (onOpen = r));
  const live = createLiveList(() => whenOpen.then(() => storage.getAll()));

  const need = (): Engine => {
    if (!engine) throw new ConvSyncError('STOPPED', 'the client is not started');
    return engine;
  };

  async function start(): Promise<void> {
    await storage.open(userID);
    opened = true;
    const http = createHttp({ apiURL: o.apiURL, token, fetch: o.fetch, clock, timeoutMs: o.requestTimeoutMs, stats: metrics });
    abortHttp = http.abortAll;
    const e = createEngine({
      ...o,
      storage,
      http,
      metrics,
      onFold: live.fold,
      onReload: live.reload,
      onChanges: changes$.next,
      onStatus: status,
      onProgress: progress$.next,
    });
    await e.init();
    engine = e;
    onOpen();
    const g = globalThis as { addEventListener?: (t: string, f: () => void) => void; removeEventListener?: (t: string, f: () => void) => void };
    if (o.syncOnOnline && typeof g.addEventListener === 'function') {
      const f = (): void => e.trigger();
      g.addEventListener('online', f);
      offOnline = () => g.removeEventListener?.('online', f);
    }
    const WS = o.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
    if (o.wsURL && WS) {
      socket = createSocket(
        { ...o, url: o.wsURL, WebSocket: WS, token, authTimeoutMs: 10_000 },
        {
          up: () => {
            if (metrics.socketConnects++ > 0) metrics.socketReconnects++;
            e.setSocketUp(true);
            e.trigger(); // every (re)connect: catch up on what was missed
          },
          down: () => e.setSocketUp(false),
          problem: (err) => {
            e.problem(err);
            if (err.code === 'BAD_FRAME') e.trigger(); // the frame may have meant a change
          },
          frame: (f) => {
            if (f.type === 'conversation.changed') void e.onChanged(f).catch(() => {});
            else if (f.type === 'conversation.unread') void e.onUnread(f).catch(() => {});
            else e.onPrivate(f);
          },
        },
      );
      socket.start();
    } else {
      e.setSocketUp(false);
    }
    e.trigger();
  }

  async function stop(): Promise<void> {
    await starting?.catch(() => {});
    starting = null;
    offOnline?.();
    offOnline = null;
    socket?.stop();
    socket = null;
    abortHttp?.();
    abortHttp = null;
    await engine?.stop();
    engine = null;
    whenOpen = new Promise<void>((r) => (onOpen = r));
    if (opened) await storage.close();
    opened = false;
    status({ type: 'stop' });
  }

  return {
    start: () =>
      (starting ??= start().catch((err: unknown) => {
        starting = null;
        throw err;
      })),
    stop,
    async clear() {
      await stop();
      await storage.open(userID);
      await storage.destroy();
      live.reset();
    },
    sync: async () => need().sync(),
    get: async (id) => (need(), storage.get(id)),
    getPage: async (p = {}) => {
      need();
      const limit = p.limit ?? 20;
      if (!Number.isSafeInteger(limit) || limit < 1) throw new ConvSyncError('INVALID_ARGUMENT', 'limit must be a positive integer');
      return p.after ? storage.getPage(limit, p.after) : storage.getPage(limit);
    },
    setDraft: async (id, text) => {
      if (typeof text !== 'string') throw new ConvSyncError('INVALID_ARGUMENT', 'a draft is a string');
      return need().setDraft(id, text);
    },
    conversations$: live.conversations$,
    totalUnread$: live.totalUnread$,
    status$: status$.obs,
    changes$: changes$.obs,
    progress$: progress$.obs,
    cursor: () => engine?.cursor ?? null,
    metrics: () => ({ ...metrics, syncs: { ...metrics.syncs }, errors: { ...metrics.errors } }),
  };
}

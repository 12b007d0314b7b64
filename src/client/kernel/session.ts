/**
 * One started client: everything `start()` builds and `stop()` takes down, as one
 * disposable object. Every tab has a replica (its reads and its own local writes) and a
 * tab link; the tab that leads also runs the duties: the transport, the socket, the
 * `online` listener and the engine (sync loop, sync round, frames). A tab that stops
 * leading stops its duties; one that starts leading starts them (docs/tabs.md).
 */
import type { SyncMode } from '../../protocol/index.js';
import type { StorageAdapter } from '../../storage/types.js';
import { createFrames, type Frames } from '../sync/frames.js';
import { createHttp, type TokenSource } from '../remote/http.js';
import type { ResolvedOptions } from './options.js';
import type { Commit } from './commit.js';
import { createReplica, type Replica } from './replica.js';
import { createSocket, type WebSocketCtor } from '../remote/socket.js';
import type { StatusEvent } from './status.js';
import { createSender, type Sender } from '../writes/sender.js';
import { createSyncLoop, type SyncLoop } from '../sync/loop.js';
import { createSyncRound, type RoundConfig } from '../sync/round.js';
import { createTabLink, type TabLink, type TabLinkHooks } from '../tabs/link.js';
import { soloTab, webTabs } from '../tabs/coordinator.js';
import { userTransport, type Transport } from '../remote/transport.js';
import type { ClientMetrics, Progress } from './types.js';

export interface SessionHooks {
  metrics: ClientMetrics;
  onStatus(e: StatusEvent): void;
  onProgress(p: Progress): void;
  onPreview: RoundConfig['onPreview'];
  /** someone shows the totals: commits carry them */
  wantTotals(): boolean;
  /** someone reads `changes$`: a full sync keeps its diff for the swap */
  wantDiff(): boolean;
  onCommit(c: Commit): void;
  /** this tab starts or stops leading */
  onLeader(leading: boolean): void;
  /** what the other tabs say (their commits, changes, the leader's status and progress, a logout) */
  tabs: Omit<TabLinkHooks, 'lead' | 'lose' | 'sync'>;
}

export interface Session {
  readonly replica: Replica;
  readonly link: TabLink;
  readonly leading: boolean;
  /** A sync: here when this tab leads, else asked of the leader. */
  sync(): Promise<SyncMode>;
  /** The outbox changed: the leader (this tab, if it leads) sends what waits. */
  send(): void;
  /** Closes the socket, aborts requests, waits for the round and the writes, closes storage. */
  stop(): Promise<void>;
}

type EngineOptions = Pick<ResolvedOptions, 'clock' | 'random' | 'pageSize' | 'previewSize' | 'pollIntervalMs' | 'maxBackoffMs' | 'driftCheck' | 'driftCheckIntervalMs' | 'minSyncGapMs'>;
type Hooks = Pick<SessionHooks, 'metrics' | 'onStatus' | 'onProgress'> & Partial<Pick<SessionHooks, 'onPreview' | 'wantDiff'>>;

/** The engine over a replica and a transport, without socket or listeners (tests use it alone). */
export function createEngine(o: EngineOptions, replica: Replica, transport: Transport, h: Hooks): { loop: SyncLoop; frames: Frames } {
  const round = createSyncRound({ ...o, replica, transport, metrics: h.metrics, onProgress: h.onProgress, onPreview: h.onPreview ?? (() => {}), keepDiff: h.wantDiff ?? (() => true), followUp: () => loop.trigger() });
  const loop = createSyncLoop({ ...o, metrics: h.metrics, round, onStatus: h.onStatus });
  return { loop, frames: createFrames(replica, loop, h.metrics) };
}

/** The replica and the engine over an open storage (tests drive these without a session). */
export async function createEngineParts(o: EngineOptions, storage: StorageAdapter, transport: Transport, h: Hooks & Pick<SessionHooks, 'onCommit'>): Promise<{ replica: Replica; loop: SyncLoop; frames: Frames }> {
  const replica = createReplica(storage, o.clock);
  replica.onCommit(h.onCommit);
  await replica.init();
  return { replica, ...createEngine(o, replica, transport, h) };
}

interface Duties {
  loop: SyncLoop;
  sender: Sender;
  stop(): Promise<void>;
}

/** The leader's duties: the engine, the outbox sender, the socket and the listeners, until `stop()`. */
async function startDuties(o: ResolvedOptions, replica: Replica, token: TokenSource, h: SessionHooks): Promise<Duties> {
  await replica.init(); // another tab may have moved the cursor while this one followed
  const http = createHttp({ apiURL: o.apiURL, token, fetch: o.fetch, clock: o.clock, timeoutMs: o.requestTimeoutMs, maxBytes: o.maxAnswerBytes, stats: h.metrics });
  const transport = userTransport(http, o.userID);
  // a sync that worked means the server is reachable: what waits goes now
  const { loop, frames } = createEngine(o, replica, transport, { ...h, onStatus: (e) => (h.onStatus(e), e.type === 'ok' && sender.retryNow()) });
  let live = false; // the socket is up: it announces the change an accepted write made
  const sender = createSender({
    ...o,
    replica,
    transport,
    refused: (e) => loop.problem(e),
    // without the socket nothing else brings the accepted change (and ends its pending state) soon
    accepted: () => void (live || loop.trigger()),
  });
  const offOnline = o.syncOnOnline
    ? listen('online', () => {
        loop.trigger();
        sender.retryNow();
      })
    : null;
  const WS = o.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  const socket =
    o.wsURL && WS
      ? createSocket(
          { ...o, url: o.wsURL, WebSocket: WS, token, stats: h.metrics },
          {
            up() {
              live = true;
              h.onStatus({ type: 'socket', up: true });
              loop.setSocketUp(true);
              loop.trigger(); // every (re)connect: catch up on what was missed
              sender.retryNow(); // and send what waits
            },
            down() {
              live = false;
              h.onStatus({ type: 'socket', up: false });
              loop.setSocketUp(false);
            },
            problem: (err) => (err.code === 'BAD_FRAME' ? frames.malformed(err) : loop.problem(err)),
            frame: (f) => void frames.frame(f).catch(() => {}),
          },
        )
      : null;
  if (socket) socket.start();
  else loop.setSocketUp(false);
  loop.trigger();
  sender.retryNow();
  return {
    loop,
    sender,
    async stop() {
      offOnline?.();
      sender.stop();
      socket?.stop();
      http.abortAll();
      await loop.stop();
      if (socket) h.onStatus({ type: 'socket', up: false });
    },
  };
}

export async function startSession(o: ResolvedOptions, storage: StorageAdapter, token: TokenSource, h: SessionHooks): Promise<Session> {
  await storage.open(o.userID);
  const replica = createReplica(storage, o.clock, { totals: h.wantTotals });
  try {
    await replica.init();
  } catch (e) {
    await storage.close();
    throw e;
  }
  replica.onCommit(h.onCommit);
  let duties: Promise<Duties> | null = null;
  let stopped = false;
  const tabs = (o.tabs === false ? null : (o.tabs ?? webTabs())) ?? soloTab();
  const link = createTabLink(
    { tabs, name: `convsync:${storage.databaseName(o.userID)}`, clock: o.clock, random: o.random, heartbeatMs: o.leaderHeartbeatMs, suspectMs: o.leaderTimeoutMs - o.leaderHeartbeatMs, metrics: h.metrics },
    {
      ...h.tabs,
      lead() {
        if (stopped) return;
        h.metrics.leader = true;
        h.metrics.leaderTerms++;
        duties = startDuties(o, replica, token, h);
        duties.catch(() => {});
        h.onLeader(true);
      },
      lose() {
        h.metrics.leader = false;
        h.onLeader(false);
        const d = duties;
        duties = null;
        void d?.then((x) => x.stop()).catch(() => {});
      },
      sync: async () => {
        if (!duties) throw new Error('not leading'); // unreachable: the link asks only the leader
        return (await duties).loop.sync();
      },
    },
  );

  return {
    replica,
    link,
    get leading() {
      return link.leadership.leading;
    },
    sync: () => link.requestSync(),
    send: () => void duties?.then((d) => d.sender.send(), () => {}),
    async stop() {
      stopped = true;
      const d = duties;
      duties = null;
      // drain before handing over: what this leader commits while it stops is in storage and
      // announced (the lock is still held) before the next leader reads the list
      await (await d?.catch(() => null))?.stop();
      await replica.halt();
      link.close();
      if (h.metrics.leader) h.onLeader(false);
      h.metrics.leader = false;
      await storage.close();
    },
  };
}

/** Adds a global event listener where there is one (browsers); returns its removal. */
function listen(type: string, f: () => void): (() => void) | null {
  const g = globalThis as { addEventListener?: (t: string, f: () => void) => void; removeEventListener?: (t: string, f: () => void) => void };
  if (typeof g.addEventListener !== 'function') return null;
  g.addEventListener(type, f);
  return () => g.removeEventListener?.(type, f);
}

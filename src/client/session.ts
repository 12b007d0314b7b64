/**
 * One started client: everything `start()` builds and `stop()` takes down, as one
 * disposable object. It wires the ports (storage, transport, socket, clock) to the
 * three engine parts: the replica (writes, cursor, commits), the sync loop (when) and
 * the sync round (what), plus the frame handler.
 */
import type { Http } from './http.js';
import { createHttp, type TokenSource } from './http.js';
import { createFrames, type Frames } from './frames.js';
import type { ResolvedOptions } from './options.js';
import { createReplica, type Commit, type Replica } from './replica.js';
import { createSocket, type Socket, type WebSocketCtor } from './socket.js';
import type { StatusEvent } from './status.js';
import { createSyncLoop, type SyncLoop } from './sync-loop.js';
import { createSyncRound } from './sync-round.js';
import { userTransport, type Transport } from './transport.js';
import type { ClientMetrics, Progress } from './types.js';
import type { StorageAdapter } from '../storage/types.js';

export interface SessionHooks {
  metrics: ClientMetrics;
  onStatus(e: StatusEvent): void;
  onProgress(p: Progress): void;
  onCommit(c: Commit): void;
}

export interface Session {
  readonly replica: Replica;
  readonly loop: SyncLoop;
  readonly frames: Frames;
  /** Closes the socket, aborts requests, waits for the round and the writes, closes storage. */
  stop(): Promise<void>;
}

/** The engine parts over an open storage and a transport, without socket or listeners (tests use it alone). */
export async function createEngineParts(
  o: Pick<ResolvedOptions, 'clock' | 'random' | 'pageSize' | 'pollIntervalMs' | 'maxBackoffMs' | 'driftCheck' | 'driftCheckIntervalMs' | 'minSyncGapMs'>,
  storage: StorageAdapter,
  transport: Transport,
  h: SessionHooks,
): Promise<{ replica: Replica; loop: SyncLoop; frames: Frames }> {
  const replica = createReplica(storage, o.clock);
  replica.onCommit(h.onCommit);
  await replica.init();
  const round = createSyncRound({ ...o, replica, transport, metrics: h.metrics, onProgress: h.onProgress, followUp: () => loop.trigger() });
  const loop = createSyncLoop({ ...o, metrics: h.metrics, round, onStatus: h.onStatus });
  return { replica, loop, frames: createFrames(replica, loop, h.metrics) };
}

export async function startSession(o: ResolvedOptions, storage: StorageAdapter, token: TokenSource, h: SessionHooks): Promise<Session> {
  await storage.open(o.userID);
  let http: Http;
  let parts: Awaited<ReturnType<typeof createEngineParts>>;
  try {
    http = createHttp({ apiURL: o.apiURL, token, fetch: o.fetch, clock: o.clock, timeoutMs: o.requestTimeoutMs, stats: h.metrics });
    parts = await createEngineParts(o, storage, userTransport(http, o.userID), h);
  } catch (e) {
    await storage.close();
    throw e;
  }
  const { replica, loop, frames } = parts;
  const offOnline = o.syncOnOnline ? listen('online', () => loop.trigger()) : null;
  let socket: Socket | null = null;
  const WS = o.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  if (o.wsURL && WS) {
    socket = createSocket(
      { ...o, url: o.wsURL, WebSocket: WS, token, stats: h.metrics },
      {
        up() {
          h.onStatus({ type: 'socket', up: true });
          loop.setSocketUp(true);
          loop.trigger(); // every (re)connect: catch up on what was missed
        },
        down() {
          h.onStatus({ type: 'socket', up: false });
          loop.setSocketUp(false);
        },
        problem: (err) => (err.code === 'BAD_FRAME' ? frames.malformed(err) : loop.problem(err)),
        frame: (f) => void frames.frame(f).catch(() => {}),
      },
    );
    socket.start();
  } else {
    loop.setSocketUp(false);
  }
  loop.trigger();

  return {
    replica,
    loop,
    frames,
    async stop() {
      offOnline?.();
      socket?.stop();
      http.abortAll();
      await loop.stop();
      await replica.halt();
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

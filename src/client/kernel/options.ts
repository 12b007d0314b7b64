/** The options of `createConversationSync` and their defaults. */
import type { StorageAdapter } from '../../storage/types.js';
import { realClock, type Clock } from './clock.js';
import type { FetchLike, TokenOption } from '../remote/http.js';
import type { WebSocketCtor } from '../remote/socket.js';
import type { TabCoordinator } from '../tabs/coordinator.js';

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
  /**
   * The most bytes read of one answer; a larger (or endless) answer fails with
   * `BAD_ANSWER` as soon as it passes this. Default 64 MiB (a page of 5,000 records is ~3 MB).
   */
  maxAnswerBytes?: number;
  /** Records per snapshot page in a full sync (server max 5000). Default 1000. */
  pageSize?: number;
  /**
   * A device with nothing stored shows this many rows of the server's sorted list while
   * its full sync downloads (`status.preview`); 0: none. Default 100.
   */
  previewSize?: number;
  /** Upper bound of the retry / reconnect backoff. Default 30 000 ms. */
  maxBackoffMs?: number;
  /** Socket heartbeat interval. Default 25 000 ms (two unanswered pings → reconnect). */
  pingIntervalMs?: number;
  /** Time the socket waits for `auth.ok` before it reconnects. Default 10 000 ms. */
  authTimeoutMs?: number;
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
  /**
   * How the tabs of one user share one sync (docs/tabs.md). Default: Web Locks and
   * BroadcastChannel where both exist, else a single tab. `false`: this client is alone
   * whatever the runtime has. `memoryTabs().tab()`: tabs inside one process (tests).
   */
  tabs?: TabCoordinator | false;
  /** The leader tab says it is alive this often. Default 1 000 ms. */
  leaderHeartbeatMs?: number;
  /**
   * A leader not heard from for this long is asked; if it still does not answer it is
   * replaced (a frozen tab). Default 4 000 ms: replaced within about 7 s.
   */
  leaderTimeoutMs?: number;
}

export const defaults = {
  pollIntervalMs: 60_000,
  requestTimeoutMs: 15_000,
  maxAnswerBytes: 64 * 1024 * 1024,
  pageSize: 1000,
  previewSize: 100,
  maxBackoffMs: 30_000,
  pingIntervalMs: 25_000,
  authTimeoutMs: 10_000,
  driftCheck: true,
  driftCheckIntervalMs: 300_000,
  minSyncGapMs: 100,
  syncOnOnline: true,
  leaderHeartbeatMs: 1000,
  leaderTimeoutMs: 4000,
  clock: realClock,
  random: Math.random,
};

/** The options with every default filled in. */
export type ResolvedOptions = ConversationSyncOptions & typeof defaults;

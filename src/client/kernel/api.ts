/** The public client object of SPEC §5.1: what `createConversationSync` returns. */
import type { Observable } from 'rxjs';
import type { Cursor, LocalConversation, SyncMode } from '../../protocol/index.js';
import type { ConversationSettings, Page } from '../../storage/types.js';
import type { PendingWrite } from '../writes/pending.js';
import type { SyncStatus } from './status.js';
import type { ChangeSet, ClientMetrics, Progress } from './types.js';
import type { WatchPageOptions } from '../views/views.js';
import type { LiveWindow } from '../views/window.js';
import type { WriteResult } from '../writes/calls.js';

export interface PageOptions {
  /** Records per page. Default 20. */
  limit?: number;
  /** `next` of the previous page. */
  after?: string | null;
}

export interface ConversationSync {
  /** Opens storage (cached data readable at once), then connects and syncs in the background. */
  start(): Promise<void>;
  /** Closes the socket and the database; the data (and queued writes) stay. */
  stop(): Promise<void>;
  /** Stops and deletes this user's local database; every other tab of the user stops too (a logout). */
  clear(): Promise<void>;
  /** Runs a sync now (in the leader tab), or joins the one in flight; resolves with its mode. */
  sync(): Promise<SyncMode>;
  get(conversationID: string): Promise<LocalConversation | undefined>;
  /** One page of the sorted list, straight from storage. */
  getPage(opts?: PageOptions): Promise<Page>;
  /** Sets (or with `''` clears) a local draft; resolves with the record, `undefined` if unknown. */
  setDraft(conversationID: string, text: string): Promise<LocalConversation | undefined>;
  /**
   * Changes settings of a conversation: applied locally at once (offline too), then sent
   * exactly once. Resolves once applied and persisted (docs/client.md "Offline writes").
   */
  setConversation(conversationID: string, settings: ConversationSettings): Promise<WriteResult>;
  /** Marks a conversation read up to `hasReadSeq` (default: its newest message now). */
  markAsRead(conversationID: string, hasReadSeq?: number): Promise<WriteResult>;
  /** Removes a conversation from the list (a newer message brings it back). */
  deleteConversation(conversationID: string): Promise<WriteResult>;
  /** The local writes the server has not confirmed yet, oldest first; the same in every tab. */
  readonly pendingWrites$: Observable<PendingWrite[]>;
  /**
   * The first `limit` rows of the sorted list with the list's totals, live: loaded in
   * O(limit) and kept in step with every change in O(limit + change), whatever the list's
   * size. `setLimit(n)` on the result grows it (infinite scroll) reading only the new rows.
   */
  watchPage(opts?: WatchPageOptions): LiveWindow;
  /** The whole sorted list, live (lazy: loaded when first subscribed); for small lists (use `watchPage` for large ones). */
  readonly conversations$: Observable<LocalConversation[]>;
  readonly totalUnread$: Observable<number>;
  readonly status$: Observable<SyncStatus>;
  /** One event per sync (its true diff), per applied pushed frame, per local write or roll-back. */
  readonly changes$: Observable<ChangeSet>;
  /** Full-sync progress. */
  readonly progress$: Observable<Progress>;
  /** Whether this tab leads: it holds the socket and runs the syncs of every tab of the user (docs/tabs.md). */
  readonly leader$: Observable<boolean>;
  /** The stored cursor (null before the first sync). */
  cursor(): Cursor | null;
  metrics(): ClientMetrics;
}

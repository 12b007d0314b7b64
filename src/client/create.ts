/** `createConversationSync`: the public client object of SPEC §5.1, wired from the parts. */
import type { Observable } from 'rxjs';
import { ConvSyncError, type Cursor, type LocalConversation, type SyncMode } from '../protocol/index.js';
import { idbStorage } from '../storage/idb.js';
import type { Page } from '../storage/types.js';
import { changesOf } from './diff.js';
import { tokenSource } from './http.js';
import { createHub } from './hub.js';
import { createLiveList } from './live-list.js';
import { defaults, type ConversationSyncOptions, type ResolvedOptions } from './options.js';
import { startSession, type Session } from './session.js';
import { initialStatus, reduceStatus, type StatusEvent, type SyncStatus } from './status.js';
import { newMetrics, type ChangeSet, type ClientMetrics, type Progress } from './types.js';

export type { ConversationSyncOptions } from './options.js';

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

export function createConversationSync(options: ConversationSyncOptions): ConversationSync {
  if (!options?.userID || typeof options.apiURL !== 'string' || options.token === undefined) {
    throw new ConvSyncError('INVALID_ARGUMENT', 'userID, apiURL and token are required');
  }
  const o: ResolvedOptions = { ...defaults, ...options };
  const storage = o.storage ?? idbStorage();
  const token = tokenSource(o.token);
  const metrics = newMetrics();
  const status$ = createHub<SyncStatus>(initialStatus);
  const changes$ = createHub<ChangeSet>();
  const progress$ = createHub<Progress>();
  const onStatus = (e: StatusEvent): void => status$.next(reduceStatus(status$.value(), e));
  const toChanges = changesOf(changes$.next);

  let session: Session | null = null;
  let starting: Promise<void> | null = null;
  // the live list waits for the store to be open (subscribing before start() is fine)
  let onOpen: () => void = () => {};
  let whenOpen = new Promise<void>((r) => (onOpen = r));
  const live = createLiveList(() => whenOpen.then(() => storage.getAll()));

  const need = (): Session => {
    if (!session) throw new ConvSyncError('STOPPED', 'the client is not started');
    return session;
  };

  async function start(): Promise<void> {
    session = await startSession(o, storage, token, {
      metrics,
      onStatus,
      onProgress: progress$.next,
      onCommit(c) {
        if (c.reload) live.reload();
        else live.fold(c.diff);
        toChanges(c);
      },
    });
    onOpen();
  }

  async function stop(): Promise<void> {
    await starting?.catch(() => {});
    starting = null;
    const s = session;
    session = null;
    whenOpen = new Promise<void>((r) => (onOpen = r));
    await s?.stop();
    onStatus({ type: 'stop' });
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
      await storage.destroy(o.userID);
      live.reset();
    },
    sync: async () => need().loop.sync(),
    get: async (id) => (need(), storage.get(id)),
    getPage: async (p = {}) => {
      need();
      const limit = p.limit ?? 20;
      if (!Number.isSafeInteger(limit) || limit < 1) throw new ConvSyncError('INVALID_ARGUMENT', 'limit must be a positive integer');
      return p.after ? storage.getPage(limit, p.after) : storage.getPage(limit);
    },
    setDraft: async (id, text) => {
      if (typeof text !== 'string') throw new ConvSyncError('INVALID_ARGUMENT', 'a draft is a string');
      return need().replica.setDraft(id, text);
    },
    conversations$: live.conversations$,
    totalUnread$: live.totalUnread$,
    status$: status$.obs,
    changes$: changes$.obs,
    progress$: progress$.obs,
    cursor: () => session?.replica.cursor ?? null,
    metrics: () => ({ ...metrics, syncs: { ...metrics.syncs }, errors: { ...metrics.errors } }),
  };
}

/** `createConversationSync`: the public client object of SPEC §5.1, wired from the parts. */
import { ConvSyncError } from '../protocol/index.js';
import { idbStorage } from '../storage/idb.js';
import type { ConversationSync } from './kernel/api.js';
import { changesOf } from './views/changes.js';
import { tokenSource } from './remote/http.js';
import { createHub } from './kernel/hub.js';
import { createViews } from './views/views.js';
import { checkLimit } from './views/window.js';
import { defaults, type ConversationSyncOptions, type ResolvedOptions } from './kernel/options.js';
import { startSession, type Session } from './kernel/session.js';
import { initialStatus, reduceStatus, type StatusEvent, type SyncStatus } from './kernel/status.js';
import { createPendingList } from './writes/pending.js';
import { newMetrics, type ChangeSet, type Progress } from './kernel/types.js';
import { createWrites } from './writes/calls.js';

export type { ConversationSyncOptions } from './kernel/options.js';
export type { ConversationSync, PageOptions } from './kernel/api.js';

const GONE = new Set(['DB_DELETED', 'DB_UPGRADED']);
/** A commit names at most this many IDs to the other tabs; more, and they read the whole list again. */
const ANNOUNCED_IDS = 500;

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
  const leader$ = createHub<boolean>(false);

  let session: Session | null = null;
  /** the session whose tab link is open: a stopping leader still announces what it commits while it drains */
  let announcer: Session | null = null;
  let starting: Promise<void> | null = null;
  // what the app watches waits for the store to be open (subscribing before start() is fine)
  let onOpen: () => void = () => {};
  let whenOpen = new Promise<void>((r) => (onOpen = r));
  const views = createViews((fn) => whenOpen.then(() => need().replica.settled(fn)));

  const pending = createPendingList(
    () => (session ? storage.outbox() : Promise.resolve([])),
    (count) => onStatus({ type: 'pending', count }),
  );
  const writes = createWrites(
    (w, id) => read(() => need().replica.enqueue(w, id)),
    () => session?.send(),
  );
  const leading = (): boolean => session?.leading ?? false;
  function onStatus(e: StatusEvent): void {
    const next = reduceStatus(status$.value(), e);
    status$.next(next);
    if (leading()) session?.link.status(next);
    const err = 'error' in e ? e.error : undefined;
    if (e.type !== 'stop' && err && GONE.has(err.code)) void halt(err);
  }
  const toChanges = changesOf((c) => {
    changes$.next(c);
    // a large change (a full sync) is not copied to every tab: they read their list again
    if (c.added.length + c.updated.length + c.removed.length <= ANNOUNCED_IDS) announcer?.link.changes(c);
  });

  const need = (): Session => {
    if (!session) throw new ConvSyncError('STOPPED', 'the client is not started');
    return session;
  };
  /** A storage read: the database deleted by another tab stops this client. */
  const read = async <T>(p: () => Promise<T>): Promise<T> => {
    need();
    return p().catch((e: unknown) => {
      if (e instanceof ConvSyncError && GONE.has(e.code)) void halt(e);
      throw e;
    });
  };

  async function start(): Promise<void> {
    onStatus({ type: 'start' });
    session = await startSession(o, storage, token, {
      metrics,
      onLeader(lead) {
        leader$.next(lead);
        if (!lead) return;
        // a leader that crashed may have committed what it could not announce: every tab reads the list again
        views.reload();
        session?.link.commit(null, null, false, []);
      },
      onStatus,
      wantTotals: views.wantTotals,
      wantDiff: changes$.observed,
      onPreview(p) {
        onStatus({ type: 'preview', on: p !== null });
        if (p) views.preview(p.rows, p.totals);
        if (p && leading()) session?.link.preview(p.rows, p.totals);
      },
      onProgress(p) {
        progress$.next(p);
        if (leading()) session?.link.progress(p);
      },
      onCommit(c) {
        views.fold(c);
        toChanges(c);
        const outbox = c.kind === 'outbox';
        // a write the server accepted leaves the queue once the cursor reaches its version
        if (outbox || (pending.count() > 0 && c.mode !== 'local')) pending.reload();
        const settled = (outbox && c.settled) || [];
        if (settled.length) writes.settled(settled);
        if (c.kind === 'round-end') return;
        const ids = [...c.diff.added, ...c.diff.updated].map((r) => r.conversationID).concat(c.diff.removed);
        announcer?.link.commit(c.kind === 'reload' || ids.length > ANNOUNCED_IDS ? null : ids, announcer.replica.cursor, outbox, settled);
      },
      tabs: {
        commit(ids, cursor, outbox, settled) {
          const s = session;
          if (!s) return;
          if (cursor) s.replica.observe(cursor);
          writes.settled(settled);
          if (outbox || pending.count() > 0) pending.reload();
          if (outbox) s.send();
          if (ids === null) return views.reload();
          if (!views.watched()) return;
          // storage is the truth: read what the other tab touched, in this tab's write order
          void s.replica
            .settled(async (st) => {
              const recs = await st.getMany(ids);
              const totals = views.wantTotals() ? await st.getTotals() : undefined;
              views.commit({ added: [], updated: recs.filter((r) => r !== undefined), removed: ids.filter((_, i) => !recs[i]) }, totals);
            })
            .catch(() => {});
        },
        changes: changes$.next,
        status: status$.next,
        progress: progress$.next,
        cleared: () => void halt(new ConvSyncError('DB_DELETED', 'cleared in another tab (a logout)')),
        hello: () => session?.link.status(status$.value()),
        missed: () => views.reload(),
        preview(rows, totals) {
          onStatus({ type: 'preview', on: true });
          views.preview(rows, totals);
        },
      },
    });
    announcer = session;
    onStatus({ type: 'restored', hasSynced: session.replica.cursor !== null });
    onOpen();
    pending.reload();
  }

  /** Stops; `error` says why when nobody here asked (another tab logged out). */
  async function stop(error?: ConvSyncError): Promise<void> {
    await starting?.catch(() => {});
    starting = null;
    const s = session;
    session = null;
    whenOpen = new Promise<void>((r) => (onOpen = r));
    await s?.stop().catch(() => {});
    if (announcer === s) announcer = null;
    writes.stopped();
    pending.reset();
    onStatus(error ? { type: 'stop', error } : { type: 'stop' });
  }

  /** Stopped by another tab: show nothing, write nothing. */
  async function halt(error: ConvSyncError): Promise<void> {
    if (!session && !starting) return;
    await stop(error);
    views.reset();
  }

  return {
    start: () =>
      (starting ??= start().catch((err: unknown) => {
        starting = null;
        throw err;
      })),
    stop: () => stop(),
    async clear() {
      session?.link.clearAll();
      await stop();
      await storage.destroy(o.userID);
      views.reset();
    },
    sync: async () => need().sync(),
    get: (id) => read(() => storage.get(id)),
    getPage: async (p = {}) => {
      const limit = checkLimit(p.limit ?? 20);
      return read(() => (p.after ? storage.getPage(limit, p.after) : storage.getPage(limit)));
    },
    setDraft: async (id, text) => {
      if (typeof text !== 'string') throw new ConvSyncError('INVALID_ARGUMENT', 'a draft is a string');
      return read(() => need().replica.setDraft(id, text));
    },
    setConversation: (id, settings) => writes.setConversation(id, settings),
    markAsRead: (id, hasReadSeq) => writes.markAsRead(id, hasReadSeq),
    deleteConversation: (id) => writes.deleteConversation(id),
    pendingWrites$: pending.pending$,
    conversations$: views.conversations$,
    totalUnread$: views.totalUnread$,
    watchPage: (opts) => views.watchPage(opts),
    status$: status$.obs,
    changes$: changes$.obs,
    progress$: progress$.obs,
    leader$: leader$.obs,
    cursor: () => session?.replica.cursor ?? null,
    metrics: () => ({ ...metrics, syncs: { ...metrics.syncs }, errors: { ...metrics.errors } }),
  };
}

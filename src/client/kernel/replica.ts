/**
 * The local replica: the one writer of the storage adapter. It owns the write queue
 * (storage steps never interleave), the mirror of the stored cursor, and the ONE commit
 * event: every write that changed the local list emits `{diff, mode}` in commit order.
 * The live list, `changes$` (and other tabs) subscribe to it; nothing else reports data.
 *
 * A full sync is staged here too: the diff of the pages staged so far is kept until
 * the swap; the conversations that local writes touched meanwhile (drafts, reads, queued
 * writes) are read again right after the swap, so the swap reports what storage holds.
 */
import { ConvSyncError, toConvSyncError, type Conversation, type Cursor, type LocalConversation } from '../../protocol/index.js';
import { typedStorage } from '../../storage/errors.js';
import type { LocalDiff, NewWrite, OutboxEntry, StagedFull, StorageAdapter, WriteOutcome } from '../../storage/types.js';
import type { Clock } from './clock.js';
import type { ChangeMode } from './types.js';
import type { Commit, Settled } from './commit.js';

/** An incremental change: records to merge in, IDs to delete, the cursor after it. */
export interface Delta {
  upsert: Conversation[];
  remove: string[];
  next: Cursor;
}

export interface ReadResult {
  /** the record after the call; `undefined` when this device does not have it */
  rec: LocalConversation | undefined;
  /** `hasReadSeq` rose */
  raised: boolean;
}

export interface Replica {
  readonly storage: StorageAdapter;
  /** Mirror of the stored cursor, updated inside the write queue. */
  readonly cursor: Cursor | null;
  init(): Promise<void>;
  /** The cursor another tab (the leader) wrote: the mirror of a tab that does not write cursors. */
  observe(cursor: Cursor): void;
  onCommit(fn: (c: Commit) => void): () => void;
  /** A read that waits for the writes before it (the drift check's ID list). */
  settled<T>(read: (s: StorageAdapter) => Promise<T>): Promise<T>;
  /**
   * Applies the delta `plan` returns for the cursor at the time of the write (`null`:
   * nothing to apply), with its cursor, in one transaction.
   */
  apply(plan: (cursor: Cursor | null) => Delta | null, mode: ChangeMode, round?: number): Promise<LocalDiff | null>;
  /** Raises `hasReadSeq`; `advance` says, for the cursor of the time, whether the cursor moves with it. */
  raiseRead(id: string, seq: number, advance: (cursor: Cursor | null) => Cursor | null): Promise<ReadResult>;
  setDraft(id: string, text: string): Promise<LocalConversation | undefined>;
  /** Queues a local write, shown at once; `null` when the conversation is not shown. */
  enqueue(write: NewWrite, mutationID: string): Promise<OutboxEntry | null>;
  /** Counts a send of a queued write before it goes out; `undefined` when it is gone. */
  attempt(mutationID: string): Promise<OutboxEntry | undefined>;
  /** Records what the server said to a send. */
  settle(mutationID: string, outcome: WriteOutcome): Promise<void>;
  /**
   * The server just confirmed the cursor's log as current: writes it accepted on another
   * log (before a reset) are in the records now, and leave the queue.
   */
  confirmLog(round?: number): Promise<void>;
  /** The staged full sync to resume, now this tab's (`null`: none). */
  resumeFull(): Promise<StagedFull | null>;
  beginFull(cursor: Cursor): Promise<void>;
  /** Stages one snapshot page (one transaction); its diff is kept for the swap. */
  stagePage(records: Conversation[], nextCursor: string | null): Promise<void>;
  abortFull(): Promise<void>;
  /** Swaps the staged list in with its cursor; `resumed`: pages staged before this run are not in the diff. */
  commitFull(round: number, resumed: boolean): Promise<void>;
  /** A new sync round id; `endRound` emits its end. */
  beginRound(): number;
  endRound(round: number, mode: ChangeMode): void;
  /** No write starts after this; resolves once the queue is empty. */
  halt(): Promise<void>;
}

const stopped = (): ConvSyncError => new ConvSyncError('STOPPED', 'the client is stopped');
const EMPTY: LocalDiff = { added: [], updated: [], removed: [] };
const updatedOnly = (rec: LocalConversation): LocalDiff => ({ added: [], updated: [rec], removed: [] });

/** What the app watches, asked when it matters. */
export interface ReplicaWants {
  /** someone shows the totals, so a commit carries them (one small read) */
  totals?(): boolean;
  /**
   * someone reads the diff of a full sync (`changes$`), so the staged pages' records are
   * kept for the swap; otherwise a large snapshot is not held in memory and the swap says
   * `reload` (asked when a full sync begins)
   */
  diff?(): boolean;
}

export function createReplica(adapter: StorageAdapter, clock: Clock, wants: ReplicaWants = {}): Replica {
  const wantTotals = wants.totals ?? (() => false);
  const wantDiff = wants.diff ?? (() => true);
  const storage = typedStorage(adapter);
  let cursor: Cursor | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let halted = false;
  let rounds = 0;
  const listeners = new Set<(c: Commit) => void>();
  /** The diff of the full sync being staged, by ID; `null` when none runs in this session. */
  let staged: Map<string, [LocalConversation, 'added' | 'updated']> | null = null;
  /** the staged diff is kept (someone reads it); otherwise the swap is reported as a reload */
  let tracked = true;
  /** Conversations local writes touched while a snapshot was staged: read again after the swap. */
  const touched = new Set<string>();
  /** A write was accepted on another log than the cursor's: `confirmLog()` has work to do. */
  let foreign = false;
  const touch = (id: string): void => void (staged && touched.add(id));

  const emit = (c: Commit): void => {
    for (const f of [...listeners]) f(c);
  };
  /** Emits a commit made inside the write queue, with the totals after it when wanted. */
  async function commit(c: Commit): Promise<void> {
    const d = c.diff;
    if (wantTotals() && (d.added.length + d.updated.length + d.removed.length > 0 || c.reload)) c.totals = await storage.getTotals();
    emit(c);
  }

  /** Runs `fn` after every earlier storage step; a throw that is not a `ConvSyncError` is a bug (`INTERNAL`). */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = queue.then(() => {
      if (halted) throw stopped();
      return fn().catch((e: unknown) => {
        throw toConvSyncError(e);
      });
    });
    queue = p.catch(() => {});
    return p;
  }

  /** Runs a write; after a failure the stored cursor is the truth. */
  const write = <T>(fn: () => Promise<T>): Promise<T> =>
    exclusive(async () => {
      try {
        return await fn();
      } catch (e) {
        cursor = await storage.getCursor().catch(() => cursor);
        throw e;
      }
    });

  return {
    storage: adapter,
    get cursor() {
      return cursor;
    },
    async init() {
      cursor = await storage.getCursor();
      const c = cursor;
      foreign = c !== null && (await storage.outbox()).some((e) => e.ack && e.ack.versionID !== c.versionID);
    },

    confirmLog: (round) =>
      write(async () => {
        const c = cursor;
        if (!foreign || !c) return;
        foreign = false;
        const diff = await storage.applyDelta([], [], c, c);
        await commit({ diff, mode: 'incremental', outbox: true, ...(round === undefined ? {} : { round }) });
      }),
    observe(c) {
      cursor = c;
    },
    onCommit(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    settled: (read) => exclusive(() => read(storage)),

    apply: (plan, mode, round) =>
      write(async () => {
        const d = plan(cursor);
        if (!d) return null;
        const diff = await storage.applyDelta(d.upsert, d.remove, d.next, cursor);
        cursor = d.next;
        await commit({ diff, mode, ...(round === undefined ? {} : { round }) });
        return diff;
      }),

    raiseRead: (id, seq, advance) =>
      write(async () => {
        const old = await storage.get(id);
        if (!old) return { rec: undefined, raised: false };
        const next = advance(cursor);
        if (old.hasReadSeq >= seq && !next) return { rec: old, raised: false };
        const rec = await storage.raiseRead(id, seq, next, cursor);
        if (next) cursor = next;
        touch(id);
        const raised = rec !== undefined && rec.hasReadSeq !== old.hasReadSeq;
        if (raised) await commit({ diff: updatedOnly(rec), mode: 'pushed' });
        return { rec, raised };
      }),

    setDraft: (id, text) =>
      exclusive(async () => {
        const time = clock.now();
        const rec = await storage.setDraft(id, text, time);
        if (!rec) return undefined;
        touch(id);
        await commit({ diff: updatedOnly(rec), mode: 'local' });
        return rec;
      }),

    enqueue: (w, mutationID) =>
      exclusive(async () => {
        const r = await storage.enqueue(w, mutationID, clock.now());
        if (!r) return null;
        touch(w.conversationID);
        await commit({ diff: r.diff, mode: 'local', outbox: true });
        return r.entry;
      }),

    attempt: (mutationID) =>
      exclusive(async () => {
        const e = await storage.attempt(mutationID);
        if (e) emit({ diff: EMPTY, mode: 'local', outbox: true });
        return e;
      }),

    settle: (mutationID, outcome) =>
      exclusive(async () => {
        const { entry, diff } = await storage.settle(mutationID, outcome);
        if (!entry) return;
        if ('ack' in outcome && cursor && outcome.ack.versionID !== cursor.versionID) foreign = true;
        touch(entry.conversationID);
        const mutationIDs = [entry.mutationID, ...(entry.merged ?? [])];
        const settled: Settled[] = 'ack' in outcome ? [{ mutationIDs, ack: outcome.ack }] : 'refused' in outcome ? [{ mutationIDs, error: outcome.refused }] : [];
        await commit({ diff, mode: 'refused' in outcome ? 'rollback' : 'local', outbox: true, settled });
      }),

    resumeFull: () => exclusive(() => storage.resumeFull()),

    beginFull: (c) =>
      exclusive(async () => {
        await storage.beginFull(c);
        tracked = wantDiff();
        staged = new Map();
      }),

    stagePage: (records, nextCursor) =>
      exclusive(async () => {
        const d = await storage.stagePage(records, nextCursor);
        if (!tracked) return;
        staged ??= new Map();
        for (const r of d.added) staged.set(r.conversationID, [r, 'added']);
        for (const r of d.updated) staged.set(r.conversationID, [r, 'updated']);
      }),

    abortFull: () =>
      exclusive(async () => {
        await storage.abortFull();
        staged = null;
        tracked = true;
        touched.clear();
      }),

    commitFull: (round, resumed) =>
      write(async () => {
        const removed = await storage.commitFull();
        cursor = await storage.getCursor();
        if (!tracked) {
          // nobody reads the diff: what shows the list reads it again (O(window), not O(N))
          [staged, tracked] = [null, true];
          touched.clear();
          return commit({ diff: { added: [], updated: [], removed }, mode: 'full', round, reload: true });
        }
        const diff: LocalDiff = { added: [], updated: [], removed };
        for (const [r, kind] of staged?.values() ?? []) if (!touched.has(r.conversationID)) diff[kind].push(r);
        // what local writes changed while staging: as storage holds it now
        const ids = [...touched];
        const now = await storage.getMany(ids);
        ids.forEach((id, i) => {
          const r = now[i];
          if (r) (staged?.get(id)?.[1] === 'added' ? diff.added : diff.updated).push(r);
          else if (!removed.includes(id)) diff.removed.push(id);
        });
        touched.clear();
        staged = null;
        await commit({ diff, mode: 'full', round, ...(resumed ? { reload: true } : {}) });
      }),

    beginRound: () => ++rounds,
    endRound: (round, mode) => emit({ diff: EMPTY, mode, round, end: true }),

    async halt() {
      halted = true;
      await queue;
    },
  };
}

/**
 * The local replica: the one writer of the storage adapter. It owns the write queue
 * (storage steps never interleave), the mirror of the stored cursor, and the ONE commit
 * event: every write that changed the local list emits `{diff, mode}` in commit order.
 * The live list, `changes$` (and other tabs) subscribe to it; nothing else reports data.
 *
 * A full sync stages through it too; the swap's diff is built by its caller (the full
 * sync keeps it, sync/staged-diff.ts), told which conversations local writes touch.
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
  /** Stages one snapshot page (one transaction); resolves with its diff against the live list. */
  stagePage(records: Conversation[], nextCursor: string | null): Promise<Pick<LocalDiff, 'added' | 'updated'>>;
  abortFull(): Promise<void>;
  /**
   * Swaps the staged list in with its cursor and commits what `report` builds from the IDs
   * that left (inside the write queue, right after the swap); resolves with the cursor it wrote.
   */
  commitFull(round: number, report: (removed: string[], storage: StorageAdapter) => Promise<SwapReport>): Promise<Cursor>;
  /** Every conversation a local write (draft, read, queued or settled write) touches, as it is written. */
  onTouch(fn: (id: string) => void): () => void;
  /** Emits the end of sync round `round`. */
  endRound(round: number, mode: ChangeMode): void;
  /** No write starts after this; resolves once the queue is empty. */
  halt(): Promise<void>;
}

/** What a full sync's swap reports: its diff, and whether that misses part of the change. */
export interface SwapReport {
  kind: 'change' | 'reload';
  diff: LocalDiff;
}

const stopped = (): ConvSyncError => new ConvSyncError('STOPPED', 'the client is stopped');
const EMPTY: LocalDiff = { added: [], updated: [], removed: [] };
const updatedOnly = (rec: LocalConversation): LocalDiff => ({ added: [], updated: [rec], removed: [] });

/** What the app watches, asked when it matters. */
export interface ReplicaWants {
  /** someone shows the totals, so a commit carries them (one small read) */
  totals?(): boolean;
}

export function createReplica(adapter: StorageAdapter, clock: Clock, wants: ReplicaWants = {}): Replica {
  const wantTotals = wants.totals ?? (() => false);
  const storage = typedStorage(adapter);
  let cursor: Cursor | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let halted = false;
  const listeners = new Set<(c: Commit) => void>();
  const touchers = new Set<(id: string) => void>();
  /** A write was accepted on another log than the cursor's: `confirmLog()` has work to do. */
  let foreign = false;
  const touch = (id: string): void => {
    for (const f of [...touchers]) f(id);
  };

  const emit = (c: Commit): void => {
    for (const f of [...listeners]) f(c);
  };
  /** Emits a commit made inside the write queue, with the totals after it when wanted. */
  async function commit(c: Commit): Promise<void> {
    if (c.kind === 'round-end') return emit(c);
    const d = c.diff;
    if (wantTotals() && (d.added.length + d.updated.length + d.removed.length > 0 || c.kind === 'reload')) c.totals = await storage.getTotals();
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
        await commit({ kind: 'outbox', diff, mode: 'incremental', ...(round === undefined ? {} : { round }) });
      }),
    observe(c) {
      cursor = c;
    },
    onCommit(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    onTouch(fn) {
      touchers.add(fn);
      return () => touchers.delete(fn);
    },
    settled: (read) => exclusive(() => read(storage)),

    apply: (plan, mode, round) =>
      write(async () => {
        const d = plan(cursor);
        if (!d) return null;
        const diff = await storage.applyDelta(d.upsert, d.remove, d.next, cursor);
        cursor = d.next;
        await commit({ kind: 'change', diff, mode, ...(round === undefined ? {} : { round }) });
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
        if (raised) await commit({ kind: 'change', diff: updatedOnly(rec), mode: 'pushed' });
        return { rec, raised };
      }),

    setDraft: (id, text) =>
      exclusive(async () => {
        const time = clock.now();
        const rec = await storage.setDraft(id, text, time);
        if (!rec) return undefined;
        touch(id);
        await commit({ kind: 'change', diff: updatedOnly(rec), mode: 'local' });
        return rec;
      }),

    enqueue: (w, mutationID) =>
      exclusive(async () => {
        const r = await storage.enqueue(w, mutationID, clock.now());
        if (!r) return null;
        touch(w.conversationID);
        await commit({ kind: 'outbox', diff: r.diff, mode: 'local' });
        return r.entry;
      }),

    attempt: (mutationID) =>
      exclusive(async () => {
        const e = await storage.attempt(mutationID);
        if (e) emit({ kind: 'outbox', diff: EMPTY, mode: 'local' });
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
        await commit({ kind: 'outbox', diff, mode: 'refused' in outcome ? 'rollback' : 'local', settled });
      }),

    resumeFull: () => exclusive(() => storage.resumeFull()),

    beginFull: (c) => exclusive(() => storage.beginFull(c)),
    stagePage: (records, nextCursor) => exclusive(() => storage.stagePage(records, nextCursor)),
    abortFull: () => exclusive(() => storage.abortFull()),

    commitFull: (round, report) =>
      write(async () => {
        const removed = await storage.commitFull();
        const next = await storage.getCursor();
        cursor = next;
        await commit({ ...(await report(removed, storage)), mode: 'full', round });
        if (!next) throw new ConvSyncError('INTERNAL', 'a swapped snapshot left no cursor');
        return next;
      }),

    endRound: (round, mode) => emit({ kind: 'round-end', round, mode }),

    async halt() {
      halted = true;
      await queue;
    },
  };
}

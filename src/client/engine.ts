/**
 * The sync engine (SPEC §5.3): single flight with folded triggers, incremental /
 * full / equal, staged full sync with resume, pushed deltas and unread frames, drift
 * check, retry and slow poll. Storage writes are serialized through one queue so
 * the in-memory cursor and the live list always follow the order of the commits.
 */
import {
  ConvSyncError,
  idHash,
  readFullIDs,
  readFullPage,
  readIncremental,
  type ChangedFrame,
  type Cursor,
  type FullPage,
  type LocalConversation,
  type PrivateFrame,
  type SyncMode,
  type UnreadFrame,
} from '../protocol/index.js';
import { toStorageError } from '../storage/errors.js';
import type { LocalDiff, StorageAdapter } from '../storage/types.js';
import { backoff } from './backoff.js';
import type { Clock } from './clock.js';
import { diffAcc, type DiffAcc } from './diff.js';
import { badAnswer, createFullSync } from './full-sync.js';
import { chainFrames } from './pushed.js';
import type { Http } from './http.js';
import type { StatusEvent } from './status.js';
import type { ChangeSet, ClientMetrics, Progress } from './types.js';

export type { ChangeMode, ChangeSet, ClientMetrics, Progress } from './types.js';
export { newMetrics } from './types.js';

export interface EngineConfig {
  metrics: ClientMetrics;
  userID: string;
  storage: StorageAdapter;
  http: Http;
  clock: Clock;
  random: () => number;
  pageSize: number;
  pollIntervalMs: number;
  maxBackoffMs: number;
  driftCheck: boolean;
  driftCheckIntervalMs: number;
  /** least time between the starts of two triggered sync rounds (manual `sync()` is never delayed) */
  minSyncGapMs: number;
  /** every committed change, in commit order (the live list) */
  onFold(d: LocalDiff): void;
  /** full list must be re-read (a resumed full sync whose early pages are not known) */
  onReload(): void;
  onChanges(c: ChangeSet): void;
  onStatus(e: StatusEvent): void;
  onProgress(p: Progress): void;
}

const cursorOf = (c: Cursor): Cursor => ({ versionID: c.versionID, version: c.version });
const stopped = (): ConvSyncError => new ConvSyncError('STOPPED', 'the client is stopped');
const diffOf = (rec: LocalConversation): LocalDiff => ({ added: [], updated: [rec], removed: [] });

/** Anything else than a `ConvSyncError` comes from storage (the transport maps its own failures). */
const toError = (e: unknown): ConvSyncError => toStorageError(e);

export interface Engine {
  readonly metrics: ClientMetrics;
  /** Mirror of the stored cursor, updated inside the write queue. */
  readonly cursor: Cursor | null;
  init(): Promise<void>;
  /** Joins the sync in flight, or starts one. */
  sync(): Promise<SyncMode>;
  /** A reason to sync: starts one, or folds into the one follow-up of the sync in flight. */
  trigger(): void;
  setSocketUp(up: boolean): void;
  stop(): Promise<void>;
  /** Reports a failure outside a sync's own result (frames, pushed applies). */
  problem(e: ConvSyncError): void;
  setDraft(id: string, text: string): Promise<LocalConversation | undefined>;
  onChanged(f: ChangedFrame): Promise<void>;
  onUnread(f: UnreadFrame): Promise<void>;
  onPrivate(f: PrivateFrame): void;
}

export function createEngine(c: EngineConfig): Engine {
  const { storage: st, clock, metrics: m, onFold, onChanges, onStatus } = c;
  let cursor: Cursor | null = null;
  let socketUp = false;
  let queue: Promise<unknown> = Promise.resolve();
  let running: Promise<SyncMode> | null = null;
  let again = false;
  let halted = false;
  let timer: unknown = null;
  let timerAt = 0;
  /** When the last sync round began: triggered rounds keep `minSyncGapMs` apart. */
  let lastRound = Number.NEGATIVE_INFINITY;
  /** A round's request and writes are under way (pushed frames then wait for a sync). */
  let inRound = false;
  let endPause: (() => void) | null = null;
  let failures = 0;
  let lastDrift = Number.NEGATIVE_INFINITY;

  /** Runs `fn` after every earlier storage step: writes never interleave. */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = queue.then(() => {
      if (halted) throw stopped();
      return fn().catch((e: unknown) => {
        throw toError(e);
      });
    });
    queue = p.catch(() => {});
    return p;
  }

  /** After a failed write: the stored cursor is the truth. */
  const recheck = async (): Promise<void> => {
    cursor = await st.getCursor().catch(() => cursor);
  };

  const sync = (): Promise<SyncMode> => (halted ? Promise.reject(stopped()) : (running ??= loop()));

  /**
   * A reason to sync. During a sync it folds into one follow-up; otherwise a sync
   * starts at once, or, within `minSyncGapMs` of the last round, when the gap is over:
   * a burst of notifications without deltas then costs a few requests, not one each.
   */
  function trigger(): void {
    if (halted) return;
    if (running) return void (again = true);
    const wait = lastRound + c.minSyncGapMs - clock.now();
    if (wait <= 0) sync().catch(() => {});
    else if (timer === null || timerAt > clock.now() + wait) wake(wait);
  }

  function wake(ms: number | null): void {
    clock.clearTimeout(timer);
    timer = null;
    if (ms !== null && !halted) {
      timerAt = clock.now() + ms;
      timer = clock.setTimeout(() => {
        timer = null;
        trigger();
      }, ms);
    }
  }

  const countError = (e: ConvSyncError): void => {
    m.errors[e.code] = (m.errors[e.code] ?? 0) + 1;
  };

  function problem(e: ConvSyncError): void {
    countError(e);
    onStatus({ type: 'problem', error: e });
  }

  /** Waits out the rest of the gap before a follow-up round; `stop()` cuts it short. */
  function pause(ms: number): Promise<void> | void {
    if (ms > 0) return new Promise((resolve) => ((endPause = resolve), clock.setTimeout(resolve, ms)));
  }

  async function loop(): Promise<SyncMode> {
    try {
      let mode: SyncMode = 'equal';
      for (let n = 0; n < 1000; n++) {
        again = false;
        lastRound = clock.now();
        mode = await once();
        if (!again || halted) break;
        // the follow-up keeps the gap too; callers of sync() still wait for it
        await pause(lastRound + c.minSyncGapMs - clock.now());
        if (halted) break;
      }
      failures = 0;
      wake(socketUp ? null : c.pollIntervalMs);
      return mode;
    } catch (e) {
      const err = toError(e);
      if (err.code !== 'STOPPED') wake(backoff(failures++, 1000, c.maxBackoffMs, c.random));
      throw err;
    } finally {
      running = null;
    }
  }

  async function once(): Promise<SyncMode> {
    inRound = true;
    onStatus({ type: 'sync' });
    const acc = diffAcc();
    let mode: SyncMode | undefined;
    try {
      mode = await steps(acc);
      m.syncs[mode]++;
      return mode;
    } catch (e) {
      const err = toError(e);
      countError(err);
      if (err.code !== 'STOPPED') onStatus({ type: 'fail', error: err });
      throw err;
    } finally {
      inRound = false;
      // what was committed is reported even when a later step failed
      if (!acc.empty) onChanges({ ...acc.result(), mode: mode ?? 'incremental' });
      if (mode) onStatus({ type: 'ok', mode, at: clock.now() });
    }
  }

  async function steps(acc: DiffAcc): Promise<SyncMode> {
    let staged = await exclusive(() => st.stagedFull());
    let full = staged !== null || cursor === null;
    let didFull = false;
    for (let round = 0; round < 4; round++) {
      if (full) {
        await fullSync.run(staged, acc);
        staged = null;
        full = false;
        didFull = true;
        lastDrift = clock.now();
      }
      const r = await incremental(acc);
      full = r === 'full' || (!didFull && c.driftCheck && clock.now() - lastDrift >= c.driftCheckIntervalMs && (await drifted()));
      if (!full) return didFull ? 'full' : r;
    }
    throw new ConvSyncError('SERVER', 'the server keeps asking for a full sync');
  }

  const post = <T>(path: string, body: object, read: (d: unknown) => T): Promise<T> =>
    c.http.post('/conversation/' + path, { userID: c.userID, ...body }, read);

  async function incremental(acc: DiffAcc): Promise<SyncMode> {
    const cur = cursor;
    if (!cur) return 'full';
    // the semantic checks run inside the transport's validation, so errors carry the operationID
    const a = await post('get_incremental_conversations', cursorOf(cur), (d) => {
      const a = readIncremental(d);
      if (a.full) return a;
      if (a.versionID !== cur.versionID) throw badAnswer('a non-full answer for another versionID');
      if (a.version < cur.version) throw badAnswer(`version went backwards (${cur.version} → ${a.version})`);
      if (a.version === cur.version && a.insert.length + a.update.length + a.delete.length > 0) {
        throw badAnswer('changes without a new version');
      }
      return a;
    });
    if (a.full) return 'full';
    if (a.version === cur.version) return 'equal';
    const next = cursorOf(a);
    await exclusive(async () => {
      let d: LocalDiff;
      try {
        d = await st.applyDelta([...a.insert, ...a.update], a.delete, next);
      } catch (e) {
        await recheck();
        throw e;
      }
      cursor = next;
      onFold(d);
      acc.add(d);
    });
    return 'incremental';
  }

  /** Compares the idHash of the local IDs with the server's; `true` on a real mismatch. */
  async function drifted(): Promise<boolean> {
    lastDrift = clock.now();
    const cur = cursor;
    const ids = await exclusive(() => st.allIDs());
    const a = await post('get_full_conversation_ids', { idHash: idHash(ids) }, readFullIDs);
    m.driftChecks++;
    if (!cur || a.versionID !== cur.versionID || a.version !== cur.version) {
      // the server moved on meanwhile: the sets are not comparable; catch up first
      again = true;
      return false;
    }
    if (a.equal) return false;
    m.driftMismatches++;
    return true;
  }

  const page = (next: string | null): Promise<FullPage> =>
    post('get_full_conversations', { limit: c.pageSize, ...(next === null ? {} : { cursor: next }) }, readFullPage);

  const fullSync = createFullSync({
    storage: st,
    page,
    exclusive,
    recheck,
    onProgress: c.onProgress,
    committed(next, d, resumed) {
      cursor = next;
      // a resumed sync does not know what its earlier pages changed: the list is read again
      if (resumed) c.onReload();
      else onFold(d);
    },
  });

  /** `conversation.changed` frames waiting for the write queue. */
  let pushed: ChangedFrame[] = [];

  async function applyPushed(): Promise<void> {
    const chain = chainFrames(pushed, cursor, inRound);
    pushed = [];
    const next = chain.next;
    if (next) {
      let d: LocalDiff;
      try {
        d = await st.applyDelta(chain.upsert, chain.remove, next);
      } catch (e) {
        await recheck();
        problem(toError(e));
        return trigger();
      }
      cursor = next;
      m.pushedDeltasApplied += chain.applied;
      onFold(d);
      if (d.added.length + d.updated.length + d.removed.length > 0) onChanges({ ...d, mode: 'pushed' });
    }
    if (chain.gap) trigger();
  }


  return {
    metrics: m,
    get cursor() {
      return cursor;
    },
    async init() {
      cursor = await st.getCursor();
    },
    sync,
    trigger,
    problem,
    setSocketUp(up) {
      socketUp = up;
      if (up) wake(null);
      else if (timer === null && !running) wake(c.pollIntervalMs);
    },
    async stop() {
      halted = true;
      wake(null);
      endPause?.();
      await running?.catch(() => {});
      await queue;
    },

    setDraft: (id, text) =>
      exclusive(async () => {
        const rec = await st.setDraft(id, text, clock.now());
        if (!rec) return undefined;
        fullSync.patchDraft(rec);
        onFold(diffOf(rec));
        onChanges({ ...diffOf(rec), mode: 'local' });
        return rec;
      }),

    /**
     * `conversation.changed`: applied directly when it continues the local version
     * chain, else a sync. Frames that arrive while earlier writes run are applied
     * together, in version order and one transaction, so a burst never queues up
     * one transaction per frame.
     */
    onChanged(f) {
      m.notifications++;
      pushed.push(f);
      return exclusive(applyPushed);
    },

    /** `conversation.unread`: raises hasReadSeq in place; advances the cursor when it is the next version. */
    onUnread(f) {
      m.notifications++;
      return exclusive(async () => {
        const cur = cursor;
        const same = cur !== null && f.versionID === cur.versionID;
        const advance = same && !inRound && f.version === cur.version + 1;
        try {
          const old = await st.get(f.conversationID);
          if (!old) return trigger(); // a record this device does not have yet
          if (old.hasReadSeq < f.hasReadSeq || advance) {
            const rec = await st.raiseRead(f.conversationID, f.hasReadSeq, advance ? cursorOf(f) : null);
            if (advance) cursor = cursorOf(f);
            if (rec && rec.hasReadSeq !== old.hasReadSeq) {
              m.unreadApplied++;
              onFold(diffOf(rec));
              onChanges({ ...diffOf(rec), mode: 'pushed' });
            }
          }
        } catch (e) {
          await recheck();
          problem(toError(e));
          return trigger();
        }
        // a newer version not recorded here (a gap, another log, a sync in flight): catch up
        if (!advance && (!same || f.version > cur.version)) trigger();
      });
    },

    onPrivate() {
      m.notifications++;
      trigger();
    },
  };
}

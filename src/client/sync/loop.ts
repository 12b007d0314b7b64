/**
 * The sync loop: when sync rounds run. It knows nothing of storage or HTTP; it calls
 * `round()` and decides when to call it again.
 *
 * ```
 *                 trigger / sync()                   round ok, no follow-up
 *   ┌──────┐  ─────────────────────────▶ ┌─────────┐ ──────────────────────▶ ┌──────┐
 *   │ idle │                             │ running │                          │ idle │ ─ poll timer while
 *   └──────┘ ◀── timer (gap, poll, ──────└─────────┘ ◀─┐                      └──────┘   the socket is down
 *      ▲          backoff) fires            │  │       │ gap over: the follow-up round
 *      │                                    │  └───────┘ (triggers during a round fold
 *      │          round failed              │             into exactly one follow-up)
 *      └──────── backoff timer ◀────────────┘
 *
 *   trigger while idle:     start now, or when minSyncGapMs since the last round is over
 *   trigger while running:  `again` → one follow-up round, after the gap, same sync() call
 *   sync() while running:   joins it (same promise, follow-up included)
 *   socket up / down:       cancels the poll timer / arms it
 *   stop():                 no new round; a pause is cut short; waits for the round
 * ```
 *
 * One timer at a time: a new schedule replaces the old one.
 */
import { ConvSyncError, toConvSyncError, type SyncMode } from '../../protocol/index.js';
import { backoff } from '../kernel/backoff.js';
import type { Clock } from '../kernel/clock.js';
import type { StatusEvent } from '../kernel/status.js';
import type { ClientMetrics } from '../kernel/types.js';

export interface SyncLoopConfig {
  clock: Clock;
  random: () => number;
  metrics: ClientMetrics;
  pollIntervalMs: number;
  maxBackoffMs: number;
  /** least time between the starts of two triggered rounds (a manual `sync()` is never delayed) */
  minSyncGapMs: number;
  /** one sync round: incremental, full or equal */
  round(): Promise<SyncMode>;
  onStatus(e: StatusEvent): void;
}

export interface SyncLoop {
  /** Joins the sync in flight, or starts one; resolves with the mode of the last round it covered. */
  sync(): Promise<SyncMode>;
  /** A reason to sync: starts one, or folds into the one follow-up of the sync in flight. */
  trigger(): void;
  /** A round's request and writes are under way (not during the gap before a follow-up). */
  readonly inRound: boolean;
  setSocketUp(up: boolean): void;
  /** Reports a failure outside a round's own result (frames, pushed applies). */
  problem(e: ConvSyncError): void;
  stop(): Promise<void>;
}

const stoppedError = (): ConvSyncError => new ConvSyncError('STOPPED', 'the client is stopped');

export function createSyncLoop(c: SyncLoopConfig): SyncLoop {
  const { clock, metrics: m } = c;
  let running: Promise<SyncMode> | null = null;
  let again = false;
  let halted = false;
  let socketUp = false;
  let inRound = false;
  let timer: unknown = null;
  let timerAt = 0;
  /** When the last round began: triggered rounds keep `minSyncGapMs` apart. */
  let lastRound = Number.NEGATIVE_INFINITY;
  let endPause: (() => void) | null = null;
  let failures = 0;

  const sync = (): Promise<SyncMode> => (halted ? Promise.reject(stoppedError()) : (running ??= loop()));

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
      const err = toConvSyncError(e);
      if (err.code !== 'STOPPED') wake(backoff(failures++, 1000, c.maxBackoffMs, c.random));
      throw err;
    } finally {
      running = null;
    }
  }

  async function once(): Promise<SyncMode> {
    inRound = true;
    c.onStatus({ type: 'sync' });
    try {
      const mode = await c.round();
      m.syncs[mode]++;
      c.onStatus({ type: 'ok', mode, at: clock.now() });
      return mode;
    } catch (e) {
      const err = toConvSyncError(e);
      countError(err);
      if (err.code !== 'STOPPED') c.onStatus({ type: 'fail', error: err });
      throw err;
    } finally {
      inRound = false;
    }
  }

  return {
    sync,
    trigger,
    get inRound() {
      return inRound;
    },
    setSocketUp(up) {
      socketUp = up;
      if (up) wake(null);
      else if (timer === null && !running) wake(c.pollIntervalMs);
    },
    problem(e) {
      countError(e);
      c.onStatus({ type: 'problem', error: e });
    },
    async stop() {
      halted = true;
      wake(null);
      endPause?.();
      await running?.catch(() => {});
    },
  };
}

/**
 * Sends the outbox (in the leader tab only): each queued write with its mutation ID, so
 * a retry is applied once (SPEC §3.2). Writes to one conversation go one at a time, in
 * call order; different conversations go side by side (a few at once). Network failures,
 * timeouts, 5xx and auth failures are retried on a timer with backoff, and at once on a
 * reconnect, `online` or a sync that worked (`retryNow()`); errCodes 1001, 1002, 1004 are a refusal for good: the
 * write is rolled back and the queue moves on.
 */
import { readWriteAnswer, toConvSyncError, type ConvSyncError, type Cursor } from '../../protocol/index.js';
import type { OutboxEntry } from '../../storage/types.js';
import { backoff } from '../kernel/backoff.js';
import type { Clock } from '../kernel/clock.js';
import type { Replica } from '../kernel/replica.js';
import type { Transport } from '../remote/transport.js';

export interface SenderConfig {
  replica: Replica;
  transport: Transport;
  clock: Clock;
  random: () => number;
  maxBackoffMs: number;
  /** a write the server refused for good (reported on status$) */
  refused(e: ConvSyncError): void;
  /** a write the server accepted, at version `ack` */
  accepted(ack: Cursor): void;
}

export interface Sender {
  /** Something new to send (it waits while a failure is waited out). */
  send(): void;
  /** A reason to try again now: a reconnect, `online`, a sync that worked. */
  retryNow(): void;
  stop(): void;
}

/** Writes in flight at once (to different conversations). */
const IN_FLIGHT = 4;
const PERMANENT = new Set([1001, 1002, 1004]);

function request(e: OutboxEntry): [string, object] {
  const m = { mutationID: e.mutationID };
  if (e.kind === 'set') return ['set_conversations', { ...m, conversation: { conversationID: e.conversationID, ...e.settings } }];
  if (e.kind === 'read') return ['mark_as_read', { ...m, conversationID: e.conversationID, hasReadSeq: e.hasReadSeq }];
  return ['delete_conversations', { ...m, conversationIDs: [e.conversationID] }];
}

export function createSender(c: SenderConfig): Sender {
  const inFlight = new Set<string>();
  let halted = false;
  let pumping = false;
  let again = false;
  let failures = 0;
  let timer: unknown = null;

  /** The next writes to send: the first one not yet accepted of each conversation. */
  async function pump(): Promise<void> {
    if (pumping) return void (again = true);
    pumping = true;
    try {
      do {
        again = false;
        const entries = await c.replica.settled((s) => s.outbox());
        const first = new Map<string, OutboxEntry>();
        for (const e of entries) if (!e.ack && !first.has(e.conversationID)) first.set(e.conversationID, e);
        for (const e of first.values()) {
          if (halted || inFlight.size >= IN_FLIGHT) break;
          if (!inFlight.has(e.mutationID)) void send(e);
        }
      } while (again && !halted);
    } catch {
      /* the storage is closing: the next kick tries again */
    } finally {
      pumping = false;
    }
  }

  async function send(e: OutboxEntry): Promise<void> {
    inFlight.add(e.mutationID);
    let ok = true;
    try {
      // the entry as counted: a call merged into it after `pump` read it is in it, and
      // none merges in after this (a sent entry takes no merge)
      const sent = await c.replica.attempt(e.mutationID);
      if (!sent) return;
      const [endpoint, body] = request(sent);
      const ack = await c.transport.post(endpoint, body, readWriteAnswer);
      await c.replica.settle(e.mutationID, { ack });
      c.accepted(ack);
      failures = 0;
    } catch (x) {
      const err = toConvSyncError(x);
      if (err.code === 'STOPPED' || halted) return;
      const why = { code: err.code, message: err.message, ...(err.errCode === undefined ? {} : { errCode: err.errCode }) };
      if (err.errCode !== undefined && PERMANENT.has(err.errCode)) {
        await c.replica.settle(e.mutationID, { refused: why }).catch(() => {});
        c.refused(err);
      } else {
        ok = false;
        await c.replica.settle(e.mutationID, { retry: why }).catch(() => {});
        retryLater();
      }
    } finally {
      inFlight.delete(e.mutationID);
      if (ok && !halted) void pump();
    }
  }

  function retryLater(): void {
    if (timer !== null || halted) return;
    timer = c.clock.setTimeout(() => {
      timer = null;
      void pump();
    }, backoff(failures++, 1000, c.maxBackoffMs, c.random));
  }

  return {
    send() {
      // while waiting out a failure, new writes wait too (and may merge meanwhile)
      if (!halted && timer === null) void pump();
    },
    retryNow() {
      if (halted) return;
      failures = 0;
      c.clock.clearTimeout(timer);
      timer = null;
      void pump();
    },
    stop() {
      halted = true;
      c.clock.clearTimeout(timer);
      timer = null;
    },
  };
}

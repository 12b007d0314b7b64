/**
 * The client side of scenario 9: a local write (a pin toggled) timed from the call until
 * `conversations$` shows it, and until the server acknowledged it; and 100 writes queued
 * offline, replayed when the network is back (requests and time).
 */
import { now } from '../lib/util.js';
import { handle, waitUntil } from './client.js';

/** `n` pin toggles one after another: call → local emission, and call → acknowledged (ms). */
export async function writeToScreen(a: { h: number; n: number }): Promise<{ local: number[]; ack: number[] }> {
  const x = handle(a.h);
  const local: number[] = [];
  const ack: number[] = [];
  for (let i = 0; i < a.n; i++) {
    const list = x.list;
    if (!list || list.length < 2) throw new Error('the client holds no list');
    const target = list[(i * 7919 + 13) % list.length]!;
    const pin = !target.isPinned;
    const shown = (): boolean => x.list?.find((c) => c.conversationID === target.conversationID)?.isPinned === pin;
    const t0 = now();
    const w = await x.sync.setConversation(target.conversationID, { isPinned: pin });
    await waitUntil(x, shown, 10_000, 'the write on screen');
    local.push(now() - t0);
    await w.acknowledged;
    ack.push(now() - t0);
  }
  return { local, ack };
}

/**
 * Offline: `n` writes to `n` different conversations (one each), then online again and
 * a sync: how many requests until the queue is empty, and how long it took.
 */
export async function replayQueued(a: { h: number; n: number }): Promise<{ writes: number; requests: number; writeRequests: number; ms: number; queuedMs: number }> {
  const x = handle(a.h);
  const list = x.list ?? [];
  if (list.length < a.n) throw new Error(`the client holds ${list.length} records, fewer than ${a.n}`);
  x.offline = true;
  const t0 = now();
  const acks: Array<Promise<unknown>> = [];
  for (let i = 0; i < a.n; i++) acks.push((await x.sync.setConversation(list[i]!.conversationID, { ex: `queued ${i} ${t0}` })).acknowledged.catch(() => undefined));
  const queuedMs = now() - t0;
  const before = x.sent.length;
  x.offline = false;
  const t1 = now();
  await x.sync.sync();
  await Promise.all(acks);
  const ms = now() - t1;
  const sent = x.sent.slice(before);
  return { writes: a.n, requests: sent.length, writeRequests: sent.filter((p) => p.endsWith('/set_conversations')).length, ms, queuedMs };
}

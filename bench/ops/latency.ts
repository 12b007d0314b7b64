/**
 * The client side of scenario 4: a server-side change made from the client's runtime,
 * timed until `conversations$` shows it.
 */
import { post } from '../lib/http.js';
import { now } from '../lib/util.js';
import { clientEnv, handle, waitUntil, wireOf } from './client.js';

let markers = 0;

/** `n` changes one after another; returns the change-to-screen time of each (ms). */
export async function changeToScreen(a: { h: number; userID: string; n: number }): Promise<number[]> {
  const x = handle(a.h);
  const { apiURL } = clientEnv();
  const out: number[] = [];
  for (let i = 0; i < a.n; i++) {
    const list = x.list;
    if (!list || list.length === 0) throw new Error('the client holds no list');
    const id = list[(i * 7919 + 13) % list.length]!.conversationID;
    const rec = await x.sync.get(id);
    if (!rec) throw new Error(`no record ${id}`);
    const marker = `lat-${++markers}-${Math.random().toString(36).slice(2, 8)}`;
    const t = Date.now();
    const wire = wireOf(rec) as Record<string, unknown> & { maxSeq: number };
    const next = {
      ...wire,
      maxSeq: wire.maxSeq + 1,
      latestMsgSendTime: t,
      latestMsg: { clientMsgID: marker, seq: wire.maxSeq + 1, sendID: a.userID, senderNickname: a.userID, contentType: 101, text: 'latency', sendTime: t },
    };
    const seen = () => {
      const l = x.list;
      if (!l) return false;
      for (const c of l) if (c.conversationID === id) return c.latestMsg?.clientMsgID === marker;
      return false;
    };
    const t0 = now();
    const req = post(apiURL, '/admin/upsert', { userID: a.userID, conversation: next });
    await waitUntil(x, seen, 15_000, `change ${marker} on screen`);
    out.push(now() - t0);
    await req;
  }
  return out;
}

/**
 * Scenario 4: change to screen. A server-side change (an `/admin/upsert` that gives one
 * conversation a new message), timed in the client's runtime from just before the
 * request until `conversations$` emits a list holding the new message. Two clients of
 * two users with the same list: one applies the pushed delta, the other gets the same
 * notification without its delta (bench/client.ts `filteringWebSocket`) and must sync.
 * Their changes alternate in chunks, so both paths see the same machine load.
 */
import type { ConvSyncServer } from '../src/server/index.js';
import { clientEnv, handle, waitUntil, wireOf } from './client.js';
import { now, post, stats, type Driver, type BenchConfig, type Row } from './common.js';
import { seedUser } from './full-sync.js';
import { ratio } from './stats.js';

// ---- client side ----

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

// ---- orchestration ----

export async function benchLatency(d: Driver, server: ConvSyncServer, cfg: BenchConfig, log: (s: string) => void): Promise<Row[]> {
  const N = cfg.latencyN;
  const paths = [
    { key: 'pushed', label: 'pushed delta', strip: false },
    { key: 'notify', label: 'notify-then-sync', strip: true },
  ] as const;
  const open = await Promise.all(
    paths.map(async (p) => {
      const { userID, token } = await seedUser(server.url, `lat-${p.key}`, N);
      const r = await d.call<{ h: number }>('openClient', { userID, token, adapter: 'idb', name: `bench-lat-${userID}`, subscribe: true, ws: true, stripDelta: p.strip, expect: N });
      return { ...p, userID, h: r.h, samples: [] as number[] };
    }),
  );
  const chunk = Math.min(100, cfg.latencyChanges);
  const warm = Math.min(20, cfg.latencyChanges);
  for (const p of open) await d.call('changeToScreen', { h: p.h, userID: p.userID, n: warm });
  for (let done = 0; done < cfg.latencyChanges; done += chunk) {
    const n = Math.min(chunk, cfg.latencyChanges - done);
    for (const p of open) p.samples.push(...(await d.call<number[]>('changeToScreen', { h: p.h, userID: p.userID, n })));
  }
  const rows: Row[] = [];
  const notifyP50 = stats(open[1]!.samples).p50;
  for (const p of open) {
    const s = stats(p.samples);
    const row: Row = {
      scenario: 4,
      runtime: d.runtime,
      name: `change to screen · ${p.label} · p50 (median)`,
      unit: 'ms',
      stats: s,
      extra: `p99 ${s.p99.toFixed(2)} ms over ${s.n} changes (after ${warm} warm-up) · N=${N} · idb`,
    };
    if (p.key === 'pushed') row.ratio = { value: ratio(s.p99, notifyP50), against: 'p99 ÷ notify-then-sync p50' };
    rows.push(row);
  }
  for (const p of open) await d.call('closeClient', { h: p.h, clear: true });
  log(`  change to screen ${d.runtime} done`);
  return rows;
}

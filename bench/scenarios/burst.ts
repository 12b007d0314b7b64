/**
 * Scenario 5: a burst of 1,000 server-side changes in one second (one commit, one log
 * version, one notification each, spread evenly), against a connected client with a
 * `conversations$` subscriber: how many HTTP requests the client made, and how long
 * after the last change it was equal to the server. Run for the normal client (pushed
 * deltas) and for one whose notifications carry no delta (each one asks for a sync:
 * this is where single flight has to fold them).
 */
import type { ConvSyncServer } from '../../src/server/index.js';
import type { BenchConfig } from '../lib/config.js';
import { seedUser } from '../lib/http.js';
import { serverChange, someIDs } from '../lib/server-data.js';
import { stats } from '../lib/stats.js';
import type { Driver, Row } from '../lib/types.js';
import { now, repeat, sleep } from '../lib/util.js';

export async function benchBurst(d: Driver, server: ConvSyncServer, cfg: BenchConfig, log: (s: string) => void): Promise<Row[]> {
  const N = cfg.burstN;
  const variants = [
    { key: 'pushed', label: 'pushed deltas', strip: false },
    { key: 'notify', label: 'notifications without delta', strip: true },
  ] as const;
  const clients: Array<{ key: string; label: string; strip: boolean; userID: string; h: number; ids: string[]; requests: number[]; lag: number[]; total: number[] }> = [];
  for (const v of variants) {
    const { userID, token } = await seedUser(server.url, `burst-${v.key}`, N);
    const r = await d.call<{ h: number }>('openClient', { userID, token, adapter: 'idb', name: `bench-burst-${userID}`, subscribe: true, ws: true, stripDelta: v.strip, expect: N });
    const ids = await someIDs(server, userID, Math.min(N, 500));
    clients.push({ ...v, userID, h: r.h, ids, requests: [] as number[], lag: [] as number[], total: [] as number[] });
  }
  const tickMs = 10;
  const ticks = Math.max(1, Math.round(cfg.burstMs / tickMs));
  const perTick = Math.ceil(cfg.burstChanges / ticks);
  let tag = 0;
  await repeat(cfg.warmup, cfg.runs, async (rep) => {
    for (const c of clients) {
      const before = (await d.call<{ requests: number }>('clientState', { h: c.h })).requests;
      const t0 = now();
      let made = 0;
      let head = { versionID: '', version: 0 };
      for (let t = 0; t < ticks && made < cfg.burstChanges; t++) {
        const due = t0 + t * tickMs;
        const wait = due - now();
        if (wait > 0) await sleep(wait);
        for (let j = 0; j < perTick && made < cfg.burstChanges; j++, made++) {
          head = await serverChange(server, c.userID, [c.ids[made % c.ids.length]!], `b${++tag}`);
        }
      }
      const tLast = now();
      await d.call('waitCursor', { h: c.h, versionID: head.versionID, version: head.version, timeoutMs: 60_000 });
      const tEq = now();
      const after = (await d.call<{ requests: number }>('clientState', { h: c.h })).requests;
      if (rep >= 0) {
        c.requests.push(after - before);
        c.lag.push(tEq - tLast);
        c.total.push(tEq - t0);
      }
      await sleep(50);
    }
    return 0;
  });
  const rows: Row[] = [];
  for (const c of clients) {
    const what = `burst ${cfg.burstChanges.toLocaleString('en-US')} changes in ${cfg.burstMs} ms · ${c.label}`;
    const total = stats(c.total);
    rows.push({ scenario: 5, runtime: d.runtime, name: `${what} · HTTP requests`, unit: 'requests', stats: stats(c.requests) });
    rows.push({
      scenario: 5,
      runtime: d.runtime,
      name: `${what} · last change → equal`,
      unit: 'ms',
      stats: stats(c.lag),
      extra: `first change → equal: median ${total.median.toFixed(0)} ms (min ${total.min.toFixed(0)}, max ${total.max.toFixed(0)})`,
    });
  }
  for (const c of clients) await d.call('closeClient', { h: c.h, clear: true });
  log(`  burst ${d.runtime} done`);
  return rows;
}

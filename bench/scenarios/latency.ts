/**
 * Scenario 4: change to screen. A server-side change (an `/admin/upsert` that gives one
 * conversation a new message), timed in the client's runtime from just before the
 * request until `conversations$` emits a list holding the new message. Two clients of
 * two users with the same list: one applies the pushed delta, the other gets the same
 * notification without its delta (bench/ops/client.ts `filteringWebSocket`) and must sync.
 * Their changes alternate in chunks, so both paths see the same machine load. The
 * client side is bench/ops/latency.ts.
 */
import type { ConvSyncServer } from '../../src/server/index.js';
import type { BenchConfig } from '../lib/config.js';
import { seedUser } from '../lib/http.js';
import { ratio, stats } from '../lib/stats.js';
import type { Driver, Row } from '../lib/types.js';

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

/**
 * Scenario 9: local writes (issue 11). A pin toggled by a client with a `conversations$`
 * subscriber, timed from the call until the list shows it (the local emission) and until
 * the server acknowledged it (a round trip), p50/p99; then 100 writes to 100
 * conversations queued offline and replayed when the network is back: the requests it
 * takes and the time until all are acknowledged. The client side is bench/ops/writes.ts.
 */
import type { ConvSyncServer } from '../../src/server/index.js';
import type { BenchConfig } from '../lib/config.js';
import { seedUser } from '../lib/http.js';
import { ratio, stats } from '../lib/stats.js';
import type { Driver, Row } from '../lib/types.js';

export async function benchWrites(d: Driver, server: ConvSyncServer, cfg: BenchConfig, log: (s: string) => void): Promise<Row[]> {
  const N = 1000;
  const taps = cfg.quick ? 20 : 200;
  const { userID, token } = await seedUser(server.url, 'writes', N);
  const { h } = await d.call<{ h: number }>('openClient', { userID, token, adapter: 'idb', name: `bench-writes-${userID}`, subscribe: true, ws: true, expect: N, gate: true });
  await d.call('writeToScreen', { h, n: Math.min(10, taps) }); // warm-up
  const t = await d.call<{ local: number[]; ack: number[] }>('writeToScreen', { h, n: taps });
  const replay = await d.call<{ writes: number; requests: number; writeRequests: number; ms: number; queuedMs: number }>('replayQueued', { h, n: 100 });
  await d.call('closeClient', { h, clear: true });
  const local = stats(t.local);
  const ack = stats(t.ack);
  log(`  writes ${d.runtime} done`);
  return [
    {
      scenario: 9,
      runtime: d.runtime,
      name: 'tap to screen · a pin, call → conversations$ · p50 (median)',
      unit: 'ms',
      stats: local,
      extra: `p99 ${local.p99.toFixed(2)} ms over ${local.n} writes · N=${N} · idb`,
      ratio: { value: ratio(local.p50, ack.p50), against: 'call → acknowledged p50' },
    },
    {
      scenario: 9,
      runtime: d.runtime,
      name: 'tap to acknowledged · a pin, call → server answer · p50 (median)',
      unit: 'ms',
      stats: ack,
      extra: `p99 ${ack.p99.toFixed(2)} ms over ${ack.n} writes`,
    },
    {
      scenario: 9,
      runtime: d.runtime,
      name: `100 writes queued offline, replayed online · requests`,
      unit: 'requests',
      stats: stats([replay.requests]),
      extra: `${replay.writeRequests} write requests for ${replay.writes} writes (one per conversation) · all acknowledged ${replay.ms.toFixed(0)} ms after the network came back · queued in ${replay.queuedMs.toFixed(0)} ms`,
      ratio: { value: replay.requests / replay.writes, against: 'writes' },
    },
  ];
}

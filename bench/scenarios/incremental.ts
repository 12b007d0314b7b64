/**
 * Scenario 2: incremental sync of k = 1 / 10 / 200 changes with a small and a large
 * list stored (N = 1,000 and 100,000): the cost must not grow with N. Both clients
 * stay open side by side (bench/lib/pair.ts) and every repetition syncs the small one,
 * then the large one, so the ratio compares runs made under the same machine load.
 * Measured without a `conversations$` subscriber and with one (the UI: the change is
 * folded into the in-memory list). Scenario 3 then runs on the same two clients.
 */
import type { ConvSyncServer } from '../../src/server/index.js';
import type { BenchConfig } from '../lib/config.js';
import type { Side } from '../lib/pair.js';
import { serverChange, someIDs } from '../lib/server-data.js';
import { ratio, stats } from '../lib/stats.js';
import type { AdapterName, Driver, Row } from '../lib/types.js';
import { nf, repeat } from '../lib/util.js';

/** Scenario 2 for one adapter, on its open pair; leaves both clients subscribed. */
export async function benchIncremental(d: Driver, server: ConvSyncServer, cfg: BenchConfig, adapter: AdapterName, sides: readonly Side[], log: (s: string) => void): Promise<Row[]> {
  const incremental: Row[] = [];
  const [small, large] = cfg.flatSizes;
  const largeRuns = cfg.runs; // every run here is short, even at N = 100,000
  const note = (n: number) => `N=${nf(n)}`;
  let tagN = 0;
  for (const withUI of [false, true]) {
    if (withUI) for (const s of sides) await d.call('subscribeClient', { h: s.h, expect: s.N });
    for (const k of cfg.incrementalK) {
      const samples = new Map<number, number[]>([
        [small, []],
        [large, []],
      ]);
      await repeat(cfg.warmup, largeRuns, async (rep) => {
        for (const s of sides) {
          const ids = await someIDs(server, s.userID, k, ++tagN);
          await serverChange(server, s.userID, ids, `i${tagN}`);
          const r = await d.call<{ ms: number; mode: string; requests: number }>('syncTimed', { h: s.h });
          if (r.mode !== 'incremental') throw new Error(`expected an incremental sync, got ${r.mode}`);
          if (rep >= 0) samples.get(s.N)!.push(r.ms);
        }
        return 0;
      });
      const a = stats(samples.get(small)!);
      const b = stats(samples.get(large)!);
      const what = `incremental k=${k}${withUI ? ' · with conversations$ subscriber' : ''} · ${adapter}`;
      incremental.push({ scenario: 2, runtime: d.runtime, name: `${what} · ${note(small)}`, unit: 'ms', stats: a });
      incremental.push({
        scenario: 2,
        runtime: d.runtime,
        name: `${what} · ${note(large)}`,
        unit: 'ms',
        stats: b,
        ratio: { value: ratio(b.median, a.median), against: note(small) },
      });
    }
    log(`  incremental ${d.runtime} ${adapter}${withUI ? ' (with subscriber)' : ''} done`);
  }
  return incremental;
}

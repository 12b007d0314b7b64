/**
 * Scenario 3: the first page (20 conversations in SPEC §1.2 order) read from storage
 * with N = 1,000 and 100,000 stored (must be flat in N), and the time from `start()` to
 * the first `conversations$` emission on a warm database. Runs on the pair of clients
 * scenario 2 leaves open (bench/lib/pair.ts), then closes them and deletes their
 * databases. The client side is bench/ops/first-page.ts.
 */
import type { BenchConfig } from '../lib/config.js';
import { deletePair, type Side } from '../lib/pair.js';
import { ratio, stats } from '../lib/stats.js';
import type { AdapterName, Driver, Row } from '../lib/types.js';
import { nf, repeat } from '../lib/util.js';

/** Scenario 3 for one adapter, on its open pair; closes the clients and deletes their databases. */
export async function benchFirstPage(d: Driver, cfg: BenchConfig, adapter: AdapterName, sides: readonly Side[], log: (s: string) => void): Promise<Row[]> {
  const firstPage: Row[] = [];
  const [small, large] = cfg.flatSizes;
  const note = (n: number) => `N=${nf(n)}`;
  // scenario 3a: first page, the two sizes interleaved
  {
    const samples = new Map<number, number[]>([
      [small, []],
      [large, []],
    ]);
    await repeat(cfg.warmup, cfg.runs, async (rep) => {
      for (const s of sides) {
        const r = await d.call<{ ms: number; items: number }>('pageTimed', { h: s.h, limit: 20 });
        if (r.items !== Math.min(20, s.N)) throw new Error(`first page: ${r.items} items`);
        if (rep >= 0) samples.get(s.N)!.push(r.ms);
      }
      return 0;
    });
    const a = stats(samples.get(small)!);
    const b = stats(samples.get(large)!);
    firstPage.push({ scenario: 3, runtime: d.runtime, name: `first page (20) · ${adapter} · ${note(small)}`, unit: 'ms', stats: a, extra: 'mean of 20 getPage calls per run' });
    firstPage.push({ scenario: 3, runtime: d.runtime, name: `first page (20) · ${adapter} · ${note(large)}`, unit: 'ms', stats: b, ratio: { value: ratio(b.median, a.median), against: note(small) }, extra: 'mean of 20 getPage calls per run' });
  }
  // scenario 3b: start() → first conversations$ emission on the warm databases
  for (const s of sides) await d.call('closeClient', { h: s.h });
  {
    const samples = new Map<number, number[]>([
      [small, []],
      [large, []],
    ]);
    await repeat(cfg.warmup, cfg.runs, async (rep) => {
      for (const s of sides) {
        const r = await d.call<{ ms: number; items: number }>('firstEmission', { userID: s.userID, token: s.token, adapter, name: s.name });
        if (r.items !== s.N) throw new Error(`first emission: ${r.items} items, expected ${s.N}`);
        if (rep >= 0) samples.get(s.N)!.push(r.ms);
      }
      return 0;
    });
    const a = stats(samples.get(small)!);
    const b = stats(samples.get(large)!);
    firstPage.push({ scenario: 3, runtime: d.runtime, name: `start() → first conversations$ (warm DB) · ${adapter} · ${note(small)}`, unit: 'ms', stats: a });
    firstPage.push({
      scenario: 3,
      runtime: d.runtime,
      name: `start() → first conversations$ (warm DB) · ${adapter} · ${note(large)}`,
      unit: 'ms',
      stats: b,
      ratio: { value: ratio(b.median, a.median), against: note(small) },
      extra: 'the emission is the whole sorted list, so it grows with N by design',
    });
  }
  await deletePair(d, sides, adapter);
  log(`  first page ${d.runtime} ${adapter} done`);
  return firstPage;
}

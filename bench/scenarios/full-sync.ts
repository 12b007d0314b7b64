/**
 * Scenario 1: cold full sync of N conversations into an empty database, per adapter,
 * beside the floor of the same store: the same records written straight into
 * IndexedDB, one `put` per record in one transaction. Also beside it: the snapshot
 * download alone (the network floor, no storage). The client side is bench/ops/full-sync.ts.
 */
import { ADAPTERS, type BenchConfig } from '../lib/config.js';
import { seedUser } from '../lib/http.js';
import { fmt, median, ratio, stats } from '../lib/stats.js';
import type { AdapterName, Driver, Row } from '../lib/types.js';
import { nf, repeat } from '../lib/util.js';

const PAGE = 1000; // the client's default snapshot page

type Case = 'raw put' | 'raw put + sort index' | 'download only' | AdapterName;

export async function benchFullSync(d: Driver, serverURL: string, cfg: BenchConfig, log: (s: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  for (const N of cfg.fullSizes) {
    const large = N >= 100_000;
    const runs = large ? cfg.runsLarge : cfg.runs;
    const warmup = large ? 0 : cfg.warmup;
    const { userID, token } = await seedUser(serverURL, 'full', N);
    await d.call('downloadRun', { userID, token, pageSize: PAGE, keep: true });
    const cases: Case[] = ['raw put', 'raw put + sort index', 'download only', ...ADAPTERS];
    const ms = new Map<Case, number[]>(cases.map((c) => [c, []]));
    const peaks = new Map<Case, number[]>(cases.map((c) => [c, []]));
    const one = async (c: Case, rep: number): Promise<void> => {
      const { value, peak } = await d.peakMemory(async () => {
        if (c === 'raw put' || c === 'raw put + sort index') return d.call<{ ms: number; count: number }>('rawPutRun', { index: c !== 'raw put' });
        if (c === 'download only') return d.call<{ ms: number; count: number }>('downloadRun', { userID, token, pageSize: PAGE });
        return d.call<{ ms: number; count: number }>('fullSyncRun', { userID, token, adapter: c });
      });
      if (value.count !== N) throw new Error(`${c} N=${N}: ${value.count} records`);
      if (rep >= 0) {
        ms.get(c)!.push(value.ms);
        peaks.get(c)!.push(peak);
      }
    };
    await repeat(warmup, runs, async (rep) => {
      // rotate the order so no case always runs first (or right after the heaviest)
      const shift = Math.abs(rep) % cases.length;
      for (const c of [...cases.slice(shift), ...cases.slice(0, shift)]) await one(c, rep);
      log(`  full sync ${d.runtime} N=${nf(N)} run ${rep < 0 ? 'warm-up' : rep + 1}/${runs} done`);
      return 0;
    });
    await d.call('dropSnapshot', {});
    const base = median(ms.get('raw put')!);
    const net = median(ms.get('download only')!);
    const runsNote = large && runs < 5 ? ` · ${runs} runs, no warm-up (N=100k)` : '';
    for (const c of cases) {
      const s = stats(ms.get(c)!);
      const peak = median(peaks.get(c)!) / 1024 / 1024;
      const row: Row = {
        scenario: 1,
        runtime: d.runtime,
        name: `full sync N=${nf(N)} · ${c === 'raw put' ? 'baseline: raw put, 1 tx' : c === 'raw put + sort index' ? 'raw put + sort index, 1 tx' : c === 'download only' ? 'snapshot download only (no storage)' : c}`,
        unit: 'ms',
        stats: s,
        extra: `${nf(Math.round((N / s.median) * 1000))} rec/s · peak ${d.memoryLabel} ${fmt(peak)} MB${runsNote}`,
      };
      if (c !== 'raw put') row.ratio = { value: ratio(s.median, base), against: 'raw put' };
      if (ADAPTERS.includes(c as AdapterName)) row.extra += ` · ${fmt(ratio(s.median, net))}× download only`;
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Scenario 10: first paint (issue 12), with the idb adapter. A client subscribes
 * `watchPage({ limit: 20 })` before `start()`; times are from its creation.
 *   cold: an empty database and N on the server: the first window of 20 rows (the
 *         server's first sorted page, shown while the snapshot downloads) beside the full
 *         sync done (status `hasSynced`) in the same runs; ratio paint ÷ full sync.
 *   warm: a reload over the database a cold run synced: the first window (20 rows and
 *         the list's total); sizes interleaved in every run; ratio against the smallest N.
 *   long tasks (Chromium): during the cold runs at the largest N, between creation and
 *         `hasSynced` (PerformanceObserver 'longtask', tasks of 50 ms and more).
 * Every window is checked (rows, total, the same head before and after the swap and
 * after a reload); the databases are deleted at the end. The server's cached orders are
 * primed once per seeded user, untimed. The client side is bench/ops/first-paint.ts.
 */
import type { BenchConfig } from '../lib/config.js';
import { post, seedUser } from '../lib/http.js';
import { deletePair, type Side } from '../lib/pair.js';
import { fmt, median, ratio, stats } from '../lib/stats.js';
import type { AdapterName, ColdPaint, Driver, PaintWindow, Row } from '../lib/types.js';
import { nf, repeat, uniq } from '../lib/util.js';

const LIMIT = 20;
/** dexie would double the scenario's time; scenario 1 compares the adapters' full syncs */
const ADAPTER: AdapterName = 'idb';
const COLD_TIMEOUT_MS = 300_000;
const WARM_TIMEOUT_MS = 60_000;

/** Throws unless the window shows `min(LIMIT, N)` rows and the total N. */
function check(w: PaintWindow, N: number, what: string): void {
  const want = Math.min(LIMIT, N);
  if (w.items !== want || w.total !== N) throw new Error(`first paint: ${what} N=${nf(N)} showed ${w.items} rows of total ${w.total}, expected ${want} of ${N}`);
}

function sameHead(a: readonly string[], b: readonly string[], what: string, N: number): void {
  if (a.join('\n') !== b.join('\n')) throw new Error(`first paint: ${what} N=${nf(N)}: a different head (${a.slice(0, 3).join(', ')}… vs ${b.slice(0, 3).join(', ')}…)`);
}

interface ColdResult {
  rows: Row[];
  /** the database the last run kept synced, for the warm runs */
  side: Side;
  head: string[];
}

/** The cold runs at one size; the last run keeps its database. */
async function coldAt(d: Driver, serverURL: string, cfg: BenchConfig, N: number, largest: boolean, log: (s: string) => void): Promise<ColdResult> {
  const large = N >= 100_000;
  const runs = large ? cfg.runsLarge : cfg.runs;
  const warmup = large ? 0 : cfg.warmup;
  const { userID, token } = await seedUser(serverURL, 'paint', N);
  // the reference server sorts a list once and keeps it (until it changes): its first
  // sorted page and snapshot page are asked for here, so no timed run pays that (N=100k has no warm-up)
  await post(serverURL, '/conversation/get_sorted_conversation_list', { userID, pagination: { pageNumber: 1, showNumber: 1 } }, token);
  await post(serverURL, '/conversation/get_full_conversations', { userID, limit: 1 }, token);
  const longTasks = largest && d.runtime === 'chromium';
  const paint: number[] = [];
  const synced: number[] = [];
  const swap: number[] = [];
  const tasks: number[][] = [];
  let previews = 0;
  let kept: { name: string; head: string[] } | null = null;
  await repeat(warmup, runs, async (rep) => {
    const keep = rep === runs - 1;
    const name = uniq(`bench-paint-${ADAPTER}`);
    const r = await d.call<ColdPaint>('coldPaint', { userID, token, adapter: ADAPTER, name, limit: LIMIT, expect: N, timeoutMs: COLD_TIMEOUT_MS, keep, longTasks });
    check(r.paint, N, 'cold first window');
    check(r.final, N, 'cold window once synced');
    sameHead(r.paint.ids, r.final.ids, 'cold: the head changed at the swap', N);
    if (longTasks && r.longTasks === null) throw new Error(`first paint: ${d.runtime} reports no long tasks (PerformanceObserver 'longtask')`);
    if (rep >= 0) {
      paint.push(r.paint.ms);
      synced.push(r.syncedMs);
      swap.push(r.swapMs);
      if (r.preview) previews++;
      if (r.longTasks) tasks.push(r.longTasks);
    }
    if (keep) kept = { name, head: r.final.ids };
    log(`  first paint ${d.runtime} cold N=${nf(N)} run ${rep < 0 ? 'warm-up' : rep + 1}/${runs}: painted ${r.paint.ms.toFixed(0)} ms, synced ${r.syncedMs.toFixed(0)} ms`);
    return 0;
  });
  const k = kept as { name: string; head: string[] } | null;
  if (!k) throw new Error('first paint: no cold run kept its database');
  const runsNote = large && runs < 5 ? ` · ${runs} runs, no warm-up (N=100k)` : '';
  const p = stats(paint);
  const s = stats(synced);
  const rows: Row[] = [
    {
      scenario: 10,
      runtime: d.runtime,
      name: `cold first paint · create → watchPage(20) shows 20 rows · ${ADAPTER} · N=${nf(N)}`,
      unit: 'ms',
      stats: p,
      ratio: { value: ratio(p.median, s.median), against: 'cold full sync, same runs' },
      extra: `the server's preview painted it in ${previews}/${paint.length} runs · total ${nf(N)} checked${runsNote}`,
    },
    {
      scenario: 10,
      runtime: d.runtime,
      name: `cold full sync · create → status hasSynced · ${ADAPTER} · N=${nf(N)}`,
      unit: 'ms',
      stats: s,
      extra: `${nf(Math.round((N / s.median) * 1000))} rec/s · snapshot swapped in at ${fmt(median(swap))} ms (median)${runsNote}`,
    },
  ];
  if (longTasks) {
    const longest = tasks.map((t) => (t.length ? Math.max(...t) : 0));
    rows.push({
      scenario: 10,
      runtime: d.runtime,
      name: `long tasks during the cold full sync · longest · ${ADAPTER} · N=${nf(N)}`,
      unit: 'ms',
      stats: stats(longest),
      extra: `long tasks per run: ${tasks.map((t) => t.length).join(', ')} (PerformanceObserver 'longtask', ≥ 50 ms; 0 ms: none)${runsNote}`,
    });
  }
  return { rows, side: { N, userID, token, name: k.name, h: -1 }, head: k.head };
}

/** The warm runs over the kept databases, the sizes interleaved in every run. */
async function warmAll(d: Driver, cfg: BenchConfig, cold: readonly ColdResult[], log: (s: string) => void): Promise<Row[]> {
  const samples = new Map<number, number[]>(cold.map((c) => [c.side.N, []]));
  await repeat(cfg.warmup, cfg.runs, async (rep) => {
    for (const c of cold) {
      const { N, userID, token, name } = c.side;
      const r = await d.call<PaintWindow>('warmPaint', { userID, token, adapter: ADAPTER, name, limit: LIMIT, expect: N, timeoutMs: WARM_TIMEOUT_MS });
      check(r, N, 'warm first window');
      sameHead(r.ids, c.head, 'warm: not the synced head', N);
      if (rep >= 0) samples.get(N)!.push(r.ms);
    }
    return 0;
  });
  const smallest = cold[0]!.side.N;
  const base = median(samples.get(smallest)!);
  log(`  first paint ${d.runtime} warm done`);
  return cold.map(({ side: { N } }) => {
    const s = stats(samples.get(N)!);
    const row: Row = {
      scenario: 10,
      runtime: d.runtime,
      name: `warm first paint (reload) · create → watchPage(20) shows 20 rows + total · ${ADAPTER} · N=${nf(N)}`,
      unit: 'ms',
      stats: s,
      extra: 'its first emission, checked · the sizes interleaved in every run',
    };
    if (N !== smallest) row.ratio = { value: ratio(s.median, base), against: `N=${nf(smallest)}` };
    return row;
  });
}

export async function benchFirstPaint(d: Driver, serverURL: string, cfg: BenchConfig, log: (s: string) => void): Promise<Row[]> {
  const sizes = [...cfg.paintSizes].sort((a, b) => a - b);
  const cold: ColdResult[] = [];
  try {
    for (const N of sizes) cold.push(await coldAt(d, serverURL, cfg, N, N === sizes[sizes.length - 1], log));
    const warm = await warmAll(d, cfg, cold, log);
    const coldRows = cold.flatMap((c) => c.rows);
    // cold paint and full sync rows first, then warm, then long tasks
    const isTasks = (r: Row) => r.name.startsWith('long tasks');
    return [...coldRows.filter((r) => !isTasks(r)), ...warm, ...coldRows.filter(isTasks)];
  } finally {
    await deletePair(
      d,
      cold.map((c) => c.side),
      ADAPTER,
    ).then(
      () => log(`  first paint ${d.runtime} done, databases deleted`),
      (e: unknown) => log(`  first paint ${d.runtime}: deleting the databases failed: ${String(e)}`),
    );
  }
}

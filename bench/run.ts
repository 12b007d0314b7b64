/**
 * `npm run bench`: every scenario in one process run, one table.
 *
 *   npm run bench                      full run (≈ 20 min on 2 cores); writes bench/results/latest.{json,md}
 *                                      (a run with BENCH_ONLY or one runtime writes next to the build instead)
 *   BENCH_QUICK=1 npm run bench        tiny sizes, 1–2 runs: a smoke check (writes .tmp/bench/quick.{json,md})
 *   BENCH_ONLY=1,4 npm run bench       only these scenarios (numbers below)
 *   BENCH_RUNTIMES=node npm run bench  skip Chromium (or =chromium)
 *
 * Scenarios (1–8 of issue 6, then 9 and 10):
 *   1 cold full sync per adapter          6 bytes on the wire
 *   2 incremental sync, N = small/large   7 server: log read, load, fan-out
 *   3 first page, first conversations$    8 bundle size
 *   4 change to screen (pushed vs notify) 9 local writes: tap to screen, offline replay
 *   5 burst of changes                    10 first paint: cold (preview vs full sync), warm, long tasks
 * 1–5, 9 and 10 run in Node (fake-indexeddb) and in headless Chromium (real IndexedDB);
 * 6 (bytes), 7 (server) and 8 (bundle) do not depend on the client runtime.
 *
 * Layout (no import cycle, type-level included):
 *   lib/        stats, config, result types and the driver seam, HTTP helpers, report,
 *               paths, server-side helpers, the pair of clients of scenarios 2–3;
 *               imports nothing else of bench/
 *   ops/        client-side operations, run in Node or inside the Chromium page; import lib/
 *   drivers/    run the ops in Node (in process) or Chromium (the page); import lib/, ops/
 *   scenarios/  one file per scenario; import lib/ only (ops are named by lib/types.ts)
 *   run.ts      this file: configuration from the environment, the run, the report
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createServer, type ConvSyncServer } from '../src/server/index.js';
import { buildPage, chromiumDriver } from './drivers/chromium.js';
import { nodeDriver } from './drivers/node.js';
import { ADAPTERS, benchConfig, type BenchConfig } from './lib/config.js';
import { openPair } from './lib/pair.js';
import { buildDir, resultsDir } from './lib/paths.js';
import { consoleTable, judgeGoals, markdownGoals, markdownTable } from './lib/report.js';
import type { Driver, Report, Row, Runtime } from './lib/types.js';
import { benchBundle } from './scenarios/bundle.js';
import { benchBurst } from './scenarios/burst.js';
import { benchBytes } from './scenarios/bytes.js';
import { benchFirstPage } from './scenarios/first-page.js';
import { benchFirstPaint } from './scenarios/first-paint.js';
import { benchFullSync } from './scenarios/full-sync.js';
import { benchIncremental } from './scenarios/incremental.js';
import { benchLatency } from './scenarios/latency.js';
import { benchServer } from './scenarios/server.js';
import { benchWrites } from './scenarios/writes.js';

export interface RunOptions {
  quick: boolean;
  /** development: replace parts of the configuration (BENCH_CONFIG='{"fullSizes":[10000]}') */
  overrides?: Partial<BenchConfig>;
  /** scenario numbers; all when empty */
  only: number[];
  runtimes: Runtime[];
  /** write the result files */
  write: boolean;
  log: (s: string) => void;
}

export interface BenchResult extends Report {
  meta: {
    date: string;
    quick: boolean;
    command: string;
    cores: number;
    cpu: string;
    memoryGB: number;
    node: string;
    chromium: string | null;
    platform: string;
    seconds: number;
  };
}

/** The scenarios that run in a client runtime (Node, Chromium). */
const CLIENT_SCENARIOS = [1, 2, 3, 4, 5, 9, 10];

async function clientScenarios(d: Driver, server: ConvSyncServer, o: RunOptions, want: (n: number) => boolean): Promise<Row[]> {
  const cfg = benchConfig(o.quick, o.overrides);
  const rows: Row[] = [];
  if (want(1)) rows.push(...(await benchFullSync(d, server.url, cfg, o.log)));
  if (want(2) || want(3)) {
    // per adapter, one pair of clients (small and large list) for both scenarios: 3 runs
    // on the clients 2 leaves open and subscribed; both always run, the rows are filtered
    const incremental: Row[] = [];
    const firstPage: Row[] = [];
    for (const adapter of ADAPTERS) {
      const pair = await openPair(d, server.url, cfg, adapter, o.log);
      incremental.push(...(await benchIncremental(d, server, cfg, adapter, pair, o.log)));
      firstPage.push(...(await benchFirstPage(d, cfg, adapter, pair, o.log)));
    }
    if (want(2)) rows.push(...incremental);
    if (want(3)) rows.push(...firstPage);
  }
  if (want(4)) rows.push(...(await benchLatency(d, server, cfg, o.log)));
  if (want(5)) rows.push(...(await benchBurst(d, server, cfg, o.log)));
  if (want(9)) rows.push(...(await benchWrites(d, server, cfg, o.log)));
  if (want(10)) rows.push(...(await benchFirstPaint(d, server.url, cfg, o.log)));
  return rows;
}

export async function runBench(o: RunOptions): Promise<BenchResult> {
  const t0 = Date.now();
  const want = (n: number) => o.only.length === 0 || o.only.includes(n);
  const cfg = benchConfig(o.quick, o.overrides);
  const rows: Row[] = [];
  let chromium: string | null = null;
  const www = o.runtimes.includes('chromium') && CLIENT_SCENARIOS.some(want) ? await buildPage() : undefined;
  const server = await createServer({ port: 0, host: '127.0.0.1', admin: true, ...(www ? { staticDir: www } : {}) });
  try {
    if (o.runtimes.includes('node') && CLIENT_SCENARIOS.some(want)) {
      o.log('node (fake-indexeddb):');
      rows.push(...(await clientScenarios(nodeDriver(server.url, server.wsURL), server, o, want)));
    }
    if (www) {
      o.log('chromium (real IndexedDB):');
      const { driver, version } = await chromiumDriver(server.url);
      chromium = version;
      try {
        rows.push(...(await clientScenarios(driver, server, o, want)));
      } finally {
        await driver.close();
      }
    }
    if (want(6)) rows.push(...(await benchBytes(server, cfg, o.log)));
  } finally {
    await server.close();
  }
  if (want(7)) rows.push(...(await benchServer(cfg, o.log)));
  if (want(8)) rows.push(...(await benchBundle(o.log)));
  rows.sort((a, b) => a.scenario - b.scenario);
  const cpu = cpus();
  const env = [o.quick ? 'BENCH_QUICK=1' : '', o.only.length ? `BENCH_ONLY=${o.only.join(',')}` : '', o.runtimes.length < 2 ? `BENCH_RUNTIMES=${o.runtimes.join(',')}` : '']
    .filter(Boolean)
    .join(' ');
  return {
    rows,
    goals: judgeGoals(rows),
    meta: {
      date: new Date().toISOString(),
      quick: o.quick,
      command: `${env ? env + ' ' : ''}npm run bench`,
      cores: cpu.length,
      cpu: cpu[0]?.model ?? 'unknown',
      memoryGB: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      chromium,
      platform: `${process.platform} ${process.arch}`,
      seconds: Math.round((Date.now() - t0) / 1000),
    },
  };
}

export function toMarkdown(r: BenchResult): string {
  const m = r.meta;
  return [
    `Measured ${m.date.slice(0, 10)} (${m.date}) with \`${m.command}\`${m.quick ? ' — QUICK MODE: tiny sizes, not for quoting' : ''}.`,
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGB} GB, ${m.platform}; Node ${m.node}; Chromium ${m.chromium ?? 'not run'}; shared with other work while running, so read the ratios, not the absolute times. Whole run: ${Math.round(m.seconds / 60)} min.`,
    '',
    'Every timed figure: median, min and max of the runs after one warm-up; ratios are of medians measured side by side in the same process run.',
    '',
    markdownTable(r.rows),
    '',
    '**Goals of issues 6 and 12**',
    '',
    markdownGoals(r.goals),
    '',
  ].join('\n');
}

/** BENCH_RENDER=<file.json>: judge the goals again and rewrite the file's Markdown (after the goals changed). */
function render(file: string): void {
  const result = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
  result.goals = judgeGoals(result.rows);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  writeFileSync(file.replace(/\.json$/, '.md'), toMarkdown(result));
  process.stdout.write(`${markdownGoals(result.goals)}\n\nrewrote ${file} and its .md\n`);
}

async function main(): Promise<void> {
  const again = process.env['BENCH_RENDER'];
  if (again) return render(again);
  const quick = process.env['BENCH_QUICK'] === '1';
  const only = (process.env['BENCH_ONLY'] ?? '')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n >= 1 && n <= 20);
  const runtimes = (process.env['BENCH_RUNTIMES'] ?? 'node,chromium').split(',').map((s) => s.trim()).filter((s): s is Runtime => s === 'node' || s === 'chromium');
  const started = Date.now();
  const log = (s: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);
  const overrides = process.env['BENCH_CONFIG'] ? (JSON.parse(process.env['BENCH_CONFIG']) as Partial<BenchConfig>) : undefined;
  if (overrides) log(`configuration overrides (development only): ${JSON.stringify(overrides)}`);
  const result = await runBench({ quick, only, runtimes, write: true, log, ...(overrides ? { overrides } : {}) });
  const md = toMarkdown(result);
  process.stdout.write(`\n${consoleTable(result.rows)}\n\n${markdownGoals(result.goals)}\n`);
  // only a complete run replaces the committed results; a partial one goes next to the build
  const partial = only.length > 0 || runtimes.length < 2;
  const dir = quick || overrides || partial ? buildDir : resultsDir;
  const base = quick ? 'quick' : partial ? `only-${only.join('-') || 'all'}-${runtimes.join('-')}` : 'latest';
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${base}.json`), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(dir, `${base}.md`), md);
  process.stdout.write(`\nwrote ${join(dir, base)}.json and .md\n`);
}

const entry = process.argv[1] ?? '';
if (/bench[\\/](run\.(ts|mjs)|\.tmp)|\.tmp[\\/]bench[\\/]run\.mjs$/.test(entry)) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}

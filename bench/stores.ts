/**
 * `npm run bench:stores`: the reference server on the memory store vs PostgreSQL, one
 * instance vs two on one database, measured side by side in one run:
 * - sync answers per second: 32 concurrent loops of `get_incremental_conversations` for
 *   a user of 1,000 records from a cursor 10 versions behind (log read + 10 records),
 *   for `BENCH_SECONDS` (default 4) per configuration; with two instances the loops
 *   alternate between them;
 * - commit latency: 300 `set_conversations` one after another (median, p95), then 32
 *   concurrent writers to one user (they queue on its head row lock) for the same time.
 * PostgreSQL is a throwaway cluster (support/postgres.ts) with its default durability
 * (fsync on); everything runs in this process, on loopback.
 */
import { createServer, type ConvSyncServer } from '../src/server/index.js';
import { startCluster } from '../support/postgres.js';
import { post, tokenFor } from './lib/http.js';
import { median, percentile } from './lib/stats.js';
import { nf, now } from './lib/util.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const LOOPS = 32;

interface Target {
  url: string;
  token: string;
}

async function load(targets: Target[], seconds: number, call: (t: Target, i: number) => Promise<unknown>): Promise<{ perSecond: number; latencies: number[] }> {
  const end = now() + seconds * 1000;
  const latencies: number[] = [];
  let n = 0;
  await Promise.all(
    Array.from({ length: LOOPS }, async (_, loop) => {
      for (let i = 0; now() < end && i < 1_000_000; i++) {
        const t0 = now();
        await call(targets[(loop + i) % targets.length]!, loop * 1_000_000 + i);
        latencies.push(now() - t0);
        n++;
      }
    }),
  );
  return { perSecond: n / seconds, latencies: latencies.sort((a, b) => a - b) };
}

async function measure(name: string, servers: ConvSyncServer[]) {
  const user = `bench_${name.replace(/\W+/g, '_')}`;
  const a = servers[0]!;
  await post(a.url, '/admin/seed', { userID: user, count: 1000 });
  const ids: string[] = (await post<{ conversationIDs: string[] }>(a.url, '/conversation/get_full_conversation_ids', { userID: user }, await tokenFor(a.url, user))).conversationIDs;
  const targets = await Promise.all(servers.map(async (s) => ({ url: s.url, token: await tokenFor(s.url, user) })));
  const head = await post<{ versionID: string; version: number }>(a.url, '/conversation/get_incremental_conversations', { userID: user, versionID: '', version: 0 }, targets[0]!.token);
  for (let i = 0; i < 10; i++) await post(a.url, '/conversation/set_conversations', { userID: user, conversation: { conversationID: ids[i]!, ex: 'warm' } }, targets[0]!.token);
  const cursor = { versionID: head.versionID, version: head.version };
  const sync = await load(targets, SECONDS, async (t) => {
    const d = await post<{ full: boolean; update: unknown[] }>(t.url, '/conversation/get_incremental_conversations', { userID: user, ...cursor }, t.token);
    if (d.full || d.update.length !== 10) throw new Error(`unexpected answer: full=${d.full} updates=${d.update.length}`);
  });
  const sequential: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = targets[i % targets.length]!;
    const t0 = now();
    await post(t.url, '/conversation/set_conversations', { userID: user, conversation: { conversationID: ids[i % ids.length]!, ex: `s${i}` } }, t.token);
    sequential.push(now() - t0);
  }
  sequential.sort((x, y) => x - y);
  const writers = await load(targets, SECONDS, (t, i) =>
    post(t.url, '/conversation/set_conversations', { userID: user, conversation: { conversationID: ids[i % ids.length]!, ex: `c${i}` } }, t.token),
  );
  return {
    name,
    syncPerSecond: sync.perSecond,
    commitMedian: median(sequential),
    commitP95: percentile(sequential, 95),
    concurrentCommitsPerSecond: writers.perSecond,
    concurrentCommitMedian: median(writers.latencies),
  };
}

async function main(): Promise<void> {
  const cluster = await startCluster();
  const rows: Array<Awaited<ReturnType<typeof measure>>> = [];
  try {
    const start = (store: string) => createServer({ host: '127.0.0.1', port: 0, admin: true, store });
    const mem = await start('memory');
    rows.push(await measure('memory, 1 instance', [mem]));
    await mem.close();
    const one = await start(cluster.urlOf('postgres'));
    rows.push(await measure('postgres, 1 instance', [one]));
    const two = await start(cluster.urlOf('postgres'));
    rows.push(await measure('postgres, 2 instances', [one, two]));
    await one.close();
    await two.close();
  } finally {
    cluster.stop();
  }
  const base = rows[0]!;
  const f = (v: number, d = 2) => v.toFixed(d);
  const lines = [
    '| configuration | sync answers/s | × memory | commit median ms | commit p95 ms | 32 writers: commits/s | 32 writers: median ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${nf(Math.round(r.syncPerSecond))} | ${f(r.syncPerSecond / base.syncPerSecond)} | ${f(r.commitMedian)} | ${f(r.commitP95)} | ${nf(Math.round(r.concurrentCommitsPerSecond))} | ${f(r.concurrentCommitMedian)} |`,
    ),
  ];
  console.log(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

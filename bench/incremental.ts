/**
 * Scenario 2: incremental sync of k = 1 / 10 / 200 changes with a small and a large
 * list stored (N = 1,000 and 100,000): the cost must not grow with N. Both clients
 * stay open side by side and every repetition syncs the small one, then the large
 * one, so the ratio compares runs made under the same machine load. Measured without
 * a `conversations$` subscriber and with one (the UI: the change is folded into the
 * in-memory list). Scenario 3 runs on the same two clients (bench/first-page.ts).
 */
import type { ConvSyncServer } from '../src/server/index.js';
import { nf, repeat, stats, uniq, type AdapterName, type BenchConfig, type Driver, type Row } from './common.js';
import { ADAPTERS, seedUser } from './full-sync.js';
import { ratio } from './stats.js';

/** k records of `userID` get a new message, in one commit (one log version). */
export async function serverChange(server: ConvSyncServer, userID: string, ids: readonly string[], tag: string): Promise<{ versionID: string; version: number }> {
  const store = server.state.store;
  const recs = await store.get(userID, ids);
  const t = Date.now();
  const next = recs.map((c) => ({
    ...c,
    maxSeq: c.maxSeq + 1,
    latestMsgSendTime: t,
    latestMsg: {
      clientMsgID: `${tag}-${c.maxSeq + 1}`,
      seq: c.maxSeq + 1,
      sendID: userID,
      senderNickname: userID,
      contentType: 101,
      text: `bench ${tag}`,
      sendTime: t,
    },
  }));
  const r = await server.service.upsert(userID, next);
  const head = r ?? (await store.head(userID));
  return { versionID: head.id, version: head.version };
}

/** `count` IDs of a user, spread over the list (deterministic). */
export async function someIDs(server: ConvSyncServer, userID: string, count: number, offset = 0): Promise<string[]> {
  const all = await server.state.store.ids(userID);
  const out: string[] = [];
  const step = Math.max(1, Math.floor(all.length / count));
  for (let i = 0; i < count && i < all.length; i++) out.push(all[(offset + i * step) % all.length]!);
  return out;
}

interface Side {
  N: number;
  userID: string;
  token: string;
  name: string;
  h: number;
}

export async function benchIncrementalAndFirstPage(d: Driver, server: ConvSyncServer, cfg: BenchConfig, log: (s: string) => void): Promise<{ incremental: Row[]; firstPage: Row[] }> {
  const incremental: Row[] = [];
  const firstPage: Row[] = [];
  const [small, large] = cfg.flatSizes;
  const largeRuns = cfg.runs; // every run here is short, even at N = 100,000
  const note = (n: number) => `N=${nf(n)}`;
  for (const adapter of ADAPTERS) {
    const sides: Side[] = [];
    for (const N of [small, large]) {
      const { userID, token } = await seedUser(server.url, 'incr', N);
      const name = uniq(`bench-incr-${adapter}`);
      const r = await d.call<{ h: number; count: number }>('openClient', { userID, token, adapter, name, expect: N });
      if (r.count !== N) throw new Error(`incremental setup ${adapter} N=${N}: ${r.count} records`);
      sides.push({ N, userID, token, name, h: r.h });
    }
    log(`  incremental ${d.runtime} ${adapter}: clients of ${nf(small)} and ${nf(large)} ready`);
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
    // delete the databases
    for (const s of sides) {
      const r = await d.call<{ h: number }>('openClient', { userID: s.userID, token: s.token, adapter, name: s.name });
      await d.call('closeClient', { h: r.h, clear: true });
    }
    log(`  first page ${d.runtime} ${adapter} done`);
  }
  return { incremental, firstPage };
}

/**
 * Scenario 1: cold full sync of N conversations into an empty database, per adapter,
 * beside the floor of the same store: the same records written straight into
 * IndexedDB, one `put` per record in one transaction. Also beside it: the snapshot
 * download alone (the network floor, no storage).
 */
import type { Conversation } from '../src/index.js';
import { createClient } from './client.js';
import { clientEnv, makeStorage } from './client.js';
import { nf, now, post, postRaw, repeat, stats, tokenFor, uniq, type AdapterName, type BenchConfig, type Driver, type Row } from './common.js';
import { fmt, median, ratio } from './stats.js';

// ---- client side ----

let snapshot: Conversation[] = [];

/** Pages through the snapshot over HTTP (JSON parsed, nothing stored); keeps the records when asked. */
export async function downloadRun(a: { userID: string; token: string; pageSize: number; keep?: boolean }): Promise<{ ms: number; count: number; bytes: number }> {
  const { apiURL } = clientEnv();
  const t0 = now();
  const all: Conversation[] = [];
  let bytes = 0;
  let cursor: string | null = null;
  for (let i = 0; i < 10_000; i++) {
    const body: Record<string, unknown> = { userID: a.userID, limit: a.pageSize };
    if (cursor !== null) body['cursor'] = cursor;
    const r: { data: { conversations: Conversation[]; nextCursor: string | null }; bytes: number } = await postRaw(apiURL, '/conversation/get_full_conversations', body, a.token);
    for (const c of r.data.conversations) all.push(c);
    bytes += r.bytes;
    cursor = r.data.nextCursor;
    if (cursor === null) break;
  }
  const ms = now() - t0;
  if (a.keep) snapshot = all;
  return { ms, count: all.length, bytes };
}

export function dropSnapshot(): void {
  snapshot = [];
}

function idbReq<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function deleteDB(name: string): Promise<void> {
  const r = indexedDB.deleteDatabase(name);
  await new Promise<void>((resolve, reject) => {
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
    r.onblocked = () => resolve();
  });
}

/**
 * The floor of the store: the kept snapshot written into a fresh IndexedDB database,
 * one `put` per record, one transaction. With `index`, the store also carries the
 * sort index the adapters keep (`[pinned, sortTime, conversationID]`, computed fields).
 */
export async function rawPutRun(a: { index: boolean }): Promise<{ ms: number; count: number }> {
  const name = `bench-raw-${Math.random().toString(36).slice(2)}`;
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => {
    const s = open.result.createObjectStore('conversations', { keyPath: 'conversationID' });
    if (a.index) s.createIndex('order', ['pinned', 'sortTime', 'conversationID']);
  };
  const db = await idbReq(open);
  const records = a.index
    ? snapshot.map((c) => ({ ...c, pinned: c.isPinned ? 1 : 0, sortTime: c.latestMsgSendTime }))
    : snapshot;
  const t0 = now();
  const tx = db.transaction('conversations', 'readwrite');
  const store = tx.objectStore('conversations');
  for (const r of records) store.put(r);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  const ms = now() - t0;
  db.close();
  await deleteDB(name);
  return { ms, count: records.length };
}

/** One cold full sync into a fresh database (deleted afterwards, untimed). */
export async function fullSyncRun(a: { userID: string; token: string; adapter: AdapterName }): Promise<{ ms: number; count: number; requests: number }> {
  const storage = makeStorage(a.adapter, uniq(`bench-full-${a.adapter}`));
  const sync = createClient({ userID: a.userID, token: a.token, adapter: a.adapter, name: '' }, storage);
  const t0 = now();
  await sync.start();
  await sync.sync();
  const ms = now() - t0;
  const count = (await storage.allIDs()).length;
  const requests = sync.metrics().requests;
  await sync.clear();
  return { ms, count, requests };
}

// ---- orchestration (Node) ----

export const ADAPTERS: AdapterName[] = ['idb', 'dexie', 'memory'];
const PAGE = 1000; // the client's default snapshot page

type Case = 'raw put' | 'raw put + sort index' | 'download only' | AdapterName;

export async function seedUser(apiURL: string, prefix: string, count: number): Promise<{ userID: string; token: string }> {
  const userID = uniq(prefix);
  await post(apiURL, '/admin/seed', { userID, count });
  return { userID, token: await tokenFor(apiURL, userID) };
}

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

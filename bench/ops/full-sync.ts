/**
 * The client side of scenario 1: the snapshot download alone, the raw IndexedDB write
 * floor, and one cold full sync through an adapter.
 */
import type { Conversation } from '../../src/index.js';
import { postRaw } from '../lib/http.js';
import type { AdapterName } from '../lib/types.js';
import { now, uniq } from '../lib/util.js';
import { clientEnv, createClient, makeStorage } from './client.js';

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

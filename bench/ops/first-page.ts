/**
 * The client side of scenario 3: the first page read from storage, and `start()` → the
 * first `conversations$` emission on a warm database.
 */
import type { LocalConversation } from '../../src/index.js';
import type { AdapterName } from '../lib/types.js';
import { now } from '../lib/util.js';
import { createClient, handle, makeStorage } from './client.js';

/**
 * `getPage({ limit })` on an open client, `calls` times in a row; the mean per call
 * (browsers coarsen `performance.now()` to 0.1 ms, finer than one read of a fast store).
 */
export async function pageTimed(a: { h: number; limit: number; calls?: number }): Promise<{ ms: number; items: number }> {
  const x = handle(a.h);
  const calls = a.calls ?? 20;
  let items = 0;
  const t0 = now();
  for (let i = 0; i < calls; i++) items = (await x.sync.getPage({ limit: a.limit })).items.length;
  return { ms: (now() - t0) / calls, items };
}

/** A new client on a warm database: `start()` → first non-empty `conversations$` emission. */
export async function firstEmission(a: { userID: string; token: string; adapter: AdapterName; name: string }): Promise<{ ms: number; items: number }> {
  const storage = makeStorage(a.adapter, a.name);
  const sync = createClient({ userID: a.userID, token: a.token, adapter: a.adapter, name: a.name }, storage);
  let t0 = 0;
  let resolveFirst: (v: { ms: number; items: number }) => void = () => {};
  const first = new Promise<{ ms: number; items: number }>((r) => (resolveFirst = r));
  const sub = sync.conversations$.subscribe((list: LocalConversation[]) => {
    if (list.length > 0) resolveFirst({ ms: now() - t0, items: list.length });
  });
  t0 = now();
  await sync.start();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const r = await Promise.race([
    first,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no emission within 120 s')), 120_000))),
  ]).finally(() => clearTimeout(timer));
  sub.unsubscribe();
  await sync.sync().catch(() => undefined); // let the start-up sync finish before closing
  await sync.stop();
  return r;
}

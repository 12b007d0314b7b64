/**
 * The client side of scenario 10: first paint. A client that subscribes
 * `watchPage({ limit })` before `start()`, timed from its creation. On a cold device
 * (a fresh database): until the first window of `limit` rows (the server's preview while
 * the snapshot downloads), and until the full sync is done (status `hasSynced`), with the
 * long tasks seen meanwhile where the runtime reports them (Chromium). On a warm database
 * (a reload): until the first window. Nothing is judged here: the scenario validates.
 */
import type { PageView } from '../../src/client/views/window.js';
import type { SyncStatus } from '../../src/index.js';
import type { AdapterName, ColdPaint, PaintWindow } from '../lib/types.js';
import { now, sleep } from '../lib/util.js';
import { createClient, makeStorage, waitUntil } from './client.js';

interface PaintArgs {
  userID: string;
  token: string;
  adapter: AdapterName;
  /** database name */
  name: string;
  limit: number;
  /** the list's size on the server */
  expect: number;
  timeoutMs: number;
}

const seen = (v: PageView, ms: number): PaintWindow => ({ ms, items: v.items.length, total: v.total, ids: v.items.map((c) => c.conversationID) });

/** Long tasks (start time and duration) from now on, or `null` where the runtime has none (Node). */
function observeLongTasks(): { stop(): Promise<Array<{ start: number; ms: number }>> } | null {
  const PO = globalThis.PerformanceObserver;
  if (typeof PO !== 'function' || !PO.supportedEntryTypes?.includes('longtask')) return null;
  const out: Array<{ start: number; ms: number }> = [];
  const take = (l: PerformanceEntryList): void => {
    for (const e of l) out.push({ start: e.startTime, ms: e.duration });
  };
  const o = new PO((l) => take(l.getEntries()));
  o.observe({ type: 'longtask', buffered: false });
  return {
    async stop() {
      await sleep(50); // the entry of a task that just ended is queued after it
      take(o.takeRecords());
      o.disconnect();
      return out;
    },
  };
}

/**
 * A cold device: a new client on an empty database `name`. Keeps the synced database
 * (`keep`, for the warm runs) or clears it.
 */
export async function coldPaint(a: PaintArgs & { keep: boolean; longTasks: boolean }): Promise<ColdPaint> {
  const storage = makeStorage(a.adapter, a.name);
  const tasks = a.longTasks ? observeLongTasks() : null;
  const t0 = now();
  const sync = createClient({ userID: a.userID, token: a.token, adapter: a.adapter, name: a.name }, storage);
  let status: SyncStatus | null = null;
  let view: PageView | null = null;
  let paint: PaintWindow | null = null;
  let preview = false;
  let syncedMs: number | null = null;
  let swapMs: number | null = null;
  const subs = [
    sync.status$.subscribe((s) => {
      status = s;
      if (s.hasSynced && syncedMs === null) syncedMs = now() - t0;
    }),
    sync.progress$.subscribe((p) => {
      if (p.done && swapMs === null) swapMs = now() - t0;
    }),
    sync.watchPage({ limit: a.limit }).subscribe((v) => {
      view = v;
      if (paint !== null || v.total === 0 || v.items.length < Math.min(a.limit, v.total)) return;
      paint = seen(v, now() - t0);
      preview = status?.preview ?? false;
    }),
  ];
  let ok = false;
  try {
    await sync.start();
    const want = Math.min(a.limit, a.expect);
    // done: painted, synced, and the window shows the stored list (not the preview)
    const settled = (): boolean => paint !== null && syncedMs !== null && swapMs !== null && status?.preview === false && view?.total === a.expect && view.items.length === want;
    await waitUntil(null, settled, a.timeoutMs, `first paint and full sync of ${a.expect}`);
    const longTasks = tasks ? (await tasks.stop()).filter((t) => t.start >= t0 && t.start <= t0 + syncedMs!).map((t) => t.ms) : null;
    const final = seen(view!, now() - t0);
    ok = true;
    return { paint: paint!, preview, syncedMs: syncedMs!, swapMs: swapMs!, final, longTasks };
  } finally {
    for (const s of subs) s.unsubscribe();
    if (ok && a.keep) await sync.stop();
    else await sync.clear().catch(() => undefined);
    if (!ok) await tasks?.stop();
  }
}

/**
 * A reload: a new client over the synced database `name`; the first window it shows
 * (whatever it holds: the scenario checks it). Lets the start-up sync finish, then stops.
 */
export async function warmPaint(a: PaintArgs): Promise<PaintWindow> {
  const storage = makeStorage(a.adapter, a.name);
  const t0 = now();
  const sync = createClient({ userID: a.userID, token: a.token, adapter: a.adapter, name: a.name }, storage);
  let first: PaintWindow | null = null;
  const sub = sync.watchPage({ limit: a.limit }).subscribe((v) => {
    first ??= seen(v, now() - t0);
  });
  try {
    await sync.start();
    await waitUntil(null, () => first !== null, a.timeoutMs, 'the first window on a warm database');
    await sync.sync().catch(() => undefined); // the start-up sync, before closing
    return first!;
  } finally {
    sub.unsubscribe();
    await sync.stop();
  }
}

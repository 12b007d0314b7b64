/**
 * The framework-neutral stores behind every binding (src/bindings), without a framework: a real client (memory storage) against the
 * real reference server over loopback. What React, Vue and Svelte rely on: a snapshot is the same
 * object until its data changes, subscribing is lazy and undone completely, a window is
 * made once and resized rather than re-subscribed, a stale read never wins.
 */
import { firstValueFrom, filter, Observable } from 'rxjs';
import WebSocket from 'ws';
import { afterEach, expect, it } from 'vitest';
import { createConversationSync, memoryStorage, type ConversationSync, type LocalConversation } from '../../src/index.js';
import { conversationStore } from '../../src/bindings/conversation.js';
import { pageStore } from '../../src/bindings/page.js';
import type { Store } from '../../src/bindings/store.js';
import { statusStore } from '../../src/bindings/status.js';
import type { LiveWindow } from '../../src/bindings/types.js';
import { serversClosedAfterEach, type TestServer } from '../helpers/server.js';

const server = serversClosedAfterEach();
const clients: ConversationSync[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.stop();
});

let n = 0;
async function setup(count = 30): Promise<{ s: TestServer; sync: ConversationSync; userID: string }> {
  const s = await server();
  const userID = `r${++n}`;
  await s.admin('/admin/seed', { userID, count, peers: ['bob'] });
  const sync = createConversationSync({ userID, apiURL: s.url, wsURL: s.wsURL, token: s.token(userID), storage: memoryStorage({ name: `react-${n}` }), WebSocket, tabs: false });
  clients.push(sync);
  return { s, sync, userID };
}

/** Subscribes like React does; `next()` resolves at the next onChange that satisfies `until`. */
function follow<T>(store: Store<T>) {
  let calls = 0;
  const waiters: Array<() => void> = [];
  const off = store.subscribe(() => {
    calls++;
    for (const w of waiters.splice(0)) w();
  });
  const next = async (until: (v: T) => boolean = () => true): Promise<T> => {
    while (!until(store.getSnapshot())) await new Promise<void>((r) => waiters.push(r));
    return store.getSnapshot();
  };
  return { off, next, calls: () => calls };
}

const changed = (sync: ConversationSync, id: string) => firstValueFrom(sync.changes$.pipe(filter((c) => [...c.added, ...c.updated].some((r) => r.conversationID === id))));

it('conversationStore: nothing is read before start; then the record, live; a change elsewhere keeps the same object', async () => {
  const { s, sync, userID } = await setup();
  const id = `si_${['bob', userID].sort().join('_')}`;
  let gets = 0;
  const counted: ConversationSync = { ...sync, get: (x) => (gets++, sync.get(x)) };
  const store = conversationStore(counted, id);
  const f = follow(store);
  expect(gets).toBe(0);
  expect(store.getSnapshot()).toBeUndefined();

  await sync.start();
  const first = await f.next((v) => v !== undefined);
  expect(first!.conversationID).toBe(id);

  const other = (await sync.getPage({ limit: 30 })).items.find((c) => c.conversationID !== id && c.conversationType !== 1)!;
  const calls = f.calls();
  const pushedOther = changed(sync, other.conversationID);
  await s.admin('/admin/send_message', { conversationID: other.conversationID, sendID: userID, text: 'elsewhere' });
  await pushedOther;
  expect(f.calls()).toBe(calls);
  expect(store.getSnapshot()).toBe(first);

  await s.admin('/admin/send_message', { conversationID: id, sendID: 'bob', text: 'hello you' });
  const next = await f.next((v) => v?.latestMsg?.text === 'hello you');
  expect(next).not.toBe(first);
  expect(next!.maxSeq).toBe(first!.maxSeq + 1);
  f.off();
});

it('conversationStore: a read that a change overtook is dropped', async () => {
  const { sync } = await setup();
  await sync.start();
  await sync.sync();
  const row = (await sync.getPage({ limit: 1 })).items[0]!;
  let release: (v: LocalConversation | undefined) => void = () => {};
  let read: Promise<LocalConversation | undefined> | null = null;
  // the first read is held; later ones read storage
  const slow: ConversationSync = { ...sync, get: (x) => (read ? sync.get(x) : (read = new Promise((r) => (release = r)))) };
  const store = conversationStore(slow, row.conversationID);
  const f = follow(store);
  await sync.setConversation(row.conversationID, { isPinned: !row.isPinned });
  const pinned = await f.next((v) => v !== undefined);
  expect(pinned!.isPinned).toBe(!row.isPinned);
  release(row); // the read started before the write ends now, with the old record
  await read; // the store's handler was attached first: it has run
  expect(store.getSnapshot()).toBe(pinned);
  f.off();
});

/** The client with its windows counted: how many were made and how many subscriptions each holds. */
function countWindows(sync: ConversationSync) {
  const made: Array<{ limit: number | undefined; active: number; win: LiveWindow; setLimits: number[] }> = [];
  const counted: ConversationSync = {
    ...sync,
    watchPage(opts) {
      const win = sync.watchPage(opts);
      const rec = { limit: opts?.limit, active: 0, win, setLimits: [] as number[] };
      const obs = new Observable((sub) => {
        rec.active++;
        const inner = win.subscribe(sub);
        return () => (rec.active--, inner.unsubscribe());
      }) as LiveWindow;
      obs.setLimit = (l) => (rec.setLimits.push(l), win.setLimit(l));
      made.push(rec);
      return obs;
    },
  };
  return { counted, made };
}

it('pageStore: made once, at the first subscribe; mount, unmount, mount leaves one subscription, then none', async () => {
  const { sync } = await setup();
  const { counted, made } = countWindows(sync);
  const store = pageStore(counted, 20);
  store.setLimit(10);
  expect(made).toHaveLength(0);
  await sync.start();
  await sync.sync();
  store.subscribe(() => {})(); // StrictMode: mount, unmount
  const f = follow(store); // mount again
  expect(made.map((m) => [m.limit, m.active])).toEqual([[10, 1]]);
  const view = await f.next((v) => !v.loading);
  expect(view.items).toHaveLength(10);
  expect(view.total).toBe(30);
  f.off();
  expect(made.map((m) => m.active)).toEqual([0]);
});

it('pageStore: setLimit resizes the window without a new subscription; a change re-creates only its row', async () => {
  const { s, sync, userID } = await setup();
  const { counted, made } = countWindows(sync);
  const store = pageStore(counted, 20);
  await sync.start();
  await sync.sync();
  const f = follow(store);
  const v20 = (await f.next((v) => v.items.length === 20));

  store.setLimit(25);
  const v25 = (await f.next((v) => v.items.length === 25));
  expect(made).toHaveLength(1);
  expect(made[0]!.active).toBe(1);
  expect(made[0]!.setLimits).toEqual([25]);
  expect(v25.items.slice(0, 20).every((r, i) => r === v20.items[i])).toBe(true);

  // the window emits the same rows again: the snapshot stays the same object, no onChange
  const calls = f.calls();
  made[0]!.win.setLimit(25);
  expect(f.calls()).toBe(calls);
  expect(store.getSnapshot()).toBe(v25);

  // a server change to the 5th row: only that row is a new object (it may move)
  const target = v25.items[4]!;
  await s.admin('/admin/send_message', { conversationID: target.conversationID, sendID: userID, text: 'moved up' });
  const after = (await f.next((v) => v.items.some((r) => r.latestMsg?.text === 'moved up') === true));
  const fresh = after.items.filter((r) => !v25.items.includes(r));
  expect(fresh.map((r) => r.conversationID)).toEqual([target.conversationID]);
  f.off();
});

it('pageStore: a window that fails keeps its rows, shows the error, and opens again on the next status', async () => {
  const { sync } = await setup();
  await sync.start();
  await sync.sync();
  let subscribes = 0;
  const failingOnce: ConversationSync = {
    ...sync,
    watchPage(opts) {
      const win = sync.watchPage(opts);
      const obs = new Observable((sub) => (++subscribes === 1 ? sub.error(new Error('storage broke')) : win.subscribe(sub))) as LiveWindow;
      obs.setLimit = win.setLimit;
      return obs;
    },
  };
  const store = pageStore(failingOnce, 20);
  const f = follow(store);
  expect((store.getSnapshot().error as Error).message).toBe('storage broke');
  expect(subscribes).toBe(1);
  const synced = sync.sync(); // a status change: syncing
  const ok = await f.next((v) => !v.loading);
  expect(ok.error).toBeUndefined();
  expect(subscribes).toBe(2);
  await synced;
  f.off();
});

it("statusStore: the first snapshot is the running client's status (no flash of a stopped one); the same object until a field changes", async () => {
  const { sync } = await setup();
  await sync.start();
  await sync.sync();
  const store = statusStore(sync);
  const first = store.getSnapshot();
  const current = firstValueFrom(sync.status$); // in the same tick
  expect(store.getSnapshot()).toBe(first);
  const f = follow(store);
  expect(store.getSnapshot()).toBe(first); // subscribing to an unchanged status renders nothing
  expect(f.calls()).toBe(0);
  expect(first).toEqual(await current);
  expect(first.hasSynced).toBe(true);
  expect(['idle', 'syncing']).toContain(first.state);
  await sync.stop();
  expect(store.getSnapshot().state).toBe('stopped');
  expect(f.calls()).toBeGreaterThan(0);
  f.off();
});

/**
 * Several tabs of one user in real Chromium (issue 10): pages of one browser context,
 * each a client of the SDK over the same IndexedDB database, coordinated by Web Locks
 * and BroadcastChannel. Also measures the handover time and the requests and sockets of
 * N tabs, against N independent clients (`tabs: false`, as before).
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createServer } from '../../src/server/index.js';
import { compareConversations, peerOf, type Conversation } from '../../src/protocol/index.js';
import { launch, type Browser } from '../../support/chromium.js';
import { api, type DemoServer } from './harness.js';
import { pagesDir } from './global-setup.js';

let server: DemoServer;
let browser: Browser;
let pages: Page[] = [];
let user = 0;

beforeAll(async () => {
  server = await createServer({ port: 0, host: '127.0.0.1', admin: true, staticDir: pagesDir });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  for (const p of pages.splice(0)) await p.close().catch(() => undefined);
});

type Tab = { page: Page; call<T>(f: string, ...args: unknown[]): Promise<T> };

async function openTab(userID: string, more: Record<string, unknown> = {}): Promise<Tab> {
  const page = await browser.context.newPage();
  pages.push(page);
  page.on('pageerror', (e) => browser.problems.push(`pageerror: ${e.message}`));
  await page.goto(`${server.url}/tab.html`);
  await page.waitForFunction(() => 'tab' in window);
  const call = <T,>(f: string, ...args: unknown[]): Promise<T> =>
    page.evaluate(([f, args]) => (window as unknown as { tab: Record<string, (...a: unknown[]) => unknown> }).tab[f as string]!(...(args as unknown[])), [f, args] as const) as Promise<T>;
  await call('start', userID, more);
  return { page, call };
}

const rowOf = (c: Conversation): unknown[] => [c.conversationID, c.isPinned, c.maxSeq, c.hasReadSeq, c.recvMsgOpt, c.latestMsgSendTime, c.showName, ''];

/** The server's list as a tab shows it (JSON of rows, in list order). */
async function serverRows(userID: string): Promise<string> {
  const store = server.state.store;
  const list = await store.get(userID, await store.ids(userID));
  return JSON.stringify(list.sort(compareConversations).map(rowOf));
}

async function sockets(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^convsync_open_sockets (\d+)$/m.exec(text)?.[1] ?? NaN);
}

/** Waits (bounded) for a server-side fact; it has no event. */
async function until(cond: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function changes(userID: string, n: number, tag: string): Promise<void> {
  const token = (await api<{ token: string }>(server.url, '/admin/token', { userID })).token;
  for (let i = 0; i < n; i++) {
    const ids = (await server.state.store.ids(userID)).sort();
    const id = ids[(i * 7) % ids.length]!;
    const user = (path: string, body: object) => api(server.url, path, { userID, ...body }, token);
    switch (i % 5) {
      case 0:
        await api(server.url, '/admin/send_message', { conversationID: id, sendID: peerOf(id, userID) ?? 'peer', text: `${tag} ${i}` });
        break;
      case 1:
        await user('/conversation/set_conversations', { conversation: { conversationID: id, isPinned: i % 2 === 0 } });
        break;
      case 2:
        await user('/conversation/mark_as_read', { conversationID: id, hasReadSeq: 1_000_000 });
        break;
      case 3:
        await api(server.url, '/admin/send_message', { conversationID: `sg_${tag}_${i}`, sendID: userID, text: 'new group' });
        break;
      case 4:
        await user('/conversation/delete_conversations', { conversationIDs: [ids[(i * 13) % ids.length]!] });
        break;
    }
  }
}

async function seeded(count: number): Promise<string> {
  const userID = `tabs${++user}-${Date.now()}`;
  await api(server.url, '/admin/seed', { userID, count, peers: ['peer'] });
  return userID;
}

const leaderOf = async (tabs: Tab[]): Promise<Tab[]> => {
  const out: Tab[] = [];
  for (const t of tabs) if (await t.call<boolean>('leader')) out.push(t);
  return out;
};

it('three tabs: one socket; 300 changes, a log reset and 100 more: every tab shows the server; the leader closes: another leads', async () => {
  const userID = await seeded(2000);
  const tabs = [await openTab(userID), await openTab(userID), await openTab(userID)];
  await tabs[0]!.call('sync');
  await until(async () => (await sockets()) === 1, 'one socket');
  expect(await leaderOf(tabs)).toHaveLength(1);

  await changes(userID, 300, 'a');
  await api(server.url, '/admin/reset_log', { userID });
  await changes(userID, 100, 'b');
  const want = await serverRows(userID);
  await Promise.all(tabs.map((t) => t.call('waitRows', want)));
  expect(await sockets()).toBe(1);

  // the leader's tab closes: another leads at once, one socket again
  const [old] = await leaderOf(tabs);
  const rest = tabs.filter((t) => t !== old);
  const took = Promise.race(rest.map((t) => t.call<number>('waitLeader')));
  const t0 = await rest[0]!.page.evaluate(() => performance.now());
  await old!.page.close();
  const handover = (await took) - t0;
  console.log(`[tabs] handover after the leader's tab closed: ${handover.toFixed(0)} ms`);
  expect(handover).toBeLessThan(2000);
  await until(async () => (await sockets()) === 1, 'one socket after the handover');
  await changes(userID, 50, 'c');
  const want2 = await serverRows(userID);
  await Promise.all(rest.map((t) => t.call('waitRows', want2)));
  expect(browser.problems).toEqual([]);
}, 180_000);

it('a leader that stops answering is replaced within the bound; back, it follows and closes its socket', async () => {
  const userID = await seeded(300);
  const a = await openTab(userID);
  await a.call('waitLeader');
  const b = await openTab(userID);
  await b.call('sync');
  const cdp = await browser.context.newCDPSession(a.page);
  const took = b.call<number>('waitLeader');
  const t0 = await b.page.evaluate(() => performance.now());
  // its main thread stops (as in a frozen tab or one stuck in a long task): nothing of it runs
  await cdp.send('Debugger.enable');
  await cdp.send('Debugger.pause');
  const ms = (await took) - t0;
  console.log(`[tabs] a leader that stopped answering was replaced after ${ms.toFixed(0)} ms`);
  expect(ms).toBeGreaterThan(1000); // it waited for the leader to stay silent
  expect(ms).toBeLessThan(8000);
  await changes(userID, 20, 'f');
  await cdp.send('Debugger.resume');
  // back: its lock was taken, so it follows; what it missed meanwhile is read again
  await a.call('waitLeader', false);
  await until(async () => (await sockets()) === 1, 'one socket once the old leader is back');
  const want = await serverRows(userID);
  await Promise.all([a.call('waitRows', want), b.call('waitRows', want)]);
}, 60_000);

it('a tab opened in the middle of a full sync shows the whole list when it is in', async () => {
  const userID = await seeded(20_000);
  const first = await openTab(userID);
  await first.call('waitStaging');
  const second = await openTab(userID);
  expect(await second.call('leader')).toBe(false);
  const want = await serverRows(userID);
  await Promise.all([first.call('waitRows', want), second.call('waitRows', want)]);
  expect((await first.call<{ errors: object }>('metrics')).errors).toEqual({});
}, 120_000);

it('clear() in one tab: the others stop, show nothing, and the database stays gone through more changes', async () => {
  const userID = await seeded(200);
  const tabs = [await openTab(userID), await openTab(userID), await openTab(userID)];
  await tabs[0]!.call('sync');
  const want = await serverRows(userID);
  await Promise.all(tabs.map((t) => t.call('waitRows', want)));
  const [leader] = await leaderOf(tabs);
  const follower = tabs.find((t) => t !== leader)!;
  const others = tabs.filter((t) => t !== follower);
  const stopped = others.map((t) => t.call<{ error?: { code: string } }>('waitState', 'stopped'));
  const t0 = Date.now();
  await follower.call('clear');
  const states = await Promise.all(stopped);
  const ms = Date.now() - t0;
  for (const st of states) expect(st.error?.code).toBe('DB_DELETED');
  expect(ms).toBeLessThan(1000);
  for (const t of others) expect(await t.call('rows')).toEqual([]);
  await until(async () => (await sockets()) === 0, 'no socket');
  await changes(userID, 30, 'd');
  for (const t of tabs) expect(await t.call<string[]>('databases')).not.toContain(`convsync:${userID}`);
}, 120_000);

it('requests and sockets of 1, 3 and 5 tabs, against as many independent clients', async () => {
  const rows: string[] = [];
  for (const shared of [true, false]) {
    for (const n of [1, 3, 5]) {
      const userID = await seeded(500);
      const tabs: Tab[] = [];
      // before this SDK shared one sync, every tab was a client of its own: its own socket and requests
      for (let i = 0; i < n; i++) tabs.push(await openTab(userID, shared ? {} : { tabs: false, dbName: `alone-${userID}-${i}` }));
      await until(async () => (await sockets()) === (shared ? 1 : n), `${shared ? 1 : n} sockets`);
      const want = await serverRows(userID);
      await Promise.all(tabs.map((t) => t.call('waitRows', want)));
      await changes(userID, 50, 'm');
      const want2 = await serverRows(userID);
      await Promise.all(tabs.map((t) => t.call('waitRows', want2)));
      let used = 0;
      for (const t of tabs) used += (await t.call<{ requests: number }>('metrics')).requests;
      const socks = await sockets();
      rows.push(`${shared ? 'one sync' : 'each tab alone'} · ${n} tab(s): ${socks} socket(s), ${used} requests by the SDK (a cold start of 500 conversations, then 50 changes)`);
      expect(socks).toBe(shared ? 1 : n);
      for (const p of pages.splice(0)) await p.close();
      await until(async () => (await sockets()) === 0, 'sockets closed');
    }
  }
  console.log(`[tabs] ${rows.join('\n[tabs] ')}`);
}, 180_000);

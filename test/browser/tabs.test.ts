/**
 * Several tabs of one user in real Chromium (issue 10): pages of one browser context,
 * each a client of the SDK over the same IndexedDB database, coordinated by Web Locks
 * and BroadcastChannel. Also measures the handover time and the requests and sockets of
 * N tabs, against N independent clients (`tabs: false`, as before).
 */
import { expect, it } from 'vitest';
import { api, until } from './harness.js';
import { tabPageSuite, type Tab } from './tab-page.js';

const suite = tabPageSuite();
const seeded = (count: number): Promise<string> => suite.seeded(count, 'tabs');
const changes = (userID: string, n: number, tag: string): Promise<void> => suite.changes(userID, n, tag);
/** The server's list as a tab shows it (JSON of rows, in list order). */
const serverRows = async (userID: string): Promise<string> => (await suite.head(userID)).rows;

async function openTab(userID: string, more: Record<string, unknown> = {}): Promise<Tab> {
  const tab = await suite.open();
  await tab.call('start', userID, more);
  return tab;
}

const sockets = (): Promise<number> => suite.sockets();

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
  await api(suite.server.url, '/admin/reset_log', { userID });
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
  expect(suite.browser.problems).toEqual([]);
}, 180_000);

it('a leader that stops answering is replaced within the bound; back, it follows and closes its socket', async () => {
  const userID = await seeded(300);
  const a = await openTab(userID);
  await a.call('waitLeader');
  const b = await openTab(userID);
  await b.call('sync');
  const cdp = await suite.browser.context.newCDPSession(a.page);
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
      await suite.closePages();
      await until(async () => (await sockets()) === 0, 'sockets closed');
    }
  }
  console.log(`[tabs] ${rows.join('\n[tabs] ')}`);
}, 180_000);

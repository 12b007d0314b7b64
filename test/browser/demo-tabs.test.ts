/**
 * The demo page open in two real tabs (two pages of one browser context): each device
 * has one database, which its two tabs share, so the SDK gives each device one sync led
 * by one tab. The steps build on each other, as a person would click through them.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { senderFor } from '../../demo/src/api.js';
import { launch, type Browser } from '../../support/chromium.js';
import {
  api,
  data,
  device,
  logCount,
  onServer,
  openDemo,
  openSockets,
  rowIDs,
  screenshot,
  select,
  serverList,
  startServer,
  until,
  waitData,
  waitPinned,
  waitLog,
  waitRows,
  type DemoServer,
} from './harness.js';

const USER = 'carol';
const SEEDED = 40;

let server: DemoServer;
let browser: Browser;
let tab1: Page;
let tab2: Page;

beforeAll(async () => {
  server = await startServer();
  browser = await launch();
  await api(server.url, '/admin/seed', { userID: USER, count: SEEDED });
  tab1 = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const both = ['A', 'B'] as const;
const sockets = () => openSockets(server.url);

/** A message from the server to a conversation; resolves once `pages` show it on device A. */
async function message(pages: Page[], id: string, text: string): Promise<void> {
  const shown = pages.map((p) =>
    p.waitForFunction(
      ([cid, t]) =>
        (document.querySelector(`[data-testid="device-A"] [data-testid="row"][data-id="${cid}"] [data-testid="row-preview"]`)?.textContent ?? '').includes(t),
      [id, text] as const,
      { timeout: 10_000 },
    ),
  );
  await api(server.url, '/admin/send_message', { conversationID: id, sendID: senderFor(id, USER), text });
  await Promise.all(shown);
}

describe('the demo in two tabs', () => {
  it('the first tab leads both devices: one socket each', async () => {
    await openDemo(tab1, server.url, USER);
    for (const name of both) {
      await waitRows(tab1, name, SEEDED);
      await waitData(tab1, name, 'leader', 'true');
      await waitData(tab1, name, 'connected', 'true');
    }
    await until(async () => (await sockets()) === 2, 'a socket per device');
  });

  it('a second tab follows for both devices, shows the same list and status, and opens no socket', async () => {
    tab2 = await browser.context.newPage();
    tab2.on('pageerror', (e) => browser.problems.push(`pageerror: ${e.message}`));
    await openDemo(tab2, server.url, USER);
    for (const name of both) {
      await waitRows(tab2, name, SEEDED);
      expect(await rowIDs(tab2, name)).toEqual(await rowIDs(tab1, name));
      // the leader's status, told to the follower
      await waitData(tab2, name, 'connected', 'true');
      await waitData(tab2, name, 'hasSynced', 'true');
      expect(await data(tab2, name, 'leader')).toBe('false');
      expect(await device(tab2, name).locator('[data-testid="status-leader"]').textContent()).toBe('follows another tab');
      expect(await data(tab1, name, 'leader')).toBe('true');
    }
    // A server change reaches both tabs; by then a socket of the second tab would be counted.
    const ids = await rowIDs(tab1, 'A');
    await message([tab1, tab2], ids[ids.length - 1]!, `to both tabs ${Date.now()}`);
    expect(await sockets()).toBe(2);
    // The follower makes no requests of its own: the leader syncs for it.
    for (const name of both) expect(await device(tab2, name).locator('[data-testid="metrics"]').textContent()).toMatch(/^0 requests/);
  });

  it('a pin from the follower tab is sent by the leader and shows in both tabs and on device B', async () => {
    const ids = await rowIDs(tab2, 'A');
    const target = ids[ids.length - 1]!;
    const acks = await logCount(tab2, 'A', 'ack');
    await select(tab2, 'A', target);
    await device(tab2, 'A').locator('[data-testid="pin"]').click();
    for (const page of [tab1, tab2]) for (const name of both) await waitPinned(page, name, target);
    // the answer settles the call in the tab that made it, whichever tab sent it
    await waitLog(tab2, 'A', 'ack', acks);
    for (const page of [tab1, tab2]) await waitData(page, 'A', 'pending', '0');
    expect(await rowIDs(tab2, 'A')).toEqual((await serverList(server.url, USER)).ids);
    expect(await rowIDs(tab1, 'A')).toEqual(await rowIDs(tab2, 'A'));
  });

  it('offline in the follower tab cuts only that tab: the leader keeps the device live and sends its writes', async () => {
    const A2 = device(tab2, 'A');
    await A2.locator('[data-testid="toggle-online"]').click();
    await waitData(tab2, 'A', 'online', 'false');
    expect(await A2.locator('[data-testid="net-note"]').textContent()).toContain('Offline in this tab only');
    expect(await data(tab1, 'A', 'online')).toBe('true');
    // A write from the offline follower goes out through the leader at once.
    const ids = await rowIDs(tab2, 'A');
    const target = ids[ids.length - 1]!;
    await select(tab2, 'A', target);
    await A2.locator('[data-testid="pin"]').click();
    await until(async () => (await onServer(server, USER, target))?.isPinned === true, 'the pin on the server');
    await waitData(tab2, 'A', 'pending', '0');
    // And server changes still show in this tab.
    await message([tab1, tab2], ids[ids.length - 2]!, `while this tab is offline ${Date.now()}`);
    await A2.locator('[data-testid="toggle-online"]').click();
    await waitData(tab2, 'A', 'online', 'true');
  });

  it('offline in the leader tab takes the device offline in both tabs; back online, both are live again', async () => {
    await device(tab1, 'A').locator('[data-testid="toggle-online"]').click();
    expect(await device(tab1, 'A').locator('[data-testid="net-note"]').textContent()).toContain('This tab leads this device');
    // the leader's socket closed: the follower hears it in the leader's status
    await waitData(tab2, 'A', 'connected', 'false');
    await device(tab1, 'A').locator('[data-testid="toggle-online"]').click();
    // the socket comes back on the SDK's reconnect backoff
    await waitData(tab2, 'A', 'connected', 'true', 20_000);
    await waitData(tab1, 'A', 'connected', 'true');
    await until(async () => (await sockets()) === 2, 'a socket per device again');
  });

  it('clear local data in one tab logs the device out in the other; reload brings it back as a follower', async () => {
    const clears = await logCount(tab2, 'B', 'clear');
    await device(tab2, 'B').locator('[data-testid="clear"]').click();
    // tab 1's device B stops: its database is gone (a logout)
    await waitData(tab1, 'B', 'state', 'stopped');
    await waitLog(tab1, 'B', 'stopped', 0);
    expect(await device(tab1, 'B').locator('[data-testid="status-error"]').textContent()).toContain('DB_DELETED');
    // tab 2's device B starts over on a new database and leads it
    await waitLog(tab2, 'B', 'clear', clears + 1);
    await waitData(tab2, 'B', 'leader', 'true');
    await waitData(tab2, 'B', 'hasSynced', 'true', 15_000);
    await waitRows(tab2, 'B', SEEDED);
    await device(tab1, 'B').locator('[data-testid="reload"]').click();
    await waitData(tab1, 'B', 'state', 'idle');
    await waitRows(tab1, 'B', SEEDED);
    expect(await data(tab1, 'B', 'leader')).toBe('false');
    expect(await rowIDs(tab1, 'B')).toEqual(await rowIDs(tab2, 'B'));
    await until(async () => (await sockets()) === 2, 'a socket per device after the logout');
  });

  it('closing the leader tab hands device A over to the other tab', async () => {
    expect(await data(tab1, 'A', 'leader')).toBe('true');
    const leads = await logCount(tab2, 'A', 'leader');
    await tab1.close();
    await waitData(tab2, 'A', 'leader', 'true');
    await waitLog(tab2, 'A', 'leader', leads);
    await waitData(tab2, 'A', 'connected', 'true', 15_000);
    await until(async () => (await sockets()) === 2, 'a socket per device after the handover');
    // the new leader's socket brings server changes
    const ids = await rowIDs(tab2, 'A');
    await message([tab2], ids[ids.length - 1]!, `after the handover ${Date.now()}`);
    expect(await rowIDs(tab2, 'A')).toEqual((await serverList(server.url, USER)).ids);
    for (const name of both) expect(await data(tab2, name, 'leader')).toBe('true');
    await tab2.$$eval('[data-testid="list"]', (lists) => lists.forEach((l) => l.scrollTo(0, 0)));
    await screenshot(tab2, 'demo-tabs.png');
    expect(browser.problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
  });
});

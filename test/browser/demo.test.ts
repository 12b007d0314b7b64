/**
 * The demo page in real Chromium: two devices of one user, each a real SDK instance
 * on its own IndexedDB database, against the real server started in-process.
 * The tests run in order and share one page: each step builds on the state the
 * previous one left, the way a person would click through the demo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, type Browser } from '../../support/chromium.js';
import { api, clickServer, device, openDemo, rowIDs, screenshot, serverOutcome, startServer, waitFirst, waitRows, type DemoServer } from './harness.js';

const USER = 'alice';
const SEEDED = 60;

let server: DemoServer;
let browser: Browser;
let serverStopped = false;

beforeAll(async () => {
  server = await startServer();
  browser = await launch();
  await openDemo(browser.page, server.url, USER);
});

afterAll(async () => {
  await browser?.close();
  if (server && !serverStopped) await server.close();
});

/** The server's own order of the user's list (SPEC §1.2), for comparison. */
async function serverOrder(): Promise<string[]> {
  const { token } = await api<{ token: string }>(server.url, '/admin/token', { userID: USER });
  const data = await api<{ conversationElems: Array<{ conversationID: string }> | null }>(
    server.url,
    '/conversation/get_sorted_conversation_list',
    { userID: USER, pagination: { pageNumber: 1, showNumber: 1000 } },
    token,
  );
  return (data.conversationElems ?? []).map((c) => c.conversationID);
}

async function select(name: 'A' | 'B', id: string): Promise<void> {
  await device(browser.page, name).locator(`[data-testid="row"][data-id="${id}"]`).click();
  await browser.page.waitForFunction((x) => document.querySelector('[data-testid="selected-id"]')?.textContent === x, id, { timeout: 2_000 });
}

describe('demo page in Chromium', () => {
  it('both devices paint the seeded list, in the server’s order', async () => {
    const { page } = browser;
    await page.fill('[data-testid="seed-count"]', String(SEEDED));
    await clickServer(page, 'seed');
    await serverOutcome(page);
    await waitRows(page, 'A', SEEDED);
    await waitRows(page, 'B', SEEDED);

    const expected = await serverOrder();
    expect(expected).toHaveLength(SEEDED);
    expect(await rowIDs(page, 'A')).toEqual(expected);
    expect(await rowIDs(page, 'B')).toEqual(expected);

    // The seed pins ~1% at random. The later steps want a list with no pin to begin
    // with, so unpin those on the server (the devices follow through sync).
    const { token } = await api<{ token: string }>(server.url, '/admin/token', { userID: USER });
    const pinned = await page.$$eval('[data-testid="device-A"] [data-testid="row"]:has([data-testid="row-pin"])', (rows) =>
      rows.map((r) => (r as HTMLElement).dataset['id'] ?? ''),
    );
    for (const id of pinned) {
      await api(server.url, '/conversation/set_conversations', { userID: USER, conversation: { conversationID: id, isPinned: false } }, token);
    }
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="row-pin"]').length === 0, null, { timeout: 5_000 });
    expect(await rowIDs(page, 'A')).toEqual(await serverOrder());

    // Rows carry what a chat list shows: an avatar initial and a name.
    const first = device(page, 'A').locator('[data-testid="row"]').first();
    expect((await first.locator('.avatar').textContent())?.trim()).toMatch(/^\S$/);
    expect((await first.locator('[data-testid="row-name"]').textContent())?.trim()).not.toBe('');
    // And the status line reports the SDK's state and counts.
    await page.waitForFunction(() => document.querySelector('[data-testid="device-A"] [data-testid="status-state"]')?.textContent === 'idle', null, {
      timeout: 5_000,
    });
    expect(await device(page, 'A').locator('[data-testid="metrics"]').textContent()).toMatch(/[1-9]\d* requests/);
    expect(await device(page, 'A').locator('[data-testid="cursor"]').textContent()).not.toBe('—');
    expect(await device(page, 'A').locator('[data-testid="log-entry"]').count()).toBeGreaterThan(0);
  });

  it('a message sent from the server controls appears on both devices within a second', async () => {
    const { page } = browser;
    const ids = await rowIDs(page, 'A');
    const target = ids[ids.length - 1]!;
    await select('A', target);
    const text = `hello ${Date.now()}`;
    await page.fill('[data-testid="send-text"]', text);
    await page.selectOption('[data-testid="send-target"]', 'selected');

    const arrived = (name: 'A' | 'B') =>
      page.waitForFunction(
        ([d, id, t]) => {
          const row = document.querySelector(`[data-testid="device-${d}"] [data-testid="row"]`);
          return row instanceof HTMLElement && row.dataset['id'] === id && (row.querySelector('[data-testid="row-preview"]')?.textContent ?? '').includes(t);
        },
        [name, target, text] as const,
        { timeout: 1_000 },
      );
    const both = Promise.all([arrived('A'), arrived('B')]);
    await clickServer(page, 'send');
    await both;
    await serverOutcome(page);
    // The new message is unread on both devices.
    for (const name of ['A', 'B'] as const) {
      const row = device(page, name).locator(`[data-testid="row"][data-id="${target}"]`);
      expect(Number(await row.locator('[data-testid="row-unread"]').textContent())).toBeGreaterThan(0);
      expect(Number(await device(page, name).locator('[data-testid="total-unread"]').textContent())).toBeGreaterThan(0);
    }
  });

  it('a pin on device A moves the conversation to the top on device B', async () => {
    const { page } = browser;
    const ids = await rowIDs(page, 'B');
    const target = ids[ids.length - 1]!;
    expect(ids[0]).not.toBe(target);
    await select('A', target);
    await device(page, 'A').locator('[data-testid="pin"]').click();
    await waitFirst(page, 'B', target);
    await waitFirst(page, 'A', target);
    await expect.poll(() => device(page, 'B').locator(`[data-testid="row"][data-id="${target}"] [data-testid="row-pin"]`).count()).toBe(1);
    expect(await device(page, 'B').getAttribute('data-rows')).toBe(String(SEEDED));
  });

  it('offline → server changes → online catches up', async () => {
    const { page } = browser;
    const B = device(page, 'B');
    await B.locator('[data-testid="toggle-online"]').click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="device-B"]')?.dataset['online'] === 'false');

    const before = await rowIDs(page, 'B');
    // Change 1: a message to a conversation low in the list (server controls).
    const messaged = before[before.length - 2]!;
    await select('A', messaged);
    const text = `while B was away ${Date.now()}`;
    await page.fill('[data-testid="send-text"]', text);
    await page.selectOption('[data-testid="send-target"]', 'selected');
    await clickServer(page, 'send');
    await serverOutcome(page);
    // Change 2: a delete made on device A.
    const deleted = before[before.length - 1]!;
    expect(deleted).not.toBe(messaged);
    await select('A', deleted);
    await device(page, 'A').locator('[data-testid="delete"]').click();
    await waitRows(page, 'A', SEEDED - 1);
    // Device A (online) moved the messaged conversation up, under the pinned one.
    await page.waitForFunction(
      (id) => [...document.querySelectorAll<HTMLElement>('[data-testid="device-A"] [data-testid="row"]')].slice(0, 2).some((r) => r.dataset['id'] === id),
      messaged,
      { timeout: 5_000 },
    );
    // Device B, offline, still shows the old list.
    expect(await rowIDs(page, 'B')).toEqual(before);

    await B.locator('[data-testid="toggle-online"]').click();
    await waitRows(page, 'B', SEEDED - 1);
    await page.waitForFunction(
      ([id, t]) => {
        const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="device-B"] [data-testid="row"]')];
        const row = rows.find((r) => r.dataset['id'] === id);
        return row !== undefined && (row.querySelector('[data-testid="row-preview"]')?.textContent ?? '').includes(t);
      },
      [messaged, text] as const,
      { timeout: 10_000 },
    );
    expect(await rowIDs(page, 'B')).toEqual(await rowIDs(page, 'A'));
    expect(await rowIDs(page, 'B')).not.toContain(deleted);
  });

  it('a draft stays local, shows its marker and survives a sync', async () => {
    const { page } = browser;
    const A = device(page, 'A');
    const ids = await rowIDs(page, 'A');
    const target = ids[ids.length - 1]!;
    await select('A', target);
    await A.locator('[data-testid="draft-input"]').fill('half-written reply');
    await A.locator('[data-testid="set-draft"]').click();
    const hasDraft = (name: 'A' | 'B') =>
      device(page, name).locator(`[data-testid="row"][data-id="${target}"] [data-testid="row-draft"]`).count();
    await expect.poll(() => hasDraft('A'), { timeout: 5_000 }).toBe(1);
    // The draft is newer than any message: the conversation moves up (under the pin).
    expect((await rowIDs(page, 'A')).indexOf(target)).toBeLessThanOrEqual(1);
    // Device B does not see device A's draft.
    expect(await hasDraft('B')).toBe(0);

    // A message into that conversation syncs the record on both devices; A keeps its draft.
    const text = `reply to the draft ${Date.now()}`;
    await page.fill('[data-testid="send-text"]', text);
    await page.selectOption('[data-testid="send-target"]', 'selected');
    await clickServer(page, 'send');
    await serverOutcome(page);
    const previewOf = (name: 'A' | 'B') =>
      device(page, name).locator(`[data-testid="row"][data-id="${target}"] [data-testid="row-preview"]`).textContent();
    await expect.poll(() => previewOf('B'), { timeout: 5_000 }).toContain(text);
    await expect
      .poll(() => device(page, 'A').locator(`[data-testid="row"][data-id="${target}"] [data-testid="row-unread"]`).count(), { timeout: 5_000 })
      .toBe(1);
    expect(await hasDraft('A')).toBe(1);
    expect(await previewOf('A')).toContain('half-written reply');
  });

  it('clear local data empties a device, which then re-syncs in full', async () => {
    const { page } = browser;
    const B = device(page, 'B');
    const before = await rowIDs(page, 'B');
    await B.locator('[data-testid="clear"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="device-B"] [data-testid="log-entry"][data-kind="clear"]') !== null);
    await waitRows(page, 'B', before.length);
    expect(await rowIDs(page, 'B')).toEqual(before);
    await expect.poll(() => B.locator('[data-testid="log-entry"][data-kind="full"]').count()).toBeGreaterThan(0);
  });

  it('is usable from the keyboard: arrow keys move through a list, Enter selects', async () => {
    const { page } = browser;
    const ids = await rowIDs(page, 'B');
    await device(page, 'B').locator('[data-testid="row"]').first().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction((x) => document.querySelector('[data-testid="selected-id"]')?.textContent === x, ids[2]!, { timeout: 2_000 });
    expect(await device(page, 'B').locator(`[data-testid="row"][data-id="${ids[2]}"]`).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('End');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset['id'])).toBe(ids[ids.length - 1]);
  });

  it('a burst of messages converges on both devices to the server’s order', async () => {
    const { page } = browser;
    await page.fill('[data-testid="send-text"]', '');
    await page.selectOption('[data-testid="send-target"]', 'random');
    await page.fill('[data-testid="burst-count"]', '40');
    await clickServer(page, 'burst');
    await serverOutcome(page);
    // Device B holds no draft, so its order is exactly the server's.
    const expected = await serverOrder();
    await expect.poll(() => rowIDs(page, 'B'), { timeout: 10_000 }).toEqual(expected);
    // Device A converges to the same set (its draft may move one row).
    await expect.poll(async () => (await rowIDs(page, 'A')).slice().sort(), { timeout: 10_000 }).toEqual(expected.slice().sort());
  });

  it('reset log → both devices re-sync in full; compact while B is offline → B catches up in full', async () => {
    const { page } = browser;
    const fulls = (name: 'A' | 'B') => device(page, name).locator('[data-testid="log-entry"][data-kind="full"]').count();
    const a0 = await fulls('A');
    const b0 = await fulls('B');
    await clickServer(page, 'reset-log');
    await serverOutcome(page);
    await expect.poll(() => fulls('A'), { timeout: 10_000 }).toBeGreaterThan(a0);
    await expect.poll(() => fulls('B'), { timeout: 10_000 }).toBeGreaterThan(b0);
    expect(await rowIDs(page, 'B')).toEqual(await serverOrder());

    // B goes offline and misses a change; the log is then compacted past B's cursor.
    const B = device(page, 'B');
    await B.locator('[data-testid="toggle-online"]').click();
    const b1 = await fulls('B');
    const ids = await rowIDs(page, 'B');
    const target = ids[ids.length - 1]!;
    await select('A', target);
    const text = `before the compaction ${Date.now()}`;
    await page.fill('[data-testid="send-text"]', text);
    await page.selectOption('[data-testid="send-target"]', 'selected');
    await clickServer(page, 'send');
    await serverOutcome(page);
    await page.fill('[data-testid="compact-version"]', '');
    await clickServer(page, 'compact');
    expect(await serverOutcome(page)).toMatch(/compacted up to version \d+/);
    expect(await rowIDs(page, 'B')).toEqual(ids);

    await B.locator('[data-testid="toggle-online"]').click();
    await expect.poll(() => fulls('B'), { timeout: 10_000 }).toBeGreaterThan(b1);
    await expect.poll(() => rowIDs(page, 'B'), { timeout: 10_000 }).toEqual(await serverOrder());
    expect(await B.locator(`[data-testid="row"][data-id="${target}"] [data-testid="row-preview"]`).textContent()).toContain(text);
  });

  it('reload with the server stopped still shows the cached list', async () => {
    const { page } = browser;
    const cachedA = await rowIDs(page, 'A');
    const cachedB = await rowIDs(page, 'B');
    expect(cachedA.length).toBe(SEEDED - 1);
    await server.close();
    serverStopped = true;

    for (const name of ['A', 'B'] as const) {
      const dev = device(page, name);
      const reloadsBefore = await dev.locator('[data-testid="log-entry"][data-kind="reload"].cache').count();
      await dev.locator('[data-testid="reload"]').click();
      await expect
        .poll(() => dev.locator('[data-testid="log-entry"][data-kind="reload"].cache').count(), { timeout: 10_000 })
        .toBe(reloadsBefore + 1);
      expect(await rowIDs(page, name)).toEqual(name === 'A' ? cachedA : cachedB);
    }
    // Device A's local draft came back from its database too.
    expect(await device(page, 'A').locator('[data-testid="row-draft"]').count()).toBe(1);
    // Lists back at the top for the picture (tests scrolled them while clicking rows).
    await page.$$eval('[data-testid="list"]', (lists) => lists.forEach((l) => l.scrollTo(0, 0)));
    const shot = await screenshot(page, 'demo-final.png');
    expect(shot).toMatch(/demo-final\.png$/);
    expect(browser.problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
  });
});

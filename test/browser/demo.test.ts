/**
 * The demo page in real Chromium: two devices of one user, each a real SDK instance
 * on its own IndexedDB database, against the real server started in-process: the list,
 * and the writes of one device reaching the other. (Offline writes:
 * demo-offline.test.ts; reloads, clear, reset and compaction: demo-reload.test.ts;
 * two tabs: demo-tabs.test.ts.) The tests run in order and share one page: each step
 * builds on the state the previous one left, the way a person would click through it.
 */
import { describe, expect, it } from 'vitest';
import {
  clickServer,
  data,
  demoSuite,
  device,
  logCount,
  onServer,
  row,
  rowIDs,
  seedDemo,
  select,
  sendToSelected,
  serverList,
  serverOutcome,
  waitData,
  waitPinned,
  waitLog,
  waitRows,
} from './harness.js';

const USER = 'alice';
const SEEDED = 60;
/** Conversations the user has: a test deletes one. */
let rows = SEEDED;

/** `suite.order()`: the server's own order of the user's list (SPEC §1.2), for comparison. */
const suite = demoSuite(USER);

describe('demo page in Chromium: the list and the writes', () => {
  it('both devices paint the seeded list, in the server’s order, with its counts and the SDK’s status', async () => {
    const { page } = suite.browser;
    await seedDemo(page, suite.server, USER, SEEDED);
    const expected = await suite.order();
    expect(expected).toHaveLength(SEEDED);
    expect(await rowIDs(page, 'A')).toEqual(expected);
    expect(await rowIDs(page, 'B')).toEqual(expected);

    // Rows carry what a chat list shows: an avatar initial and a name.
    const first = device(page, 'A').locator('[data-testid="row"]').first();
    expect((await first.locator('.avatar').textContent())?.trim()).toMatch(/^\S$/);
    expect((await first.locator('[data-testid="row-name"]').textContent())?.trim()).not.toBe('');
    // The counts come with the rows (watchPage's totals) and match the server's.
    const totals = await serverList(suite.server.url, USER);
    for (const name of ['A', 'B'] as const) {
      await waitData(page, name, 'unread', String(totals.unread));
      expect(await data(page, name, 'count')).toBe(String(SEEDED));
      expect(await device(page, name).locator('[data-testid="row-count"]').textContent()).toBe(`${SEEDED} conversations`);
      expect(await device(page, name).locator('[data-testid="total-unread"]').textContent()).toBe(totals.unread.toLocaleString('en-US'));
    }
    // And the status line reports the SDK's state: each device alone in this browser leads
    // its own sync, holds a live socket, has synced, shows no preview and no pending write.
    await page.waitForFunction(() => document.querySelector('[data-testid="device-A"] [data-testid="status-state"]')?.textContent === 'idle', null, {
      timeout: 5_000,
    });
    for (const name of ['A', 'B'] as const) {
      await waitData(page, name, 'connected', 'true');
      const status = device(page, name).locator('[data-testid="status"]');
      expect(await data(page, name, 'leader')).toBe('true');
      expect(await status.locator('[data-testid="status-leader"]').textContent()).toBe('this tab leads');
      expect(await status.locator('[data-testid="status-connected"]').textContent()).toBe('socket live');
      expect(await data(page, name, 'hasSynced')).toBe('true');
      expect(await status.locator('[data-testid="status-synced"]').textContent()).toBe('synced');
      expect(await data(page, name, 'preview')).toBe('false');
      expect(await status.locator('[data-testid="status-preview"]').isVisible()).toBe(false);
      expect(await status.locator('[data-testid="status-pending"]').textContent()).toBe('0 pending writes');
    }
    expect(await device(page, 'A').locator('[data-testid="metrics"]').textContent()).toMatch(/[1-9]\d* requests/);
    expect(await device(page, 'A').locator('[data-testid="cursor"]').textContent()).not.toBe('—');
    expect(await device(page, 'A').locator('[data-testid="log-entry"]').count()).toBeGreaterThan(0);
  });

  it('a message sent from the server controls appears on both devices within a second', async () => {
    const { page } = suite.browser;
    const ids = await rowIDs(page, 'A');
    const target = ids[ids.length - 1]!;
    await select(page, 'A', target);
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

  it('a pin on device A (through the SDK) moves the conversation up among the pinned on device B', async () => {
    const { page } = suite.browser;
    const ids = await rowIDs(page, 'B');
    const target = ids[ids.length - 1]!;
    expect(ids[0]).not.toBe(target);
    const writes = await logCount(page, 'A', 'write');
    const acks = await logCount(page, 'A', 'ack');
    await select(page, 'A', target);
    await device(page, 'A').locator('[data-testid="pin"]').click();
    await waitPinned(page, 'A', target);
    await waitPinned(page, 'B', target);
    expect(await device(page, 'B').getAttribute('data-rows')).toBe(String(SEEDED));
    // It was a write of device A's SDK instance: queued, then accepted by the server.
    expect(await logCount(page, 'A', 'write')).toBe(writes + 1);
    await waitLog(page, 'A', 'ack', acks);
    expect((await onServer(suite.server, USER, target))?.isPinned).toBe(true);
    await waitData(page, 'A', 'pending', '0');
    expect(await device(page, 'A').locator('[data-testid="pin"]').textContent()).toBe('Unpin');
  });

  it('mute and mark read on device A (through the SDK) reach device B and the server', async () => {
    const { page } = suite.browser;
    // a conversation with unread messages, neither pinned nor muted
    const target = await page.$$eval('[data-testid="device-B"] [data-testid="row"]', (rs) =>
      rs
        .filter((r) => r.querySelector('[data-testid="row-unread"]') && !r.querySelector('[data-testid="row-pin"]') && !r.querySelector('[data-testid="row-muted"]'))
        .map((r) => (r as HTMLElement).dataset['id'] ?? '')
        .pop(),
    );
    expect(target).toBeTruthy();
    const id = target!;
    const unread = Number(await row(page, 'B', id).locator('[data-testid="row-unread"]').textContent());
    expect(unread).toBeGreaterThan(0);
    const totalB = Number(await data(page, 'B', 'unread'));
    await select(page, 'A', id);

    await device(page, 'A').locator('[data-testid="mute"]').click();
    // Device B shows it muted: a grey badge, and its unread leaves the total.
    await expect.poll(() => row(page, 'B', id).locator('[data-testid="row-muted"]').count(), { timeout: 5_000 }).toBe(1);
    expect(await row(page, 'B', id).locator('[data-testid="row-unread"]').getAttribute('class')).toContain('quiet');
    await waitData(page, 'B', 'unread', String(totalB - unread));
    expect((await onServer(suite.server, USER, id))?.recvMsgOpt).toBe(2);
    expect(await device(page, 'A').locator('[data-testid="mute"]').textContent()).toBe('Unmute');

    await device(page, 'A').locator('[data-testid="mark-read"]').click();
    await expect.poll(() => row(page, 'B', id).locator('[data-testid="row-unread"]').count(), { timeout: 5_000 }).toBe(0);
    const rec = await onServer(suite.server, USER, id);
    expect(rec?.hasReadSeq).toBe(rec?.maxSeq);

    // Unmute again: the later tests expect the seeded state of this row.
    await device(page, 'A').locator('[data-testid="mute"]').click();
    await expect.poll(() => row(page, 'B', id).locator('[data-testid="row-muted"]').count(), { timeout: 5_000 }).toBe(0);
    await waitData(page, 'B', 'unread', String(totalB - unread));
  });

  it('offline → server changes → online catches up', async () => {
    const { page } = suite.browser;
    const B = device(page, 'B');
    await B.locator('[data-testid="toggle-online"]').click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="device-B"]')?.dataset['online'] === 'false');

    const before = await rowIDs(page, 'B');
    // Change 1: a message to a conversation low in the list (server controls).
    const messaged = before[before.length - 2]!;
    await select(page, 'A', messaged);
    const text = `while B was away ${Date.now()}`;
    await sendToSelected(page, text);
    // Change 2: a delete made on device A.
    const deleted = before[before.length - 1]!;
    expect(deleted).not.toBe(messaged);
    await select(page, 'A', deleted);
    await device(page, 'A').locator('[data-testid="delete"]').click();
    rows -= 1;
    await waitRows(page, 'A', rows);
    // Device A (online) moved the messaged conversation up, under the pinned one.
    await page.waitForFunction(
      (id) => [...document.querySelectorAll<HTMLElement>('[data-testid="device-A"] [data-testid="row"]')].slice(0, 2).some((r) => r.dataset['id'] === id),
      messaged,
      { timeout: 5_000 },
    );
    // Device B, offline, still shows the old list.
    expect(await rowIDs(page, 'B')).toEqual(before);

    await B.locator('[data-testid="toggle-online"]').click();
    await waitRows(page, 'B', rows);
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

  it('is usable from the keyboard: arrow keys move through a list, Enter selects', async () => {
    const { page } = suite.browser;
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
    const { page } = suite.browser;
    await page.fill('[data-testid="send-text"]', '');
    await page.selectOption('[data-testid="send-target"]', 'random');
    await page.fill('[data-testid="burst-count"]', '40');
    await clickServer(page, 'burst');
    await serverOutcome(page);
    // Neither device holds a draft: both show exactly the server's order.
    const expected = await suite.order();
    await expect.poll(() => rowIDs(page, 'B'), { timeout: 10_000 }).toEqual(expected);
    await expect.poll(() => rowIDs(page, 'A'), { timeout: 10_000 }).toEqual(expected);
    expect(await data(page, 'A', 'unread')).toBe(String((await serverList(suite.server.url, USER)).unread));
  });
});

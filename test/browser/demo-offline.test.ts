/**
 * The demo's writes on an offline device, in real Chromium: shown at once and marked
 * pending, kept through a reload, sent once when the device is back; a write the
 * server refuses is rolled back. One page; the steps build on each other.
 */
import { describe, expect, it } from 'vitest';
import {
  demoSuite,
  device,
  logCount,
  onServer,
  row,
  rowIDs,
  seedDemo,
  select,
  waitData,
  waitPinned,
  waitLog,
  waitRows,
} from './harness.js';

const USER = 'dave';
const SEEDED = 30;
/** Conversations the user has: a test deletes one. */
let rows = SEEDED;

/** `suite.order()`: the server's own order of the user's list (SPEC §1.2), for comparison. */
const suite = demoSuite(USER);

describe('demo page in Chromium: offline writes', () => {
  it('starts from a seeded list with one pin', async () => {
    const { page } = suite.browser;
    await seedDemo(page, suite.server, USER, SEEDED);
    const ids = await rowIDs(page, 'A');
    await select(page, 'A', ids[ids.length - 1]!);
    await device(page, 'A').locator('[data-testid="pin"]').click();
    await waitPinned(page, 'B', ids[ids.length - 1]!);
  });

  it('offline: a pin shows at once as pending, survives a reload, and drains when back online', async () => {
    const { page } = suite.browser;
    const B = device(page, 'B');
    await B.locator('[data-testid="toggle-online"]').click();
    await waitData(page, 'B', 'online', 'false');
    expect(await B.locator('[data-testid="net-note"]').textContent()).toContain('This tab leads this device');
    const ids = await rowIDs(page, 'B');
    const target = ids[ids.length - 1]!;
    await select(page, 'B', target);
    await B.locator('[data-testid="pin"]').click();

    // At once, on the offline device: pinned, moved up under the other pin, marked pending.
    await page.waitForFunction((id) => {
      const r = [...document.querySelectorAll<HTMLElement>('[data-testid="device-B"] [data-testid="row"]')].slice(0, 2).find((x) => x.dataset['id'] === id);
      return r?.querySelector('[data-testid="row-pin"]') && r.querySelector('[data-testid="row-pending"]')?.textContent === 'pending';
    }, target, { timeout: 2_000 });
    await waitData(page, 'B', 'pending', '1');
    expect(await B.locator('[data-testid="status-pending"]').textContent()).toBe('1 pending write');
    // The SDK tried to send it and failed (the marker says why); the server never saw it.
    await page.waitForFunction(
      (id) => (document.querySelector(`[data-testid="device-B"] [data-testid="row"][data-id="${id}"] [data-testid="row-pending"]`)?.getAttribute('title') ?? '').includes('NETWORK'),
      target,
      { timeout: 5_000 },
    );
    expect((await onServer(suite.server, USER, target))?.isPinned).toBe(false);
    expect(await row(page, 'A', target).locator('[data-testid="row-pin"]').count()).toBe(0);

    // Survives a reload of the device (still offline): the outbox is in its database.
    const reloads = await B.locator('[data-testid="log-entry"][data-kind="reload"].cache').count();
    await B.locator('[data-testid="reload"]').click();
    await expect.poll(() => B.locator('[data-testid="log-entry"][data-kind="reload"].cache').count(), { timeout: 10_000 }).toBe(reloads + 1);
    expect(await row(page, 'B', target).locator('[data-testid="row-pending"]').count()).toBe(1);
    expect(await row(page, 'B', target).locator('[data-testid="row-pin"]').count()).toBe(1);
    await waitData(page, 'B', 'pending', '1');

    // Back online: sent once, the queue drains, and device A sees the pin.
    await B.locator('[data-testid="toggle-online"]').click();
    await waitData(page, 'B', 'pending', '0', 15_000);
    expect(await B.locator('[data-testid="row-pending"]').count()).toBe(0);
    await expect.poll(() => row(page, 'A', target).locator('[data-testid="row-pin"]').count(), { timeout: 5_000 }).toBe(1);
    expect((await onServer(suite.server, USER, target))?.isPinned).toBe(true);
    expect(await rowIDs(page, 'A')).toEqual(await rowIDs(page, 'B'));
    expect(await rowIDs(page, 'B')).toEqual(await suite.order());

    // Unpinned again from device A, so the list has one pin, as the later tests expect.
    await select(page, 'A', target);
    await device(page, 'A').locator('[data-testid="pin"]').click();
    await expect.poll(() => row(page, 'B', target).locator('[data-testid="row-pin"]').count(), { timeout: 5_000 }).toBe(0);
  });

  it('a write the server refuses is rolled back, and the log says so', async () => {
    const { page } = suite.browser;
    const B = device(page, 'B');
    const ids = await rowIDs(page, 'B');
    const target = ids[ids.length - 1]!;
    const refused = await logCount(page, 'B', 'refused');
    // B, offline, pins a conversation that device A then deletes on the server.
    await B.locator('[data-testid="toggle-online"]').click();
    await waitData(page, 'B', 'online', 'false');
    await select(page, 'B', target);
    await B.locator('[data-testid="pin"]').click();
    await waitData(page, 'B', 'pending', '1');
    await select(page, 'A', target);
    await device(page, 'A').locator('[data-testid="delete"]').click();
    rows -= 1;
    await waitRows(page, 'A', rows);
    await expect.poll(async () => (await onServer(suite.server, USER, target)) === undefined).toBe(true);

    // Back online the pin is refused (1004: no such conversation): the write leaves the
    // queue, its effect is undone and the log shows the refusal.
    await B.locator('[data-testid="toggle-online"]').click();
    await waitLog(page, 'B', 'refused', refused);
    expect(await B.locator('[data-testid="log-entry"][data-kind="refused"]').first().textContent()).toMatch(/refused by the server .*1004.*rolled back/);
    await waitData(page, 'B', 'pending', '0');
    await waitRows(page, 'B', rows);
    expect(await rowIDs(page, 'B')).toEqual(await suite.order());
    expect(await rowIDs(page, 'B')).not.toContain(target);
  });
});

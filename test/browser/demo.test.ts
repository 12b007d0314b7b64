/**
 * The demo page in real Chromium: two devices of one user, each a real SDK instance
 * on its own IndexedDB database, against the real server started in-process.
 * The tests run in order and share one page: each step builds on the state the
 * previous one left, the way a person would click through the demo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, type Browser } from '../../support/chromium.js';
import {
  api,
  clickServer,
  data,
  demoReady,
  device,
  logCount,
  openDemo,
  rowIDs,
  screenshot,
  serverList,
  serverOutcome,
  startServer,
  waitData,
  waitFirst,
  waitLog,
  waitRows,
  type DeviceName,
  type DemoServer,
} from './harness.js';

const USER = 'alice';
const SEEDED = 60;
/** Conversations the user has: the tests delete some on the way. */
let rows = SEEDED;

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
  return (await serverList(server.url, USER)).ids;
}

/** The user's record on the server. */
async function onServer(id: string): Promise<{ isPinned: boolean; recvMsgOpt: number; maxSeq: number; hasReadSeq: number } | undefined> {
  const [rec] = await server.state.store.get(USER, [id]);
  return rec;
}

const rowOf = (name: DeviceName, id: string) => device(browser.page, name).locator(`[data-testid="row"][data-id="${id}"]`);

async function select(name: DeviceName, id: string): Promise<void> {
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
    // The counts come with the rows (watchPage's totals) and match the server's.
    const totals = await serverList(server.url, USER);
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

  it('a pin on device A (through the SDK) moves the conversation to the top on device B', async () => {
    const { page } = browser;
    const ids = await rowIDs(page, 'B');
    const target = ids[ids.length - 1]!;
    expect(ids[0]).not.toBe(target);
    const writes = await logCount(page, 'A', 'write');
    const acks = await logCount(page, 'A', 'ack');
    await select('A', target);
    await device(page, 'A').locator('[data-testid="pin"]').click();
    await waitFirst(page, 'A', target);
    await waitFirst(page, 'B', target);
    await expect.poll(() => rowOf('B', target).locator('[data-testid="row-pin"]').count()).toBe(1);
    expect(await device(page, 'B').getAttribute('data-rows')).toBe(String(SEEDED));
    // It was a write of device A's SDK instance: queued, then accepted by the server.
    expect(await logCount(page, 'A', 'write')).toBe(writes + 1);
    await waitLog(page, 'A', 'ack', acks);
    expect((await onServer(target))?.isPinned).toBe(true);
    await waitData(page, 'A', 'pending', '0');
    expect(await device(page, 'A').locator('[data-testid="pin"]').textContent()).toBe('Unpin');
  });

  it('mute and mark read on device A (through the SDK) reach device B and the server', async () => {
    const { page } = browser;
    // a conversation with unread messages, neither pinned nor muted
    const target = await page.$$eval('[data-testid="device-B"] [data-testid="row"]', (rs) =>
      rs
        .filter((r) => r.querySelector('[data-testid="row-unread"]') && !r.querySelector('[data-testid="row-pin"]') && !r.querySelector('[data-testid="row-muted"]'))
        .map((r) => (r as HTMLElement).dataset['id'] ?? '')
        .pop(),
    );
    expect(target).toBeTruthy();
    const id = target!;
    const unread = Number(await rowOf('B', id).locator('[data-testid="row-unread"]').textContent());
    expect(unread).toBeGreaterThan(0);
    const totalB = Number(await data(page, 'B', 'unread'));
    await select('A', id);

    await device(page, 'A').locator('[data-testid="mute"]').click();
    // Device B shows it muted: a grey badge, and its unread leaves the total.
    await expect.poll(() => rowOf('B', id).locator('[data-testid="row-muted"]').count(), { timeout: 5_000 }).toBe(1);
    expect(await rowOf('B', id).locator('[data-testid="row-unread"]').getAttribute('class')).toContain('quiet');
    await waitData(page, 'B', 'unread', String(totalB - unread));
    expect((await onServer(id))?.recvMsgOpt).toBe(2);
    expect(await device(page, 'A').locator('[data-testid="mute"]').textContent()).toBe('Unmute');

    await device(page, 'A').locator('[data-testid="mark-read"]').click();
    await expect.poll(() => rowOf('B', id).locator('[data-testid="row-unread"]').count(), { timeout: 5_000 }).toBe(0);
    const rec = await onServer(id);
    expect(rec?.hasReadSeq).toBe(rec?.maxSeq);

    // Unmute again: the later tests expect the seeded state of this row.
    await device(page, 'A').locator('[data-testid="mute"]').click();
    await expect.poll(() => rowOf('B', id).locator('[data-testid="row-muted"]').count(), { timeout: 5_000 }).toBe(0);
    await waitData(page, 'B', 'unread', String(totalB - unread));
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

  it('offline: a pin shows at once as pending, survives a reload, and drains when back online', async () => {
    const { page } = browser;
    const B = device(page, 'B');
    await B.locator('[data-testid="toggle-online"]').click();
    await waitData(page, 'B', 'online', 'false');
    expect(await B.locator('[data-testid="net-note"]').textContent()).toContain('This tab leads this device');
    const ids = await rowIDs(page, 'B');
    const target = ids[ids.length - 1]!;
    await select('B', target);
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
    expect((await onServer(target))?.isPinned).toBe(false);
    expect(await rowOf('A', target).locator('[data-testid="row-pin"]').count()).toBe(0);

    // Survives a reload of the device (still offline): the outbox is in its database.
    const reloads = await B.locator('[data-testid="log-entry"][data-kind="reload"].cache').count();
    await B.locator('[data-testid="reload"]').click();
    await expect.poll(() => B.locator('[data-testid="log-entry"][data-kind="reload"].cache').count(), { timeout: 10_000 }).toBe(reloads + 1);
    expect(await rowOf('B', target).locator('[data-testid="row-pending"]').count()).toBe(1);
    expect(await rowOf('B', target).locator('[data-testid="row-pin"]').count()).toBe(1);
    await waitData(page, 'B', 'pending', '1');

    // Back online: sent once, the queue drains, and device A sees the pin.
    await B.locator('[data-testid="toggle-online"]').click();
    await waitData(page, 'B', 'pending', '0', 15_000);
    expect(await B.locator('[data-testid="row-pending"]').count()).toBe(0);
    await expect.poll(() => rowOf('A', target).locator('[data-testid="row-pin"]').count(), { timeout: 5_000 }).toBe(1);
    expect((await onServer(target))?.isPinned).toBe(true);
    expect(await rowIDs(page, 'A')).toEqual(await rowIDs(page, 'B'));
    expect(await rowIDs(page, 'B')).toEqual(await serverOrder());

    // Unpinned again from device A, so the list has one pin, as the later tests expect.
    await select('A', target);
    await device(page, 'A').locator('[data-testid="pin"]').click();
    await expect.poll(() => rowOf('B', target).locator('[data-testid="row-pin"]').count(), { timeout: 5_000 }).toBe(0);
  });

  it('a write the server refuses is rolled back, and the log says so', async () => {
    const { page } = browser;
    const B = device(page, 'B');
    const ids = await rowIDs(page, 'B');
    const target = ids[ids.length - 1]!;
    const refused = await logCount(page, 'B', 'refused');
    // B, offline, pins a conversation that device A then deletes on the server.
    await B.locator('[data-testid="toggle-online"]').click();
    await waitData(page, 'B', 'online', 'false');
    await select('B', target);
    await B.locator('[data-testid="pin"]').click();
    await waitData(page, 'B', 'pending', '1');
    await select('A', target);
    await device(page, 'A').locator('[data-testid="delete"]').click();
    rows -= 1;
    await waitRows(page, 'A', rows);
    await expect.poll(async () => (await onServer(target)) === undefined).toBe(true);

    // Back online the pin is refused (1004: no such conversation): the write leaves the
    // queue, its effect is undone and the log shows the refusal.
    await B.locator('[data-testid="toggle-online"]').click();
    await waitLog(page, 'B', 'refused', refused);
    expect(await B.locator('[data-testid="log-entry"][data-kind="refused"]').first().textContent()).toMatch(/refused by the server .*1004.*rolled back/);
    await waitData(page, 'B', 'pending', '0');
    await waitRows(page, 'B', rows);
    expect(await rowIDs(page, 'B')).toEqual(await serverOrder());
    expect(await rowIDs(page, 'B')).not.toContain(target);
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
    const fulls = await logCount(page, 'B', 'full');
    const clears = await logCount(page, 'B', 'clear');
    await B.locator('[data-testid="clear"]').click();
    // "database deleted", then the new instance's first frame: an empty database
    await waitLog(page, 'B', 'clear', clears + 1);
    expect(await B.locator('[data-testid="log-entry"][data-kind="clear"]').first().textContent()).toContain('clear: first frame, 0 rows of 0, 0 unread');
    await waitLog(page, 'B', 'full', fulls);
    await waitData(page, 'B', 'preview', 'false');
    await waitRows(page, 'B', before.length);
    expect(await rowIDs(page, 'B')).toEqual(before);
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

  it('counts are right in the first frame after a reload of the page, and of a device', async () => {
    const { page } = browser;
    const totals = await serverList(server.url, USER);
    expect(totals.count).toBe(rows);
    // Every frame the devices paint, recorded from the page's first script on.
    await page.addInitScript(() => {
      type Frame = Record<string, string | undefined>;
      const frames: Frame[] = [];
      (window as unknown as { demoFrames: Frame[] }).demoFrames = frames;
      new MutationObserver((records) => {
        for (const r of records) {
          const el = r.target as HTMLElement;
          frames.push({
            device: el.dataset['testid'],
            frame: el.dataset['frame'],
            count: el.dataset['count'],
            unread: el.dataset['unread'],
            rows: el.dataset['rows'],
            text: el.querySelector('[data-testid="row-count"]')?.textContent ?? undefined,
            badge: el.querySelector('[data-testid="total-unread"]')?.textContent ?? undefined,
          });
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-frame'] });
    });
    type Frame = Record<string, string | undefined>;
    const frames = () => page.evaluate(() => (window as unknown as { demoFrames: Frame[] }).demoFrames);
    const right = {
      count: String(totals.count),
      unread: String(totals.unread),
      rows: String(totals.count),
      text: `${totals.count} conversations`,
      badge: totals.unread.toLocaleString('en-US'),
    };

    await page.reload();
    await demoReady(page);
    for (const name of ['A', 'B'] as const) {
      await page.waitForFunction((d) => (window as unknown as { demoFrames: Frame[] }).demoFrames.some((f) => f['device'] === `device-${d}`), name);
      const first = (await frames()).find((f) => f['device'] === `device-${name}`)!;
      // frame 1: what the observer read is the first frame's, not a later one's
      expect(first).toEqual({ device: `device-${name}`, frame: '1', ...right });
    }

    // "Reload device": a new SDK instance; its first frame is right too (the old one's rows
    // stay on screen until then, so no empty or partial count is ever painted).
    const seen = (await frames()).length;
    const reloads = await logCount(page, 'B', 'reload');
    await device(page, 'B').locator('[data-testid="reload"]').click();
    await waitLog(page, 'B', 'reload', reloads + 1);
    const after = (await frames()).slice(seen).filter((f) => f['device'] === 'device-B');
    expect(after.length).toBeGreaterThan(0);
    const { frame: _f, ...firstAfter } = after[0]!;
    expect(firstAfter).toEqual({ device: 'device-B', ...right });
  });

  it('reset log → both devices re-sync in full; compact while B is offline → B catches up in full', async () => {
    const { page } = browser;
    const fulls = (name: 'A' | 'B') => device(page, name).locator('[data-testid="log-entry"][data-kind="full"]').count();
    const a0 = await fulls('A');
    const b0 = await fulls('B');
    // Every state the progress bars show while active, from now on.
    type Seen = Record<string, string | undefined>;
    await page.evaluate(() => {
      const seen: Record<string, Seen[]> = { A: [], B: [] };
      (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
      for (const name of ['A', 'B'] as const) {
        const el = document.querySelector<HTMLElement>(`[data-testid="device-${name}"] [data-testid="progress"]`)!;
        new MutationObserver(() => {
          if (el.dataset['active'] !== 'true') return;
          seen[name]!.push({ loaded: el.dataset['loaded'], total: el.dataset['total'], value: el.dataset['value'], text: el.textContent ?? '' });
        }).observe(el, { attributes: true, subtree: true, characterData: true, childList: true });
      }
    });
    await clickServer(page, 'reset-log');
    await serverOutcome(page);
    await expect.poll(() => fulls('A'), { timeout: 10_000 }).toBeGreaterThan(a0);
    await expect.poll(() => fulls('B'), { timeout: 10_000 }).toBeGreaterThan(b0);
    expect(await rowIDs(page, 'B')).toEqual(await serverOrder());
    // The bar was determinate: its total is progress$'s (the snapshot's size), no side request.
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: Record<string, Seen[]> }).progressSeen);
    for (const name of ['A', 'B'] as const) {
      expect(seen[name], `device ${name}`).toContainEqual({ loaded: String(rows), total: String(rows), value: '1.0000', text: `Full sync ${rows} / ${rows}` });
    }

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
    expect(cachedA.length).toBe(rows);
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

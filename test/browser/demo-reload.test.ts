/**
 * The demo's devices across reloads and resets, in real Chromium: a draft that stays
 * local, clearing a device, the counts of the first frame after a reload, a reset and a
 * compaction of the log (with the progress bar's total), and a reload with the server
 * stopped. One page; the steps build on each other.
 */
import { describe, expect, it } from 'vitest';
import {
  clickServer,
  demoReady,
  demoSuite,
  device,
  logCount,
  rowIDs,
  screenshot,
  seedDemo,
  select,
  sendToSelected,
  serverList,
  serverOutcome,
  waitData,
  waitLog,
  waitRows,
} from './harness.js';

const USER = 'erin';
const SEEDED = 60;

/** `suite.order()`: the server's own order of the user's list (SPEC §1.2), for comparison. */
const suite = demoSuite(USER);

describe('demo page in Chromium: reloads and resets', () => {
  it('seeds a list', async () => {
    await seedDemo(suite.browser.page, suite.server, USER, SEEDED);
    expect(await rowIDs(suite.browser.page, 'B')).toEqual(await suite.order());
  });

  it('a draft stays local, shows its marker and survives a sync', async () => {
    const { page } = suite.browser;
    const A = device(page, 'A');
    const ids = await rowIDs(page, 'A');
    const target = ids[ids.length - 1]!;
    await select(page, 'A', target);
    await A.locator('[data-testid="draft-input"]').fill('half-written reply');
    await A.locator('[data-testid="set-draft"]').click();
    const hasDraft = (name: 'A' | 'B') =>
      device(page, name).locator(`[data-testid="row"][data-id="${target}"] [data-testid="row-draft"]`).count();
    await expect.poll(() => hasDraft('A'), { timeout: 5_000 }).toBe(1);
    // The draft is newer than any message: the conversation moves to the top.
    expect((await rowIDs(page, 'A')).indexOf(target)).toBe(0);
    // Device B does not see device A's draft.
    expect(await hasDraft('B')).toBe(0);

    // A message into that conversation syncs the record on both devices; A keeps its draft.
    const text = `reply to the draft ${Date.now()}`;
    await sendToSelected(page, text);
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
    const { page } = suite.browser;
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

  it('counts are right in the first frame after a reload of the page, and of a device', async () => {
    const { page } = suite.browser;
    const totals = await serverList(suite.server.url, USER);
    expect(totals.count).toBe(SEEDED);
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
    const { page } = suite.browser;
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
    expect(await rowIDs(page, 'B')).toEqual(await suite.order());
    // The bar was determinate: its total is progress$'s (the snapshot's size), no side request.
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: Record<string, Seen[]> }).progressSeen);
    for (const name of ['A', 'B'] as const) {
      expect(seen[name], `device ${name}`).toContainEqual({ loaded: String(SEEDED), total: String(SEEDED), value: '1.0000', text: `Full sync ${SEEDED} / ${SEEDED}` });
    }

    // B goes offline and misses a change; the log is then compacted past B's cursor.
    const B = device(page, 'B');
    await B.locator('[data-testid="toggle-online"]').click();
    const b1 = await fulls('B');
    const ids = await rowIDs(page, 'B');
    const target = ids[ids.length - 1]!;
    await select(page, 'A', target);
    const text = `before the compaction ${Date.now()}`;
    await sendToSelected(page, text);
    await page.fill('[data-testid="compact-version"]', '');
    await clickServer(page, 'compact');
    expect(await serverOutcome(page)).toMatch(/compacted up to version \d+/);
    expect(await rowIDs(page, 'B')).toEqual(ids);

    await B.locator('[data-testid="toggle-online"]').click();
    await expect.poll(() => fulls('B'), { timeout: 10_000 }).toBeGreaterThan(b1);
    await expect.poll(() => rowIDs(page, 'B'), { timeout: 10_000 }).toEqual(await suite.order());
    expect(await B.locator(`[data-testid="row"][data-id="${target}"] [data-testid="row-preview"]`).textContent()).toContain(text);
  });

  it('reload with the server stopped still shows the cached list', async () => {
    const { page } = suite.browser;
    const cachedA = await rowIDs(page, 'A');
    const cachedB = await rowIDs(page, 'B');
    expect(cachedA.length).toBe(SEEDED);
    await suite.closeServer();

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
    expect(suite.browser.problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
  });
});

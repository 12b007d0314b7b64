/**
 * A 10,000-conversation seed in real Chromium: both devices run a full sync, paging
 * through the snapshot, and the progress bar moves through intermediate values of the
 * total that progress$ reports (the snapshot's size).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launch, type Browser } from '../../support/chromium.js';
import { clickServer, device, openDemo, screenshot, serverOutcome, startServer, waitData, type DemoServer } from './harness.js';

const N = 10_000;
let server: DemoServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launch();
  await openDemo(browser.page, server.url, 'bob');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('a 10,000-conversation seed completes a full sync with the progress bar moving', async () => {
  const { page } = browser;
  // The devices' first sync (of an empty list) is over: what the bars show next is the seed's.
  for (const name of ['A', 'B'] as const) await waitData(page, name, 'hasSynced', 'true');
  // Record every value the progress bars take (attribute changes), from now on.
  await page.evaluate(() => {
    const seen: Record<string, Array<{ loaded: number; value: string; total: string }>> = { A: [], B: [] };
    (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
    for (const name of ['A', 'B'] as const) {
      const el = document.querySelector<HTMLElement>(`[data-testid="device-${name}"] [data-testid="progress"]`)!;
      new MutationObserver(() => {
        if (el.dataset['active'] === 'true') seen[name]!.push({ loaded: Number(el.dataset['loaded'] ?? 0), value: el.dataset['value'] ?? '', total: el.dataset['total'] ?? '' });
      }).observe(el, { attributes: true });
    }
  });
  await page.fill('[data-testid="seed-count"]', String(N));
  await clickServer(page, 'seed');
  // A picture of the bar mid-way (bounded wait: the assertion on values comes below).
  await page
    .waitForFunction(
      (n) => {
        const el = document.querySelector<HTMLElement>('[data-testid="device-A"] [data-testid="progress"]');
        const loaded = Number(el?.dataset['loaded'] ?? 0);
        return el?.dataset['active'] === 'true' && loaded > 0 && loaded < n;
      },
      N,
      { timeout: 30_000, polling: 'raf' },
    )
    .then(() => screenshot(page, 'demo-progress.png'))
    .catch(() => undefined);
  await serverOutcome(page, 60_000);

  for (const name of ['A', 'B'] as const) {
    const dev = device(page, name);
    // A full sync ran and finished on this device.
    await expect.poll(() => dev.locator('[data-testid="log-entry"][data-kind="full"]').count(), { timeout: 45_000 }).toBeGreaterThan(0);
    await page.waitForFunction((d) => document.querySelector<HTMLElement>(`[data-testid="device-${d}"] [data-testid="progress"]`)?.dataset['active'] === 'false', name, {
      timeout: 10_000,
    });
    // The list shows its first page, with more to load.
    await page.waitForFunction((d) => document.querySelector<HTMLElement>(`[data-testid="device-${d}"]`)?.dataset['rows'] === '200', name, { timeout: 10_000 });
    expect(await dev.locator('[data-testid="show-more"]').isVisible()).toBe(true);
    expect(await dev.locator('[data-testid="status-mode"]').textContent()).toMatch(/full|incremental|equal/);
  }
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: Record<string, Array<{ loaded: number; value: string; total: string }>> }).progressSeen);
  for (const name of ['A', 'B'] as const) {
    const values = seen[name] ?? [];
    const intermediate = values.filter((v) => v.loaded > 0 && v.loaded < N);
    expect(intermediate.length, `device ${name} progress values: ${JSON.stringify(values.slice(0, 20))}`).toBeGreaterThan(0);
    // A determinate bar from the first value on: the total is the snapshot's size, and the
    // bar's value is the share staged so far.
    for (const v of values) {
      expect(v.total, `device ${name}: ${JSON.stringify(v)}`).toBe(String(N));
      expect(v.value).toBe((v.loaded / N).toFixed(4));
    }
    expect(await device(page, name).locator('[data-testid="row-count"]').textContent()).toBe(`${N.toLocaleString('en-US')} conversations · showing the first 200`);
  }
  // "Show more" pages further into the list from storage.
  await device(page, 'A').locator('[data-testid="show-more"]').click();
  await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="device-A"]')?.dataset['rows'] === '400', null, { timeout: 5_000 });
  await device(page, 'A').locator('[data-testid="row"]').first().focus();
  await screenshot(page, 'demo-10k.png');
});

it('is readable on a narrow screen: no horizontal scrolling, devices stacked', async () => {
  const { page } = browser;
  await page.setViewportSize({ width: 380, height: 800 });
  await page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth, null, { timeout: 5_000 });
  const a = await device(page, 'A').boundingBox();
  const b = await device(page, 'B').boundingBox();
  expect(a && b && b.y >= a.y + a.height).toBe(true);
  await screenshot(page, 'demo-narrow.png');
});

/**
 * What the browser tests share: the real server in-process and small helpers to read
 * the demo. Chromium itself is launched by support/chromium.ts (Debian's, through
 * playwright-core, never a downloaded browser), shared with the bench.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Conversation } from '../../src/protocol/index.js';
import { createServer } from '../../src/server/index.js';
import { launch, type Browser } from '../../support/chromium.js';
import { postData } from '../../support/http.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const outputDir = join(root, 'test-output');

export type DemoServer = Awaited<ReturnType<typeof createServer>>;

export function startServer(): Promise<DemoServer> {
  return createServer({ port: 0, host: '127.0.0.1', admin: true, staticDir: join(root, 'demo/dist') });
}

/**
 * One server and one browser with the demo open as `userID`, for the tests of one file
 * (started before them, closed after them). `order()` is the server's order of the list.
 */
export function demoSuite(userID: string): { readonly server: DemoServer; readonly browser: Browser; order(): Promise<string[]>; closeServer(): Promise<void> } {
  let server: DemoServer | undefined;
  let browser: Browser | undefined;
  let closed = false;
  const closeServer = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await server?.close();
  };
  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    await openDemo(browser.page, server.url, userID);
  });
  afterAll(async () => {
    await browser?.close();
    await closeServer();
  });
  return {
    closeServer,
    get server() {
      return server!;
    },
    get browser() {
      return browser!;
    },
    order: async () => (await serverList(server!.url, userID)).ids,
  };
}

/** Opens the demo for one user and waits until both devices have booted. */
export async function openDemo(page: Page, url: string, userID: string): Promise<void> {
  await page.goto(`${url}/?user=${encodeURIComponent(userID)}`);
  await demoReady(page);
}

/** Waits until the page (just opened or reloaded) has booted both devices. */
export async function demoReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset['ready'] === 'true' || document.body.dataset['ready'] === 'error', null, {
    timeout: 15_000,
  });
  const ready = await page.evaluate(() => document.body.dataset['ready']);
  if (ready !== 'true') throw new Error(`demo failed to start: ${await page.textContent('[data-testid="server-output"]')}`);
}

export type DeviceName = 'A' | 'B';

export function device(page: Page, name: DeviceName): Locator {
  return page.locator(`[data-testid="device-${name}"]`);
}

/** conversationIDs of the rows a device shows, in order. */
export function rowIDs(page: Page, name: 'A' | 'B'): Promise<string[]> {
  return page.$$eval(`[data-testid="device-${name}"] [data-testid="row"]`, (rows) => rows.map((r) => (r as HTMLElement).dataset['id'] ?? ''));
}

/** Waits until a device shows exactly `n` rows. */
export async function waitRows(page: Page, name: 'A' | 'B', n: number, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    ([d, k]) => document.querySelector<HTMLElement>(`[data-testid="device-${d}"]`)?.dataset['rows'] === String(k),
    [name, n] as const,
    { timeout },
  );
}

/**
 * Waits until a device shows `id` pinned, above every row that is not: where a just-pinned
 * conversation belongs, whether or not the seed pinned others (about 1 row in 100).
 */
export async function waitPinned(page: Page, name: 'A' | 'B', id: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    ([d, x]) => {
      const rows = [...document.querySelectorAll<HTMLElement>(`[data-testid="device-${d}"] [data-testid="row"]`)];
      const at = rows.findIndex((r) => r.dataset['id'] === x);
      return at >= 0 && rows.slice(0, at + 1).every((r) => r.querySelector('[data-testid="row-pin"]') !== null);
    },
    [name, id] as const,
    { timeout },
  );
}

export async function clickServer(page: Page, testid: string): Promise<void> {
  await page.click(`[data-testid="server"] [data-testid="${testid}"]`);
}

/** Waits for the server controls to report the outcome of the last action. */
export async function serverOutcome(page: Page, timeout = 30_000): Promise<string> {
  await page.waitForFunction(
    () => {
      const el = document.querySelector<HTMLElement>('[data-testid="server-output"]');
      return el !== null && el.dataset['kind'] !== 'busy';
    },
    null,
    { timeout },
  );
  const out = page.locator('[data-testid="server-output"]');
  if ((await out.getAttribute('data-kind')) === 'error') throw new Error(`server control failed: ${await out.textContent()}`);
  return (await out.textContent()) ?? '';
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(outputDir, { recursive: true });
  const path = join(outputDir, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A POST to the server from the test (admin or user API), unwrapping the envelope. */
export function api<T>(url: string, path: string, body: unknown, token?: string): Promise<T> {
  return postData<T>(url, path, body, token);
}

/** A data attribute of a device's panel (`rows`, `count`, `unread`, `pending`, `leader`, `online`, …). */
export function data(page: Page, name: DeviceName, key: string): Promise<string | undefined> {
  return page.$eval(`[data-testid="device-${name}"]`, (el, k) => (el as HTMLElement).dataset[k], key);
}

/** Waits until a data attribute of a device's panel has the value. */
export async function waitData(page: Page, name: DeviceName, key: string, value: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    ([d, k, v]) => document.querySelector<HTMLElement>(`[data-testid="device-${d}"]`)?.dataset[k] === v,
    [name, key, value] as const,
    { timeout },
  );
}

/** How many lines of a kind (`full`, `write`, `ack`, `refused`, …) a device's log holds. */
export function logCount(page: Page, name: DeviceName, kind: string): Promise<number> {
  return page.locator(`[data-testid="device-${name}"] [data-testid="log-entry"][data-kind="${kind}"]`).count();
}

/** Waits until a device's log holds more than `n` lines of a kind. */
export async function waitLog(page: Page, name: DeviceName, kind: string, n: number, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    ([d, k, m]) => document.querySelectorAll(`[data-testid="device-${d}"] [data-testid="log-entry"][data-kind="${k}"]`).length > m,
    [name, kind, n] as const,
    { timeout },
  );
}

/** The server's list of a user, in its order (SPEC §1.2), with its totals. */
export async function serverList(url: string, userID: string): Promise<{ ids: string[]; count: number; unread: number }> {
  const { token } = await api<{ token: string }>(url, '/admin/token', { userID });
  const d = await api<{ conversationTotal: number; unreadTotal: number; conversationElems: Array<{ conversationID: string }> | null }>(
    url,
    '/conversation/get_sorted_conversation_list',
    { userID, pagination: { pageNumber: 1, showNumber: 1000 } },
    token,
  );
  return { ids: (d.conversationElems ?? []).map((c) => c.conversationID), count: d.conversationTotal, unread: d.unreadTotal };
}

/** Authenticated sockets the server holds (`convsync_open_sockets` of /metrics). */
export async function openSockets(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^convsync_open_sockets (\d+)$/m.exec(text)?.[1] ?? NaN);
}

/** Waits (bounded) for a fact of the server, which has no event to await. */
export async function until(cond: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A row of a device's list. */
export function row(page: Page, name: DeviceName, id: string): Locator {
  return device(page, name).locator(`[data-testid="row"][data-id="${id}"]`);
}

/** Selects a conversation by clicking its row on a device. */
export async function select(page: Page, name: DeviceName, id: string): Promise<void> {
  await row(page, name, id).click();
  await page.waitForFunction((x) => document.querySelector('[data-testid="selected-id"]')?.textContent === x, id, { timeout: 2_000 });
}

/** Sends a message to the selected conversation with the server controls. */
export async function sendToSelected(page: Page, text: string): Promise<void> {
  await page.fill('[data-testid="send-text"]', text);
  await page.selectOption('[data-testid="send-target"]', 'selected');
  await clickServer(page, 'send');
  await serverOutcome(page);
}

/** The user's record on the server (`undefined`: it has none). */
export async function onServer(server: DemoServer, userID: string, id: string): Promise<Conversation | undefined> {
  const [rec] = await server.state.store.get(userID, [id]);
  return rec;
}

/**
 * Seeds `n` conversations with the server controls and waits until both devices show
 * them. The seed pins about 1% at random; those are unpinned on the server (the devices
 * follow), so the tests start from a list without pins.
 */
export async function seedDemo(page: Page, server: DemoServer, userID: string, n: number): Promise<void> {
  await page.fill('[data-testid="seed-count"]', String(n));
  await clickServer(page, 'seed');
  await serverOutcome(page);
  await waitRows(page, 'A', n);
  await waitRows(page, 'B', n);
  const { token } = await api<{ token: string }>(server.url, '/admin/token', { userID });
  const pinned = await page.$$eval('[data-testid="device-A"] [data-testid="row"]:has([data-testid="row-pin"])', (rows) =>
    rows.map((r) => (r as HTMLElement).dataset['id'] ?? ''),
  );
  for (const id of pinned) {
    await api(server.url, '/conversation/set_conversations', { userID, conversation: { conversationID: id, isPinned: false } }, token);
  }
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="row-pin"]').length === 0, null, { timeout: 5_000 });
}

/**
 * examples/react as a user builds it: the packed tarball installed into a scratch project
 * with `npm install <tarball> react react-dom`, bundled by the example's own build.mjs with esbuild, and
 * served by the reference server to Chromium. The list shows the server's rows and
 * totals; pin, mark-read and scrolling to the end work.
 *
 * No registry is asked and npm's cache is not read (a fresh machine's cache holds the
 * tarballs `npm ci` fetched, not the package documents a version range needs): every
 * package the install needs is packed from the repository's node_modules beside the
 * tarball, and installed from those files with an empty cache.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServer } from '../../src/server/index.js';
import { compareConversations, totalUnreadOf, type Conversation } from '../../src/protocol/index.js';
import { launch, type Browser } from '../../support/chromium.js';
import { api, root, type DemoServer } from './harness.js';

let project = '';
let server: DemoServer;
let browser: Browser;
let page: Page;
/** what `npm install` put into the scratch project */
let installed: string[] = [];

const sh = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_cache: path.join(project, '.npm-cache') } });

/** `names` and everything they depend on, as installed in the repository's node_modules. */
function closure(names: string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  };
  names.forEach(visit);
  return [...seen];
}

/** The package is packed from dist/: built again when a source is newer (or it is missing). */
function ensureBuilt(): void {
  const built = path.join(root, 'dist/react.js');
  const newest = Math.max(...(readdirSync(path.join(root, 'src'), { recursive: true }) as string[]).map((f) => statSync(path.join(root, 'src', f)).mtimeMs));
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  execFileSync(path.join(root, 'node_modules/.bin/rollup'), ['-c', '--silent'], { cwd: root, stdio: 'inherit' });
}

beforeAll(async () => {
  ensureBuilt();
  project = mkdtempSync(path.join(tmpdir(), 'convsync-react-example-'));
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], { cwd: root, encoding: 'utf8' });
  const tarball = (JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string }>)[0]!.filename;
  writeFileSync(path.join(project, 'package.json'), '{"name":"react-example","private":true,"type":"module"}');
  for (const f of ['index.html', 'build.mjs', 'src']) cpSync(path.join(root, 'examples/react', f), path.join(project, f), { recursive: true });
  try {
    const own = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const deps = closure([...Object.keys(own.dependencies), 'react', 'react-dom']);
    const packed = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', ...deps.map((d) => path.join(root, 'node_modules', d))])) as Array<{ filename: string }>;
    sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', `./${tarball}`, ...packed.map((p) => `./${p.filename}`)]);
  } catch (e) {
    throw new Error(`npm install --offline failed: ${(e as { stderr?: string }).stderr ?? e}`);
  }
  installed = readdirSync(path.join(project, 'node_modules')).filter((n) => !n.startsWith('.'));
  // the build tool: the repository's esbuild (after the install, which would prune it)
  symlinkSync(path.join(root, 'node_modules/esbuild'), path.join(project, 'node_modules/esbuild'));
  sh(process.execPath, ['build.mjs']);
  server = await createServer({ port: 0, host: '127.0.0.1', admin: true, staticDir: path.join(project, 'dist') });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

async function serverList(userID: string): Promise<Conversation[]> {
  const store = server.state.store;
  return (await store.get(userID, await store.ids(userID))).sort(compareConversations);
}

/** Waits (bounded) for a server-side fact; it has no event. */
async function until(cond: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const text = (testid: string, want: string | number) =>
  page.waitForFunction(([t, w]) => document.querySelector(`[data-testid="${t}"]`)?.textContent === w, [testid, String(want)] as const, { timeout: 10_000 });
const rowCount = (n: number) => page.waitForFunction((k) => document.querySelectorAll('[data-testid="row"]').length === k, n, { timeout: 10_000 });
const rowIDs = () => page.$$eval('[data-testid="row"]', (rows) => rows.map((r) => (r as HTMLElement).dataset['id']!));

it('installed from the tarball, built with esbuild: the list, its totals and status, pin, mark-read, infinite scroll', async () => {
  // only what a user installs: convsync, its dependencies, react, react-dom (no dexie, no ws)
  expect(installed.sort()).toEqual(['convsync', 'idb', 'react', 'react-dom', 'rxjs', 'scheduler', 'tslib']);
  const userID = `example-${Date.now()}`;
  await api(server.url, '/admin/seed', { userID, count: 50, peers: ['peer'] });
  const list = await serverList(userID);

  page = await browser.context.newPage();
  page.on('console', (m) => m.type() === 'error' && browser.problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => browser.problems.push(`pageerror: ${e.message}`));
  await page.goto(`${server.url}/?user=${encodeURIComponent(userID)}`);
  await rowCount(20);
  await text('total', 50);
  await text('unread', totalUnreadOf(list));
  await text('status', 'idle · live');
  expect(await rowIDs()).toEqual(list.slice(0, 20).map((c) => c.conversationID));

  // pin the 5th row: it moves up at once and the server gets it
  const pin = list.find((c, i) => i >= 4 && !c.isPinned)!;
  await page.click(`[data-id="${pin.conversationID}"] button:has-text("Pin")`);
  await until(async () => (await serverList(userID)).find((c) => c.conversationID === pin.conversationID)!.isPinned, 'the pin on the server');
  await text('status', 'idle · live');
  expect(await rowIDs()).toEqual((await serverList(userID)).slice(0, 20).map((c) => c.conversationID));

  // mark an unread row read: its badge goes, the total follows the server's
  const unread = (await serverList(userID)).slice(0, 20).find((c) => c.maxSeq > c.hasReadSeq && c.recvMsgOpt === 0)!;
  await page.click(`[data-id="${unread.conversationID}"] button:has-text("Mark read")`);
  await page.waitForFunction((id) => document.querySelector(`[data-id="${id}"] .badge`) === null, unread.conversationID, { timeout: 10_000 });
  await until(async () => (await serverList(userID)).find((c) => c.conversationID === unread.conversationID)!.hasReadSeq === unread.maxSeq, 'the read on the server');
  await text('unread', totalUnreadOf(await serverList(userID)));

  // scroll to the end of the list: 20 more rows, then the last 10
  await page.locator('[data-testid="list"] li:last-child').scrollIntoViewIfNeeded();
  await rowCount(40);
  await page.locator('[data-testid="list"] li:last-child').scrollIntoViewIfNeeded();
  await rowCount(50);
  expect(await rowIDs()).toEqual((await serverList(userID)).map((c) => c.conversationID));
  expect(browser.problems).toEqual([]);
});

/**
 * The test pages (test/browser/pages/: the bare SDK page, the React page) served by a real
 * server, for the tests of one file: open tabs of them, seed users, make mixed server changes, read the server's list
 * as a tab shows it.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { compareConversations, peerOf, type Conversation } from '../../src/protocol/index.js';
import { createServer } from '../../src/server/index.js';
import { launch, type Browser } from '../../support/chromium.js';
import { api, type DemoServer } from './harness.js';
import { pagesDir } from './global-setup.js';

/** Calls `window.tab[f](...args)` in a page. */
export type Call = <T>(f: string, ...args: unknown[]) => Promise<T>;
export type Tab = { page: Page; call: Call };

const rowOf = (c: Conversation): unknown[] => [c.conversationID, c.isPinned, c.maxSeq, c.hasReadSeq, c.recvMsgOpt, c.latestMsgSendTime, c.showName, ''];

export interface TabPageSuite {
  readonly server: DemoServer;
  readonly browser: Browser;
  /** A new page of the one browser context at `path`; its page errors (and console errors, with `console`) go to `browser.problems`; pages close after each test. */
  openPage(path: string, opts?: { console?: boolean }): Promise<Page>;
  /** A new tab of the bare SDK page, loaded. */
  open(): Promise<Tab>;
  /** The server's open sockets (its /metrics). */
  sockets(): Promise<number>;
  /** Closes every page opened so far. */
  closePages(): Promise<void>;
  /** A fresh user with `count` conversations; `tag` names it. */
  seeded(count: number, tag: string): Promise<string>;
  /** The first `limit` rows of the server's sorted list (JSON, as a tab shows them) and the list's total. */
  head(userID: string, limit?: number): Promise<{ rows: string; total: number }>;
  /** `n` mixed changes on the server: messages, pins, reads, new groups, deletes; `stride` picks the targets. */
  changes(userID: string, n: number, tag: string, stride?: number): Promise<void>;
}

export function tabPageSuite(): TabPageSuite {
  let server: DemoServer | undefined;
  let browser: Browser | undefined;
  const pages: Page[] = [];
  let users = 0;
  beforeAll(async () => {
    server = await createServer({ port: 0, host: '127.0.0.1', admin: true, staticDir: pagesDir });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const closePages = async (): Promise<void> => {
    for (const p of pages.splice(0)) await p.close().catch(() => undefined);
  };
  afterEach(closePages);
  const s = (): DemoServer => server!;

  return {
    get server() {
      return s();
    },
    get browser() {
      return browser!;
    },
    closePages,
    async openPage(path, opts = {}) {
      const b = browser!;
      const page = await b.context.newPage();
      pages.push(page);
      if (opts.console) page.on('console', (m) => m.type() === 'error' && b.problems.push(`console: ${m.text()}`));
      page.on('pageerror', (e) => b.problems.push(`pageerror: ${e.message}`));
      await page.goto(`${s().url}${path}`);
      return page;
    },
    async open() {
      const page = await this.openPage('/tab.html');
      await page.waitForFunction(() => 'tab' in window);
      const call: Call = <T,>(f: string, ...args: unknown[]): Promise<T> =>
        page.evaluate(([f, args]) => (window as unknown as { tab: Record<string, (...a: unknown[]) => unknown> }).tab[f as string]!(...(args as unknown[])), [f, args] as const) as Promise<T>;
      return { page, call };
    },
    async sockets() {
      const text = await (await fetch(`${s().url}/metrics`)).text();
      return Number(/^convsync_open_sockets (\d+)$/m.exec(text)?.[1] ?? NaN);
    },
    async seeded(count, tag) {
      const userID = `${tag}${++users}-${Date.now()}`;
      await api(s().url, '/admin/seed', { userID, count, peers: ['peer'] });
      return userID;
    },
    async head(userID, limit = Infinity) {
      const store = s().state.store;
      const list = (await store.get(userID, await store.ids(userID))).sort(compareConversations);
      return { rows: JSON.stringify(list.slice(0, limit).map(rowOf)), total: list.length };
    },
    async changes(userID, n, tag, stride = 7) {
      const url = s().url;
      const token = (await api<{ token: string }>(url, '/admin/token', { userID })).token;
      const user = (path: string, body: object) => api(url, path, { userID, ...body }, token);
      for (let i = 0; i < n; i++) {
        const ids = (await s().state.store.ids(userID)).sort();
        const id = ids[(i * stride) % ids.length]!;
        if (i % 5 === 0) await api(url, '/admin/send_message', { conversationID: id, sendID: peerOf(id, userID) ?? 'peer', text: `${tag} ${i}` });
        else if (i % 5 === 1) await user('/conversation/set_conversations', { conversation: { conversationID: id, isPinned: i % 2 === 0 } });
        else if (i % 5 === 2) await user('/conversation/mark_as_read', { conversationID: id, hasReadSeq: 1_000_000 });
        else if (i % 5 === 3) await api(url, '/admin/send_message', { conversationID: `sg_${tag}_${i}`, sendID: userID, text: 'new group' });
        else await user('/conversation/delete_conversations', { conversationIDs: [ids[(i * 13) % ids.length]!] });
      }
    },
  };
}

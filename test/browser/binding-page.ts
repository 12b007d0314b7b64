/**
 * The browser tests every binding's page passes (test/browser/pages/react.tsx, vue.ts,
 * svelte.ts), against the real reference server: a live page of 20 rows, a server change
 * renders exactly the row it touched, the unread total is the server's, and unmount /
 * remount leave no subscription of the client and no socket behind. No console errors.
 * A page exposes the same driver as `window.bindingPage`; `renders` counts, per row (and
 * `watched`, the one-conversation view), how often the framework rendered it.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { compareConversations, peerOf, totalUnreadOf, type Conversation } from '../../src/protocol/index.js';
import { api, until } from './harness.js';
import { tabPageSuite } from './tab-page.js';

/** Registers the tests for the page at `/${name}.html`; `mounting` says how the framework mounts (React's StrictMode mounts twice). */
export function bindingPageTests(name: string, mounting: string): void {
  const suite = tabPageSuite();
  let page: Page;

  type Counts = Record<string, number>;
  const call = <T,>(f: string, ...args: unknown[]): Promise<T> =>
    page.evaluate(([f, args]) => (window as unknown as { bindingPage: Record<string, (...a: unknown[]) => unknown> }).bindingPage[f as string]!(...(args as unknown[])), [f, args] as const) as Promise<T>;

  async function serverList(userID: string): Promise<Conversation[]> {
    const store = suite.server.state.store;
    return (await store.get(userID, await store.ids(userID))).sort(compareConversations);
  }

  /** Waits until the page's section shows `attr` = `value`. */
  const shows = (attr: string, value: string | number) =>
    page.waitForFunction(([a, v]) => document.querySelector<HTMLElement>('[data-testid="page"]')?.getAttribute(a) === v, [attr, String(value)] as const, { timeout: 10_000 });
  const rowShows = (id: string, attr: string, value: string | number) =>
    page.waitForFunction(([i, a, v]) => document.querySelector(`[data-testid="row"][data-id="${i}"]`)?.getAttribute(a) === v, [id, attr, String(value)] as const, { timeout: 10_000 });

  async function open(count: number): Promise<{ userID: string; token: string; list: Conversation[] }> {
    const userID = await suite.seeded(count, name);
    const token = (await api<{ token: string }>(suite.server.url, '/admin/token', { userID })).token;
    const list = await serverList(userID);
    suite.browser.problems.length = 0;
    page = await suite.openPage(`/${name}.html`, { console: true });
    await page.waitForFunction(() => 'bindingPage' in window);
    // watch the 11th row with useConversation
    await call('start', userID, list[10]!.conversationID, 20);
    return { userID, token, list };
  }

  const changed = (before: Counts, after: Counts): string[] => Object.keys(after).filter((k) => after[k] !== before[k]).sort();

  it("a live page of 20 rows; a server change renders exactly its row; the unread total is the server's", async () => {
    const { userID, token, list } = await open(60);
    await shows('data-rows', 20);
    await shows('data-total', 60);
    expect(await call<string[]>('rowIDs')).toEqual(list.slice(0, 20).map((c) => c.conversationID));
    await shows('data-unread', totalUnreadOf(list));
    await shows('data-page-unread', totalUnreadOf(list));
    expect(await call('windows')).toEqual({ made: 1, setLimits: [] });
    // the one conversation reads its record after the first full sync: let that read land first
    const watched = list[10]!;
    const watchedShows = (n: number) =>
      page.waitForFunction((u) => document.querySelector('[data-testid="watched"]')?.getAttribute('data-unread') === u, String(n), { timeout: 10_000 });
    await watchedShows(watched.maxSeq - watched.hasReadSeq);

    // another device marks an unread row of the page read: the row stays in place
    const target = list.slice(0, 20).find((c, i) => i !== 10 && c.maxSeq > c.hasReadSeq && c.recvMsgOpt === 0)!;
    const before = await call<Counts>('renders');
    await api(suite.server.url, '/conversation/mark_as_read', { userID, conversationID: target.conversationID, hasReadSeq: target.maxSeq }, token);
    await rowShows(target.conversationID, 'data-unread', 0);
    const want = totalUnreadOf(await serverList(userID));
    await shows('data-unread', want);
    await shows('data-page-unread', want);
    expect(changed(before, await call<Counts>('renders'))).toEqual([target.conversationID]);

    // a new message to the watched (11th) row moves it up (first after the pinned ones): only it and the one-conversation view render
    const before2 = await call<Counts>('renders');
    await api(suite.server.url, '/admin/send_message', { conversationID: watched.conversationID, sendID: peerOf(watched.conversationID, userID) ?? 'peer', text: 'to the top' });
    await rowShows(watched.conversationID, 'data-unread', watched.maxSeq - watched.hasReadSeq + 1);
    await watchedShows(watched.maxSeq - watched.hasReadSeq + 1);
    const now = await serverList(userID);
    expect(now.findIndex((c) => c.conversationID === watched.conversationID)).toBeLessThan(10);
    expect(await call<string[]>('rowIDs')).toEqual(now.slice(0, 20).map((c) => c.conversationID));
    expect(changed(before2, await call<Counts>('renders'))).toEqual([watched.conversationID, 'watched']);
    await shows('data-unread', totalUnreadOf(await serverList(userID)));

    // more rows (infinite scroll) and a new `limit` prop: the same window, resized
    await call('more');
    await shows('data-rows', 40);
    await call('setLimitProp', 30);
    await shows('data-rows', 30);
    expect(await call<string[]>('rowIDs')).toEqual((await serverList(userID)).slice(0, 30).map((c) => c.conversationID));
    expect(await call('windows')).toEqual({ made: 1, setLimits: [40, 30] });
    expect((await call<Counts>('active'))['window']).toBe(1);
    expect(suite.browser.problems).toEqual([]);
  });

  it(`unmount and remount (${mounting}) leave no subscription and no socket behind`, async () => {
    const { list } = await open(30);
    await shows('data-rows', 20);
    await shows('data-status', 'idle');
    await until(async () => (await suite.sockets()) === 1, 'the client socket');
    // one subscription each is left, also where StrictMode mounted, unmounted and mounted
    // (status$ twice: the status, and the one conversation reads again when the client starts)
    const one = { status: 2, totalUnread: 1, pendingWrites: 1, changes: 1, window: 1 };
    expect(await call('active')).toEqual(one);

    await call('unmount');
    expect(await call('active')).toEqual({ status: 0, totalUnread: 0, pendingWrites: 0, changes: 0, window: 0 });
    expect(await suite.sockets()).toBe(1); // the app's client runs on: the binding never owned it

    await call('mount');
    await shows('data-rows', 20);
    expect(await call<string[]>('rowIDs')).toEqual(list.slice(0, 20).map((c) => c.conversationID));
    expect(await call('active')).toEqual(one);
    expect(await suite.sockets()).toBe(1);
    expect((await call<{ made: number }>('windows')).made).toBe(2); // one per mounted component instance

    await call('unmount');
    await call('stop');
    expect(await call('active')).toEqual({ status: 0, totalUnread: 0, pendingWrites: 0, changes: 0, window: 0 });
    await until(async () => (await suite.sockets()) === 0, 'no socket');
    expect(suite.browser.problems).toEqual([]);
  });
}

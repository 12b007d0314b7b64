/**
 * A bare page for the browser tests of the SDK itself (no demo around it): one client per
 * page, driven from the test through `window.tab`. Every wait resolves on an SDK event.
 */
import { filter, firstValueFrom } from 'rxjs';
import { createConversationSync, idbStorage, type ConversationSync, type ConversationSyncOptions, type LocalConversation, type SyncStatus } from '../../../src/index.js';
import type { PageView } from '../../../src/client/views/window.js';

/** The fields a test compares (a stable order, whatever the key order of the records). */
export const rowOf = (c: LocalConversation): unknown[] => [c.conversationID, c.isPinned, c.maxSeq, c.hasReadSeq, c.recvMsgOpt, c.latestMsgSendTime, c.showName, c.draftText];

let sync: ConversationSync | null = null;
let list: LocalConversation[] = [];
let page: PageView | null = null;
let pageAt: number | null = null;
let painted: (v: { at: number; rows: unknown[][]; total: number; unreadTotal: number }) => void = () => {};
const firstPaint = new Promise<{ at: number; rows: unknown[][]; total: number; unreadTotal: number }>((r) => (painted = r));
let swapped: (at: number) => void = () => {};
const fullSync = new Promise<number>((r) => (swapped = r));
const longTasks: number[] = [];
let leader = false;
let status: SyncStatus | null = null;
const need = (): ConversationSync => {
  if (!sync) throw new Error('no client yet');
  return sync;
};
const statusOut = (s: SyncStatus) => ({ ...s, error: s.error ? { code: s.error.code, message: s.error.message } : undefined });

const tab = {
  /** Records every long task (PerformanceObserver 'longtask') from now on. */
  watchLongTasks(): void {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
  },
  longTasks: (): number[] => longTasks.slice(),
  /** Subscribes `watchPage({ limit })` before start; the page notes when it first showed its rows. */
  async startWatching(userID: string, limit: number, more: Partial<ConversationSyncOptions> & { dbName?: string; list?: boolean } = {}): Promise<number> {
    const t0 = performance.now();
    await tab.start(userID, more, () => {
      need().progress$.subscribe((p) => p.done && swapped(performance.now()));
      need()
        .watchPage({ limit })
        .subscribe((v) => {
          page = v;
          if (pageAt !== null || v.total === 0 || v.items.length < Math.min(limit, v.total)) return;
          pageAt = performance.now();
          painted({ at: pageAt, rows: v.items.map(rowOf), total: v.total, unreadTotal: v.unreadTotal });
        });
    });
    return t0;
  },
  /** Resolves with the time (ms since navigation) the window first held its rows, and the rows as `rowOf`. */
  waitPage: () => firstPaint,
  pageRows: () => (page ? { rows: page.items.map(rowOf), total: page.total, unreadTotal: page.unreadTotal } : null),
  /** Resolves when a window of that many rows shows exactly `rows` (JSON of `rowOf` rows) and `total`. */
  waitPageRows: async (rows: string, total: number): Promise<void> => {
    const n = (JSON.parse(rows) as unknown[]).length;
    await firstValueFrom(need().watchPage({ limit: n }).pipe(filter((v) => v.total === total && JSON.stringify(v.items.map(rowOf)) === rows)));
  },
  /** Resolves with when the full sync was swapped in (ms since navigation; after `startWatching`). */
  waitFullSync: () => fullSync,
  /** `dbName`: a database of its own (a client that shares nothing with the other tabs); `list: false`: no `conversations$`. */
  async start(userID: string, more: Partial<ConversationSyncOptions> & { dbName?: string; list?: boolean } = {}, before?: () => void): Promise<void> {
    const { dbName, list: withList = true, ...options } = more;
    const base = location.origin;
    const token = async (): Promise<string> => {
      const r = await fetch(`${base}/admin/token`, { method: 'POST', body: JSON.stringify({ userID }) });
      return ((await r.json()) as { data: { token: string } }).data.token;
    };
    sync = createConversationSync({ userID, apiURL: base, wsURL: base.replace(/^http/, 'ws') + '/ws', token, storage: idbStorage(dbName ? { name: dbName } : {}), ...options });
    if (withList) sync.conversations$.subscribe((l) => (list = l));
    sync.leader$.subscribe((l) => (leader = l));
    sync.status$.subscribe((s) => (status = s));
    before?.();
    await sync.start();
  },
  rows: (): unknown[][] => list.map(rowOf),
  leader: (): boolean => leader,
  status: () => status && statusOut(status),
  metrics: () => need().metrics(),
  sync: () => need().sync(),
  stop: () => need().stop(),
  clear: () => need().clear(),
  setDraft: (id: string, text: string) => need().setDraft(id, text).then(() => undefined),
  /** Resolves when this tab leads (or stops leading, with `false`). */
  waitLeader: async (want = true): Promise<number> => (await firstValueFrom(need().leader$.pipe(filter((l) => l === want))), performance.now()),
  /** Resolves when the live list shows exactly `rows` (JSON of `rowOf` rows). */
  waitRows: async (rows: string): Promise<void> => void (await firstValueFrom(need().conversations$.pipe(filter((l) => JSON.stringify(l.map(rowOf)) === rows)))),
  waitState: async (state: string) => statusOut(await firstValueFrom(need().status$.pipe(filter((s) => s.state === state)))),
  /** Resolves once a full sync is under way (records staged, not swapped in yet). */
  waitStaging: async (): Promise<number> => (await firstValueFrom(need().progress$.pipe(filter((p) => p.staged > 0 && !p.done)))).staged,
  databases: async (): Promise<string[]> => (await indexedDB.databases()).map((d) => d.name ?? ''),
};

(window as unknown as { tab: typeof tab }).tab = tab;

/**
 * A bare page for the browser tests of the SDK itself (no demo around it): one client per
 * page, driven from the test through `window.tab`. Every wait resolves on an SDK event.
 */
import { filter, firstValueFrom } from 'rxjs';
import { createConversationSync, idbStorage, type ConversationSync, type ConversationSyncOptions, type LocalConversation, type SyncStatus } from '../../../src/index.js';

/** The fields a test compares (a stable order, whatever the key order of the records). */
export const rowOf = (c: LocalConversation): unknown[] => [c.conversationID, c.isPinned, c.maxSeq, c.hasReadSeq, c.recvMsgOpt, c.latestMsgSendTime, c.showName, c.draftText];

let sync: ConversationSync | null = null;
let list: LocalConversation[] = [];
let leader = false;
let status: SyncStatus | null = null;
const need = (): ConversationSync => {
  if (!sync) throw new Error('no client yet');
  return sync;
};
const statusOut = (s: SyncStatus) => ({ ...s, error: s.error ? { code: s.error.code, message: s.error.message } : undefined });

const tab = {
  /** `dbName`: a database of its own (a client that shares nothing with the other tabs). */
  async start(userID: string, more: Partial<ConversationSyncOptions> & { dbName?: string } = {}): Promise<void> {
    const { dbName, ...options } = more;
    const base = location.origin;
    const token = async (): Promise<string> => {
      const r = await fetch(`${base}/admin/token`, { method: 'POST', body: JSON.stringify({ userID }) });
      return ((await r.json()) as { data: { token: string } }).data.token;
    };
    sync = createConversationSync({ userID, apiURL: base, wsURL: base.replace(/^http/, 'ws') + '/ws', token, storage: idbStorage(dbName ? { name: dbName } : {}), ...options });
    sync.conversations$.subscribe((l) => (list = l));
    sync.leader$.subscribe((l) => (leader = l));
    sync.status$.subscribe((s) => (status = s));
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

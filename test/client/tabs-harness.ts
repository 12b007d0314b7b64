/** Tabs of one user in Node: clients over one database and one in-process tab coordinator. */
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import { memoryTabs, type MemoryTab } from '../../src/client/tabs/memory.js';
import { compareConversations, peerOf, type Conversation } from '../../src/protocol/index.js';
import type { TestServer } from '../helpers/server.js';
import { conv, makeClient, serverList, uniqueName, waitFor, wire, type Client, type ClientOptions, type Kind } from './harness.js';

export const USER = 'u1';

export interface Tab {
  c: Client;
  tab: MemoryTab;
}

/** Tabs of one user: one database name, one coordinator, short leader timeouts. */
export function tabsOf(s: TestServer, clients: Client[], kind: Kind = 'idb', name = uniqueName('tabs'), more: () => ClientOptions = () => ({})) {
  const hub = memoryTabs();
  return (): Tab => {
    const tab = hub.tab();
    const c = makeClient(s, USER, { kind, name, tabs: tab, leaderHeartbeatMs: 40, leaderTimeoutMs: 200, ...more() });
    clients.push(c);
    return { c, tab };
  };
}

/** Two live tabs (each with a `conversations$` subscriber): `a` started first and leads, then `b`. */
export async function leaderAndFollower(open: () => Tab): Promise<[Tab, Tab]> {
  const [a, b] = [open(), open()];
  for (const t of [a, b]) t.c.sync.conversations$.subscribe();
  await a.c.sync.start();
  await waitFor(a.c.sync.leader$, (l) => l);
  await b.c.sync.start();
  return [a, b];
}

/** The server's list as a tab shows it: in list order, wire fields only. */
export async function serverView(s: TestServer): Promise<Conversation[]> {
  return (await serverList(s, USER)).sort((a, b) => compareConversations({ ...a, draftTextTime: 0 }, { ...b, draftTextTime: 0 }));
}

/** Resolves once the tab's live list shows the server's list. */
export async function showsServer(t: Tab, s: TestServer, ms = 10_000): Promise<void> {
  const want = await serverView(s);
  await waitFor(t.c.sync.conversations$, (l) => isDeepStrictEqual(l.map(wire), want), ms).catch(async () => {
    const got = await waitFor(t.c.sync.conversations$, () => true);
    expect(got.map(wire), 'the tab shows the server list').toEqual(want);
  });
}

export const leaders = (ts: Tab[]): Tab[] => ts.filter((t) => t.c.sync.metrics().leader);

/** `n` changes of every kind a user sees: messages, pins, reads, new chats, deletions. */
export async function mixedChanges(s: TestServer, n: number, tag: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    const ids = (await serverList(s, USER)).map((c) => c.conversationID).sort();
    const id = ids[(i * 7) % ids.length]!;
    switch (i % 5) {
      case 0:
        await s.admin('/admin/send_message', { conversationID: id, sendID: peerOf(id, USER) ?? 'u2', text: `${tag} ${i}` });
        break;
      case 1:
        await s.call(USER, '/conversation/set_conversations', { userID: USER, conversation: { conversationID: id, isPinned: i % 2 === 0 } });
        break;
      case 2:
        await s.call(USER, '/conversation/mark_as_read', { userID: USER, conversationID: id, hasReadSeq: 1_000_000 });
        break;
      case 3:
        await s.admin('/admin/upsert', { userID: USER, conversations: [conv(`sg_${tag}_${i}`, USER)] });
        break;
      case 4:
        await s.admin('/admin/delete', { userID: USER, conversationIDs: [ids[(i * 13) % ids.length]!] });
        break;
    }
  }
}


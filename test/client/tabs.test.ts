/**
 * Several tabs of one user (issue 10) in Node: clients over one fake-indexeddb database
 * and one in-process tab coordinator, against the real server over loopback.
 */
import { describe, expect, it } from 'vitest';
import { peerOf, type LocalConversation } from '../../src/protocol/index.js';
import { startServer } from '../helpers/server.js';
import { expectEqualToServer, pinnedOnTop, serverHead, uniqueName, until, waitFor, stopAfterEach } from './harness.js';
import { leaderAndFollower, leaders, mixedChanges, serverView, showsServer, tabsOf, USER } from './tabs-harness.js';

const { servers, clients } = stopAfterEach();

async function seeded(count = 40) {
  const s = await startServer();
  servers.push(s);
  await s.admin('/admin/seed', { userID: USER, count, peers: ['u2'] });
  return s;
}

describe('several tabs of one user', () => {
  it('one leader holds the one socket; every tab shows the server through mixed changes and a log reset', async () => {
    const s = await seeded();
    const open = tabsOf(s, clients);
    const tabs = [open(), open(), open()];
    for (const t of tabs) t.c.sync.conversations$.subscribe();
    await Promise.all(tabs.map((t) => t.c.sync.start()));
    await waitFor(tabs[0]!.c.sync.status$, (st) => st.connected && st.state === 'idle');
    expect(leaders(tabs)).toHaveLength(1);
    await until(() => s.server.connections(USER) === 1, 5000, 'one socket');
    for (const t of tabs) await showsServer(t, s);

    await mixedChanges(s, 60, 'a');
    await s.admin('/admin/reset_log', { userID: USER });
    await mixedChanges(s, 20, 'b');
    const head = await serverHead(s, USER);
    // a follower's sync() is run by the leader and resolves with its result
    const follower = tabs.find((t) => !t.c.sync.metrics().leader)!;
    expect(['equal', 'incremental', 'full']).toContain(await follower.c.sync.sync());
    for (const t of tabs) await showsServer(t, s);
    const leader = leaders(tabs)[0]!;
    expect(leader.c.sync.cursor()).toEqual(head);
    await expectEqualToServer(leader.c, s, USER);
    expect(s.server.connections(USER)).toBe(1);
    // only the leader asked the server
    for (const t of tabs) if (t !== leader) expect(t.c.requests).toEqual([]);
    // the status is the leader's in every tab
    const states = await Promise.all(tabs.map((t) => waitFor(t.c.sync.status$, () => true)));
    for (const st of states) expect({ connected: st.connected, lastSyncAt: st.lastSyncAt }).toEqual({ connected: true, lastSyncAt: states[0]!.lastSyncAt });
  });

  it('a draft set in a follower reaches every tab; changes$ reports it everywhere', async () => {
    const s = await seeded(10);
    const open = tabsOf(s, clients);
    const [a, b] = await leaderAndFollower(open);
    await b.c.sync.sync();
    const id = (await serverView(s))[5]!.conversationID;
    const seenInLeader = waitFor(a.c.sync.changes$, (x) => x.mode === 'local' && x.updated.some((r) => r.conversationID === id));
    const rec = await b.c.sync.setDraft(id, 'typed in tab b');
    expect(rec?.draftText).toBe('typed in tab b');
    await seenInLeader;
    const top = (l: LocalConversation[]) => l[0]?.conversationID === id || l[0]?.isPinned === true;
    await waitFor(a.c.sync.conversations$, (l) => l.find((r) => r.conversationID === id)?.draftText === 'typed in tab b' && top(l));
    // a sync in the leader keeps it
    await s.admin('/admin/send_message', { conversationID: id, sendID: peerOf(id, USER) ?? 'u2', text: 'hello' });
    await waitFor(b.c.sync.conversations$, (l) => l.find((r) => r.conversationID === id)?.latestMsg?.text === 'hello');
    expect((await b.c.sync.get(id))?.draftText).toBe('typed in tab b');
  });

  it('the leader closes or crashes: another tab leads, one socket again, still converging', async () => {
    const s = await seeded();
    const open = tabsOf(s, clients);
    const tabs = [open(), open(), open()];
    for (const t of tabs) t.c.sync.conversations$.subscribe();
    for (const t of tabs) await t.c.sync.start();
    await until(() => s.server.connections(USER) === 1, 5000, 'one socket');
    // closed: the lock is released at once
    const first = leaders(tabs)[0]!;
    const rest = tabs.filter((t) => t !== first);
    const took = Promise.race(rest.map((t) => waitFor(t.c.sync.leader$, (l) => l)));
    await first.c.sync.stop();
    await took;
    await until(() => s.server.connections(USER) === 1, 5000, 'one socket after the handover');
    await mixedChanges(s, 20, 'c');
    for (const t of rest) await showsServer(t, s);
    // crashed: no goodbye, its lock goes with it
    const second = leaders(rest)[0]!;
    const last = rest.find((t) => t !== second)!;
    const took2 = waitFor(last.c.sync.leader$, (l) => l);
    second.tab.crash();
    await second.c.sync.stop();
    await took2;
    await mixedChanges(s, 20, 'd');
    await showsServer(last, s);
    await until(() => s.server.connections(USER) === 1, 5000, 'one socket after the crash');
  });

  it('a frozen leader is replaced; when it thaws it follows, and the stored cursor never went back', async () => {
    const s = await seeded();
    const open = tabsOf(s, clients);
    const [a, b] = await leaderAndFollower(open);
    const cursors: number[] = [];
    await a.c.sync.sync();
    const t0 = Date.now();
    // frozen: its messages and its socket's frames wait (a real frozen tab runs nothing)
    a.tab.freeze();
    const held: string[] = [];
    a.c.taps.pass = (raw) => (held.push(raw), false);
    await waitFor(b.c.sync.leader$, (l) => l, 5000);
    const handover = Date.now() - t0;
    expect(handover).toBeGreaterThan(100); // it waited for the leader to stay silent
    await mixedChanges(s, 15, 'e');
    await b.c.sync.sync();
    cursors.push((await b.c.storage.getCursor())!.version);
    const lost = waitFor(a.c.sync.leader$, (l) => !l);
    a.c.taps.pass = () => true;
    for (const raw of held) a.c.taps.last().inject(raw); // what it missed while frozen, late
    a.tab.thaw();
    await lost;
    await until(() => s.server.connections(USER) === 1, 5000, 'the thawed tab closed its socket');
    await mixedChanges(s, 10, 'f');
    await b.c.sync.sync();
    cursors.push((await a.c.storage.getCursor())!.version);
    expect(cursors[1]).toBeGreaterThanOrEqual(cursors[0]!);
    for (const t of [a, b]) await showsServer(t, s);
  });

  it('a follower writes: shown in every tab at once, sent once by the leader, acknowledged in the follower', async () => {
    const applied = new Map<string, number>();
    const s = await startServer({ onMutation: (e) => !e.repeat && applied.set(e.mutationID, (applied.get(e.mutationID) ?? 0) + 1) });
    servers.push(s);
    await s.admin('/admin/seed', { userID: USER, count: 10, peers: ['u2'] });
    const open = tabsOf(s, clients);
    const [a, b] = await leaderAndFollower(open);
    await b.c.sync.sync();
    const id = (await serverView(s)).at(-1)!.conversationID;
    const inLeader = waitFor(a.c.sync.conversations$, (l) => pinnedOnTop(l, id));
    const w = await b.c.sync.setConversation(id, { isPinned: true });
    await inLeader;
    await waitFor(a.c.sync.pendingWrites$, (p) => p.some((x) => x.mutationID === w.mutationID));
    const ack = await w.acknowledged;
    expect(ack.versionID).toBe((await serverHead(s, USER)).versionID);
    expect(applied.get(w.mutationID)).toBe(1);
    expect(b.c.requests.filter((p) => p.endsWith('/set_conversations'))).toEqual([]); // the follower never sent it
    for (const t of [a, b]) await waitFor(t.c.sync.pendingWrites$, (p) => p.length === 0);
    for (const t of [a, b]) await showsServer(t, s);
  });

  it('clear() in one tab stops every tab: stopped, nothing shown, the database gone for good', async () => {
    const s = await seeded(10);
    const name = uniqueName('tabs-clear');
    const open = tabsOf(s, clients, 'idb', name);
    const tabs = [open(), open(), open()];
    const lists = tabs.map((t) => {
      const seen: LocalConversation[][] = [];
      t.c.sync.conversations$.subscribe((l) => seen.push(l));
      return seen;
    });
    for (const t of tabs) await t.c.sync.start();
    await tabs[0]!.c.sync.sync();
    for (const t of tabs) await showsServer(t, s);
    const follower = tabs.find((t) => !t.c.sync.metrics().leader)!;
    const others = tabs.filter((t) => t !== follower);
    const stopped = others.map((t) => waitFor(t.c.sync.status$, (st) => st.state === 'stopped', 1000));
    await follower.c.sync.clear();
    const states = await Promise.all(stopped);
    for (const st of states) expect(st.error?.code).toBe('DB_DELETED');
    for (const seen of lists) expect(seen.at(-1)).toEqual([]);
    await until(() => s.server.connections(USER) === 0, 5000, 'no socket left');
    // with no socket and no timer, further server changes reach no tab: nothing re-creates the database
    await mixedChanges(s, 10, 'g');
    for (const t of tabs) await expect(t.c.sync.sync()).rejects.toMatchObject({ code: 'STOPPED' });
    const { indexedDB } = globalThis as unknown as { indexedDB: IDBFactory };
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(name);
  });
});

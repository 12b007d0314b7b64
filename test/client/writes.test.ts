/**
 * Offline writes (issue 11): the real client against the real server over loopback.
 * A write shows at once, survives a restart, drains when the network is back, is applied
 * once however often it is retried, and is rolled back when the server refuses it.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/client/kernel/types.js';
import { ConvSyncError, peerOf, type Cursor, type LocalConversation } from '../../src/protocol/index.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { expectEqualToServer, makeClient, serverHead, serverList, startLive, uniqueName, waitFor, type Client, type Kind, stopAfterEach, pinnedOnTop } from './harness.js';

const { servers, clients } = stopAfterEach();
const USER = 'u1';

/** A server that counts how often each mutation ID was applied. */
async function server(): Promise<{ s: TestServer; applied: Map<string, number> }> {
  const applied = new Map<string, number>();
  const s = await startServer({ onMutation: (e) => !e.repeat && applied.set(e.mutationID, (applied.get(e.mutationID) ?? 0) + 1) });
  servers.push(s);
  await s.admin('/admin/seed', { userID: USER, count: 12, peers: ['u2'] });
  return { s, applied };
}

/** A client whose network can be cut: every request fails while `down`. */
function client(s: TestServer, kind: Kind, name = uniqueName('writes')): { c: Client; net: { down: boolean } } {
  const net = { down: false };
  const c = makeClient(s, USER, { kind, name });
  c.craft.fn = () => {
    if (net.down) throw new TypeError('offline');
    return undefined;
  };
  clients.push(c);
  return { c, net };
}

const record = async (s: TestServer, id: string) => (await serverList(s, USER)).find((c) => c.conversationID === id);

describe.each<Kind>(['memory', 'idb'])('offline writes (%s)', (kind) => {
  it('online: shown at once (a pin moves the row), sent once, acknowledged with its version, then it leaves the queue', async () => {
    const { s, applied } = await server();
    const { c } = client(s, kind);
    const lists: LocalConversation[][] = [];
    c.sync.conversations$.subscribe((l) => lists.push(l));
    await startLive(c);
    const id = (await c.sync.getPage({ limit: 50 })).items.filter((x) => !x.isPinned).at(-1)!.conversationID;
    const shown = waitFor(c.sync.changes$, (x) => x.mode === 'local');
    const w = await c.sync.setConversation(id, { isPinned: true });
    expect(pinnedOnTop(lists.at(-1)!, id)).toBe(true); // already on top when the call resolves
    expect((await shown).updated.map((x) => [x.conversationID, x.isPinned])).toEqual([[id, true]]);
    const ack = await w.acknowledged;
    expect((await record(s, id))?.isPinned).toBe(true);
    expect(ack.version).toBeLessThanOrEqual((await serverHead(s, USER)).version);
    await waitFor(c.sync.pendingWrites$, (p) => p.length === 0);
    expect(applied.get(w.mutationID)).toBe(1);
    await expectEqualToServer(c, s, USER);
    expect(pinnedOnTop(lists.at(-1)!, id)).toBe(true); // no flicker back after the answer
  });

  it('offline: writes show at once, survive stop()/start(), and drain exactly once when the network is back', async () => {
    const { s, applied } = await server();
    const name = uniqueName('writes-offline');
    const first = client(s, kind, name);
    await startLive(first.c);
    const ids = (await first.c.sync.getPage({ limit: 3 })).items.map((x) => x.conversationID);
    first.net.down = true;
    const a = await first.c.sync.setConversation(ids[0]!, { recvMsgOpt: 2, ex: 'offline' });
    const b = await first.c.sync.markAsRead(ids[1]!);
    const d = await first.c.sync.deleteConversation(ids[2]!);
    expect(await first.c.sync.get(ids[0]!)).toMatchObject({ recvMsgOpt: 2, ex: 'offline' });
    expect((await first.c.sync.get(ids[1]!))?.unreadCount).toBe(0);
    expect(await first.c.sync.get(ids[2]!)).toBeUndefined();
    const queued = await waitFor(first.c.sync.pendingWrites$, (p) => p.length === 3);
    expect(queued.map((p) => [p.kind, p.conversationID, p.accepted])).toEqual([['set', ids[0], false], ['read', ids[1], false], ['delete', ids[2], false]]);
    expect(await waitFor(first.c.sync.status$, (st) => st.pendingWrites === 3)).toBeTruthy();
    await first.c.sync.stop();
    await expect(a.acknowledged).rejects.toMatchObject({ code: 'STOPPED' });

    // a reload: the queue and its effect are still there, and go out when the network is back
    const second = client(s, kind, name);
    second.net.down = true;
    await second.c.sync.start();
    expect(await second.c.sync.get(ids[0]!)).toMatchObject({ recvMsgOpt: 2, ex: 'offline' });
    expect(await second.c.sync.get(ids[2]!)).toBeUndefined();
    second.net.down = false;
    await second.c.sync.sync();
    await waitFor(second.c.sync.pendingWrites$, (p) => p.length === 0);
    expect(await record(s, ids[0]!)).toMatchObject({ recvMsgOpt: 2, ex: 'offline' });
    expect(await record(s, ids[2]!)).toBeUndefined();
    for (const w of [a, b, d]) expect(applied.get(w.mutationID)).toBe(1);
    await second.c.sync.sync();
    await expectEqualToServer(second.c, s, USER);
  });

  it('an answer lost after the server acted: the retry is answered from memory, applied once', async () => {
    const { s, applied } = await server();
    const { c } = client(s, kind);
    await startLive(c);
    const id = (await c.sync.getPage({ limit: 1 })).items[0]!.conversationID;
    let lost = 0;
    c.craft.fn = async (path, _body, real) => {
      if (path.endsWith('/set_conversations') && lost++ === 0) {
        await real(); // the server applies it; the answer never arrives
        throw new TypeError('connection reset');
      }
      return undefined;
    };
    const w = await c.sync.setConversation(id, { ex: 'once' });
    const ack: Cursor = await w.acknowledged;
    expect(lost).toBe(2);
    expect(applied.get(w.mutationID)).toBe(1);
    expect(ack.versionID).toBe((await serverHead(s, USER)).versionID);
    expect((await record(s, id))?.ex).toBe('once');
  });

  it('refused for good (deleted elsewhere while offline): rolled back, reported, and the queue moves on', async () => {
    const { s } = await server();
    const { c, net } = client(s, kind);
    const changes: ChangeSet[] = [];
    c.sync.changes$.subscribe((x) => changes.push(x));
    await startLive(c);
    const [gone, kept] = (await c.sync.getPage({ limit: 2 })).items.map((x) => x.conversationID);
    net.down = true;
    c.taps.pass = () => false; // fully offline: no frames either
    const refused = await c.sync.setConversation(gone!, { ex: 'too late' });
    const next = await c.sync.setConversation(kept!, { ex: 'fine' });
    await s.admin('/admin/delete', { userID: USER, conversationIDs: [gone] });
    // back, but the writes go out before any sync: the device still shows `gone` when it is refused
    c.craft.fn = (path) => {
      if (path.includes('/get_')) throw new TypeError('not yet');
      return undefined;
    };
    const rolledBack = waitFor(c.sync.changes$, (x) => x.mode === 'rollback');
    net.down = false;
    const err = await refused.acknowledged.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConvSyncError);
    expect((err as ConvSyncError).errCode).toBe(1004);
    expect((await rolledBack).updated.map((r) => [r.conversationID, r.ex])).toEqual([[gone, '']]);
    await next.acknowledged;
    expect((await record(s, kept!))?.ex).toBe('fine');
    expect((await waitFor(c.sync.status$, (st) => st.error?.errCode === 1004)).error?.code).toBe('SERVER');
    c.craft.fn = null;
    c.taps.pass = () => true;
    await c.sync.sync();
    await expectEqualToServer(c, s, USER);
    expect(changes.filter((x) => x.mode === 'rollback')).toHaveLength(1);
  });

  it('a queued read never swallows a later message; a deleted conversation comes back with a new message', async () => {
    const { s } = await server();
    const { c, net } = client(s, kind);
    await startLive(c);
    const [read, del] = (await c.sync.getPage({ limit: 2 })).items.map((x) => x.conversationID);
    const peer = (id: string): string => peerOf(id, USER) ?? 'u2';
    net.down = true;
    const r = await c.sync.markAsRead(read!);
    const d = await c.sync.deleteConversation(del!);
    net.down = false;
    await Promise.all([r.acknowledged, d.acknowledged]);
    await s.admin('/admin/send_message', { conversationID: read, sendID: peer(read!), text: 'after the read' });
    await s.admin('/admin/send_message', { conversationID: del, sendID: peer(del!), text: 'after the delete' });
    await waitFor(c.sync.conversations$, (l) => l.some((x) => x.conversationID === del && x.latestMsg?.text === 'after the delete'));
    await waitFor(c.sync.conversations$, (l) => l.find((x) => x.conversationID === read)?.unreadCount === 1);
    await c.sync.sync();
    await expectEqualToServer(c, s, USER);
  });

  it('two quick writes to one conversation, online: both reach the server (a merge into a write being sent is not lost)', async () => {
    const { s } = await server();
    const { c } = client(s, kind);
    await startLive(c);
    const ids = (await c.sync.getPage({ limit: 8 })).items.map((x) => x.conversationID);
    const acks: Promise<Cursor>[] = [];
    // as an app does it: the second tap right after the first resolved, within one turn
    for (const id of ids) {
      const pin = await c.sync.setConversation(id, { isPinned: true });
      const mute = await c.sync.setConversation(id, { recvMsgOpt: 2 });
      acks.push(pin.acknowledged, mute.acknowledged);
    }
    await Promise.all(acks);
    await waitFor(c.sync.pendingWrites$, (p) => p.length === 0);
    const onServer = await serverList(s, USER);
    for (const id of ids) expect(onServer.find((x) => x.conversationID === id)).toMatchObject({ isPinned: true, recvMsgOpt: 2 });
    await c.sync.sync();
    await expectEqualToServer(c, s, USER);
  });

  it('two writes to one conversation queued offline go out as one request; bad arguments are refused before anything is queued', async () => {
    const { s, applied } = await server();
    const { c, net } = client(s, kind);
    await startLive(c);
    const [id, other] = (await c.sync.getPage({ limit: 2 })).items.map((x) => x.conversationID);
    net.down = true;
    // the first write finds the network down; the ones after it wait for it to come back
    const first = await c.sync.setConversation(other!, { ex: 'first' });
    await waitFor(c.sync.pendingWrites$, (p) => p[0]?.lastError?.code === 'NETWORK');
    const one = await c.sync.setConversation(id!, { isPinned: true });
    const two = await c.sync.setConversation(id!, { ex: 'both' });
    expect((await waitFor(c.sync.pendingWrites$, () => true)).length).toBe(2);
    const n = c.requests.length;
    net.down = false;
    await c.sync.sync(); // back: a sync that works sends what waits
    const [a1, a2] = await Promise.all([one.acknowledged, two.acknowledged]);
    await first.acknowledged;
    expect(a1).toEqual(a2);
    expect(c.requests.slice(n).filter((p) => p.endsWith('/set_conversations'))).toHaveLength(2);
    expect(applied.size).toBe(2);
    expect(await record(s, id!)).toMatchObject({ isPinned: true, ex: 'both' });
    for (const bad of [{}, { isPinned: 'yes' }, { recvMsgOpt: 5 }, { owner: 'x' }]) {
      await expect(c.sync.setConversation(id!, bad as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    await expect(c.sync.markAsRead(id!, -1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(c.sync.setConversation('sg_not_in_the_list', { isPinned: true })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await waitFor(c.sync.pendingWrites$, () => true)).length).toBe(0);
  });

  it('without a socket, an accepted write is brought home by a sync of its own: it does not wait for the poll', async () => {
    const { s } = await server();
    const c = makeClient(s, USER, { kind, socket: false, pollIntervalMs: 600_000 });
    clients.push(c);
    await c.sync.start();
    await c.sync.sync();
    const id = (await c.sync.getPage({ limit: 1 })).items[0]!.conversationID;
    const w = await c.sync.setConversation(id, { ex: 'no socket' });
    const ack = await w.acknowledged;
    // the cursor reaches the write's version and the write leaves the queue, with no call to sync()
    await waitFor(c.sync.pendingWrites$, (p) => p.length === 0);
    expect(c.sync.cursor()!.version).toBeGreaterThanOrEqual(ack.version);
    await expectEqualToServer(c, s, USER);
  });
});

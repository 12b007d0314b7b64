/** Live updates over the socket: pushed deltas, unread frames, gaps, bursts, reconnects, two devices. */
import { describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/client/kernel/types.js';
import { createServer } from '../../src/server/index.js';
import { wrap } from '../helpers/server.js';
import { caughtUp, conv, expectEqualToServer, makeClient, serverHead, startLive, reconnected, type TapSocket, waitFor } from './harness.js';
import { seededServers } from './seeded-server.js';

const { servers, clients, server } = seededServers();

async function setup(count = 20, kind: 'memory' | 'idb' = 'memory') {
  const s = await server(count);
  const c = makeClient(s, 'u1', { kind });
  clients.push(c);
  const changes: ChangeSet[] = [];
  c.sync.changes$.subscribe((x) => changes.push(x));
  await startLive(c);
  await expectEqualToServer(c, s, 'u1');
  return { s, c, changes };
}

const changedFrames = (t: TapSocket) => t.seen.map((r) => JSON.parse(r) as { type: string; version?: number }).filter((f) => f.type === 'conversation.changed');

describe('pushed deltas', () => {
  it('a change of the next version is applied from the frame, with no HTTP request', async () => {
    const { s, c } = await setup();
    const n = c.requests.length;
    const pushed = waitFor(c.sync.changes$, (x) => x.mode === 'pushed');
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_push', 'u1')] });
    const ev = await pushed;
    expect(ev.added.map((x) => x.conversationID)).toEqual(['sg_push']);
    expect(c.requests.length).toBe(n);
    expect(c.sync.metrics().pushedDeltasApplied).toBe(1);
    await expectEqualToServer(c, s, 'u1');
  });

  it('a version gap (a lost frame) triggers a sync that catches up', async () => {
    const { s, c } = await setup();
    let dropped = 0;
    c.taps.pass = (raw) => !(raw.includes('"conversation.changed"') && dropped++ === 0);
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_lost', 'u1')] }); // dropped
    const n = c.requests.length;
    const done = waitFor(c.sync.status$, (st) => st.state === 'idle' && st.lastMode === 'incremental');
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_next', 'u1')] }); // gap
    await done;
    expect(c.requests.slice(n)).toEqual(['/conversation/get_incremental_conversations']);
    await expectEqualToServer(c, s, 'u1');
  });

  it('duplicate and out-of-order frames are harmless', async () => {
    const { s, c } = await setup();
    const tap = c.taps.last();
    // hold the frame of the first change; let the second pass (a gap → one sync)
    let held: string | null = null;
    c.taps.pass = (raw) => {
      if (held === null && raw.includes('"conversation.changed"')) {
        held = raw;
        return false;
      }
      return true;
    };
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_o1', 'u1')] });
    const synced = waitFor(c.sync.status$, (st) => st.state === 'idle' && st.lastMode === 'incremental');
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_o2', 'u1')] });
    await synced;
    await caughtUp(c, s, 'u1');
    const n = c.requests.length;
    const w = c.writes();
    // late and repeated frames: nothing happens
    tap.inject(held!);
    for (const raw of tap.seen.filter((r) => r.includes('"conversation.changed"'))) tap.inject(raw);
    tap.inject(held!);
    const barrier = waitFor(c.sync.changes$, (x) => x.added.some((a) => a.conversationID === 'sg_o3'));
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_o3', 'u1')] }); // a normal next frame as a barrier
    expect((await barrier).mode).toBe('pushed');
    expect(c.requests.length).toBe(n);
    expect(c.writes()).toBe(w + 1);
    await expectEqualToServer(c, s, 'u1');
    expect(changedFrames(tap).length).toBeGreaterThanOrEqual(3);
  });

  it('unread notification updates the record in place and advances the cursor, no request', async () => {
    const { s, c } = await setup(5);
    const before = (await c.sync.get('si_u1_u2'))!;
    const sent = await s.admin<{ conversationID: string; seq: number }>('/admin/send_message', { conversationID: 'si_u1_u2', sendID: 'u2', text: 'hi' });
    await caughtUp(c, s, 'u1');
    const after = (await c.sync.get('si_u1_u2'))!;
    expect(after.maxSeq).toBe(sent.seq);
    expect(after.unreadCount).toBe(before.unreadCount + 1);
    const totals: number[] = [];
    const sub = c.sync.totalUnread$.subscribe((t) => totals.push(t));
    const n = c.requests.length;
    const ev = waitFor(c.sync.changes$, (x) => x.mode === 'pushed' && x.updated.some((u) => u.conversationID === 'si_u1_u2' && u.hasReadSeq === sent.seq));
    await s.call('u1', '/conversation/mark_as_read', { userID: 'u1', conversationID: 'si_u1_u2', hasReadSeq: sent.seq });
    await ev;
    expect((await c.sync.get('si_u1_u2'))?.unreadCount).toBe(0);
    expect(c.requests.length).toBe(n);
    expect(c.sync.metrics().unreadApplied).toBe(1);
    await expectEqualToServer(c, s, 'u1');
    const drop = after.recvMsgOpt === 0 ? after.unreadCount : 0;
    await waitFor(c.sync.totalUnread$, (t) => t === totals[0]! - drop, 5000);
    sub.unsubscribe();
  });

  it('a burst of 1,000 server changes while connected costs a handful of requests and ends equal', async () => {
    const { s, c } = await setup(30);
    const n = c.requests.length;
    const ids = (await c.sync.getPage({ limit: 30 })).items.map((x) => x.conversationID);
    const jobs: Array<Promise<unknown>> = [];
    for (let i = 0; i < 1000; i++) {
      const id = ids[i % ids.length]!;
      jobs.push(
        i % 3 === 0
          ? s.admin('/admin/send_message', { conversationID: id, sendID: 'u1', text: `m${i}` })
          : s.admin('/admin/upsert', { userID: 'u1', conversations: [conv(`sg_b${i % 97}`, 'u1', { ex: String(i) })] }),
      );
      if (jobs.length >= 50) await Promise.all(jobs.splice(0));
    }
    await Promise.all(jobs);
    await caughtUp(c, s, 'u1', 20_000);
    await c.sync.sync(); // settle whatever follow-up is pending (≤ 1 request when equal)
    await caughtUp(c, s, 'u1');
    const used = c.requests.length - n;
    expect(used).toBeLessThanOrEqual(10);
    await expectEqualToServer(c, s, 'u1');
    expect(c.sync.metrics().pushedDeltasApplied).toBeGreaterThan(900);
  });
});

describe('devices and reconnects', () => {
  it('two clients of one user (two databases) converge', async () => {
    const { s, c } = await setup(15);
    const d = makeClient(s, 'u1', { kind: 'idb' });
    clients.push(d);
    await startLive(d);
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_both', 'u1')] });
    await s.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'sg_both', isPinned: true } });
    await s.admin('/admin/send_message', { conversationID: 'si_u1_u2', sendID: 'u2', text: 'to both' });
    await s.call('u1', '/conversation/delete_conversations', { userID: 'u1', conversationIDs: ['sg_both'] });
    await caughtUp(c, s, 'u1');
    await caughtUp(d, s, 'u1');
    await expectEqualToServer(c, s, 'u1');
    await expectEqualToServer(d, s, 'u1');
  });

  it('socket drop → reconnect → catch-up of what happened meanwhile', async () => {
    const { s, c } = await setup();
    const back = reconnected(c);
    c.taps.last().inner.terminate();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_while_down', 'u1')] });
    await s.admin('/admin/delete', { userID: 'u1', conversationIDs: ['sg_while_down'] });
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_while_down2', 'u1')] });
    await back;
    await caughtUp(c, s, 'u1');
    await expectEqualToServer(c, s, 'u1');
  });

  it('server restart (same state, same port) → reconnect and catch up', async () => {
    const { s, c } = await setup();
    const { port, state } = s.server;
    const back = reconnected(c);
    await s.close();
    servers.splice(servers.indexOf(s), 1);
    const offline = waitFor(c.sync.status$, (st) => st.state === 'offline');
    void c.sync.sync().catch(() => {});
    await offline;
    const s2 = wrap(await createServer({ host: '127.0.0.1', port, admin: true, state }));
    servers.push(s2);
    await s2.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_after_restart', 'u1')] });
    await back;
    await caughtUp(c, s2, 'u1');
    await waitFor(c.sync.status$, (st) => st.state === 'idle');
    await expectEqualToServer(c, s2, 'u1');
  });

  it('a log reset pushes a frame with the new identity → full sync on its own', async () => {
    const { s, c } = await setup();
    const fullBefore = c.sync.metrics().syncs.full;
    await s.admin('/admin/reset_log', { userID: 'u1' });
    const head = await serverHead(s, 'u1');
    // no manual sync: the pushed frame alone must bring the client to the new log
    await waitFor(c.sync.status$, (st) => st.state === 'idle' && c.sync.cursor()?.versionID === head.versionID);
    expect(c.sync.metrics().syncs.full).toBe(fullBefore + 1);
    await expectEqualToServer(c, s, 'u1');
  });
});

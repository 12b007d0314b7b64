/**
 * The server on PostgreSQL: a restart keeps everything (clients catch up incrementally on
 * the same versionID), two instances on one database share their changes through
 * LISTEN/NOTIFY in version order, a lost listening connection loses nothing.
 */
import { describe, expect, it } from 'vitest';
import { createServer, type PostgresStore } from '../../src/server/index.js';
import { caughtUp, conv, expectEqualToServer, makeClient, serverHead, startLive, stopAfterEach, waitFor } from '../client/harness.js';
import { openSocket, wrap, type TestServer, type TestSocket } from '../helpers/server.js';
import { freshDatabase, pgStore, sql } from '../helpers/postgres.js';

const started = stopAfterEach();

async function instance(store: string | PostgresStore, port = 0): Promise<TestServer> {
  const s = wrap(await createServer({ host: '127.0.0.1', port, admin: true, store }));
  started.servers.push(s);
  return s;
}

/** The next `n` changed frames on a socket; their versions. */
async function versions(sock: TestSocket, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await sock.next((f) => f.type === 'conversation.changed')).version);
  return out;
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('restart on the same database', () => {
  it('clients catch up with an incremental sync: nothing lost, same versionID, old tokens valid', async () => {
    const url = await freshDatabase('restart');
    const a = await instance(url);
    await a.admin('/admin/seed', { userID: 'u1', count: 40 });
    const c = makeClient(a, 'u1'); // live: reconnects by itself
    const quiet = makeClient(a, 'u1', { socket: false }); // syncs when asked: shows the mode
    started.clients.push(c, quiet);
    await startLive(c);
    await quiet.sync.start();
    await quiet.sync.sync(); // joins the first (full) sync of start()
    expect(await quiet.sync.sync()).toBe('equal');
    const before = await serverHead(a, 'u1');
    const token = a.token('u1');
    started.servers.splice(started.servers.indexOf(a), 1);
    await a.close();

    const b = await instance(url, a.server.port);
    expect(await serverHead(b, 'u1')).toEqual(before);
    await waitFor(c.sync.status$, (s) => s.connected);
    await b.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_after', 'u1')] });
    await caughtUp(c, b, 'u1');
    expect(c.sync.cursor()!.versionID).toBe(before.versionID);
    await expectEqualToServer(c, b, 'u1');
    expect(await quiet.sync.sync()).toBe('incremental');
    await expectEqualToServer(quiet, b, 'u1');
    expect((await quiet.sync.getPage({ limit: 100 })).items).toHaveLength(41);
    const r = await b.post('/conversation/get_incremental_conversations', { userID: 'u1', ...before }, token);
    expect(r.body.data).toMatchObject({ full: false, versionID: before.versionID, insert: [expect.objectContaining({ conversationID: 'sg_after' })] });
  });
});

describe('two instances on one database', () => {
  it('clients of B hear changes made through A; 200 concurrent writers across both leave a log without gaps', async () => {
    const url = await freshDatabase('two');
    const a = await instance(url);
    const b = await instance(url);
    const ids = range(0, 200).map((i) => `sg_${String(i).padStart(3, '0')}`);
    await a.admin('/admin/upsert', { userID: 'u1', conversations: ids.map((id) => conv(id, 'u1')) });
    const clients = [makeClient(a, 'u1'), makeClient(b, 'u1'), makeClient(b, 'u1')];
    started.clients.push(...clients);
    for (const c of clients) await startLive(c);
    const onA = await openSocket(a.wsURL, a.token('u1'));
    const onB = await openSocket(b.wsURL, b.token('u1'));

    // one change through A, pushed to the clients of B
    const h0 = await serverHead(a, 'u1');
    const changed = waitFor(clients[1]!.sync.changes$, (ch) => ch.updated.some((x) => x.conversationID === 'sg_000'));
    await a.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'sg_000', isPinned: true } });
    expect((await changed).updated.find((x) => x.conversationID === 'sg_000')!.isPinned).toBe(true);
    expect(await versions(onB, 1)).toEqual([h0.version + 1]);
    expect(await versions(onA, 1)).toEqual([h0.version + 1]);

    // 200 writers, alternating instances, all at once
    const h1 = await serverHead(a, 'u1');
    const answers = await Promise.all(
      ids.map((id, i) => (i % 2 ? a : b).call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: id, ex: `w${i}` } })),
    );
    const expected = range(h1.version + 1, 200);
    expect(answers.map((x) => x.version).sort((p, q) => p - q)).toEqual(expected);
    const log = await sql(url, 'SELECT version FROM convsync_log WHERE user_id = $1 AND version > $2 ORDER BY version', ['u1', h1.version]);
    expect(log.map((r) => Number(r.version))).toEqual(expected);
    expect(await serverHead(b, 'u1')).toEqual({ versionID: h1.versionID, version: h1.version + 200 });
    // every frame, once, in version order, on both instances
    expect(await versions(onB, 200)).toEqual(expected);
    expect(await versions(onA, 200)).toEqual(expected);
    for (const c of clients) {
      await caughtUp(c, a, 'u1');
      await expectEqualToServer(c, b, 'u1');
    }
  }, 120_000);

  it('a lost listening connection: frames committed meanwhile are read back in order once it reconnects', async () => {
    const url = await freshDatabase('listen');
    const storeB = await pgStore(url, { listenRetryMs: 500 });
    const a = await instance(url);
    const b = await instance(storeB);
    await a.admin('/admin/upsert', { userID: 'u1', conversations: range(0, 20).map((i) => conv(`sg_${i}`, 'u1')) });
    const onB = await openSocket(b.wsURL, b.token('u1'));
    const h = await serverHead(a, 'u1');
    const pid = storeB.feedStats.listenerPid;
    expect(pid).toEqual(expect.any(Number));
    expect(storeB.feedStats.connects).toBe(1);
    await sql(url, 'SELECT pg_terminate_backend($1)', [pid]);
    for (let i = 0; i < 20; i++) await a.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: `sg_${i}`, ex: `x${i}` } });
    expect(storeB.feedStats.connects).toBe(1); // all 20 committed while B was not listening
    expect(await versions(onB, 20)).toEqual(range(h.version + 1, 20));
    expect(storeB.feedStats).toMatchObject({ connects: 2, catchUps: 1 });
    // and live again afterwards
    await a.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'sg_0', ex: 'live' } });
    expect(await versions(onB, 1)).toEqual([h.version + 21]);
    await b.close();
    await storeB.close();
  }, 60_000);
});

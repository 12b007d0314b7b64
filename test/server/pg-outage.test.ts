/**
 * The server through a PostgreSQL crash: SIGKILL to every database process while a write
 * is inside its transaction. That write and every request while the database is away are
 * answered 503 with `Retry-After` (not a hang, not a dead process); `/healthz` stays 200,
 * `/readyz` says 503; sockets stay open. Once the database is back, the same processes serve
 * again, the LISTEN fan-out between instances catches up, a client's queued write lands,
 * and nothing answered as committed is lost. Its own durable cluster (this one is killed).
 */
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServer } from '../../src/server/index.js';
import { startCluster, type Cluster } from '../../support/postgres.js';
import { caughtUp, conv, expectEqualToServer, makeClient, serverList, startLive, stopAfterEach, until, waitFor } from '../client/harness.js';
import { wrap, type TestServer } from '../helpers/server.js';
import { sql } from '../helpers/postgres.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 120_000);
afterAll(() => cluster?.stop());

const started = stopAfterEach();

async function instance(url: string): Promise<TestServer> {
  const s = wrap(await createServer({ host: '127.0.0.1', port: 0, admin: true, store: url }));
  started.servers.push(s);
  return s;
}

const probe = async (s: TestServer, path: '/healthz' | '/readyz') => (await fetch(s.server.url + path)).status;
const pin = (s: TestServer, id: string) =>
  s.post('/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: id, isPinned: true } }, s.token('u1'));

it('a database killed mid-transaction: 503 + Retry-After meanwhile, the same processes serve again, nothing committed lost', async () => {
  const url = cluster.url;
  const a = await instance(url);
  const b = await instance(url);
  const ids = ['sg_0', 'sg_1', 'sg_2', 'sg_3', 'sg_4'];
  await a.admin('/admin/upsert', { userID: 'u1', conversations: ids.map((id) => conv(id, 'u1')) });
  const client = makeClient(a, 'u1');
  started.clients.push(client);
  await startLive(client);
  const sock = await a.socket(a.token('u1'));

  // answered as committed before the crash
  expect((await pin(a, ids[0]!)).body.errCode).toBe(0);

  // a write inside its transaction, waiting for the head row lock another connection holds
  const holder = new pg.Client({ connectionString: url });
  holder.on('error', () => {}); // its connection dies with the database
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query('SELECT 1 FROM convsync_heads WHERE user_id = $1 FOR UPDATE', ['u1']);
  const inFlight = pin(a, ids[1]!);
  await until(
    async () => (await sql(url, `SELECT 1 FROM pg_stat_activity WHERE application_name = 'convsync' AND wait_event_type = 'Lock'`)).length > 0,
    20_000,
    'the write to wait for the lock',
  );
  const killed = performance.now();
  await cluster.kill();

  const cut = await inFlight;
  const toAnswer = performance.now() - killed;
  expect(cut.status).toBe(503);
  expect(cut.body.errCode).toBe(503);
  expect(cut.headers.get('retry-after')).toBe('1');

  // while the database is away
  const t0 = performance.now();
  const away = await pin(b, ids[2]!);
  console.log(`[outage] the write in flight answered 503 ${Math.round(toAnswer)} ms after the kill; a write while away in ${Math.round(performance.now() - t0)} ms`);
  expect([away.status, away.body.errCode, away.headers.get('retry-after')]).toEqual([503, 503, '1']);
  expect(await probe(a, '/healthz')).toBe(200);
  expect(await probe(a, '/readyz')).toBe(503);
  expect(sock.ws.readyState).toBe(WebSocket.OPEN);
  const queued = client.sync.setConversation(ids[3]!, { isPinned: true });
  await queued; // applied locally, offline-style
  await waitFor(client.sync.pendingWrites$, (p) => p.some((w) => w.conversationID === ids[3]));

  cluster.start(); // returns once PostgreSQL accepts connections
  const back = performance.now();
  await until(async () => (await probe(a, '/readyz')) === 200 && (await probe(b, '/readyz')) === 200, 60_000, 'both instances ready');
  console.log(`[outage] both instances ready ${Math.round(performance.now() - back)} ms after the database was back`);

  // a write through B reaches the socket on A: the listening connection is back and caught up
  const heard = sock.next((f) => f.type === 'conversation.changed');
  expect((await pin(b, ids[4]!)).body.errCode).toBe(0);
  await heard;
  await waitFor(client.sync.pendingWrites$, (p) => p.length === 0, 30_000);
  await caughtUp(client, b, 'u1', 30_000);
  await expectEqualToServer(client, b, 'u1');

  const pinned = new Map((await serverList(b, 'u1')).map((c) => [c.conversationID, c.isPinned]));
  expect(ids.map((id) => pinned.get(id))).toEqual([true, false, false, true, true]);
}, 180_000);

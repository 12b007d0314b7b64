/**
 * `/conversation/apply_mutations` (issue 18 item 5) over real HTTP, on the memory store and
 * PostgreSQL: 100 mutations in one request, each applied once as its own version with its
 * own notification and answered in order; a refused one answered alone; the whole batch
 * sent again applies nothing; envelope errors refuse the whole request.
 */
import { describe, expect, it } from 'vitest';
import type { CreateServerOptions } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { startOnStore, STORES } from '../helpers/stores.js';
import { serversClosedAfterEach, type TestServer, type TestSocket } from '../helpers/server.js';

const start = serversClosedAfterEach();
const BATCH = '/conversation/apply_mutations';

async function send(s: TestServer, body: object) {
  const r = await s.post(BATCH, { userID: 'u1', ...body }, s.token('u1'));
  return { status: r.status, ...r.body };
}

/** Mutation `n` of the 100: a pin, a read, or a delete, over ten conversations; #50 and #60 are refused. */
function mutation(n: number): object {
  const conversationID = `sg_${n % 10}`;
  if (n === 50) return { number: n, kind: 'set', conversation: { conversationID: 'sg_missing', isPinned: true } };
  if (n === 60) return { number: n, kind: 'set', conversation: { conversationID, recvMsgOpt: 9 } };
  if (n === 99) return { number: n, kind: 'delete', conversationIDs: ['sg_9'] };
  if (n % 3 === 0) return { number: n, kind: 'read', conversationID, hasReadSeq: n };
  return { number: n, kind: 'set', conversation: { conversationID, ex: `m${n}` } };
}

/** The next `n` frames that carry a version; their versions. */
async function frameVersions(sock: TestSocket, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await sock.next((f) => typeof f.version === 'number')).version);
  return out;
}

describe.each(STORES)('apply_mutations: %s', (_name, storeOf) => {
  const startOn = (o: CreateServerOptions = {}) => startOnStore(start, storeOf, o);

  it('100 mutations in one request: each answered in order, its own version and frame; one refused alone; the repeat applies nothing', async () => {
    const s = await startOn();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: Array.from({ length: 10 }, (_, i) => makeConversation(`sg_${i}`, { maxSeq: 1000 })) });
    const sock = await s.socket(s.token('u1'));
    const h0 = await s.server.state.store.head('u1');
    const mutations = Array.from({ length: 100 }, (_, i) => mutation(i + 1));
    const r = await send(s, { clientID: 'dev-A', mutations });
    expect(r).toMatchObject({ status: 200, errCode: 0 });
    const results = r.data.results as Array<{ number: number; version?: number; errCode?: number; errMsg?: string }>;
    expect(results.map((x) => x.number)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(results[49]).toEqual({ number: 50, errCode: 1004, errMsg: expect.stringContaining('sg_missing') });
    expect(results[59]).toEqual({ number: 60, errCode: 1001, errMsg: expect.stringContaining('recvMsgOpt') });
    const applied = results.filter((x) => x.errCode === undefined);
    expect(applied).toHaveLength(98);
    expect(applied.map((x) => x.version)).toEqual(Array.from({ length: 98 }, (_, i) => h0.version + 1 + i));
    for (const x of applied) expect(x).toMatchObject({ versionID: h0.id });
    expect(await frameVersions(sock, 98)).toEqual(applied.map((x) => x.version));
    const records = new Map((await s.server.state.store.get('u1', Array.from({ length: 10 }, (_, i) => `sg_${i}`))).map((c) => [c.conversationID, c]));
    expect(records.get('sg_9')).toBeUndefined();
    expect(records.get('sg_8')).toMatchObject({ ex: 'm98', hasReadSeq: 78 });
    expect(records.get('sg_0')).toMatchObject({ ex: 'm100', recvMsgOpt: 0, hasReadSeq: 90 });

    // the whole batch again: nothing applied, no frame; 1–99 answer the head, 100 its own answer
    const head = await s.server.state.store.head('u1');
    const again = await send(s, { clientID: 'dev-A', mutations });
    const now = { versionID: head.id, version: head.version };
    expect(again.data.results).toEqual([...Array.from({ length: 99 }, (_, i) => ({ number: i + 1, ...now })), results[99]]);
    expect(await s.server.state.store.head('u1')).toEqual(head);
    sock.send({ type: 'ping' });
    expect(await sock.next()).toEqual({ type: 'pong' });
    // the batch moved the client to 100: a single write continues after it
    const next = await s.post('/conversation/set_conversations', { userID: 'u1', clientID: 'dev-A', mutationNumber: 101, conversation: { conversationID: 'sg_1', isPinned: true } }, s.token('u1'));
    expect(next.body.data).toEqual({ versionID: head.id, version: head.version + 1 });
  }, 60_000);

  it('1409 in a batch is answered alone; the same mutations through single writes and a batch share their identity', async () => {
    const s = await startOn();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a'), makeConversation('sg_b')] });
    const single = await s.post('/conversation/set_conversations', { userID: 'u1', clientID: 'dev-A', mutationNumber: 1, conversation: { conversationID: 'sg_a', isPinned: true } }, s.token('u1'));
    const r = await send(s, {
      clientID: 'dev-A',
      mutations: [
        { number: 1, kind: 'set', conversation: { conversationID: 'sg_a', isPinned: true } },
        { number: 2, kind: 'delete', conversationIDs: ['sg_b'] },
        { number: 3, kind: 'delete', conversationIDs: ['sg_a'] },
      ],
    });
    expect(r.data.results[0]).toEqual({ number: 1, ...single.body.data });
    expect(r.data.results[1]).toEqual({ number: 2, versionID: single.body.data.versionID, version: single.body.data.version + 1 });
    const conflict = await send(s, { clientID: 'dev-A', mutations: [{ number: 3, kind: 'delete', conversationIDs: ['sg_b'] }, { number: 4, kind: 'read', conversationID: 'sg_none', hasReadSeq: 1 }] });
    expect(conflict.data.results).toEqual([
      { number: 3, errCode: 1409, errMsg: expect.any(String) },
      { number: 4, errCode: 1004, errMsg: expect.any(String) },
    ]);
    expect(await s.server.state.store.ids('u1')).toEqual([]);
  });
});

describe('apply_mutations: envelope errors refuse the whole request', () => {
  const one = { number: 1, kind: 'set', conversation: { conversationID: 'sg_a', isPinned: true } };
  it.each([
    ['no clientID', { mutations: [one] }, 'body.clientID'],
    ['an empty list', { clientID: 'd', mutations: [] }, 'body.mutations'],
    ['501 mutations', { clientID: 'd', mutations: Array.from({ length: 501 }, (_, i) => ({ ...one, number: i + 1 })) }, 'body.mutations'],
    ['numbers not growing', { clientID: 'd', mutations: [one, { ...one, number: 1 }] }, 'body.mutations[1].number'],
    ['a number below 1', { clientID: 'd', mutations: [{ ...one, number: 0 }] }, 'body.mutations[0].number'],
    ['a mutation that is not an object', { clientID: 'd', mutations: [one, 'x'] }, 'body.mutations[1]'],
  ])('%s: 1001 naming the field, nothing applied', async (_name, body, field) => {
    const s = await start();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    const h0 = await s.server.state.store.head('u1');
    expect(await send(s, body)).toMatchObject({ status: 400, errCode: 1001, errDlt: field });
    expect(await s.server.state.store.head('u1')).toEqual(h0);
  });

  it('another user: 1002', async () => {
    const s = await start();
    const r = await s.post(BATCH, { userID: 'u2', clientID: 'd', mutations: [one] }, s.token('u1'));
    expect(r.body.errCode).toBe(1002);
  });
});

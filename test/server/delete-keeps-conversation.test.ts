/**
 * Deleting a conversation from a list is not leaving it (issue 18 item 6 and the last rule
 * of item 2), over real HTTP on the memory store and PostgreSQL: the seq continues after a
 * delete and a revive, a group keeps its member, and a delete that carries the seq the
 * device knew keeps a record with newer messages.
 */
import { describe, expect, it } from 'vitest';
import type { CreateServerOptions } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { startOnStore, STORES } from '../helpers/stores.js';
import { serversClosedAfterEach, type TestServer } from '../helpers/server.js';

const start = serversClosedAfterEach();
const DEL = '/conversation/delete_conversations';

const record = async (s: TestServer, userID: string, id: string) => (await s.server.state.store.get(userID, [id]))[0];

describe.each(STORES)('a delete removes the conversation from the list only: %s', (_name, storeOf) => {
  const startOn = (o: CreateServerOptions = {}) => startOnStore(start, storeOf, o);

  it('a single chat deleted by its owner and revived by the peer continues at the next seq', async () => {
    const s = await startOn();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('si_u1_u2', { conversationType: 1, userID: 'u2', maxSeq: 223, hasReadSeq: 223 })] });
    expect((await s.call('u1', DEL, { userID: 'u1', conversationIDs: ['si_u1_u2'] })).version).toBeGreaterThan(1);
    expect(await record(s, 'u1', 'si_u1_u2')).toBeUndefined();
    const sent = await s.admin('/admin/send_message', { conversationID: 'si_u1_u2', sendID: 'u2', text: 'back' });
    expect(sent.seq).toBe(224);
    expect(await record(s, 'u1', 'si_u1_u2')).toMatchObject({ maxSeq: 224, hasReadSeq: 223 });
    expect(await record(s, 'u2', 'si_u1_u2')).toMatchObject({ maxSeq: 224 });
  });

  it('deleting a group conversation keeps the user in the group: the next message brings it back', async () => {
    const s = await startOn();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_team', { maxSeq: 10 })] });
    await s.call('u1', DEL, { userID: 'u1', conversationIDs: ['sg_team'] });
    const sent = await s.admin('/admin/send_message', { conversationID: 'sg_team', sendID: 'u2', text: 'hi all' });
    expect(sent).toMatchObject({ seq: 11, members: ['u1', 'u2'] });
    expect(await record(s, 'u1', 'sg_team')).toMatchObject({ maxSeq: 11 });
  });

  it('a delete with maxSeqs keeps a record with newer messages than the device knew, deletes the others', async () => {
    const s = await startOn();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a', { maxSeq: 5 }), makeConversation('sg_b', { maxSeq: 5 })] });
    const h0 = await s.server.state.store.head('u1');
    const r = await s.call('u1', DEL, { userID: 'u1', clientID: 'dev-A', mutationNumber: 1, conversationIDs: ['sg_a', 'sg_b', 'sg_a'], maxSeqs: [4, 5, 3] });
    expect(r).toEqual({ versionID: h0.id, version: h0.version + 1 });
    expect(await s.server.state.store.ids('u1')).toEqual(['sg_a']);
    const batch = await s.call('u1', '/conversation/apply_mutations', { userID: 'u1', clientID: 'dev-A', mutations: [{ number: 2, kind: 'delete', conversationIDs: ['sg_a'], maxSeqs: [4] }, { number: 3, kind: 'delete', conversationIDs: ['sg_a'], maxSeqs: [5] }] });
    expect(batch.results).toEqual([
      { number: 2, versionID: h0.id, version: h0.version + 1 },
      { number: 3, versionID: h0.id, version: h0.version + 2 },
    ]);
    expect(await s.server.state.store.ids('u1')).toEqual([]);
    const bad = await s.post(DEL, { userID: 'u1', conversationIDs: ['sg_a'], maxSeqs: [1, 2] }, s.token('u1'));
    expect(bad.body).toMatchObject({ errCode: 1001, errDlt: 'body.maxSeqs' });
  });
});

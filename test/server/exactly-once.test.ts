/**
 * Exactly once, forever (SPEC §3.2, issue 18 items 2 and 3) over real HTTP, on the memory
 * store and PostgreSQL: a client's mutation number is answered as a repeat however many
 * writes came after it, a reused identity with other content is refused with 1409 (both
 * identities), and a forgotten client gets 1410 (the retention driven by an injected clock).
 */
import { describe, expect, it } from 'vitest';
import type { CreateServerOptions } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { startOnStore, STORES } from '../helpers/stores.js';
import { serversClosedAfterEach, type TestServer } from '../helpers/server.js';

const start = serversClosedAfterEach();
const SET = '/conversation/set_conversations';
const DEL = '/conversation/delete_conversations';
const BATCH = '/conversation/apply_mutations';
const DAY = 24 * 3600 * 1000;

/** POSTs as u1; the status and envelope. */
async function send(s: TestServer, path: string, body: object) {
  const r = await s.post(path, { userID: 'u1', ...body }, s.token('u1'));
  return { status: r.status, ...r.body };
}

/** `n` writes of client `clientID` from number `from` on, in batches of 500 (each changes `ex` of sg_fill). */
async function fill(s: TestServer, clientID: string, from: number, n: number): Promise<void> {
  for (let done = 0; done < n; done += 500) {
    const count = Math.min(500, n - done);
    const mutations = Array.from({ length: count }, (_, i) => ({ number: from + done + i, kind: 'set', conversation: { conversationID: 'sg_fill', ex: `f${from + done + i}` } }));
    const r = await send(s, BATCH, { clientID, mutations });
    expect(r.errCode).toBe(0);
    expect(r.data.results.every((x: { errCode?: number }) => x.errCode === undefined)).toBe(true);
  }
}

describe.each(STORES)('exactly once, forever: %s', (_name, storeOf) => {
  const startOn = (o: CreateServerOptions = {}) => startOnStore(start, storeOf, o);

  it('repeats after 1,200 later writes are answered as repeats: a later unpin is not undone, a revived conversation is not deleted', async () => {
    const s = await startOn();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: ['sg_a', 'sg_fill'].map((id) => makeConversation(id)) });
    await s.admin('/admin/send_message', { conversationID: 'si_u1_u2', sendID: 'u2', text: 'hello' });
    const pin = { clientID: 'dev-A', mutationNumber: 1, conversation: { conversationID: 'sg_a', isPinned: true } };
    const del = { clientID: 'dev-A', mutationNumber: 2, conversationIDs: ['si_u1_u2'] };
    const pinned = await send(s, SET, pin);
    const deleted = await send(s, DEL, del);
    expect([pinned.errCode, deleted.errCode]).toEqual([0, 0]);
    await fill(s, 'dev-A', 3, 1200);
    // later: another device unpins; the peer's next message revives the chat
    expect((await send(s, SET, { clientID: 'dev-B', mutationNumber: 1, conversation: { conversationID: 'sg_a', isPinned: false } })).errCode).toBe(0);
    await s.admin('/admin/send_message', { conversationID: 'si_u1_u2', sendID: 'u2', text: 'back' });
    const head = await s.server.state.store.head('u1');
    const now = { versionID: head.id, version: head.version };
    // the old requests arrive again: repeats below the last number answer the head
    expect(await send(s, SET, pin)).toMatchObject({ status: 200, errCode: 0, data: now });
    expect(await send(s, DEL, del)).toMatchObject({ status: 200, errCode: 0, data: now });
    const [a, chat] = await s.server.state.store.get('u1', ['sg_a', 'si_u1_u2']);
    expect(a!.isPinned).toBe(false);
    expect(chat).toMatchObject({ conversationID: 'si_u1_u2', maxSeq: 2 });
    expect(await s.server.state.store.head('u1')).toEqual(head);
  }, 120_000);

  it('1409 (HTTP 409): the same client and number with other content, and a mutationID reused for other content', async () => {
    const s = await startOn();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a'), makeConversation('sg_b')] });
    const first = await send(s, SET, { clientID: 'dev-A', mutationNumber: 1, conversation: { conversationID: 'sg_a', isPinned: true } });
    const other = await send(s, SET, { clientID: 'dev-A', mutationNumber: 1, conversation: { conversationID: 'sg_a', isPinned: true, ex: 'x' } });
    expect(other).toMatchObject({ status: 409, errCode: 1409, data: null });
    expect(await send(s, DEL, { clientID: 'dev-A', mutationNumber: 1, conversationIDs: ['sg_a'] })).toMatchObject({ status: 409, errCode: 1409 });
    // the same content is still its repeat
    expect(await send(s, SET, { clientID: 'dev-A', mutationNumber: 1, conversation: { isPinned: true, conversationID: 'sg_a' } })).toMatchObject({ errCode: 0, data: first.data });
    const legacy = await send(s, DEL, { mutationID: 'm-1', conversationIDs: ['sg_b'] });
    expect(legacy.errCode).toBe(0);
    expect(await send(s, DEL, { mutationID: 'm-1', conversationIDs: ['sg_a'] })).toMatchObject({ status: 409, errCode: 1409 });
    expect(await send(s, SET, { mutationID: 'm-1', conversation: { conversationID: 'sg_a', ex: 'y' } })).toMatchObject({ status: 409, errCode: 1409 });
    expect(await send(s, DEL, { mutationID: 'm-1', conversationIDs: ['sg_b'] })).toMatchObject({ errCode: 0, data: legacy.data });
    expect(await s.server.state.store.get('u1', ['sg_a'])).toEqual([expect.objectContaining({ isPinned: true, ex: '' })]);
  });

  it('1410 (HTTP 410): an unknown client above 1, a client unseen for the retention; nothing applied', async () => {
    let t = 1_800_000_000_000;
    const s = await startOn({ now: () => t, clientRetentionMs: 30 * DAY });
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    const h0 = await s.server.state.store.head('u1');
    const pin = (clientID: string, mutationNumber: number, isPinned = true) => send(s, SET, { clientID, mutationNumber, conversation: { conversationID: 'sg_a', isPinned } });
    expect(await pin('lost', 5)).toMatchObject({ status: 410, errCode: 1410 });
    expect((await pin('dev-A', 1)).errCode).toBe(0);
    t += 29 * DAY;
    expect((await pin('dev-B', 1, false)).errCode).toBe(0); // dev-B seen; dev-A not yet forgotten
    expect((await pin('dev-A', 2)).errCode).toBe(0);
    t += 31 * DAY;
    expect((await pin('dev-B', 2)).errCode).toBe(1410);
    expect(await send(s, BATCH, { clientID: 'dev-B', mutations: [{ number: 3, kind: 'read', conversationID: 'sg_a', hasReadSeq: 0 }] })).toMatchObject({ status: 410, errCode: 1410 });
    expect((await s.server.state.store.head('u1')).version).toBe(h0.version + 3);
  });

  it('a client mutation whose content is refused (1001, 1004) is processed: the next number is not 1410, a repeat is refused the same', async () => {
    const s = await startOn();
    const bad = { clientID: 'dev-A', mutationNumber: 1, conversation: { conversationID: 'sg_a', recvMsgOpt: 7 } };
    expect(await send(s, SET, bad)).toMatchObject({ status: 400, errCode: 1001, errDlt: 'body.conversation.recvMsgOpt' });
    expect(await send(s, SET, bad)).toMatchObject({ status: 400, errCode: 1001 });
    expect(await send(s, SET, { clientID: 'dev-A', mutationNumber: 2, conversation: { conversationID: 'sg_a', isPinned: true } })).toMatchObject({ status: 404, errCode: 1004 });
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    expect(await send(s, SET, { clientID: 'dev-A', mutationNumber: 2, conversation: { conversationID: 'sg_a', isPinned: true } })).toMatchObject({ errCode: 1004 });
    expect(await send(s, SET, { clientID: 'dev-A', mutationNumber: 3, conversation: { conversationID: 'sg_a', isPinned: true } })).toMatchObject({ errCode: 0 });
  });
});

describe('the identity fields', () => {
  it.each([
    ['clientID without mutationNumber', { clientID: 'dev-A' }, 'body.mutationNumber'],
    ['mutationNumber without clientID', { mutationNumber: 1 }, 'body.clientID'],
    ['mutationNumber 0', { clientID: 'dev-A', mutationNumber: 0 }, 'body.mutationNumber'],
    ['mutationNumber 1.5', { clientID: 'dev-A', mutationNumber: 1.5 }, 'body.mutationNumber'],
    ['a clientID of 65 characters', { clientID: 'a'.repeat(65), mutationNumber: 1 }, 'body.clientID'],
    ['a clientID with a space', { clientID: 'a b', mutationNumber: 1 }, 'body.clientID'],
    ['both identities', { clientID: 'dev-A', mutationNumber: 1, mutationID: 'm1' }, 'body.mutationID'],
  ])('%s: 1001 naming the field, nothing applied', async (_name, identity, field) => {
    const s = await start();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    const h0 = await s.server.state.store.head('u1');
    expect(await send(s, SET, { ...identity, conversation: { conversationID: 'sg_a', isPinned: true } })).toMatchObject({ status: 400, errCode: 1001, errDlt: field });
    expect(await s.server.state.store.head('u1')).toEqual(h0);
  });
});

/**
 * Writes are applied exactly once per mutation ID (SPEC §3.2): a repeat is answered with
 * the first answer, applies nothing and notifies nobody; the memory is per user, kept with
 * the store, holds at least the last 1,000 IDs, and never holds a request that failed.
 */
import { describe, expect, it } from 'vitest';
import { MemoryConversationStore, MUTATIONS_REMEMBERED, createServer, type Edit, type MutationEvent } from '../../src/server/index.js';
import type { Conversation } from '../../src/protocol/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { serversClosedAfterEach, wrap, type TestServer, type TestSocket } from '../helpers/server.js';

const start = serversClosedAfterEach();
const SET = '/conversation/set_conversations';
const READ = '/conversation/mark_as_read';
const DEL = '/conversation/delete_conversations';

/** A server whose mutation hook records every event. */
async function startWithHook(): Promise<{ s: TestServer; events: MutationEvent[] }> {
  const events: MutationEvent[] = [];
  const s = await start({ onMutation: (e) => events.push(e) });
  return { s, events };
}

/** A hooked server holding `records` of u1, a socket of u1, and u1's head before any write. */
async function setup(records: Conversation[]) {
  const { s, events } = await startWithHook();
  await s.admin('/admin/upsert', { userID: 'u1', conversations: records });
  const sock = await s.socket(s.token('u1'));
  return { s, events, sock, h0: await s.server.state.store.head('u1') };
}

/** POSTs a write as `userID` and returns the envelope. */
const write = (s: TestServer, userID: string, path: string, body: object) => s.post(path, { userID, ...body }, s.token(userID)).then((r) => r.body);

/** Proves that no frame is waiting on the socket: the next frame is the answer to a ping. */
async function nothingQueued(sock: TestSocket): Promise<void> {
  sock.send({ type: 'ping' });
  expect(await sock.next()).toEqual({ type: 'pong' });
}

/**
 * Sends the mutation's body again: the first answer comes back, no frame follows, and the
 * hook has seen the mutation applied once, then repeated once.
 */
async function expectRepeat(
  s: TestServer,
  sock: TestSocket,
  events: MutationEvent[],
  path: string,
  body: { mutationID: string },
  first: { data?: unknown },
): Promise<void> {
  const again = await write(s, 'u1', path, body);
  expect(again.errCode).toBe(0);
  expect(again.data).toEqual(first.data);
  await nothingQueued(sock);
  expect(events.map((e) => [e.mutationID, e.repeat])).toEqual([
    [body.mutationID, false],
    [body.mutationID, true],
  ]);
}

const head = (s: TestServer, userID = 'u1') => s.server.state.store.head(userID);
const record = async (s: TestServer, id: string, userID = 'u1') => (await s.server.state.store.get(userID, [id]))[0];
const metric = async (s: TestServer, result: string) =>
  new RegExp(`^convsync_mutations_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(await (await fetch(s.url + '/metrics')).text())?.[1];

describe('a repeated mutationID', () => {
  it('set_conversations: answered with the first answer, applied once, notified once', async () => {
    const { s, events, sock, h0 } = await setup([makeConversation('sg_a')]);
    const body = { mutationID: 'm-set-1', conversation: { conversationID: 'sg_a', isPinned: true } };
    const first = await write(s, 'u1', SET, body);
    expect(first).toMatchObject({ errCode: 0, data: { versionID: h0.id, version: h0.version + 1 } });
    expect(await sock.next()).toMatchObject({ type: 'conversation.changed', version: h0.version + 1 });
    // another device unpins it; then the first request arrives again
    expect(await write(s, 'u1', SET, { conversation: { conversationID: 'sg_a', isPinned: false } })).toMatchObject({ errCode: 0 });
    expect(await sock.next()).toMatchObject({ type: 'conversation.changed', version: h0.version + 2 });
    await expectRepeat(s, sock, events, SET, body, first);
    expect((await record(s, 'sg_a'))!.isPinned).toBe(false);
    expect((await head(s)).version).toBe(h0.version + 2);
    expect(events.map((e) => [e.userID, e.kind])).toEqual([
      ['u1', 'set'],
      ['u1', 'set'],
    ]);
    expect(await metric(s, 'applied')).toBe('1');
    expect(await metric(s, 'repeated')).toBe('1');
  });

  it('mark_as_read: the first answer is the version of its unread frame; a repeat reads nothing again', async () => {
    const { s, events, sock } = await setup([makeConversation('sg_a', { maxSeq: 10, hasReadSeq: 2 })]);
    const body = { mutationID: 'm-read-1', conversationID: 'sg_a', hasReadSeq: 6 };
    const first = await write(s, 'u1', READ, body);
    const unread = await sock.next();
    expect(unread).toMatchObject({ type: 'conversation.unread', hasReadSeq: 6 });
    expect(first.data).toEqual({ versionID: unread.versionID, version: unread.version });
    // an admin edit puts the read position back; the repeat must not raise it again
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a', { maxSeq: 10, hasReadSeq: 2 })] });
    expect(await sock.next()).toMatchObject({ type: 'conversation.changed', version: unread.version + 1 });
    await expectRepeat(s, sock, events, READ, body, first);
    expect((await record(s, 'sg_a'))!.hasReadSeq).toBe(2);
    expect(events.map((e) => e.kind)).toEqual(['read', 'read']);
  });

  it('delete_conversations: a repeat deletes nothing that came back since', async () => {
    const { s, events, sock, h0 } = await setup([makeConversation('sg_a'), makeConversation('sg_b')]);
    const body = { mutationID: 'm-del-1', conversationIDs: ['sg_a'] };
    const first = await write(s, 'u1', DEL, body);
    expect(first.data).toEqual({ versionID: h0.id, version: h0.version + 1 });
    expect(await sock.next()).toMatchObject({ type: 'conversation.changed', version: h0.version + 1, delta: { delete: ['sg_a'] } });
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    await sock.next();
    await expectRepeat(s, sock, events, DEL, body, first);
    expect(await record(s, 'sg_a')).toBeDefined();
    expect(events.map((e) => e.kind)).toEqual(['delete', 'delete']);
  });

  it('concurrent copies of one request: one is applied, every copy gets the same answer', async () => {
    const { s, events } = await startWithHook();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a'), makeConversation('sg_b')] });
    const h0 = await head(s);
    const body = { mutationID: 'm-concurrent', conversationIDs: ['sg_a', 'sg_b'] };
    const answers = await Promise.all(Array.from({ length: 8 }, () => write(s, 'u1', DEL, body)));
    for (const a of answers) expect(a).toMatchObject({ errCode: 0, data: { versionID: h0.id, version: h0.version + 1 } });
    expect(events.filter((e) => !e.repeat)).toHaveLength(1);
    expect(events.filter((e) => e.repeat)).toHaveLength(7);
    expect((await head(s)).version).toBe(h0.version + 1);
  });

  it('a write that changed nothing is remembered with the head it answered', async () => {
    const { s, events, sock, h0 } = await setup([makeConversation('sg_a')]);
    const body = { mutationID: 'm-noop', conversation: { conversationID: 'sg_a', isPinned: false } };
    const first = await write(s, 'u1', SET, body);
    expect(first.data).toEqual({ versionID: h0.id, version: h0.version });
    await nothingQueued(sock);
    await write(s, 'u1', SET, { conversation: { conversationID: 'sg_a', ex: 'later' } });
    expect((await head(s)).version).toBe(h0.version + 1);
    const again = await write(s, 'u1', SET, body);
    expect(again.data).toEqual({ versionID: h0.id, version: h0.version });
    expect(events.map((e) => e.repeat)).toEqual([false, true]);
  });
});

describe('what is remembered', () => {
  it('per user: the same mutationID of another user is another mutation', async () => {
    const { s, events } = await startWithHook();
    for (const u of ['u1', 'u2']) await s.admin('/admin/upsert', { userID: u, conversations: [makeConversation('sg_a', { ownerUserID: u })] });
    for (const u of ['u1', 'u2']) {
      const r = await write(s, u, SET, { mutationID: 'shared-id', conversation: { conversationID: 'sg_a', isPinned: true } });
      const h = await head(s, u);
      expect(r.data).toEqual({ versionID: h.id, version: h.version });
      expect((await record(s, 'sg_a', u))!.isPinned).toBe(true);
    }
    expect(events.map((e) => [e.userID, e.repeat])).toEqual([
      ['u1', false],
      ['u2', false],
    ]);
  });

  it('a failed request records nothing: its retry runs (1004, 1002, 1001)', async () => {
    const { s, events } = await startWithHook();
    await s.admin('/admin/upsert', { userID: 'u2', conversations: [makeConversation('sg_a', { ownerUserID: 'u2' })] });
    const set = (mutationID: string, conversationID: string, over: object = {}) => ({ mutationID, conversation: { conversationID, isPinned: true, ...over } });
    expect((await write(s, 'u1', SET, set('f-404', 'sg_late'))).errCode).toBe(1004);
    expect((await write(s, 'u1', READ, { mutationID: 'f-404-read', conversationID: 'sg_late', hasReadSeq: 1 })).errCode).toBe(1004);
    const wrongUser = await s.post(SET, { userID: 'u2', ...set('f-403', 'sg_a') }, s.token('u1'));
    expect(wrongUser.body.errCode).toBe(1002);
    expect((await write(s, 'u2', SET, set('f-400', 'sg_a', { recvMsgOpt: 7 }))).errCode).toBe(1001);
    expect(events).toEqual([]);
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_late', { maxSeq: 3 })] });
    expect(await write(s, 'u1', SET, set('f-404', 'sg_late'))).toMatchObject({ errCode: 0 });
    expect(await write(s, 'u1', READ, { mutationID: 'f-404-read', conversationID: 'sg_late', hasReadSeq: 1 })).toMatchObject({ errCode: 0 });
    expect(await write(s, 'u2', SET, set('f-403', 'sg_a'))).toMatchObject({ errCode: 0 });
    expect(await write(s, 'u2', SET, set('f-400', 'sg_a', { recvMsgOpt: 1 }))).toMatchObject({ errCode: 0 });
    expect(await record(s, 'sg_late')).toMatchObject({ isPinned: true, hasReadSeq: 1 });
    expect(await record(s, 'sg_a', 'u2')).toMatchObject({ isPinned: true, recvMsgOpt: 1 });
    expect(events.map((e) => [e.mutationID, e.repeat])).toEqual([
      ['f-404', false],
      ['f-404-read', false],
      ['f-403', false],
      ['f-400', false],
    ]);
  });

  it('is kept with the store: a server restarted on the same state still knows the mutation', async () => {
    const a = wrap(await createServer({ host: '127.0.0.1', port: 0, admin: true }));
    await a.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    const first = await write(a, 'u1', DEL, { mutationID: 'm-restart', conversationIDs: ['sg_a'] });
    await a.close();
    const events: MutationEvent[] = [];
    const b = await start({ state: a.server.state, onMutation: (e) => events.push(e) });
    await b.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    expect(await write(b, 'u1', DEL, { mutationID: 'm-restart', conversationIDs: ['sg_a'] })).toMatchObject({ errCode: 0, data: first.data });
    expect(await record(b, 'sg_a')).toBeDefined();
    expect(events.map((e) => e.repeat)).toEqual([true]);
  });
});

describe('the store remembers the last MUTATIONS_REMEMBERED mutation IDs per user', () => {
  const pin = (isPinned: boolean): Edit[] => [{ conversationID: 'sg_a', apply: () => makeConversation('sg_a', { isPinned }) }];

  it('at least 1,000; the oldest is forgotten first; other users do not push a user’s IDs out', async () => {
    expect(MUTATIONS_REMEMBERED).toBeGreaterThanOrEqual(1000);
    const store = new MemoryConversationStore();
    for (let i = 0; i <= MUTATIONS_REMEMBERED; i++) expect((await store.commit('u1', [], `m${i}`)).repeat).toBe(false);
    for (let i = 0; i <= MUTATIONS_REMEMBERED; i++) await store.commit('u2', [], `m${i}`);
    // u1 remembers m1 … m1000; m0 was the oldest and is gone
    expect((await store.commit('u1', pin(true), `m${MUTATIONS_REMEMBERED}`)).repeat).toBe(true);
    expect((await store.commit('u1', pin(true), 'm1')).repeat).toBe(true);
    expect(await store.get('u1', ['sg_a'])).toEqual([]);
    const m0 = await store.commit('u1', pin(true), 'm0');
    expect(m0.repeat).toBe(false);
    expect(m0.change?.insert.map((c) => c.conversationID)).toEqual(['sg_a']);
  });

  it('commits the change and the mutation ID together: an edit that throws records neither', async () => {
    const store = new MemoryConversationStore();
    const h0 = await store.head('u1');
    const boom: Edit = {
      conversationID: 'sg_a',
      apply: () => {
        throw new Error('refused');
      },
    };
    await expect(store.commit('u1', [...pin(true), boom], 'm-throw')).rejects.toThrow('refused');
    expect(await store.head('u1')).toEqual(h0);
    const retry = await store.commit('u1', pin(true), 'm-throw');
    expect(retry).toMatchObject({ repeat: false, answer: { versionID: h0.id, version: h0.version + 1 } });
    expect(await store.commit('u1', pin(false), 'm-throw')).toEqual({ change: null, answer: retry.answer, repeat: true });
  });
});

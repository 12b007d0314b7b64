/**
 * What the writes answer (SPEC §3.2: `{versionID, version}`), which `mutationID` values they
 * take, and `total` on the first page of a full sync (SPEC §3.1).
 */
import { describe, expect, it } from 'vitest';
import { ConvSyncError, readFullPage } from '../../src/protocol/index.js';
import type { MutationEvent } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { serversClosedAfterEach, type TestServer } from '../helpers/server.js';

const start = serversClosedAfterEach();
const SET = '/conversation/set_conversations';
const READ = '/conversation/mark_as_read';
const DEL = '/conversation/delete_conversations';
const FULL = '/conversation/get_full_conversations';

const head = (s: TestServer) => s.server.state.store.head('u1');
const cursorOf = async (s: TestServer) => {
  const h = await head(s);
  return { versionID: h.id, version: h.version };
};

describe('every write answers {versionID, version}', () => {
  it('the version its change produced, or the head when it changed nothing', async () => {
    const events: MutationEvent[] = [];
    const s = await start({ onMutation: (e) => events.push(e) });
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a', { maxSeq: 9 }), makeConversation('sg_b')] });
    const sock = await s.socket(s.token('u1'));
    const h0 = await head(s);
    const at = (version: number) => ({ versionID: h0.id, version });

    expect(await s.call('u1', SET, { userID: 'u1', conversation: { conversationID: 'sg_a', isPinned: true } })).toEqual(at(h0.version + 1));
    expect(await s.call('u1', SET, { userID: 'u1', conversation: { conversationID: 'sg_a', isPinned: true } })).toEqual(at(h0.version + 1));

    const read = await s.call('u1', READ, { userID: 'u1', conversationID: 'sg_a', hasReadSeq: 4 });
    expect(read).toEqual(at(h0.version + 2));
    const unread = await sock.next((f) => f.type === 'conversation.unread');
    expect({ versionID: unread.versionID, version: unread.version }).toEqual(read);
    expect(await s.call('u1', READ, { userID: 'u1', conversationID: 'sg_a', hasReadSeq: 3 })).toEqual(at(h0.version + 2));

    expect(await s.call('u1', DEL, { userID: 'u1', conversationIDs: ['sg_b', 'sg_missing'] })).toEqual(at(h0.version + 3));
    expect(await s.call('u1', DEL, { userID: 'u1', conversationIDs: ['sg_missing'] })).toEqual(at(h0.version + 3));
    expect(await cursorOf(s)).toEqual(at(h0.version + 3));
    // no mutationID: nothing remembered, nothing for the hook, nothing counted
    expect(events).toEqual([]);
    expect(await (await fetch(s.url + '/metrics')).text()).toContain('convsync_mutations_total{result="applied"} 0');
  });

  it('a user never seen before gets the head of a fresh log', async () => {
    const s = await start();
    const a = await s.call('u1', DEL, { userID: 'u1', conversationIDs: ['sg_x'] });
    expect(a).toEqual(await cursorOf(s));
    expect(a.version).toBe(1);
    expect(a.versionID).toMatch(/^[0-9a-f]{24}$/);
  });
});

describe('mutationID', () => {
  const hostile: Array<[string, unknown]> = [
    ['a number', 42],
    ['null', null],
    ['an object', { id: 'm1' }],
    ['an array', ['m1']],
    ['a boolean', true],
    ['empty', ''],
    ['129 chars', 'm'.repeat(129)],
    ['a space', 'm 1'],
    ['a newline', 'm\n1'],
    ['a NUL', 'm\u00001'],
    ['DEL (0x7f)', 'm\u007f'],
    ['a tab', '\tm1'],
    ['non-ASCII', 'mé'],
    ['an emoji', 'm👍'],
  ];
  const bodies: Array<[string, Record<string, unknown>]> = [
    [SET, { userID: 'u1', conversation: { conversationID: 'sg_a', isPinned: true } }],
    [READ, { userID: 'u1', conversationID: 'sg_a', hasReadSeq: 5 }],
    [DEL, { userID: 'u1', conversationIDs: ['sg_a'] }],
  ];

  it.each(hostile)('1001 naming body.mutationID for %s, on every write; nothing applied', async (_n, value) => {
    const events: MutationEvent[] = [];
    const s = await start({ onMutation: (e) => events.push(e) });
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a', { maxSeq: 9 })] });
    const before = await cursorOf(s);
    for (const [path, body] of bodies) {
      const r = await s.post(path, { ...body, mutationID: value }, s.token('u1'));
      expect(r.status, path).toBe(400);
      expect(r.body.errCode, path).toBe(1001);
      expect(r.body.errDlt, path).toBe('body.mutationID');
    }
    expect(await cursorOf(s)).toEqual(before);
    expect(await s.server.state.store.get('u1', ['sg_a'])).toEqual([makeConversation('sg_a', { maxSeq: 9 })]);
    expect(events).toEqual([]);
  });

  it.each([
    ['128 chars', 'm'.repeat(128)],
    ['one char', '!'],
    ['every printable ASCII char', Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('')],
  ])('accepts %s', async (_n, mutationID) => {
    const events: MutationEvent[] = [];
    const s = await start({ onMutation: (e) => events.push(e) });
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    const r = await s.post(SET, { ...bodies[0]![1], mutationID }, s.token('u1'));
    expect(r.body.errCode).toBe(0);
    expect(events).toEqual([{ userID: 'u1', mutationID, kind: 'set', repeat: false }]);
  });
});

describe('total on the first page of get_full_conversations', () => {
  it('the first page carries the number of records; later pages do not', async () => {
    const s = await start();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: Array.from({ length: 25 }, (_, i) => makeConversation(`sg_${String(i).padStart(2, '0')}`)) });
    const p1 = await s.call('u1', FULL, { userID: 'u1', limit: 10 });
    expect(p1.total).toBe(25);
    expect(readFullPage(p1).total).toBe(25);
    const p2 = await s.call('u1', FULL, { userID: 'u1', limit: 10, cursor: p1.nextCursor });
    expect(p2.conversations).toHaveLength(10);
    expect('total' in p2).toBe(false);
    expect(readFullPage(p2).total).toBeUndefined();
    await s.call('u1', DEL, { userID: 'u1', conversationIDs: ['sg_00', 'sg_01'] });
    expect((await s.call('u1', FULL, { userID: 'u1', limit: 10 })).total).toBe(23);
    expect((await s.call('u2', FULL, { userID: 'u2' })).total).toBe(0);
  });

  it('readFullPage takes total as an optional non-negative integer', () => {
    const page = { versionID: 'a'.repeat(24), version: 3, conversations: [], nextCursor: null };
    expect(readFullPage(page).total).toBeUndefined();
    expect(readFullPage({ ...page, total: 0 }).total).toBe(0);
    expect(readFullPage({ ...page, total: 7 }).total).toBe(7);
    for (const total of [-1, 1.5, '3', {}, true]) {
      expect(() => readFullPage({ ...page, total }), String(total)).toThrow(ConvSyncError);
    }
  });
});

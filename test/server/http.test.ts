import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryConversationStore, createServerState, issueToken, type Logger } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { post, startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
const lines: Array<Record<string, unknown>> = [];
const logger: Logger = {
  info: (msg, f) => lines.push({ msg, ...f }),
  error: (msg, f) => lines.push({ msg, ...f }),
};
const INC = '/conversation/get_incremental_conversations';
const first = { userID: 'u1', versionID: '', version: 0 };

beforeAll(async () => {
  s = await startServer({ logger });
  await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a'), makeConversation('sg_b')] });
});
afterAll(() => s.close());

describe('envelope and statuses', () => {
  it('ok: 200, errCode 0, data', async () => {
    const r = await s.post(INC, first, s.token('u1'));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ errCode: 0, errMsg: '', errDlt: '' });
    expect(r.body.data).toMatchObject({ full: true, delete: [], insert: [], update: [] });
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('1001 / 400: malformed JSON', async () => {
    const r = await s.post(INC, '{"userID": "u1",', s.token('u1'));
    expect(r.status).toBe(400);
    expect(r.body.errCode).toBe(1001);
    expect(r.body.errMsg).toMatch(/JSON/);
  });

  it.each([
    ['body not an object', [1, 2], 'body'],
    ['missing userID', { versionID: '', version: 0 }, 'body.userID'],
    ['userID a number', { userID: 1, versionID: '', version: 0 }, 'body.userID'],
    ['versionID a number', { userID: 'u1', versionID: 5, version: 0 }, 'body.versionID'],
    ['version a string', { userID: 'u1', versionID: '', version: '3' }, 'body.version'],
    ['version a fraction', { userID: 'u1', versionID: '', version: 1.5 }, 'body.version'],
  ])('1001 / 400: %s, message names the field', async (_n, body, field) => {
    const r = await s.post(INC, body, s.token('u1'));
    expect(r.status).toBe(400);
    expect(r.body.errCode).toBe(1001);
    expect(r.body.errMsg).toContain(field);
    expect(r.body.errDlt).toBe(field);
    expect(r.body.data).toBeNull();
  });

  it.each([
    ['unknown enum', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'sg_a', recvMsgOpt: 7 } }, 'body.conversation.recvMsgOpt'],
    ['wrong bool', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'sg_a', isPinned: 'yes' } }, 'body.conversation.isPinned'],
    ['groupAtType out of range', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'sg_a', groupAtType: 9 } }, 'body.conversation.groupAtType'],
    ['missing conversation', '/conversation/set_conversations', { userID: 'u1' }, 'body.conversation'],
    ['negative hasReadSeq', '/conversation/mark_as_read', { userID: 'u1', conversationID: 'sg_a', hasReadSeq: -1 }, 'body.hasReadSeq'],
    ['limit too large', '/conversation/get_full_conversations', { userID: 'u1', limit: 5001 }, 'body.limit'],
    ['limit zero', '/conversation/get_full_conversations', { userID: 'u1', limit: 0 }, 'body.limit'],
    ['bad idHash', '/conversation/get_full_conversation_ids', { userID: 'u1', idHash: 'xyz' }, 'body.idHash'],
    ['pageNumber 0', '/conversation/get_sorted_conversation_list', { userID: 'u1', pagination: { pageNumber: 0, showNumber: 10 } }, 'body.pagination.pageNumber'],
    ['ids not a list', '/conversation/delete_conversations', { userID: 'u1', conversationIDs: 'sg_a' }, 'body.conversationIDs'],
    ['empty id in list', '/conversation/delete_conversations', { userID: 'u1', conversationIDs: [''] }, 'body.conversationIDs[0]'],
    ['batch targets not a list', '/conversation/get_incremental_conversations_batch', { targets: {} }, 'body.targets'],
    ['batch repeats a user', '/conversation/get_incremental_conversations_batch', { targets: [first, first] }, 'body.targets[1].userID'],
  ])('1001 / 400: %s', async (_n, path, body, field) => {
    const r = await s.post(path, body, s.token('u1'));
    expect(r.status).toBe(400);
    expect(r.body.errCode).toBe(1001);
    expect(r.body.errMsg).toContain(field);
  });

  it('1002 / 403: another user’s target, single and in batch', async () => {
    const r = await s.post(INC, { ...first, userID: 'u2' }, s.token('u1'));
    expect(r.status).toBe(403);
    expect(r.body.errCode).toBe(1002);
    const b = await s.post('/conversation/get_incremental_conversations_batch', { targets: [first, { ...first, userID: 'u2' }] }, s.token('u1'));
    expect(b.status).toBe(403);
    expect(b.body.errCode).toBe(1002);
    for (const path of ['/conversation/get_full_conversations', '/conversation/get_full_conversation_ids', '/conversation/delete_conversations']) {
      const w = await s.post(path, { userID: 'u2', conversationIDs: [] }, s.token('u1'));
      expect(w.body.errCode, path).toBe(1002);
    }
  });

  it('1004 / 404: unknown route, GET on a POST route, unknown record', async () => {
    const a = await s.post('/conversation/nope', {}, s.token('u1'));
    expect(a.status).toBe(404);
    expect(a.body.errCode).toBe(1004);
    const g = await fetch(s.url + INC);
    expect(g.status).toBe(404);
    expect((await g.json()).errCode).toBe(1004);
    const m = await s.post('/conversation/mark_as_read', { userID: 'u1', conversationID: 'sg_missing', hasReadSeq: 1 }, s.token('u1'));
    expect(m.status).toBe(404);
    expect(m.body.errCode).toBe(1004);
  });

  it('1413 / 413: a body over 1 MiB', async () => {
    const big = JSON.stringify({ ...first, pad: 'x'.repeat(1024 * 1024) });
    const r = await s.post(INC, big, s.token('u1'));
    expect(r.status).toBe(413);
    expect(r.body.errCode).toBe(1413);
    // just under the limit is fine
    const ok = await s.post(INC, JSON.stringify({ ...first, pad: 'x'.repeat(1024 * 1024 - 200) }), s.token('u1'));
    expect(ok.body.errCode).toBe(0);
  });

  it('500 / 500: an internal failure, without leaking details', async () => {
    const store = new MemoryConversationStore();
    store.head = async () => {
      throw new Error('disk on fire');
    };
    const broken = await startServer({ state: { ...createServerState(), store }, logger });
    try {
      const r = await broken.post(INC, first, broken.token('u1'));
      expect(r.status).toBe(500);
      expect(r.body.errCode).toBe(500);
      expect(r.body.errMsg).not.toContain('disk');
      expect(lines.some((l) => l.msg === 'internal error' && String(l.error).includes('disk on fire'))).toBe(true);
    } finally {
      await broken.close();
    }
  });
});

describe('auth', () => {
  it('1502 / 401 without a token', async () => {
    const r = await s.post(INC, first);
    expect(r.status).toBe(401);
    expect(r.body.errCode).toBe(1502);
  });

  it.each([
    ['garbage', 'abc'],
    ['tampered signature', 'TAMPER'],
    ['signed with another secret', 'OTHER'],
  ])('1502 / 401 with a bad token (%s)', async (_n, kind) => {
    let token = kind;
    if (kind === 'TAMPER') token = s.token('u1').slice(0, -2) + 'xx';
    if (kind === 'OTHER') token = issueToken('not-the-secret', 'u1').token;
    const r = await s.post(INC, first, token);
    expect(r.status).toBe(401);
    expect(r.body.errCode).toBe(1502);
  });

  it('1502 in batch too', async () => {
    const r = await s.post('/conversation/get_incremental_conversations_batch', { targets: [first] }, 'nope');
    expect(r.body.errCode).toBe(1502);
  });

  it('1501 / 401 with an expired token', async () => {
    const r = await s.post(INC, first, s.token('u1', 0));
    expect(r.status).toBe(401);
    expect(r.body.errCode).toBe(1501);
  });

  it('accepts the OpenIM-style `token:` header', async () => {
    const r = await post(s.url, INC, first, undefined, { token: s.token('u1') });
    expect(r.body.errCode).toBe(0);
  });

  it('admin routes are 404 unless admin is on', async () => {
    const off = await startServer({ admin: false });
    try {
      const r = await off.post('/admin/token', { userID: 'u1' });
      expect(r.status).toBe(404);
      expect(r.body.errCode).toBe(1004);
    } finally {
      await off.close();
    }
    const on = await s.post('/admin/token', { userID: 'u1', ttlSeconds: 60 });
    expect(on.body.data.token).toEqual(expect.any(String));
    expect((await s.post(INC, first, on.body.data.token)).body.errCode).toBe(0);
  });
});

describe('null lists and empty lists', () => {
  it('reads null as [] where the SPEC allows it', async () => {
    const t = s.token('u1');
    expect((await s.post('/conversation/delete_conversations', { userID: 'u1', conversationIDs: null }, t)).body.errCode).toBe(0);
    const b = await s.post('/conversation/get_incremental_conversations_batch', { targets: null }, t);
    expect(b.body).toMatchObject({ errCode: 0, data: { results: {} } });
    expect((await s.post('/admin/upsert', { userID: 'u1', conversations: null })).body.errCode).toBe(0);
  });

  it('encodes empty lists as []', async () => {
    const t = s.token('u9');
    const r = await s.post('/conversation/get_full_conversations', { userID: 'u9' }, t);
    expect(r.body.data).toMatchObject({ conversations: [], nextCursor: null, version: 1 });
    const ids = await s.post('/conversation/get_full_conversation_ids', { userID: 'u9' }, t);
    expect(ids.body.data).toMatchObject({ conversationIDs: [], equal: false });
  });
});

describe('tracing and logs', () => {
  it('echoes operationID and logs it, never the token', async () => {
    const token = s.token('u1');
    const r = await post(s.url, INC, first, token, { operationID: 'op-12345' });
    expect(r.headers.get('operationid')).toBe('op-12345');
    const line = lines.find((l) => l.operationID === 'op-12345');
    expect(line).toMatchObject({ msg: 'request', path: INC, status: 200, errCode: 0, userID: 'u1' });
    expect(JSON.stringify(lines)).not.toContain(token);
    // one is made up when the client sends none
    const anon = await s.post(INC, first, token);
    expect(anon.headers.get('operationid')).toMatch(/^srv-/);
  });

  it('answers CORS preflights', async () => {
    const r = await fetch(s.url + INC, { method: 'OPTIONS', headers: { Origin: 'http://app.example', 'Access-Control-Request-Method': 'POST' } });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('access-control-allow-headers')).toMatch(/operationID/);
  });
});

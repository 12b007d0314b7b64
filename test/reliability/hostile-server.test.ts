/**
 * Hostile input against the reference server (issue 5, "Hostile input — Server").
 *
 * One table of malformed HTTP requests and one of malformed WebSocket frames (both in
 * hostile-server-cases.ts). Every row must get its documented answer (SPEC §3 errCode +
 * HTTP status, SPEC §4 close code), must leave the store untouched (every user, record,
 * version log id/version/entry), must not touch the built-in prototypes, must not produce
 * an internal error, and must not echo the attacker's payload back. After the tables the
 * server still serves users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { protoSnapshot, prototypesClean, rawPost, storeSnapshot, withTimeout } from './server-state.js';
import { auth, first, frames, rows, type Send } from './hostile-server-cases.js';
import { BATCH, DEL, FULL, INC, MARK, SET, SORTED } from './paths.js';

let s: TestServer;
let token: string;
const logLines: Array<Record<string, unknown>> = [];
const logger: Logger = {
  info: (msg, f) => logLines.push({ level: 'info', msg, ...f }),
  error: (msg, f) => logLines.push({ level: 'error', msg, ...f }),
};

beforeAll(async () => {
  // admin off: the hostile server exposes only what a production server would
  s = await startServer({ admin: false, logger });
  token = s.token('u1');
  const svc = s.server.service;
  await svc.upsert('u1', [makeConversation('sg_a', { maxSeq: 10, hasReadSeq: 2 }), makeConversation('sg_b'), makeConversation('constructorX')]);
  await svc.upsert('u2', [makeConversation('sg_a', { ownerUserID: 'u2', maxSeq: 10 }), makeConversation('sg_secret', { ownerUserID: 'u2' })]);
  await svc.sendMessage('si_u1_u2', 'u2', 'hello');
});
afterAll(() => s.close());

describe('hostile HTTP requests', () => {
  it('the table is big enough', () => {
    expect(rows.length).toBeGreaterThanOrEqual(25);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const before = storeSnapshot(s.server.state.store);
    const proto = protoSnapshot();
    const logsBefore = logLines.length;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(row.headers ?? { 'Content-Type': 'application/json', Authorization: 'BEARER' })) {
      headers[k] = v === 'BEARER' ? `Bearer ${token}` : v;
    }
    const body = 'json' in row.body ? JSON.stringify(row.body.json) : row.body.raw;
    const r = await withTimeout(rawPost(s.url, row.path, body, headers), 15_000, row.name);

    expect(r.json, `answer is an envelope: ${r.text.slice(0, 200)}`).not.toBeNull();
    expect({ status: r.status, errCode: r.json!.errCode }).toEqual({ status: row.status, errCode: row.errCode });
    expect(r.json!.data).toBeNull();
    if (row.errDlt !== undefined) expect(r.json!.errDlt).toBe(row.errDlt);
    // the answer names the fault; it never echoes a large hostile payload back
    expect(r.text.length).toBeLessThan(600);
    expect(r.text).not.toContain(token);

    expect(storeSnapshot(s.server.state.store)).toBe(before);
    expect(protoSnapshot()).toBe(proto);
    expect(prototypesClean()).toBe(true);
    const newLines = logLines.slice(logsBefore);
    expect(newLines.filter((l) => l.level === 'error')).toEqual([]);
    expect(newLines.some((l) => l.msg === 'request' && l.errCode === row.errCode)).toBe(true);
  });
});

describe('hostile WebSocket frames', () => {
  it('the table is big enough', () => {
    expect(frames.length).toBeGreaterThanOrEqual(15);
  });

  it.each(frames.map((f) => [f.name, f] as const))('%s', async (_name, row) => {
    const before = storeSnapshot(s.server.state.store);
    const proto = protoSnapshot();
    const bystander = await s.socket(s.token('u1'));
    const sock = row.when === 'after-auth' ? await s.socket(token) : await s.socket();
    let f: Send = row.frame;
    if (f === 'TAMPERED') f = auth(token.slice(0, -3) + (token.endsWith('AAA') ? 'BBB' : 'AAA'));
    if (f === 'AUTH_U2') f = auth(s.token('u2'));
    if (typeof f === 'string') f = f.replace('"TOKEN"', JSON.stringify(token));
    if (typeof f === 'string') sock.ws.send(f);
    else if ('binary' in f) sock.ws.send(f.binary, { binary: true });
    else sock.ws.send(f.text, { binary: false });

    if (row.expect === 'pong') {
      sock.send({ type: 'ping' });
      expect(await withTimeout(sock.next((x) => x.type === 'pong'), 5_000, 'pong')).toEqual({ type: 'pong' });
      sock.ws.terminate();
      await withTimeout(sock.closed, 5_000, 'close');
    } else {
      expect(await withTimeout(sock.closed, 5_000, 'close')).toBe(row.expect);
    }
    // the sender only ever saw its own user's frames
    expect(sock.frames.every((x) => x.type !== 'auth.ok' || x.userID === 'u1')).toBe(true);
    // nothing changed, and the other socket of the same user is unharmed
    expect(storeSnapshot(s.server.state.store)).toBe(before);
    expect(protoSnapshot()).toBe(proto);
    expect(prototypesClean()).toBe(true);
    bystander.send({ type: 'ping' });
    expect(await withTimeout(bystander.next((x) => x.type === 'pong'), 5_000, 'bystander pong')).toEqual({ type: 'pong' });
    bystander.ws.terminate();
    await withTimeout(bystander.closed, 5_000, 'bystander close');
  });
});

describe('after the hostile tables', () => {
  it('nothing leaked into Object.prototype and no internal error was logged', () => {
    expect(prototypesClean()).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(logLines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('the server still serves every user normally', async () => {
    const u1 = await s.call('u1', INC, first);
    expect(u1.full).toBe(true);
    const page = await s.call('u1', FULL, { userID: 'u1' });
    expect(page.conversations.map((c: { conversationID: string }) => c.conversationID)).toEqual(['constructorX', 'sg_a', 'sg_b', 'si_u1_u2']);
    const sock = await s.socket(s.token('u2'));
    await s.call('u2', SET, { userID: 'u2', conversation: { conversationID: 'sg_secret', isPinned: true } });
    const f = await withTimeout(sock.next((x) => x.type === 'conversation.changed'), 5_000, 'changed frame');
    expect(f).toMatchObject({ userID: 'u2', conversationIDs: ['sg_secret'] });
    const again = await s.call('u2', INC, { userID: 'u2', versionID: f.versionID, version: f.version - 1 });
    expect(again).toMatchObject({ full: false, update: [expect.objectContaining({ conversationID: 'sg_secret', isPinned: true })] });
    // a brand-new user works too
    const fresh = await s.call('u-new', SORTED, { userID: 'u-new', pagination: { pageNumber: 1, showNumber: 10 } });
    expect(fresh).toEqual({ conversationTotal: 0, unreadTotal: 0, conversationElems: [] });
  });
});

describe('content type (documented leniency)', () => {
  it('reads JSON whatever the media type; only a non-UTF-8 charset is refused', async () => {
    const t = s.token('u4');
    // bytes, so that fetch adds no Content-Type of its own when none is given
    const body = new TextEncoder().encode(JSON.stringify({ userID: 'u4', versionID: '', version: 0 }));
    for (const ct of [undefined, 'text/plain;charset=UTF-8', 'application/json; charset="utf-8"', 'application/x-www-form-urlencoded']) {
      const r = await rawPost(s.url, INC, body, { Authorization: `Bearer ${t}`, ...(ct ? { 'Content-Type': ct } : {}) });
      expect(r.json?.errCode, String(ct)).toBe(0);
    }
  });
});

describe('pollution keys in valid requests', () => {
  it('a user called __proto__ gets its own batch result (results is not a plain object map)', async () => {
    const t = s.token('__proto__');
    await s.server.service.upsert('__proto__', [makeConversation('sg_p', { ownerUserID: '__proto__' })]);
    const r = await s.post(BATCH, { targets: [{ userID: '__proto__', versionID: '', version: 0 }] }, t);
    expect(r.body.errCode).toBe(0);
    expect(Object.keys(r.body.data.results)).toEqual(['__proto__']);
    expect(r.body.data.results['__proto__']).toMatchObject({ full: true });
    expect(prototypesClean()).toBe(true);
  });

  it('conversations called __proto__ / constructor / prototype are ordinary records', async () => {
    const ids = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'];
    const before = await s.server.state.store.head('u3');
    await s.server.service.upsert('u3', ids.map((id) => makeConversation(id, { ownerUserID: 'u3', maxSeq: 5 })));
    const t = s.token('u3');
    const inc = await s.post(INC, { userID: 'u3', versionID: before.id, version: before.version }, t);
    expect(inc.body.data.insert.map((c: { conversationID: string }) => c.conversationID).sort()).toEqual([...ids].sort());
    expect((await s.post(MARK, { userID: 'u3', conversationID: '__proto__', hasReadSeq: 3 }, t)).body.errCode).toBe(0);
    expect((await s.post(SET, { userID: 'u3', conversation: { conversationID: 'constructor', isPinned: true } }, t)).body.errCode).toBe(0);
    expect((await s.post(DEL, { userID: 'u3', conversationIDs: ['prototype'] }, t)).body.errCode).toBe(0);
    const page = await s.post(FULL, { userID: 'u3' }, t);
    const got = page.body.data.conversations as Array<{ conversationID: string; hasReadSeq: number; isPinned: boolean }>;
    expect(got.map((c) => c.conversationID)).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
    expect(got.find((c) => c.conversationID === '__proto__')!.hasReadSeq).toBe(3);
    expect(got.find((c) => c.conversationID === 'constructor')!.isPinned).toBe(true);
    expect(prototypesClean()).toBe(true);
  });

  it('unknown keys, including pollution keys, are ignored by a valid write', async () => {
    const before = storeSnapshot(s.server.state.store);
    const r = await rawPost(
      s.url,
      SET,
      '{"userID":"u1","__proto__":{"userID":"u2"},"conversation":{"conversationID":"sg_b","ex":"v","__proto__":{"ownerUserID":"u2","isPinned":true},"ownerUserID":"u2","maxSeq":999}}',
      { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    );
    expect(r.json?.errCode).toBe(0);
    expect(storeSnapshot(s.server.state.store)).not.toBe(before);
    const [rec] = await s.server.state.store.get('u1', ['sg_b']);
    expect(rec).toEqual(makeConversation('sg_b', { ex: 'v' }));
    expect(Object.getPrototypeOf(rec)).toBe(Object.prototype);
    expect(prototypesClean()).toBe(true);
  });
});

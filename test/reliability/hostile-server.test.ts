/**
 * Hostile input against the reference server (issue 5, "Hostile input — Server").
 *
 * One table of malformed HTTP requests and one of malformed WebSocket frames. Every row
 * must get its documented answer (SPEC §3 errCode + HTTP status, SPEC §4 close code),
 * must leave the store untouched (every user, record, version log id/version/entry),
 * must not touch the built-in prototypes, must not produce an internal error, and must
 * not echo the attacker's payload back. After the tables the server still serves users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_AUTH, CLOSE_MALFORMED, type Logger } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { protoSnapshot, prototypesClean, rawPost, storeSnapshot, withTimeout } from './server-state.js';
import { BATCH, DEL, FULL, IDS, INC, MARK, SET, SORTED } from './paths.js';


const MiB = 1024 * 1024;
const DEEP = 100_000;
const first = { userID: 'u1', versionID: '', version: 0 };

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

type Body = { json: unknown } | { raw: string | Uint8Array };

interface Row {
  name: string;
  path: string;
  body: Body;
  /** replaces the default headers (JSON content type + u1's bearer token) */
  headers?: Record<string, string>;
  status: number;
  errCode: number;
  /** the field the answer must name in errDlt */
  errDlt?: string;
}

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const deepArrays = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObjects = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const json = (v: unknown): Body => ({ json: v });
const raw = (v: string | Uint8Array): Body => ({ raw: v });
const bad = (name: string, path: string, body: Body, errDlt?: string, headers?: Record<string, string>): Row => ({
  name,
  path,
  body,
  status: 400,
  errCode: 1001,
  ...(errDlt !== undefined ? { errDlt } : {}),
  ...(headers ? { headers } : {}),
});
const set = (conversation: Record<string, unknown>) => json({ userID: 'u1', conversation });

const rows: Row[] = [
  // ---- nesting ----
  bad('100k nested arrays as the body', INC, raw(deepArrays(DEEP)), 'body'),
  bad('100k nested objects in a string field', SET, raw(`{"userID":"u1","conversation":{"conversationID":"sg_a","ex":${deepObjects(DEEP)}}}`), 'body.conversation.ex'),
  bad('100k nested arrays as a batch target', BATCH, raw(`{"targets":[${deepArrays(DEEP)}]}`), 'body.targets[0]'),
  bad('100k nested objects as pagination', SORTED, raw(`{"userID":"u1","pagination":${deepObjects(DEEP)}}`), 'body.pagination.pageNumber'),
  bad('100k open brackets, never closed', INC, raw('{"a":'.repeat(DEEP)), 'body'),
  // ---- prototype pollution ----
  bad('__proto__ cannot supply the fields', INC, raw('{"__proto__":{"userID":"u1","versionID":"","version":0}}'), 'body.userID'),
  bad('__proto__ cannot supply conversation fields', SET, raw('{"userID":"u1","conversation":{"__proto__":{"conversationID":"sg_a","isPinned":true}}}'), 'body.conversation.conversationID'),
  bad(
    'constructor.prototype and __proto__ keys beside a bad field',
    MARK,
    raw('{"userID":"u1","conversationID":"sg_a","hasReadSeq":-1,"constructor":{"prototype":{"polluted":"yes"}},"__proto__":{"polluted":"yes"}}'),
    'body.hasReadSeq',
  ),
  bad('__proto__ inside a batch target', BATCH, raw('{"targets":[{"__proto__":{"userID":"u1"},"versionID":"","version":0}]}'), 'body.targets[0].userID'),
  { name: '__proto__ as a conversationID', path: SET, body: set({ conversationID: '__proto__', isPinned: true }), status: 404, errCode: 1004 },
  { name: 'constructor as a conversationID', path: MARK, body: json({ userID: 'u1', conversationID: 'constructor', hasReadSeq: 1 }), status: 404, errCode: 1004 },
  { name: 'prototype as the userID', path: INC, body: json({ ...first, userID: 'prototype' }), status: 403, errCode: 1002 },
  { name: '__proto__ as a batch target userID', path: BATCH, body: raw(`{"targets":[${JSON.stringify(first)},{"userID":"__proto__","versionID":"","version":0}]}`), status: 403, errCode: 1002 },
  // ---- size ----
  bad('a 1 MiB string in ex (body under the limit)', SET, set({ conversationID: 'sg_a', ex: 'x'.repeat(MiB - 1024) }), 'body.conversation.ex'),
  bad('a 500k-char versionID', INC, json({ ...first, versionID: 'f'.repeat(500_000) }), 'body.versionID'),
  { name: 'a body over 1 MiB', path: INC, body: json({ ...first, pad: 'x'.repeat(MiB) }), status: 413, errCode: 1413 },
  { name: 'a body over 1 MiB without a token (the token is checked first; the body is never read)', path: SET, body: json({ pad: 'y'.repeat(MiB + 1) }), headers: { 'Content-Type': 'application/json' }, status: 401, errCode: 1502 },
  bad('1,001 batch targets', BATCH, json({ targets: Array.from({ length: 1001 }, (_, i) => ({ userID: `u${i}`, versionID: '', version: 0 })) }), 'body.targets'),
  bad('10,001 IDs to delete', DEL, json({ userID: 'u1', conversationIDs: Array.from({ length: 10_001 }, (_, i) => `sg_${i}`) }), 'body.conversationIDs'),
  // ---- numbers ----
  bad('negative hasReadSeq', MARK, json({ userID: 'u1', conversationID: 'sg_a', hasReadSeq: -1 }), 'body.hasReadSeq'),
  bad('negative page limit', FULL, json({ userID: 'u1', limit: -1 }), 'body.limit'),
  bad('negative burnDuration', SET, set({ conversationID: 'sg_a', burnDuration: -30 }), 'body.conversation.burnDuration'),
  bad('negative pageNumber', SORTED, json({ userID: 'u1', pagination: { pageNumber: -3, showNumber: 10 } }), 'body.pagination.pageNumber'),
  bad('non-integer version', INC, json({ ...first, version: 1.5 }), 'body.version'),
  bad('non-integer hasReadSeq', MARK, json({ userID: 'u1', conversationID: 'sg_a', hasReadSeq: 2.000001 }), 'body.hasReadSeq'),
  bad('a NaN literal (not JSON)', INC, raw('{"userID":"u1","versionID":"","version":NaN}'), 'body'),
  bad('an Infinity literal (not JSON)', MARK, raw('{"userID":"u1","conversationID":"sg_a","hasReadSeq":Infinity}'), 'body'),
  bad('1e400 (parses to Infinity)', MARK, raw('{"userID":"u1","conversationID":"sg_a","hasReadSeq":1e400}'), 'body.hasReadSeq'),
  bad('"NaN" as a string', INC, json({ ...first, version: 'NaN' }), 'body.version'),
  bad('2^53 + 1 (not a safe integer)', MARK, raw('{"userID":"u1","conversationID":"sg_a","hasReadSeq":9007199254740993}'), 'body.hasReadSeq'),
  bad('1e308 as a version', INC, json({ ...first, version: 1e308 }), 'body.version'),
  bad('a hex literal', INC, raw('{"userID":"u1","versionID":"","version":0x10}'), 'body'),
  // ---- types and shapes ----
  bad('userID a number', INC, json({ ...first, userID: 1 }), 'body.userID'),
  bad('isPinned the string "true"', SET, set({ conversationID: 'sg_a', isPinned: 'true' }), 'body.conversation.isPinned'),
  bad('recvMsgOpt the string "1"', SET, set({ conversationID: 'sg_a', recvMsgOpt: '1' }), 'body.conversation.recvMsgOpt'),
  bad('conversationIDs a string', DEL, json({ userID: 'u1', conversationIDs: 'sg_a' }), 'body.conversationIDs'),
  bad('an object in an ID list', DEL, json({ userID: 'u1', conversationIDs: ['sg_a', { id: 'sg_b' }] }), 'body.conversationIDs[1]'),
  bad('missing hasReadSeq', MARK, json({ userID: 'u1', conversationID: 'sg_a' }), 'body.hasReadSeq'),
  bad('missing pagination', SORTED, json({ userID: 'u1' }), 'body.pagination'),
  bad('missing conversationID', SET, set({ isPinned: true }), 'body.conversation.conversationID'),
  bad('unknown enum: recvMsgOpt 3', SET, set({ conversationID: 'sg_a', recvMsgOpt: 3 }), 'body.conversation.recvMsgOpt'),
  bad('unknown enum: groupAtType -1', SET, set({ conversationID: 'sg_a', groupAtType: -1 }), 'body.conversation.groupAtType'),
  bad('an idHash that is not 16 hex chars', IDS, json({ userID: 'u1', idHash: 'ZZZZZZZZZZZZZZZZ' }), 'body.idHash'),
  bad('an empty body', INC, raw(''), 'body.userID'),
  bad('a whitespace-only body', INC, raw(' \r\n\t '), 'body.userID'),
  bad('a null body', INC, raw('null'), 'body'),
  bad('an array body', MARK, raw('[{"userID":"u1","conversationID":"sg_a","hasReadSeq":3}]'), 'body'),
  bad('a string body', INC, raw('"u1"'), 'body'),
  bad('conversation an array', SET, json({ userID: 'u1', conversation: [{ conversationID: 'sg_a', isPinned: true }] }), 'body.conversation'),
  bad('pagination an array', SORTED, json({ userID: 'u1', pagination: [1, 10] }), 'body.pagination'),
  bad('a batch target an array', BATCH, json({ targets: [['u1', '', 0]] }), 'body.targets[0]'),
  // ---- unicode in IDs ----
  { name: 'a lone surrogate userID', path: INC, body: raw('{"userID":"\\ud800","versionID":"","version":0}'), status: 403, errCode: 1002 },
  { name: 'userID with a NUL after u1', path: INC, body: json({ ...first, userID: 'u1\u0000' }), status: 403, errCode: 1002 },
  { name: 'userID u1 behind an RTL mark', path: INC, body: json({ ...first, userID: '\u200fu1' }), status: 403, errCode: 1002 },
  { name: 'userID with an RTL override', path: FULL, body: json({ userID: '\u202e1u' }), status: 403, errCode: 1002 },
  { name: 'fullwidth look-alike of u1', path: IDS, body: json({ userID: 'ｕ１' }), status: 403, errCode: 1002 },
  { name: 'an emoji conversationID', path: MARK, body: json({ userID: 'u1', conversationID: 'sg_😀', hasReadSeq: 1 }), status: 404, errCode: 1004 },
  { name: 'a lone surrogate conversationID', path: SET, body: raw('{"userID":"u1","conversation":{"conversationID":"\\udc00","isPinned":true}}'), status: 404, errCode: 1004 },
  { name: 'sg_a followed by NUL is not sg_a', path: SET, body: set({ conversationID: 'sg_a\u0000', isPinned: true }), status: 404, errCode: 1004 },
  { name: 'sg_a with a zero-width joiner is not sg_a', path: MARK, body: json({ userID: 'u1', conversationID: 'sg_\u200da', hasReadSeq: 5 }), status: 404, errCode: 1004 },
  bad('a 10k-char userID', INC, json({ ...first, userID: 'u'.repeat(10_000) }), 'body.userID'),
  bad('a 10k-char conversationID', SET, set({ conversationID: 'sg_' + '😀'.repeat(5_000), isPinned: true }), 'body.conversation.conversationID'),
  bad('a 10k-char cursor', FULL, json({ userID: 'u1', cursor: 'c'.repeat(10_000) }), 'body.cursor'),
  // ---- bytes and encodings ----
  bad('invalid UTF-8 in the userID', INC, raw(bytes('{"userID":"u1', [0xff], '","versionID":"","version":0}')), 'body'),
  bad('invalid UTF-8 inside ex (must not be stored as U+FFFD)', SET, raw(bytes('{"userID":"u1","conversation":{"conversationID":"sg_a","ex":"', [0xc3, 0x28], '"}}')), 'body'),
  bad('an overlong UTF-8 encoding', SET, raw(bytes('{"userID":"u1","conversation":{"conversationID":"sg_a","ex":"', [0xc0, 0xaf], '"}}')), 'body'),
  bad('a UTF-8-encoded surrogate (CESU)', SET, raw(bytes('{"userID":"u1","conversation":{"conversationID":"sg_a","ex":"', [0xed, 0xa0, 0x80], '"}}')), 'body'),
  bad('a UTF-16LE body', INC, raw(new Uint8Array(Buffer.from(JSON.stringify(first), 'utf16le'))), 'body'),
  bad('duplicate keys are read like JSON.parse: the last one', SET, raw('{"userID":"u1","conversation":{"conversationID":"sg_a","isPinned":true,"isPinned":"no"}}'), 'body.conversation.isPinned'),
  // ---- content type ----
  // the media type is not checked (see the test below); what is not JSON fails as JSON
  bad('a form-urlencoded body', MARK, raw('userID=u1&conversationID=sg_a&hasReadSeq=5'), 'body', { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'BEARER' }),
  bad('multipart/form-data', MARK, raw('--x\r\nContent-Disposition: form-data; name="userID"\r\n\r\nu1\r\n--x--\r\n'), 'body', {
    'Content-Type': 'multipart/form-data; boundary=x',
    Authorization: 'BEARER',
  }),
  bad('a text/xml body', SET, raw('<conversation userID="u1"><conversationID>sg_a</conversationID></conversation>'), 'body', { 'Content-Type': 'text/xml', Authorization: 'BEARER' }),
  bad('valid JSON declared as UTF-16', SET, json({ userID: 'u1', conversation: { conversationID: 'sg_a', isPinned: true } }), 'content-type', {
    'Content-Type': 'text/plain; charset=utf-16',
    Authorization: 'BEARER',
  }),
  bad('application/json with a latin1 charset', SET, json({ userID: 'u1', conversation: { conversationID: 'sg_a', isPinned: true } }), 'content-type', {
    'Content-Type': 'application/json; charset=iso-8859-1',
    Authorization: 'BEARER',
  }),
  // ---- routes and auth ----
  { name: 'an admin route with admin off', path: '/admin/reset_log', body: json({ userID: 'u1' }), status: 404, errCode: 1004 },
  { name: 'an encoded path traversal to admin', path: '/conversation/..%2fadmin%2fupsert', body: json({ userID: 'u1', conversations: [] }), status: 404, errCode: 1004 },
  { name: 'no token', path: SET, body: set({ conversationID: 'sg_a', isPinned: true }), headers: { 'Content-Type': 'application/json' }, status: 401, errCode: 1502 },
  { name: 'a Basic Authorization header', path: SET, body: set({ conversationID: 'sg_a', isPinned: true }), headers: { 'Content-Type': 'application/json', Authorization: 'Basic dTE6dTE=' }, status: 401, errCode: 1502 },
];

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
  type Send = string | { binary: Uint8Array } | { text: Uint8Array };
  interface FrameRow {
    name: string;
    /** sent before auth (the frame is the auth attempt) or after a good auth */
    when: 'first' | 'after-auth';
    frame: Send;
    /** the close code, or 'pong' when the socket must stay open and answer a ping */
    expect: number | 'pong';
  }
  const auth = (t: unknown, extra = '') => `{"type":"auth","token":${JSON.stringify(t)}${extra}}`;
  const frames: FrameRow[] = [
    { name: 'not JSON as the first frame', when: 'first', frame: '{"type":"auth"', expect: CLOSE_AUTH },
    { name: 'auth with a numeric token', when: 'first', frame: auth(12345), expect: CLOSE_AUTH },
    { name: 'auth with a token object', when: 'first', frame: auth({ userID: 'u1' }), expect: CLOSE_AUTH },
    { name: 'auth whose type hides in __proto__', when: 'first', frame: `{"__proto__":{"type":"auth"},"token":"TOKEN"}`, expect: CLOSE_AUTH },
    { name: 'auth with a tampered token', when: 'first', frame: 'TAMPERED', expect: CLOSE_AUTH },
    { name: 'a 30k-deep array as the first frame', when: 'first', frame: deepArrays(30_000), expect: CLOSE_AUTH },
    { name: 'an auth frame over maxPayload (64 KiB)', when: 'first', frame: auth('t'.repeat(70_000)), expect: 1009 },
    { name: 'invalid JSON after auth', when: 'after-auth', frame: '{oops', expect: CLOSE_MALFORMED },
    { name: 'an array after auth', when: 'after-auth', frame: '[{"type":"ping"}]', expect: CLOSE_MALFORMED },
    { name: 'a numeric type', when: 'after-auth', frame: '{"type":5}', expect: CLOSE_MALFORMED },
    { name: 'a type inherited from __proto__', when: 'after-auth', frame: '{"__proto__":{"type":"ping"}}', expect: CLOSE_MALFORMED },
    { name: 'null', when: 'after-auth', frame: 'null', expect: CLOSE_MALFORMED },
    { name: 'a 30k-deep array after auth', when: 'after-auth', frame: deepArrays(30_000), expect: CLOSE_MALFORMED },
    { name: 'a 10k-deep object beside a ping', when: 'after-auth', frame: `{"type":"ping","x":${deepObjects(10_000)}}`, expect: 'pong' },
    { name: 'a binary frame', when: 'after-auth', frame: { binary: new Uint8Array([0x7b, 0x7d]) }, expect: CLOSE_MALFORMED },
    { name: 'a text frame of invalid UTF-8', when: 'after-auth', frame: { text: bytes('{"type":"ping","x":"', [0xff, 0xfe], '"}') }, expect: 1007 },
    { name: 'a frame over maxPayload', when: 'after-auth', frame: `{"type":"ping","x":"${'x'.repeat(70_000)}"}`, expect: 1009 },
    { name: 'pollution keys beside a ping are harmless', when: 'after-auth', frame: '{"type":"ping","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}', expect: 'pong' },
    { name: 'a second auth for another user is ignored', when: 'after-auth', frame: 'AUTH_U2', expect: 'pong' },
  ];

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

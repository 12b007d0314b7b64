/**
 * The hostile-input tables run by hostile-server.test.ts: malformed HTTP requests and
 * malformed WebSocket frames, each row with its documented answer (SPEC §3, SPEC §4).
 */
import { CLOSE_AUTH, CLOSE_MALFORMED } from '../../src/server/index.js';
import { BATCH, DEL, FULL, IDS, INC, MARK, SET, SORTED } from './paths.js';

const MiB = 1024 * 1024;
const DEEP = 100_000;
export const first = { userID: 'u1', versionID: '', version: 0 };

// ---- HTTP: one row per malformed request ----

export type Body = { json: unknown } | { raw: string | Uint8Array };

export interface Row {
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

export const rows: Row[] = [
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
  // the media type is not checked (see the content-type test in hostile-server.test.ts); what is not JSON fails as JSON
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

// ---- WebSocket: one row per malformed frame ----

export type Send = string | { binary: Uint8Array } | { text: Uint8Array };
export interface FrameRow {
  name: string;
  /** sent before auth (the frame is the auth attempt) or after a good auth */
  when: 'first' | 'after-auth';
  frame: Send;
  /** the close code, or 'pong' when the socket must stay open and answer a ping */
  expect: number | 'pong';
}
export const auth = (t: unknown, extra = '') => `{"type":"auth","token":${JSON.stringify(t)}${extra}}`;
export const frames: FrameRow[] = [
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

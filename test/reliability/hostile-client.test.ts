/**
 * Hostile input, client side (issue 5): a table of malformed answers (through the
 * harness's crafted fetch, in front of the real server) and malformed or foreign frames
 * (injected into the real socket through the harness's taps). Every row states what must
 * happen: a typed `ConvSyncError` with nothing changed locally, or "ignored" / "tolerated"
 * as SPEC §3 / §4 / §5.3 specify, with the local data and cursor checked either way.
 * After every row the server is honest again and the next sync converges.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/client/types.js';
import { ConvSyncError, type Cursor, type ErrorCode, type LocalConversation } from '../../src/protocol/index.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { conv, expectEqualToServer, makeClient, startLive, nextStatus, waitFor, type Client, type ClientOptions, stopAfterEach } from '../client/harness.js';

const USER = 'u1';
const { servers, clients } = stopAfterEach();

// ---- building blocks ----

const rec = conv('sg_evil', USER);
const res = (body: string, status = 200, type = 'application/json', headers: Record<string, string> = {}): Response =>
  new Response(body, { status, headers: { 'content-type': type, ...headers } });
const json = (v: unknown, status = 200, type = 'application/json'): Response => res(JSON.stringify(v), status, type);
const env = (data: unknown, errCode = 0, status = 200): Response => json({ errCode, errMsg: errCode ? 'refused' : '', errDlt: '', data }, status);
/** An incremental answer one version ahead of `c` (override anything). */
const next = (c: Cursor, o: Record<string, unknown> = {}): Record<string, unknown> => ({
  versionID: c.versionID,
  version: c.version + 1,
  full: false,
  insert: [],
  update: [],
  delete: [],
  ...o,
});
/** The server's real answer, rewritten. */
async function rewrite(real: () => Promise<Response>, fn: (env: Record<string, unknown>) => unknown, type = 'application/json'): Promise<Response> {
  const r = await real();
  const e = JSON.parse(await r.text()) as Record<string, unknown>;
  return res(JSON.stringify(fn(e)), r.status, type);
}
/** Every `[]` one level under `data` becomes `null` (as OpenIM's servers encode empty lists). */
const nullLists = (e: Record<string, unknown>): unknown => {
  const d = { ...(e.data as Record<string, unknown>) };
  for (const k of Object.keys(d)) if (Array.isArray(d[k]) && (d[k] as unknown[]).length === 0) d[k] = null;
  return { ...e, data: d };
};

interface Ctx {
  s: TestServer;
  c: Client;
  cur: Cursor;
}

type Outcome =
  /** the sync (answer rows) or the frame is refused with this code; nothing changes locally */
  | { code: ErrorCode }
  /** answer rows: the sync succeeds and the device equals the server */
  | { tolerated: 'server' }
  /** answer rows: the sync succeeds; `check` states the local result */
  | { tolerated: 'custom'; check: (x: Ctx, before: Snap) => Promise<void> }
  /** frame rows: no error, no request, nothing changes */
  | { ignored: true }
  /** frame rows: not applied; a sync is triggered instead, and nothing changes (the server did not change) */
  | { resync: true };

interface AnswerRow {
  name: string;
  opts?: ClientOptions;
  user?: string;
  /** a server-side change made before the sync (for rows that rewrite a real answer) */
  setup?: (x: Ctx) => Promise<void>;
  /** the crafted answer for a request (undefined: the real one) */
  answer: (path: string, body: Record<string, unknown>, x: Ctx, real: () => Promise<Response>, init: RequestInit) => Response | undefined | Promise<Response | undefined>;
  expect: Outcome;
}

interface FrameRow {
  name: string;
  frame: (x: Ctx) => unknown;
  expect: Outcome;
}

interface Snap {
  list: LocalConversation[];
  cursor: Cursor | null;
}
const snap = async (c: Client): Promise<Snap> => ({ list: await c.storage.getAll(), cursor: await c.storage.getCursor() });
const INCR = '/conversation/get_incremental_conversations';
const FULL = '/conversation/get_full_conversations';
const IDS = '/conversation/get_full_conversation_ids';
const incr = (f: (x: Ctx) => Response | Promise<Response>): AnswerRow['answer'] => (p, _b, x) => (p === INCR ? f(x) : undefined);

// ---- the answers ----

const answers: AnswerRow[] = [
  { name: 'invalid JSON (cut mid-object)', answer: incr(() => res('{"errCode":0,"data":{"versionID":"')), expect: { code: 'BAD_ANSWER' } },
  { name: 'empty body, 200', answer: incr(() => res('')), expect: { code: 'BAD_ANSWER' } },
  { name: 'HTML error page, 500', answer: incr(() => res('<html><h1>Internal Server Error</h1></html>', 500, 'text/html')), expect: { code: 'SERVER' } },
  { name: 'HTML from a proxy, 502', answer: incr(() => res('<html><body>502 Bad Gateway</body></html>', 502, 'text/html')), expect: { code: 'SERVER' } },
  { name: '503, empty body, Retry-After', answer: incr(() => res('', 503, 'text/plain', { 'retry-after': '1' })), expect: { code: 'SERVER' } },
  { name: '503 with an envelope errCode 500', answer: incr(() => env(null, 500, 503)), expect: { code: 'SERVER' } },
  { name: 'HTML login page with 200', answer: incr(() => res('<!doctype html><form>log in</form>', 200, 'text/html')), expect: { code: 'BAD_ANSWER' } },
  {
    name: 'wrong content type (text/plain) on a valid envelope → tolerated: the body is validated, not the header',
    setup: async ({ s }) => void (await s.admin('/admin/upsert', { userID: USER, conversations: [conv('sg_plain', USER)] })),
    answer: (p, _b, _x, real) => (p === INCR ? rewrite(real, (e) => e, 'text/plain') : undefined),
    expect: { tolerated: 'server' },
  },
  { name: 'errCode as a string', answer: incr((x) => json({ errCode: '0', errMsg: '', data: next(x.cur) })), expect: { code: 'BAD_ANSWER' } },
  { name: 'errCode 0 with HTTP 500', answer: incr((x) => env(next(x.cur), 0, 500)), expect: { code: 'SERVER' } },
  { name: 'errCode 1004 (route not found)', answer: incr(() => env(null, 1004, 404)), expect: { code: 'SERVER' } },
  { name: 'errCode 1002 (another user’s data)', answer: incr(() => env(null, 1002, 403)), expect: { code: 'FORBIDDEN' } },
  { name: 'errCode 1501 every time (token expired, asked again once)', answer: incr(() => env(null, 1501, 401)), expect: { code: 'AUTH' } },
  { name: 'data is an array', answer: incr(() => env([1, 2, 3])), expect: { code: 'BAD_ANSWER' } },
  { name: 'data is null', answer: incr(() => env(null)), expect: { code: 'BAD_ANSWER' } },
  { name: 'full is the string "false"', answer: incr((x) => env(next(x.cur, { full: 'false' }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'insert is an object, not a list', answer: incr((x) => env(next(x.cur, { insert: { sg_evil: rec } }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'update missing', answer: incr((x) => env(next(x.cur, { update: undefined, insert: [rec] }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'version is a fraction', answer: incr((x) => env(next(x.cur, { version: x.cur.version + 0.5, insert: [rec] }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'version beyond 2^53', answer: incr((x) => env(next(x.cur, { version: 2 ** 53 + 2, insert: [rec] }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'version 1e400 (Infinity once parsed)', answer: incr((x) => res(`{"errCode":0,"errMsg":"","data":{"versionID":"${x.cur.versionID}","version":1e400,"full":false,"insert":[],"update":[],"delete":[]}}`)), expect: { code: 'BAD_ANSWER' } },
  { name: 'versionID in upper case', answer: incr((x) => env(next(x.cur, { versionID: x.cur.versionID.toUpperCase().replace(/^./, 'A'), insert: [rec] }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'version goes backwards on the same versionID', answer: incr((x) => env(next(x.cur, { version: x.cur.version - 1, update: [rec] }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'version goes backwards, no changes', answer: incr((x) => env(next(x.cur, { version: x.cur.version - 1 }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'full with data', answer: incr((x) => env(next(x.cur, { full: true, update: [rec] }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'one ID twice in insert', answer: incr((x) => env(next(x.cur, { insert: [rec, { ...rec, showName: 'twin' }] }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'one ID in update and delete', answer: incr((x) => env(next(x.cur, { update: [rec], delete: ['sg_evil'] }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'enormous field (1.5 MB showName)', answer: incr((x) => env(next(x.cur, { insert: [{ ...rec, showName: 'x'.repeat(1_500_000) }] }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'enormous body (8 MB of junk)', answer: incr(() => res('{"errCode":0,"data":' + ' '.repeat(8_000_000) + 'junk}')), expect: { code: 'BAD_ANSWER' } },
  { name: 'deeply nested JSON (100k levels)', answer: incr(() => res('{"errCode":0,"errMsg":"","data":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}')), expect: { code: 'BAD_ANSWER' } },
  { name: 'an ID of 300 characters', answer: incr((x) => env(next(x.cur, { delete: ['sg_' + 'a'.repeat(297)] }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'latestMsg is a string', answer: incr((x) => env(next(x.cur, { insert: [{ ...rec, latestMsg: 'hello' }] }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'isPinned is 1', answer: incr((x) => env(next(x.cur, { insert: [{ ...rec, isPinned: 1 }] }))), expect: { code: 'BAD_ANSWER' } },
  { name: 'recvMsgOpt out of its enum', answer: incr((x) => env(next(x.cur, { insert: [{ ...rec, recvMsgOpt: 7 }] }))), expect: { code: 'BAD_ANSWER' } },
  {
    name: 'fetch rejects (connection refused)',
    answer: (p) => {
      if (p === INCR) throw new TypeError('connect ECONNREFUSED');
      return undefined;
    },
    expect: { code: 'NETWORK' },
  },
  {
    name: 'no answer within the timeout',
    opts: { requestTimeoutMs: 150 },
    answer: (p, _b, _x, _real, init) =>
      p !== INCR ? undefined : new Promise<Response>((_ok, fail) => init.signal?.addEventListener('abort', () => fail(new DOMException('aborted', 'AbortError')), { once: true })),
    expect: { code: 'TIMEOUT' },
  },
  {
    name: 'a snapshot page whose nextCursor does not advance',
    opts: { pageSize: 3 },
    answer: async (p, b, x, real) => {
      if (p === INCR) return env(next(x.cur, { full: true }));
      if (p !== FULL || b.cursor === undefined) return undefined;
      const r = await rewrite(real, (e) => ({ ...e, data: { ...(e.data as object), nextCursor: b.cursor } }));
      return r;
    },
    expect: { code: 'BAD_ANSWER' },
  },
  {
    name: 'a snapshot page with the same ID twice',
    answer: async (p, _b, x, real) => {
      if (p === INCR) return env(next(x.cur, { full: true }));
      if (p !== FULL) return undefined;
      return rewrite(real, (e) => {
        const d = e.data as { conversations: unknown[] };
        return { ...e, data: { ...d, conversations: [...d.conversations, d.conversations[0]] } };
      });
    },
    expect: { code: 'BAD_ANSWER' },
  },
  {
    name: 'an answer that never ends (stopped at maxAnswerBytes, long before the timeout)',
    opts: { maxAnswerBytes: 1 << 20, requestTimeoutMs: 8_000 },
    answer: incr(() => {
      const chunk = new TextEncoder().encode('{"errCode":0,"errMsg":"","data":{"pad":"' + 'x'.repeat(64 * 1024));
      // one chunk per turn of the event loop: without the cap the row fails by its timeout instead of hanging the suite
      const body = new ReadableStream<Uint8Array>({ pull: (ctl) => new Promise<void>((ok) => setTimeout(() => ok(ctl.enqueue(chunk.slice())), 0)) });
      return new Response(body, { headers: { 'content-type': 'application/json' } });
    }),
    expect: { code: 'BAD_ANSWER' },
  },
  {
    name: 'a Content-Length beyond maxAnswerBytes (refused before the body is read)',
    // a valid answer padded with whitespace: only its size is wrong
    opts: { maxAnswerBytes: 64 * 1024 },
    answer: incr((x) => res(JSON.stringify({ errCode: 0, errMsg: '', errDlt: '', data: next(x.cur) }) + ' '.repeat(100 * 1024))),
    expect: { code: 'BAD_ANSWER' },
  },
  (() => {
    const asked: string[] = []; // the snapshot cursors the client asked for, in order
    return {
      name: 'a snapshot whose cursor goes A → B → A',
      opts: { pageSize: 3 },
      answer: async (p, b, x, real) => {
        if (p === INCR) return env(next(x.cur, { full: true }));
        if (p !== FULL || b.cursor === undefined) return undefined;
        asked.push(String(b.cursor));
        if (asked.length > 10) throw new Error('the client kept paging'); // fails the row, never loops the suite
        // the page at B points back at A: an endless loop for a trusting client
        if (asked.length === 2) return rewrite(real, (e) => ({ ...e, data: { ...(e.data as object), nextCursor: asked[0] } }));
        return undefined;
      },
      expect: { code: 'BAD_ANSWER' },
    } satisfies AnswerRow;
  })(),
  {
    name: 'a snapshot that repeats an ID of an earlier page',
    opts: { pageSize: 3 },
    answer: async (p, b, x, real) => {
      if (p === INCR) return env(next(x.cur, { full: true }));
      if (p !== FULL || b.cursor === undefined) return undefined;
      return rewrite(real, (e) => {
        const d = e.data as { conversations: Array<{ conversationID: string }> };
        return { ...e, data: { ...d, conversations: [{ ...d.conversations[0]!, conversationID: String(b.cursor) }, ...d.conversations.slice(1)] } };
      });
    },
    expect: { code: 'BAD_ANSWER' },
  },
  {
    name: 'an empty snapshot page that is not the last',
    opts: { pageSize: 3 },
    answer: async (p, b, x, real) => {
      if (p === INCR) return env(next(x.cur, { full: true }));
      if (p !== FULL || b.cursor === undefined) return undefined;
      return rewrite(real, (e) => ({ ...e, data: { ...(e.data as object), conversations: [], nextCursor: `${String(b.cursor)}~` } }));
    },
    expect: { code: 'BAD_ANSWER' },
  },
  // ---- tolerated ----
  {
    name: 'null where a list belongs (incremental) → []',
    setup: async ({ s }) => void (await s.admin('/admin/upsert', { userID: USER, conversations: [conv('sg_nulls', USER)] })),
    answer: (p, _b, _x, real) => (p === INCR ? rewrite(real, nullLists) : undefined),
    expect: { tolerated: 'server' },
  },
  {
    name: 'null where a list belongs (snapshot of an empty list) → []',
    user: 'u0',
    answer: (p, _b, _x, real) => (p === FULL || p === INCR ? rewrite(real, nullLists) : undefined),
    expect: { tolerated: 'server' },
  },
  {
    name: 'null conversationIDs in an equal drift-check answer → []',
    opts: { driftCheck: true, driftCheckIntervalMs: 0 },
    answer: (p, _b, _x, real) => (p === IDS ? rewrite(real, (e) => ({ ...e, data: { ...(e.data as object), conversationIDs: null } })) : undefined),
    expect: { tolerated: 'server' },
  },
  {
    name: 'a drift-check answer with other IDs → a full sync repairs',
    opts: { driftCheck: true, driftCheckIntervalMs: 0 },
    answer: (p, _b, _x, real) =>
      p === IDS ? rewrite(real, (e) => ({ ...e, data: { ...(e.data as object), equal: false, conversationIDs: ['sg_ghost'] } })) : undefined,
    expect: {
      tolerated: 'custom',
      check: async (x, before) => {
        expect(x.c.sync.metrics().driftMismatches).toBeGreaterThan(0);
        expect(await snap(x.c)).toEqual(before); // the full sync found the same list
      },
    },
  },
  {
    name: 'unknown fields in the envelope, the data and the records → ignored',
    setup: async ({ s }) => void (await s.admin('/admin/upsert', { userID: USER, conversations: [conv('sg_extra', USER)] })),
    answer: (p, _b, _x, real) =>
      p === INCR
        ? rewrite(real, (e) => {
            const d = e.data as { insert: Array<Record<string, unknown>> };
            return { ...e, trace: 'x', data: { ...d, hint: 42, insert: d.insert.map((r) => ({ ...r, futureField: [1] })) } };
          })
        : undefined,
    expect: {
      tolerated: 'custom',
      check: async (x) => {
        expect(await x.c.sync.get('sg_extra')).not.toHaveProperty('futureField');
        await expectEqualToServer(x.c, x.s, USER);
      },
    },
  },
  {
    name: '"__proto__" keys in a record → stored without them, no prototype pollution',
    answer: incr((x) => {
      const body = JSON.stringify({ errCode: 0, errMsg: '', errDlt: '', data: next(x.cur, { insert: [rec] }) }).replace(
        '"conversationID":"sg_evil"',
        '"__proto__":{"polluted":true,"isPinned":true},"constructor":{"prototype":{"polluted":true}},"conversationID":"sg_evil"',
      );
      return res(body);
    }),
    expect: {
      tolerated: 'custom',
      check: async (x, before) => {
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        const got = await x.c.sync.get('sg_evil');
        expect(got).toMatchObject({ ...rec, isPinned: false });
        expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
        expect(Object.keys(got!)).not.toContain('__proto__');
        expect((got as unknown as Record<string, unknown>).polluted).toBeUndefined();
        const now = await snap(x.c);
        expect(now.cursor).toEqual({ versionID: x.cur.versionID, version: x.cur.version + 1 });
        expect(now.list.filter((c) => c.conversationID !== 'sg_evil')).toEqual(before.list);
      },
    },
  },
];

// ---- the frames ----

const changed = (x: Ctx, o: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'conversation.changed',
  userID: USER,
  conversationIDs: ['sg_evil'],
  versionID: x.cur.versionID,
  version: x.cur.version + 1,
  delta: { insert: [rec], update: [], delete: [] },
  ...o,
});
const unread = (x: Ctx, o: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'conversation.unread',
  userID: USER,
  conversationID: 'si_u1_u2',
  hasReadSeq: 1_000,
  unreadCountTime: 1,
  versionID: x.cur.versionID,
  version: x.cur.version + 1,
  ...o,
});

const frames: FrameRow[] = [
  { name: 'not JSON', frame: () => 'this is not json {', expect: { code: 'BAD_FRAME' } },
  { name: 'JSON null', frame: () => 'null', expect: { code: 'BAD_FRAME' } },
  { name: 'an array', frame: () => '[{"type":"conversation.changed"}]', expect: { code: 'BAD_FRAME' } },
  { name: 'no type', frame: (x) => ({ ...changed(x), type: undefined }), expect: { code: 'BAD_FRAME' } },
  { name: 'type is a number', frame: () => ({ type: 7 }), expect: { code: 'BAD_FRAME' } },
  { name: 'unknown frame type', frame: () => ({ type: 'conversation.typing', userID: USER, conversationID: 'si_u1_u2' }), expect: { ignored: true } },
  { name: 'changed frame for another user (with a delta)', frame: (x) => changed(x, { userID: 'u2' }), expect: { ignored: true } },
  { name: 'unread frame for another user', frame: (x) => unread(x, { userID: 'u2' }), expect: { ignored: true } },
  { name: 'private frame between two other users', frame: () => ({ type: 'conversation.private', sendID: 'u2', recvID: 'u3', conversationID: 'si_u2_u3', isPrivate: true }), expect: { ignored: true } },
  { name: 'auth.ok for another user while up', frame: () => ({ type: 'auth.ok', userID: 'u2' }), expect: { ignored: true } },
  { name: 'a server ping (answered, nothing else)', frame: () => ({ type: 'ping' }), expect: { ignored: true } },
  { name: 'changed at the current version (a duplicate) with a delta', frame: (x) => changed(x, { version: x.cur.version }), expect: { ignored: true } },
  { name: 'changed at an older version', frame: (x) => changed(x, { version: x.cur.version - 1 }), expect: { ignored: true } },
  { name: 'changed with a version gap (+3) and a delta: not applied, a sync instead', frame: (x) => changed(x, { version: x.cur.version + 3 }), expect: { resync: true } },
  { name: 'changed for another versionID with a delta: not applied, a sync instead', frame: (x) => changed(x, { versionID: 'f'.repeat(24) }), expect: { resync: true } },
  { name: 'unread for a conversation this device does not have: a sync instead', frame: (x) => unread(x, { conversationID: 'sg_unknown' }), expect: { resync: true } },
  { name: 'changed with one ID twice in the delta', frame: (x) => changed(x, { delta: { insert: [rec], update: [rec], delete: [] } }), expect: { code: 'BAD_FRAME' } },
  { name: 'changed with a malformed record in the delta', frame: (x) => changed(x, { delta: { insert: [{ ...rec, maxSeq: -1 }], update: [], delete: [] } }), expect: { code: 'BAD_FRAME' } },
  { name: 'changed with a delta that is a list', frame: (x) => changed(x, { delta: [rec] }), expect: { code: 'BAD_FRAME' } },
  { name: 'changed with version as a string', frame: (x) => changed(x, { version: String(x.cur.version + 1) }), expect: { code: 'BAD_FRAME' } },
  { name: 'changed with an all-zero versionID', frame: (x) => changed(x, { versionID: '0'.repeat(24) }), expect: { code: 'BAD_FRAME' } },
  { name: 'unread with hasReadSeq as a string', frame: (x) => unread(x, { hasReadSeq: '5' }), expect: { code: 'BAD_FRAME' } },
  { name: 'unread with a negative hasReadSeq', frame: (x) => unread(x, { hasReadSeq: -1 }), expect: { code: 'BAD_FRAME' } },
  { name: 'an enormous frame (3 MB)', frame: (x) => changed(x, { delta: { insert: [{ ...rec, showName: 'y'.repeat(3_000_000) }], update: [], delete: [] } }), expect: { code: 'BAD_FRAME' } },
];

// ---- running a row ----

async function setupClient(opts: ClientOptions, socket: boolean, user = USER): Promise<Ctx> {
  const s = await startServer();
  servers.push(s);
  if (user === USER) await s.admin('/admin/seed', { userID: USER, count: 8, peers: ['u2'] });
  const c = makeClient(s, user, { socket, maxBackoffMs: 60_000, ...opts });
  clients.push(c);
  if (socket) await startLive(c);
  else {
    await c.sync.start();
    await c.sync.sync();
  }
  return { s, c, cur: c.sync.cursor()! };
}

describe('hostile answers', () => {
  it.each(answers)('$name', async (row) => {
    const x = await setupClient(row.opts ?? {}, false, row.user);
    const user = row.user ?? USER;
    const { s, c } = x;
    const before = await snap(c);
    await row.setup?.(x);
    const changes: ChangeSet[] = [];
    c.sync.changes$.subscribe((e) => changes.push(e));
    c.craft.fn = (p, b, real, init) => row.answer(p, b as Record<string, unknown>, x, real, init);
    const e = row.expect;
    if ('code' in e) {
      const status = waitFor(c.sync.status$, (st) => st.error !== undefined, 5000);
      const err = await c.sync.sync().then(() => null, (er: unknown) => er);
      expect(err).toBeInstanceOf(ConvSyncError);
      expect((err as ConvSyncError).code).toBe(e.code);
      expect((await status).error?.code).toBe(e.code);
      expect(await snap(c)).toEqual(before);
      expect(c.sync.cursor()).toEqual(x.cur);
      expect(changes).toEqual([]);
    } else if ('tolerated' in e) {
      await c.sync.sync();
      if (e.tolerated === 'server') await expectEqualToServer(c, s, user);
      else await e.check(x, before);
    } else throw new Error('frame outcome on an answer row');
    // honest again: the next sync converges
    c.craft.fn = null;
    await c.sync.sync();
    await expectEqualToServer(c, s, user);
  });
  it('has at least 25 rows', () => expect(answers.length).toBeGreaterThanOrEqual(25));
});

describe('hostile frames', () => {
  it.each(frames)('$name', async (row) => {
    const x = await setupClient({}, true);
    const { s, c } = x;
    const tap = c.taps.last();
    const before = await snap(c);
    const m0 = c.sync.metrics();
    const requests = c.requests.length;
    const errors: string[] = [];
    c.sync.status$.subscribe((st) => st.error && errors.push(st.error.code));
    const changes: ChangeSet[] = [];
    c.sync.changes$.subscribe((ev) => changes.push(ev));
    const f = row.frame(x);
    const resync = nextStatus(c, (st) => st.state === 'syncing', 5000);
    resync.catch(() => undefined); // awaited only where the row expects a sync
    tap.inject(typeof f === 'string' ? f : JSON.stringify(f));
    // a barrier through the engine's write queue that sends no request
    const barrier = (): Promise<unknown> => c.sync.setDraft('sg_no_such_record', '');
    const e = row.expect;
    if ('code' in e) {
      // a malformed frame is reported as it arrives, before inject() returns
      expect(c.sync.metrics().errors.BAD_FRAME ?? 0).toBe((m0.errors.BAD_FRAME ?? 0) + 1);
      expect(errors).toContain(e.code);
    } else if ('ignored' in e) {
      await barrier();
      expect(c.requests.length, 'no request was made').toBe(requests);
      expect(c.sync.metrics().errors).toEqual(m0.errors);
      expect(errors).toEqual([]);
    } else if ('resync' in e) {
      await resync;
      await barrier();
      expect(c.requests.length, 'a sync was made').toBeGreaterThan(requests);
      expect(c.sync.metrics().pushedDeltasApplied).toBe(m0.pushedDeltasApplied);
      expect(errors).toEqual([]);
    } else throw new Error('answer outcome on a frame row');
    await barrier();
    await c.sync.sync();
    expect(await snap(c)).toEqual(before);
    expect(c.sync.cursor()).toEqual(x.cur);
    expect(await c.sync.get('sg_evil')).toBeUndefined();
    expect(changes).toEqual([]);
    await expectEqualToServer(c, s, USER);
    // still live afterwards
    const pushed = waitFor(c.sync.changes$, (ev) => ev.mode === 'pushed');
    await s.admin('/admin/upsert', { userID: USER, conversations: [conv('sg_after', USER)] });
    await pushed;
    await expectEqualToServer(c, s, USER);
  });
  it('has at least 20 rows', () => expect(frames.length).toBeGreaterThanOrEqual(20));
});

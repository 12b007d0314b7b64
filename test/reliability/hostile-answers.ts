/** The hostile answers of the client's table (test/reliability/hostile-client.test.ts): what a server may send, and what must happen. */
import { expect } from 'vitest';
import { conv, expectEqualToServer } from '../client/harness.js';
import { env, FULL, IDS, INCR, incr, json, next, nullLists, rec, res, rewrite, snap, USER, type AnswerRow } from './hostile-client-kit.js';

export const answers: AnswerRow[] = [
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
      return rewrite(real, (e) => ({ ...e, data: { ...(e.data as object), nextCursor: b.cursor } }));
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

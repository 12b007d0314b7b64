/** Malformed answers and frames: a typed error on status$ (BAD_ANSWER, SERVER, FORBIDDEN, BAD_FRAME), nothing changes locally, the next sync converges. */
import { describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/client/kernel/types.js';
import { ConvSyncError } from '../../src/protocol/index.js';
import { conv, expectEqualToServer, makeClient, startLive, waitFor } from './harness.js';
import { seededServers, snapshot } from './seeded-server.js';

const { clients, server } = seededServers();

const json = (v: unknown, status = 200, type = 'application/json') => new Response(typeof v === 'string' ? v : JSON.stringify(v), { status, headers: { 'content-type': type } });
const env = (data: unknown, errCode = 0, status = 200) => json({ errCode, errMsg: '', errDlt: '', data }, status);

describe('malformed answers → typed error on status$, nothing changes locally', () => {
  const V = 'e'.repeat(24);
  const rec = conv('sg_evil', 'u1');
  const incr = (o: Record<string, unknown>) => ({ versionID: V, version: 99, full: false, insert: [], update: [], delete: [], ...o });
  type Case = [name: string, code: string, incremental: (cur: { versionID: string; version: number }) => Response, page?: () => Response];
  const cases: Case[] = [
    ['HTML error page (502)', 'SERVER', () => json('<html><body>502 Bad Gateway</body></html>', 502, 'text/html')],
    ['HTML with 200', 'BAD_ANSWER', () => json('<!doctype html><p>login</p>', 200, 'text/html')],
    ['truncated JSON', 'BAD_ANSWER', () => json('{"errCode":0,"data":{"versionID":')],
    ['an array instead of an envelope', 'BAD_ANSWER', () => json([1, 2, 3])],
    ['an envelope without errCode', 'BAD_ANSWER', () => json({ data: incr({}) })],
    ['data missing', 'BAD_ANSWER', () => env(undefined)],
    ['version is a string', 'BAD_ANSWER', (c) => env(incr({ versionID: c.versionID, version: String(c.version + 1) }))],
    ['versionID missing', 'BAD_ANSWER', (c) => env(incr({ versionID: undefined, version: c.version + 1 }))],
    ['versionID all zeros', 'BAD_ANSWER', (c) => env(incr({ versionID: '0'.repeat(24), version: c.version + 1 }))],
    ['version goes backwards on the same versionID', 'BAD_ANSWER', (c) => env(incr({ versionID: c.versionID, version: c.version - 1, insert: [rec] }))],
    ['non-full answer for another versionID', 'BAD_ANSWER', (c) => env(incr({ versionID: 'f'.repeat(24), version: c.version + 1, insert: [rec] }))],
    ['changes without a new version', 'BAD_ANSWER', (c) => env(incr({ versionID: c.versionID, version: c.version, insert: [rec] }))],
    ['a record of unknown conversationType', 'BAD_ANSWER', (c) => env(incr({ versionID: c.versionID, version: c.version + 1, insert: [{ ...rec, conversationType: 2 }] }))],
    ['a record missing a field', 'BAD_ANSWER', (c) => { const { showName: _s, ...r } = rec; return env(incr({ versionID: c.versionID, version: c.version + 1, update: [r] })); }],
    ['a negative maxSeq', 'BAD_ANSWER', (c) => env(incr({ versionID: c.versionID, version: c.version + 1, update: [{ ...rec, maxSeq: -5 }] }))],
    ['one ID twice in a delta', 'BAD_ANSWER', (c) => env(incr({ versionID: c.versionID, version: c.version + 1, insert: [rec], delete: ['sg_evil'] }))],
    ['full with non-empty lists', 'BAD_ANSWER', (c) => env(incr({ versionID: c.versionID, version: c.version + 1, full: true, insert: [rec] }))],
    ['delete list of numbers', 'BAD_ANSWER', (c) => env(incr({ versionID: c.versionID, version: c.version + 1, delete: [1, 2] }))],
    ['errCode 1001', 'SERVER', () => env(null, 1001, 400)],
    ['errCode 1002', 'FORBIDDEN', () => env(null, 1002, 403)],
    ['a full page with a numeric nextCursor', 'BAD_ANSWER', (c) => env(incr({ versionID: c.versionID, version: c.version + 1, full: true })), () => env({ versionID: V, version: 3, conversations: [rec], nextCursor: 7 })],
    ['a full page with duplicate IDs', 'BAD_ANSWER', (c) => env(incr({ versionID: c.versionID, version: c.version + 1, full: true })), () => env({ versionID: V, version: 3, conversations: [rec, rec], nextCursor: null })],
    ['a full page without a cursor', 'BAD_ANSWER', (c) => env(incr({ versionID: c.versionID, version: c.version + 1, full: true })), () => env({ conversations: [rec], nextCursor: null })],
  ];

  it.each(cases)('%s → %s', async (_name, code, incremental, page) => {
    const s = await server();
    const c = makeClient(s, 'u1', { socket: false, maxBackoffMs: 60_000 });
    clients.push(c);
    await c.sync.start();
    await c.sync.sync();
    const before = await snapshot(c);
    const cur = c.sync.cursor()!;
    const changes: ChangeSet[] = [];
    c.sync.changes$.subscribe((x) => changes.push(x));
    c.craft.fn = (path) =>
      path.endsWith('get_incremental_conversations') ? incremental(cur) : path.endsWith('get_full_conversations') && page ? page() : undefined;
    const status = waitFor(c.sync.status$, (st) => st.error !== undefined);
    const err = await c.sync.sync().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConvSyncError);
    expect((err as ConvSyncError).code).toBe(code);
    expect((err as ConvSyncError).operationID).toEqual(expect.any(String));
    const st = await status;
    expect(st.error?.code).toBe(code);
    expect(st.state).toBe('error');
    expect(await snapshot(c)).toEqual(before);
    expect(c.sync.cursor()).toEqual(cur);
    expect(changes).toEqual([]);
    expect(c.sync.metrics().errors[code as 'BAD_ANSWER']).toBe(1);
    // the server is well again: the next sync succeeds
    c.craft.fn = null;
    await c.sync.sync();
    await expectEqualToServer(c, s, 'u1');
  });
});

describe('malformed frames → BAD_FRAME on status$, ignored', () => {
  it('a dozen bad frames change nothing; frames for another user are ignored', async () => {
    const s = await server();
    const c = makeClient(s, 'u1');
    clients.push(c);
    await startLive(c);
    const tap = c.taps.last();
    const before = await snapshot(c);
    const cur = c.sync.cursor()!;
    const rec = conv('sg_evil', 'u1');
    const ok = { type: 'conversation.changed', userID: 'u1', conversationIDs: ['sg_evil'], versionID: cur.versionID, version: cur.version + 1 };
    const bad: unknown[] = [
      'not json',
      '[1,2]',
      '{"type":5}',
      { ...ok, version: -1 },
      { ...ok, version: 'x' },
      { ...ok, versionID: 'zz' },
      { ...ok, conversationIDs: 'sg_a' },
      { ...ok, delta: { insert: [{ ...rec, isPinned: 'yes' }], update: [], delete: [] } },
      { ...ok, delta: { insert: [rec], update: [rec], delete: [] } },
      { ...ok, delta: 'nope' },
      { type: 'conversation.unread', userID: 'u1', conversationID: 'sg_evil', hasReadSeq: '3', unreadCountTime: 0, versionID: cur.versionID, version: cur.version + 1 },
      { type: 'conversation.unread', userID: 'u1', conversationID: '', hasReadSeq: 3, unreadCountTime: 0, versionID: cur.versionID, version: cur.version + 1 },
      { type: 'conversation.private', sendID: 'u1', recvID: 'u2', conversationID: 'si_u1_u2' },
    ];
    const problems: string[] = [];
    c.sync.status$.subscribe((st) => st.error && problems.push(st.error.code));
    for (const f of bad) tap.inject(f);
    // another user's valid frame: ignored silently
    tap.inject({ ...ok, userID: 'u9', delta: { insert: [rec], update: [], delete: [] } });
    // each malformed frame is reported as it arrives, before inject() returns
    expect(c.sync.metrics().errors.BAD_FRAME ?? 0).toBe(bad.length);
    expect(problems.filter((p) => p === 'BAD_FRAME').length).toBeGreaterThanOrEqual(1);
    await c.sync.sync();
    expect(await snapshot(c)).toEqual(before);
    expect(c.sync.cursor()).toEqual(cur);
    expect(await c.sync.get('sg_evil')).toBeUndefined();
    // still live afterwards
    const pushed = waitFor(c.sync.changes$, (x) => x.mode === 'pushed');
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_fine', 'u1')] });
    await pushed;
    await expectEqualToServer(c, s, 'u1');
  });
});

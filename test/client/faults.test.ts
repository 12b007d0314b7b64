/** Failures: malformed answers and frames, storage faults, auth, offline start; drafts through every sync. */
import { describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/client/types.js';
import { ConvSyncError, type LocalConversation } from '../../src/protocol/index.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { conv, expectEqualToServer, makeClient, serverHead, startLive, uniqueName, waitFor, type Client, type Kind, stopAfterEach } from './harness.js';

const { servers, clients } = stopAfterEach();

async function server(count = 12): Promise<TestServer> {
  const s = await startServer();
  servers.push(s);
  await s.admin('/admin/seed', { userID: 'u1', count, peers: ['u2'] });
  return s;
}

const json = (v: unknown, status = 200, type = 'application/json') => new Response(typeof v === 'string' ? v : JSON.stringify(v), { status, headers: { 'content-type': type } });
const env = (data: unknown, errCode = 0, status = 200) => json({ errCode, errMsg: '', errDlt: '', data }, status);

async function snapshot(c: Client): Promise<{ list: LocalConversation[]; cursor: unknown }> {
  return { list: (await c.storage.getAll()).map((x) => ({ ...x })), cursor: await c.storage.getCursor() };
}

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

describe.each(['memory', 'idb'] as const)('storage failing on the k-th write (%s)', (kind: Kind) => {
  const faulty = () => {
    const f = { armed: false, k: 3, n: 0 };
    const hook = (_id: string) => {
      if (f.armed && ++f.n === f.k) throw new Error('disk on fire');
    };
    return { f, hook };
  };

  it('in an incremental apply: old data and cursor stay; the next sync converges', async () => {
    const s = await server();
    const { f, hook } = faulty();
    const c = makeClient(s, 'u1', { kind, socket: false, beforeWrite: hook, maxBackoffMs: 60_000 });
    clients.push(c);
    await c.sync.start();
    await c.sync.sync();
    const before = await snapshot(c);
    await s.admin('/admin/upsert', { userID: 'u1', conversations: Array.from({ length: 6 }, (_, i) => conv(`sg_f${i}`, 'u1')) });
    f.armed = true;
    await expect(c.sync.sync()).rejects.toMatchObject({ code: 'STORAGE' });
    expect(await snapshot(c)).toEqual(before);
    expect(c.sync.cursor()).toEqual(before.cursor);
    f.armed = false;
    expect(await c.sync.sync()).toBe('incremental');
    await expectEqualToServer(c, s, 'u1');
  });

  it('in a full sync: the old list stays readable; the next sync converges', async () => {
    const s = await server(30);
    const { f, hook } = faulty();
    const c = makeClient(s, 'u1', { kind, socket: false, beforeWrite: hook, pageSize: 7, maxBackoffMs: 60_000 });
    clients.push(c);
    await c.sync.start();
    await c.sync.sync();
    const before = await snapshot(c);
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_full_new', 'u1')] });
    await s.admin('/admin/reset_log', { userID: 'u1' });
    f.k = 12; // on the second page
    f.armed = true;
    await expect(c.sync.sync()).rejects.toMatchObject({ code: 'STORAGE' });
    expect(await snapshot(c)).toEqual(before);
    f.armed = false;
    expect(await c.sync.sync()).toBe('full');
    await expectEqualToServer(c, s, 'u1');
  });

  it('in a pushed delta: nothing half-applied; a sync catches up', async () => {
    const s = await server();
    const { f, hook } = faulty();
    const c = makeClient(s, 'u1', { kind, beforeWrite: hook });
    clients.push(c);
    await startLive(c);
    f.k = 2;
    f.armed = true;
    const failed = waitFor(c.sync.status$, (st) => st.error?.code === 'STORAGE');
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_p1', 'u1'), conv('sg_p2', 'u1')] });
    await failed;
    const caughtUp = waitFor(c.sync.changes$, (x) => [...x.added, ...x.updated].some((r) => r.conversationID === 'sg_p2'));
    f.armed = false;
    await caughtUp;
    await expectEqualToServer(c, s, 'u1');
  });
});

describe('auth', () => {
  it('401 → the token function is called again and the request succeeds', async () => {
    const s = await server();
    let calls = 0;
    const c = makeClient(s, 'u1', { socket: false, tokenFn: async () => (calls++ === 0 ? 'expired.token.value' : s.token('u1')) });
    clients.push(c);
    await c.sync.start();
    expect(await c.sync.sync()).toBe('full');
    expect(calls).toBe(2); // the requests refused together (the snapshot, the preview) asked once
    // the snapshot's first page, refused, then sent again with the new token (one page in all)
    expect(c.requests.filter((p) => p.endsWith('/get_full_conversations'))).toHaveLength(2);
    await expectEqualToServer(c, s, 'u1');
  });

  it('a token refused twice → AUTH', async () => {
    const s = await server();
    const c = makeClient(s, 'u1', { socket: false, tokenFn: async () => 'bad' });
    clients.push(c);
    await c.sync.start();
    await expect(c.sync.sync()).rejects.toMatchObject({ code: 'AUTH' });
    expect(c.tokenCalls()).toBe(2);
  });

  it('a socket refused with 4401 asks for a new token and connects', async () => {
    const s = await server();
    let calls = 0;
    const c = makeClient(s, 'u1', { tokenFn: async () => (calls++ === 0 ? 'bad' : s.token('u1')) });
    clients.push(c);
    await startLive(c);
    await expectEqualToServer(c, s, 'u1');
  });
});

describe.each(['memory', 'idb'] as const)('offline start (%s)', (kind: Kind) => {
  it('shows the cached list at once and reports offline', async () => {
    const s = await server(25);
    const name = uniqueName('offline');
    const a = makeClient(s, 'u1', { kind, name, socket: false });
    await a.sync.start();
    await a.sync.sync();
    await a.sync.setDraft((await a.sync.getPage({ limit: 1 })).items[0]!.conversationID, 'draft kept offline');
    const cached = (await a.sync.getPage({ limit: 100 })).items;
    await a.sync.stop();
    const url = s.url;
    await s.close();
    servers.length = 0; // closed above

    const b = makeClient({ ...s, url, wsURL: s.wsURL }, 'u1', { kind, name });
    clients.push(b);
    const statuses: string[] = [];
    b.sync.status$.subscribe((st) => statuses.push(st.state));
    const listed = waitFor(b.sync.conversations$, () => true);
    await b.sync.start();
    expect((await b.sync.getPage({ limit: 100 })).items).toEqual(cached);
    expect(await b.sync.get(cached[0]!.conversationID)).toEqual(cached[0]);
    expect(await listed).toEqual(cached);
    const off = await waitFor(b.sync.status$, (st) => st.state === 'offline');
    expect(off.error?.code).toBe('NETWORK');
    expect(b.sync.cursor()).toEqual(await b.storage.getCursor());
    expect((await b.sync.getPage({ limit: 100 })).items).toEqual(cached);
  });
});

describe('drafts survive every kind of sync', () => {
  it('incremental, pushed, unread, full', async () => {
    const s = await server();
    const c = makeClient(s, 'u1');
    clients.push(c);
    await startLive(c);
    const id = 'si_u1_u2';
    const lists: LocalConversation[][] = [];
    c.sync.conversations$.subscribe((l) => lists.push(l));
    const d = await c.sync.setDraft(id, 'half a thought');
    expect(d?.draftText).toBe('half a thought');
    await waitFor(c.sync.conversations$, (l) => l[0]?.conversationID === id || l[0]?.isPinned === true, 5000);
    const check = async (what: string) => {
      const r = await c.sync.get(id);
      expect(r?.draftText, what).toBe('half a thought');
      expect(lists.at(-1)?.find((x) => x.conversationID === id)?.draftText, what).toBe('half a thought');
    };
    // pushed delta touching the record
    let ev = waitFor(c.sync.changes$, (x) => x.mode === 'pushed');
    const sent = await s.admin<{ seq: number }>('/admin/send_message', { conversationID: id, sendID: 'u2', text: 'new' });
    await ev;
    await check('pushed');
    // unread frame
    ev = waitFor(c.sync.changes$, (x) => x.mode === 'pushed');
    await s.call('u1', '/conversation/mark_as_read', { userID: 'u1', conversationID: id, hasReadSeq: sent.seq });
    await ev;
    await check('unread');
    // incremental: frames dropped, then a manual sync
    c.taps.pass = () => false;
    await s.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: id, ex: 'changed' } });
    expect(await c.sync.sync()).toBe('incremental');
    await check('incremental');
    // full
    await s.admin('/admin/reset_log', { userID: 'u1' });
    expect(await c.sync.sync()).toBe('full');
    await check('full');
    c.taps.pass = () => true;
    await expectEqualToServer(c, s, 'u1');
    expect(await c.sync.setDraft(id, '')).toMatchObject({ draftText: '', draftTextTime: 0 });
    expect(await c.sync.setDraft('sg_nope', 'x')).toBeUndefined();
    expect(await serverHead(s, 'u1')).toEqual(c.sync.cursor());
  });
});

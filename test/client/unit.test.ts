/** Unit tests of the client parts, on fakes and fake time. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoff } from '../../src/client/kernel/backoff.js';
import { diffAcc } from '../../src/client/views/changes.js';
import { createHttp, tokenSource } from '../../src/client/remote/http.js';
import { createLiveList } from '../../src/client/views/live-list.js';
import { initialStatus, reduceStatus, type SyncStatus } from '../../src/client/kernel/status.js';
import { compareConversations, ConvSyncError, readIncremental, totalUnreadOf, unreadCountOf, type LocalConversation } from '../../src/protocol/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { deferred, envelope, FakeClock, flush } from './fakes.js';

const local = (id: string, over: Partial<LocalConversation> = {}): LocalConversation => {
  const c = { ...makeConversation(id), draftText: '', draftTextTime: 0, unreadCount: 0, ...over };
  c.unreadCount = unreadCountOf(c);
  return c;
};

describe('status reducer', () => {
  const net = new ConvSyncError('NETWORK', 'down');
  const badA = new ConvSyncError('BAD_ANSWER', 'bad');
  /** the fields every status carries, as they are before anything happened */
  const base = { connected: false, pendingWrites: 0, hasSynced: false, preview: false };
  it('goes through syncing to idle and remembers the last sync', () => {
    let s: SyncStatus = reduceStatus(initialStatus, { type: 'sync' });
    expect(s).toEqual({ ...base, state: 'syncing' });
    s = reduceStatus(s, { type: 'ok', mode: 'full', at: 5 });
    expect(s).toEqual({ ...base, state: 'idle', lastSyncAt: 5, lastMode: 'full', hasSynced: true });
  });
  it('network failures mean offline, other failures error; the error stays until a success', () => {
    let s = reduceStatus({ ...base, state: 'syncing', lastSyncAt: 1, lastMode: 'equal' }, { type: 'fail', error: net });
    expect(s).toEqual({ ...base, state: 'offline', lastSyncAt: 1, lastMode: 'equal', error: net });
    s = reduceStatus(s, { type: 'sync' });
    expect(s.state).toBe('syncing');
    expect(s.error).toBe(net);
    s = reduceStatus(s, { type: 'fail', error: badA });
    expect(s.state).toBe('error');
    expect(reduceStatus(s, { type: 'fail', error: new ConvSyncError('TIMEOUT', 't') }).state).toBe('offline');
    s = reduceStatus(s, { type: 'ok', mode: 'equal', at: 9 });
    expect(s).toEqual({ ...base, state: 'idle', lastSyncAt: 9, lastMode: 'equal', hasSynced: true });
  });
  it('a problem outside a sync is an error, during a sync it is recorded only', () => {
    const bf = new ConvSyncError('BAD_FRAME', 'x');
    expect(reduceStatus({ ...base, state: 'idle' }, { type: 'problem', error: bf })).toEqual({ ...base, state: 'error', error: bf });
    expect(reduceStatus({ ...base, state: 'syncing' }, { type: 'problem', error: bf })).toEqual({ ...base, state: 'syncing', error: bf });
    expect(reduceStatus({ ...base, state: 'error', connected: true, error: bf, lastSyncAt: 3 }, { type: 'stop' })).toEqual({ ...base, state: 'stopped', lastSyncAt: 3 });
    const gone = new ConvSyncError('DB_DELETED', 'logged out in another tab');
    expect(reduceStatus({ ...base, state: 'idle', connected: true }, { type: 'stop', error: gone })).toEqual({ ...base, state: 'stopped', error: gone });
  });
  it('follows the socket, the queue, what storage holds and the preview', () => {
    expect(initialStatus).toEqual({ ...base, state: 'stopped' });
    const up = reduceStatus({ ...base, state: 'idle' }, { type: 'socket', up: true });
    expect(up).toEqual({ ...base, state: 'idle', connected: true });
    expect(reduceStatus(reduceStatus(up, { type: 'sync' }), { type: 'socket', up: false })).toEqual({ ...base, state: 'syncing' });
    expect(reduceStatus(up, { type: 'pending', count: 3 })).toEqual({ ...base, state: 'idle', connected: true, pendingWrites: 3 });
    expect(reduceStatus(initialStatus, { type: 'restored', hasSynced: true }).hasSynced).toBe(true);
    expect(reduceStatus({ ...base, state: 'idle', hasSynced: true }, { type: 'restored', hasSynced: false }).hasSynced).toBe(true);
    const shown = reduceStatus({ ...base, state: 'syncing' }, { type: 'preview', on: true });
    expect(shown.preview).toBe(true);
    expect(reduceStatus(shown, { type: 'ok', mode: 'full', at: 1 }).preview).toBe(false);
  });
  it('is pure', () => {
    const s: SyncStatus = { ...base, state: 'idle' };
    reduceStatus(s, { type: 'fail', error: net });
    expect(s).toEqual({ ...base, state: 'idle' });
  });
});

describe('backoff', () => {
  it('grows exponentially, is capped and has a floor', () => {
    expect(backoff(0, 500, 30_000, () => 0.999)).toBe(499);
    expect(backoff(3, 500, 30_000, () => 0.999)).toBe(3996);
    expect(backoff(20, 500, 30_000, () => 0.999)).toBe(29_970);
    expect(backoff(1000, 500, 30_000, () => 1)).toBe(30_000);
    expect(backoff(5, 500, 30_000, () => 0)).toBe(50);
  });
  it('stays within [floor, cap] for any attempt and random value', () => {
    fc.assert(
      fc.property(fc.nat(2000), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const d = backoff(n, 500, 30_000, () => r);
        return d >= 50 && d <= 30_000 && Number.isInteger(d);
      }),
    );
  });
});

describe('live list folding', () => {
  const arbRec = fc.record({
    id: fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `sg_${i}`)),
    pinned: fc.boolean(),
    t: fc.integer({ min: 0, max: 5 }),
    draft: fc.integer({ min: 0, max: 6 }),
    max: fc.integer({ min: 0, max: 9 }),
    opt: fc.constantFrom(0 as const, 1 as const),
  });
  const rec = (r: { id: string; pinned: boolean; t: number; draft: number; max: number; opt: 0 | 1 }): LocalConversation =>
    local(r.id, { isPinned: r.pinned, latestMsgSendTime: r.t, draftTextTime: r.draft, maxSeq: r.max, recvMsgOpt: r.opt });

  it('matches a fresh sort after any sequence of diffs (small and large)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbRec, { maxLength: 12 }), fc.array(fc.tuple(fc.array(arbRec, { maxLength: 6 }), fc.array(fc.constantFrom('sg_1', 'sg_2', 'sg_3', 'sg_x'), { maxLength: 3 }))), async (init, steps) => {
        const truth = new Map<string, LocalConversation>();
        for (const r of init) truth.set(r.id, rec(r));
        const live = createLiveList(async () => [...truth.values()]);
        let list: LocalConversation[] = [];
        const sub = live.conversations$.subscribe((l) => (list = l));
        await flush();
        for (const [ups, rm] of steps) {
          const upsert = new Map(ups.map((u) => [u.id, rec(u)]));
          const removed = rm.filter((id) => !upsert.has(id));
          const added: LocalConversation[] = [];
          const updated: LocalConversation[] = [];
          for (const [id, c] of upsert) (truth.has(id) ? updated : added).push(c);
          for (const id of removed) truth.delete(id);
          for (const [id, c] of upsert) truth.set(id, c);
          live.fold({ added, updated, removed });
          expect(list.map((c) => c.conversationID)).toEqual([...truth.values()].sort(compareConversations).map((c) => c.conversationID));
        }
        sub.unsubscribe();
      }),
    );
  });

  it('loads lazily once, folds changes without reading again, drops the list when unsubscribed', async () => {
    let loads = 0;
    const store = [local('sg_a', { latestMsgSendTime: 1, maxSeq: 3 }), local('sg_b', { latestMsgSendTime: 2, maxSeq: 2, recvMsgOpt: 1 })];
    const live = createLiveList(async () => (loads++, store));
    live.fold({ added: [local('sg_z')], updated: [], removed: [] }); // nobody listens: ignored
    expect(loads).toBe(0);
    const lists: string[][] = [];
    const s1 = live.conversations$.subscribe((l) => lists.push(l.map((c) => c.conversationID)));
    await flush();
    expect(loads).toBe(1);
    expect(lists).toEqual([['sg_b', 'sg_a']]);
    live.fold({ added: [local('sg_c', { latestMsgSendTime: 9, maxSeq: 4 })], updated: [local('sg_a', { latestMsgSendTime: 1, maxSeq: 5 })], removed: ['sg_b'] });
    expect(lists.at(-1)).toEqual(['sg_c', 'sg_a']);
    expect(loads).toBe(1);
    s1.unsubscribe();
    const s3 = live.conversations$.subscribe(() => {});
    await flush();
    expect(loads).toBe(2);
    s3.unsubscribe();
  });

  it('replays changes that arrive while the list is loading', async () => {
    const d = deferred<LocalConversation[]>();
    const live = createLiveList(() => d.promise);
    const lists: string[][] = [];
    const sub = live.conversations$.subscribe((l) => lists.push(l.map((c) => c.conversationID)));
    live.fold({ added: [local('sg_n', { latestMsgSendTime: 50 })], updated: [], removed: ['sg_old'] });
    d.resolve([local('sg_old', { latestMsgSendTime: 3 }), local('sg_k', { latestMsgSendTime: 4 })]);
    await flush();
    expect(lists).toEqual([['sg_n', 'sg_k']]);
    sub.unsubscribe();
  });

  it('shows a preview over an empty list until the list is in, without a blank', async () => {
    const d = deferred<LocalConversation[]>();
    const live = createLiveList(() => d.promise);
    const lists: string[][] = [];
    const sub = live.conversations$.subscribe((l) => lists.push(l.map((c) => c.conversationID)));
    live.preview([local('sg_p', { latestMsgSendTime: 5 })]);
    d.resolve([]); // nothing stored yet: the preview stays
    await flush();
    live.fold({ added: [local('sg_p', { latestMsgSendTime: 5 }), local('sg_q', { latestMsgSendTime: 1 })], updated: [], removed: [] });
    expect(lists).toEqual([['sg_p'], ['sg_p', 'sg_q']]);
    live.preview([local('sg_x')]); // a list is shown: no preview over it
    expect(lists).toHaveLength(2);
    sub.unsubscribe();
  });

  it('totalUnread agrees with a recount', () => {
    const list = [local('sg_1', { maxSeq: 5, hasReadSeq: 1 }), local('sg_2', { maxSeq: 5, recvMsgOpt: 2 })];
    expect(totalUnreadOf(list)).toBe(4);
  });
});

describe('DiffAcc (one true diff per sync)', () => {
  it('nets out changes of several writes', () => {
    const acc = diffAcc();
    acc.add({ added: [local('sg_a')], updated: [local('sg_b')], removed: ['sg_c'] });
    acc.add({ updated: [local('sg_a', { maxSeq: 2 })], removed: ['sg_b'], added: [local('sg_c')] });
    acc.add({ added: [local('sg_d')], updated: [], removed: [] });
    acc.add({ added: [], updated: [], removed: ['sg_d'] });
    const r = acc.result();
    expect(r.added.map((c) => [c.conversationID, c.maxSeq])).toEqual([['sg_a', 2]]);
    expect(r.updated.map((c) => c.conversationID)).toEqual(['sg_c']);
    expect(r.removed).toEqual(['sg_b']);
  });
});

describe('http transport', () => {
  const clock = new FakeClock();
  const mk = (fetch: (url: string, init: RequestInit) => Promise<Response>, token: string | (() => Promise<string>) = 'tk') =>
    createHttp({ apiURL: 'http://x/', token: tokenSource(token), fetch, clock, timeoutMs: 1000, maxBytes: 1 << 20, stats: { requests: 0, bytesReceived: 0 } });
  const incr = { versionID: 'a'.repeat(24), version: 2, full: false, insert: [], update: [], delete: [] };
  const codeOf = async (p: Promise<unknown>): Promise<[string, number | undefined, number | undefined, boolean]> => {
    try {
      await p;
    } catch (e) {
      if (!(e instanceof ConvSyncError)) throw e;
      return [e.code, e.status, e.errCode, typeof e.operationID === 'string'];
    }
    throw new Error('no error');
  };

  it('sends the token, a fresh operationID per request and JSON; counts requests and bytes', async () => {
    const seen: Array<Record<string, string>> = [];
    const stats = { requests: 0, bytesReceived: 0 };
    const h = createHttp({
      apiURL: 'http://x/',
      token: tokenSource('tk'),
      clock,
      timeoutMs: 1000,
      maxBytes: 1 << 20,
      stats,
      fetch: async (url, init) => {
        expect(url).toBe('http://x/p');
        expect(JSON.parse(String(init.body))).toEqual({ a: 1 });
        seen.push(init.headers as Record<string, string>);
        return envelope(incr);
      },
    });
    await h.post('/p', { a: 1 }, readIncremental);
    await h.post('/p', { a: 1 }, readIncremental);
    expect(seen[0]!.authorization).toBe('Bearer tk');
    expect(seen[0]!.operationID).not.toBe(seen[1]!.operationID);
    expect(stats.requests).toBe(2);
    expect(stats.bytesReceived).toBeGreaterThan(100);
  });

  it('maps failures to typed errors', async () => {
    const at = (r: () => Promise<Response>) => mk(r).post('/p', {}, readIncremental);
    expect(await codeOf(at(() => Promise.reject(new TypeError('fetch failed'))))).toEqual(['NETWORK', undefined, undefined, true]);
    expect(await codeOf(at(async () => new Response('<html>502 Bad Gateway</html>', { status: 502 })))).toEqual(['SERVER', 502, undefined, true]);
    expect(await codeOf(at(async () => new Response('<html>hi</html>', { status: 200 })))).toEqual(['BAD_ANSWER', 200, undefined, true]);
    expect(await codeOf(at(async () => new Response('[1,2]')))).toEqual(['BAD_ANSWER', 200, undefined, true]);
    expect(await codeOf(at(async () => envelope(null, 1002, 403)))).toEqual(['FORBIDDEN', 403, 1002, true]);
    expect(await codeOf(at(async () => envelope(null, 500, 500)))).toEqual(['SERVER', 500, 500, true]);
    expect(await codeOf(at(async () => envelope(null, 1001, 400)))).toEqual(['SERVER', 400, 1001, true]);
    expect(await codeOf(at(async () => envelope({ ...incr, version: -1 })))).toEqual(['BAD_ANSWER', 200, undefined, true]);
    expect(await codeOf(at(async () => envelope(incr, 0, 500)))).toEqual(['SERVER', 500, 0, true]);
  });

  it('times out through the clock', async () => {
    const h = mk((_u, init) => new Promise((_r, rej) => init.signal!.addEventListener('abort', () => rej(new Error('aborted')))));
    const p = codeOf(h.post('/p', {}, readIncremental));
    await flush();
    clock.advance(1000);
    expect(await p).toEqual(['TIMEOUT', undefined, undefined, true]);
  });

  it('abortAll rejects requests in flight with STOPPED', async () => {
    const h = mk((_u, init) => new Promise((_r, rej) => init.signal!.addEventListener('abort', () => rej(new Error('aborted')))));
    const p = codeOf(h.post('/p', {}, readIncremental));
    await flush();
    h.abortAll();
    expect((await p)[0]).toBe('STOPPED');
  });

  it('on 1501/1502 asks the token function again once, then gives up with AUTH', async () => {
    let calls = 0;
    const tokens: string[] = [];
    const tokenFn = async () => `t${++calls}`;
    const ok = mk(async (_u, init) => {
      const t = (init.headers as Record<string, string>).authorization!;
      tokens.push(t);
      return t === 'Bearer t2' ? envelope(incr) : envelope(null, 1501, 401);
    }, tokenFn);
    await ok.post('/p', {}, readIncremental);
    expect(tokens).toEqual(['Bearer t1', 'Bearer t2']);
    const never = mk(async () => envelope(null, 1502, 401), tokenFn);
    expect((await codeOf(never.post('/p', {}, readIncremental)))[0]).toBe('AUTH');
    expect(calls).toBe(4); // t1, t2 for the first client; t3, t4 for the second
    const fixed = mk(async () => envelope(null, 1501, 401), 'static');
    expect((await codeOf(fixed.post('/p', {}, readIncremental)))[0]).toBe('AUTH');
    const failing = mk(async () => envelope(incr), () => Promise.reject(new Error('no login')));
    expect((await codeOf(failing.post('/p', {}, readIncremental)))[0]).toBe('AUTH');
  });
});

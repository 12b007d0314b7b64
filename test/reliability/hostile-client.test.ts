/**
 * Hostile input, client side (issue 5): a table of malformed answers (through the
 * harness's crafted fetch, in front of the real server) and malformed or foreign frames
 * (injected into the real socket through the harness's taps). Every row states what must
 * happen: a typed `ConvSyncError` with nothing changed locally, or "ignored" / "tolerated"
 * as SPEC §3 / §4 / §5.3 specify, with the local data and cursor checked either way.
 * After every row the server is honest again and the next sync converges.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/client/kernel/types.js';
import { ConvSyncError } from '../../src/protocol/index.js';
import { startServer } from '../helpers/server.js';
import { answers } from './hostile-answers.js';
import { rec, snap, USER, type Ctx, type FrameRow } from './hostile-client-kit.js';
import { conv, expectEqualToServer, makeClient, startLive, nextStatus, waitFor, type ClientOptions, stopAfterEach } from '../client/harness.js';

const { servers, clients } = stopAfterEach();
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

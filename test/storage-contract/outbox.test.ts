/**
 * The storage contract of offline writes (issue 11), run against every adapter: the
 * outbox and the overlay it makes on every read and diff, merges, acknowledgement
 * through the cursor, roll-back, and faults at every write of the outbox path.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConvSyncError, type Cursor } from '../../src/protocol/index.js';
import type { StorageAdapter } from '../../src/storage/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { adapters, T } from './adapters.js';

const V = 'a'.repeat(24);
const C = (version: number, versionID = V): Cursor => ({ versionID, version });
let seq = 0;

describe.each(adapters)('outbox contract: %s', (_kind, make) => {
  let name = '';
  const open: StorageAdapter[] = [];
  let fail: string | null = null;
  const boom = new Error('injected');

  async function adapter(): Promise<StorageAdapter> {
    const a = make({ name, beforeWrite: (id) => { if (fail === id) throw boom; } });
    await a.open('u1');
    open.push(a);
    return a;
  }

  /** Three conversations, newest first: sg_c, sg_b, sg_a; sg_b has 4 messages, 1 read. */
  async function seeded(): Promise<StorageAdapter> {
    name = `outbox-${++seq}-${Date.now()}`;
    const a = await adapter();
    await a.applyDelta(
      [
        makeConversation('sg_a', { latestMsgSendTime: T + 1 }),
        makeConversation('sg_b', { latestMsgSendTime: T + 2, maxSeq: 4, hasReadSeq: 1 }),
        makeConversation('sg_c', { latestMsgSendTime: T + 3 }),
      ],
      [],
      C(1),
    );
    return a;
  }
  const ids = async (a: StorageAdapter, limit = 10): Promise<string[]> => (await a.getPage(limit)).items.map((r) => r.conversationID);

  afterEach(async () => {
    fail = null;
    for (const a of open.splice(0)) await a.close().catch(() => undefined);
    const a = make({ name });
    await a.destroy('u1');
  });

  it('a write shows at once on every read and sorts where it now belongs; the stored record stays the server’s', async () => {
    const a = await seeded();
    const r = await a.enqueue({ kind: 'set', conversationID: 'sg_a', settings: { isPinned: true, ex: 'mine' } }, 'm1', T);
    expect(r?.diff).toEqual({ added: [], updated: [expect.objectContaining({ conversationID: 'sg_a', isPinned: true, ex: 'mine' })], removed: [] });
    expect(r?.entry).toMatchObject({ mutationID: 'm1', kind: 'set', conversationID: 'sg_a', attempts: 0, createdAt: T });
    expect(await ids(a)).toEqual(['sg_a', 'sg_c', 'sg_b']);
    expect((await a.get('sg_a'))?.isPinned).toBe(true);
    expect((await a.getMany(['sg_a', 'sg_x'])).map((x) => x?.ex)).toEqual(['mine', undefined]);
    expect((await a.getAll()).map((x) => x.conversationID)).toEqual(['sg_a', 'sg_c', 'sg_b']);
    // pages stay whole across a moved row
    const p1 = await a.getPage(1);
    const p2 = await a.getPage(2, p1.next!);
    expect([...p1.items, ...p2.items].map((x) => x.conversationID)).toEqual(['sg_a', 'sg_c', 'sg_b']);
    expect(p2.next).toBeNull();
    // refused: rolled back to what the server said
    const back = await a.settle('m1', { refused: { code: 'SERVER', message: 'no' } });
    expect(back.diff.updated.map((x) => [x.conversationID, x.isPinned, x.ex])).toEqual([['sg_a', false, '']]);
    expect(await ids(a)).toEqual(['sg_c', 'sg_b', 'sg_a']);
    expect(await a.outbox()).toEqual([]);
  });

  it('survives a reopen; reads raise, never lower, never past the newest message', async () => {
    const a = await seeded();
    await a.enqueue({ kind: 'read', conversationID: 'sg_b' }, 'r1', T);
    expect(await a.get('sg_b')).toMatchObject({ hasReadSeq: 4, unreadCount: 0 });
    await a.close();
    const b = await adapter();
    expect((await b.outbox()).map((e) => [e.mutationID, e.kind, e.hasReadSeq])).toEqual([['r1', 'read', 4]]);
    expect(await b.get('sg_b')).toMatchObject({ hasReadSeq: 4, unreadCount: 0 });
    // a message arrives later: the queued read does not swallow it
    await b.applyDelta([makeConversation('sg_b', { latestMsgSendTime: T + 2, maxSeq: 5, hasReadSeq: 1 })], [], C(2));
    expect(await b.get('sg_b')).toMatchObject({ maxSeq: 5, hasReadSeq: 4, unreadCount: 1 });
    // a read of a lower position changes nothing; a read past the newest message stops at it
    await b.enqueue({ kind: 'read', conversationID: 'sg_a', hasReadSeq: 99 }, 'r2', T);
    expect(await b.get('sg_a')).toMatchObject({ hasReadSeq: 0, maxSeq: 0 });
  });

  it('two writes of one kind to one conversation merge until one was sent', async () => {
    const a = await seeded();
    await a.enqueue({ kind: 'set', conversationID: 'sg_a', settings: { isPinned: true } }, 'p1', T);
    await a.enqueue({ kind: 'set', conversationID: 'sg_a', settings: { ex: 'x' } }, 'p2', T);
    expect((await a.outbox()).map((e) => [e.mutationID, e.settings, e.merged])).toEqual([['p1', { isPinned: true, ex: 'x' }, ['p2']]]);
    expect((await a.attempt('p1'))?.attempts).toBe(1);
    await a.enqueue({ kind: 'set', conversationID: 'sg_a', settings: { isPinned: false } }, 'p3', T);
    expect((await a.outbox()).map((e) => e.mutationID)).toEqual(['p1', 'p3']);
    expect((await a.get('sg_a'))?.isPinned).toBe(false); // the later write wins on screen
    expect(await a.enqueue({ kind: 'set', conversationID: 'sg_nope', settings: { isPinned: true } }, 'p4', T)).toBeNull();
  });

  it('a sync never erases a pending write, and a pending write never hides another field', async () => {
    const a = await seeded();
    await a.enqueue({ kind: 'set', conversationID: 'sg_a', settings: { isPinned: true } }, 'p1', T);
    const d = await a.applyDelta([makeConversation('sg_a', { latestMsgSendTime: T + 1, showName: 'renamed' })], [], C(2));
    expect(d.updated.map((x) => [x.isPinned, x.showName])).toEqual([[true, 'renamed']]);
    expect(await a.get('sg_a')).toMatchObject({ isPinned: true, showName: 'renamed' });
  });

  it('an accepted write stays on top until the cursor reaches its version, then goes in the same step', async () => {
    const a = await seeded();
    await a.enqueue({ kind: 'set', conversationID: 'sg_a', settings: { isPinned: true } }, 'p1', T);
    const acked = await a.settle('p1', { ack: C(3) });
    expect(acked.diff).toEqual({ added: [], updated: [], removed: [] });
    expect((await a.outbox()).map((e) => e.ack)).toEqual([C(3)]);
    await a.applyDelta([], [], C(2));
    expect((await a.get('sg_a'))?.isPinned).toBe(true); // not there yet: still on top, no flicker
    const d = await a.applyDelta([makeConversation('sg_a', { latestMsgSendTime: T + 1, isPinned: true })], [], C(3));
    expect(d).toEqual({ added: [], updated: [], removed: [] }); // the server's record is what was shown
    expect(await a.outbox()).toEqual([]);
    // accepted on a log that was reset since: the next write on the current log drops it
    await a.enqueue({ kind: 'set', conversationID: 'sg_b', settings: { ex: 'old log' } }, 'p0', T);
    await a.settle('p0', { ack: C(7, 'c'.repeat(24)) });
    expect((await a.outbox()).map((e) => e.mutationID)).toEqual(['p0']);
    await a.applyDelta([], [], C(3));
    expect(await a.outbox()).toEqual([]);
    // accepted at a version the cursor already passed: goes at once
    await a.enqueue({ kind: 'set', conversationID: 'sg_c', settings: { ex: 'y' } }, 'p2', T);
    await a.settle('p2', { ack: C(3) });
    expect(await a.outbox()).toEqual([]);
  });

  it('a full sync onto another log drops what was accepted; a retry keeps the write with its error', async () => {
    const a = await seeded();
    await a.enqueue({ kind: 'set', conversationID: 'sg_a', settings: { isPinned: true } }, 'p1', T);
    await a.enqueue({ kind: 'delete', conversationID: 'sg_c' }, 'd1', T);
    await a.settle('p1', { ack: C(9) });
    await a.settle('d1', { retry: { code: 'NETWORK', message: 'down' } });
    expect((await a.outbox()).map((e) => [e.mutationID, e.lastError?.code ?? null])).toEqual([['p1', null], ['d1', 'NETWORK']]);
    expect(await ids(a)).toEqual(['sg_a', 'sg_b']); // sg_c hidden by the pending delete
    await a.beginFull(C(2, 'b'.repeat(24)));
    const page = await a.stagePage([makeConversation('sg_a', { latestMsgSendTime: T + 1, isPinned: true }), makeConversation('sg_c', { latestMsgSendTime: T + 3 })], null);
    expect(page.added).toEqual([]);
    expect(await a.commitFull()).toEqual(['sg_b']);
    expect((await a.outbox()).map((e) => e.mutationID)).toEqual(['d1']);
    expect(await ids(a)).toEqual(['sg_a']);
  });

  it('a delete hides the conversation; a newer message brings it back', async () => {
    const a = await seeded();
    const r = await a.enqueue({ kind: 'delete', conversationID: 'sg_b' }, 'd1', T);
    expect(r?.diff).toEqual({ added: [], updated: [], removed: ['sg_b'] });
    expect(await a.get('sg_b')).toBeUndefined();
    expect(await a.enqueue({ kind: 'read', conversationID: 'sg_b' }, 'r1', T)).toBeNull();
    const d = await a.applyDelta([makeConversation('sg_b', { latestMsgSendTime: T + 9, maxSeq: 5, hasReadSeq: 1 })], [], C(2));
    expect(d.added.map((x) => x.conversationID)).toEqual(['sg_b']);
    expect(await ids(a)).toEqual(['sg_b', 'sg_c', 'sg_a']);
  });

  it('keeps the totals of what the list shows through every kind of write, without reading the list', async () => {
    const a = await seeded(); // sg_b: 3 unread
    expect(await a.getTotals()).toEqual({ count: 3, unread: 3 });
    await a.applyDelta([makeConversation('sg_d', { maxSeq: 5, hasReadSeq: 1 }), makeConversation('sg_m', { maxSeq: 9, recvMsgOpt: 1 })], ['sg_c'], C(2));
    expect(await a.getTotals()).toEqual({ count: 4, unread: 7 }); // sg_m is muted: not in the unread sum
    await a.raiseRead('sg_d', 4, null);
    expect(await a.getTotals()).toEqual({ count: 4, unread: 4 });
    await a.enqueue({ kind: 'read', conversationID: 'sg_b' }, 'r1', T);
    await a.enqueue({ kind: 'delete', conversationID: 'sg_d' }, 'd1', T);
    expect(await a.getTotals()).toEqual({ count: 3, unread: 0 });
    await a.settle('d1', { refused: { code: 'SERVER', message: 'no' } });
    expect(await a.getTotals()).toEqual({ count: 4, unread: 1 });
    await a.beginFull(C(5));
    await a.stagePage([makeConversation('sg_a'), makeConversation('sg_b', { maxSeq: 6, hasReadSeq: 2 })], null);
    await a.raiseRead('sg_b', 3, null); // a read while staged: both copies
    await a.commitFull();
    // sg_b: 6 messages, read to 3 here, and the pending read covers 4 (its newest at the call)
    expect(await a.getTotals()).toEqual({ count: 2, unread: 2 });
    await a.close();
    const b = await adapter();
    expect((await b.getTotals()).count).toBe(2);
  });

  it('a failure at any write of the outbox path leaves outbox and view as they were', async () => {
    const a = await seeded();
    fail = 'sg_a';
    await expect(a.enqueue({ kind: 'set', conversationID: 'sg_a', settings: { isPinned: true } }, 'p1', T)).rejects.toBeInstanceOf(ConvSyncError);
    expect(await a.outbox()).toEqual([]);
    expect((await a.get('sg_a'))?.isPinned).toBe(false);
    fail = null;
    await a.enqueue({ kind: 'set', conversationID: 'sg_a', settings: { isPinned: true } }, 'p1', T);
    fail = 'sg_a';
    await expect(a.attempt('p1')).rejects.toMatchObject({ code: 'STORAGE' });
    await expect(a.settle('p1', { refused: { code: 'SERVER', message: 'x' } })).rejects.toMatchObject({ code: 'STORAGE' });
    fail = null;
    expect((await a.outbox()).map((e) => [e.mutationID, e.attempts])).toEqual([['p1', 0]]);
    expect((await a.get('sg_a'))?.isPinned).toBe(true);
  });
});

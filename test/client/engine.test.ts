/** Engine unit tests (replica, sync loop, sync round, frames): single flight, pushed frames, retries — on a fake transport, memory storage and fake time. */
import { describe, expect, it } from 'vitest';
import { changesOf } from '../../src/client/views/changes.js';
import { createEngineParts } from '../../src/client/kernel/session.js';
import type { Transport } from '../../src/client/remote/transport.js';
import { newMetrics, type ChangeSet } from '../../src/client/kernel/types.js';
import type { StorageAdapter } from '../../src/storage/types.js';
import type { StatusEvent } from '../../src/client/kernel/status.js';
import { ConvSyncError, type Conversation } from '../../src/protocol/index.js';
import { memoryStorage } from '../../src/storage/memory.js';
import { makeConversation } from '../helpers/fixtures.js';
import { deferred, FakeClock, flush } from './fakes.js';

const V = 'c'.repeat(24);
let dbSeq = 0;

/** A scripted server: `answer(path, body)` decides; each call can be held open. */
async function setup(answer: (path: string, body: Record<string, unknown>) => unknown | Promise<unknown>, minSyncGapMs = 0, seed?: (s: StorageAdapter) => Promise<void>) {
  const calls: Array<{ path: string; body: Record<string, unknown> }> = [];
  const transport: Transport = {
    async post(endpoint, body, read) {
      const path = '/conversation/' + endpoint;
      const b = { userID: 'u1', ...body } as Record<string, unknown>;
      calls.push({ path, body: b });
      return read(await answer(path, b));
    },
  };
  const clock = new FakeClock();
  const storage = memoryStorage({ name: `engine-unit-${++dbSeq}` });
  await storage.open('u1');
  await seed?.(storage);
  const changes: ChangeSet[] = [];
  const status: StatusEvent[] = [];
  const metrics = newMetrics();
  const toChanges = changesOf((c) => changes.push(c));
  const { replica, loop, frames } = await createEngineParts(
    { clock, random: () => 0.5, pageSize: 2, previewSize: 0, pollIntervalMs: 60_000, maxBackoffMs: 30_000, driftCheck: false, driftCheckIntervalMs: 300_000, minSyncGapMs },
    storage,
    transport,
    { metrics, onStatus: (e) => status.push(e), onProgress: () => {}, onCommit: toChanges },
  );
  const stop = async (): Promise<void> => {
    await loop.stop();
    await replica.halt();
  };
  return { replica, loop, frames, metrics, stop, storage, calls, clock, changes, status };
}

const incr = (version: number, over: Partial<{ insert: Conversation[]; update: Conversation[]; delete: string[]; full: boolean; versionID: string }> = {}) => ({
  versionID: V,
  version,
  full: false,
  insert: [],
  update: [],
  delete: [],
  ...over,
});

function seeded(answer: Parameters<typeof setup>[0], minSyncGapMs = 0) {
  return setup(answer, minSyncGapMs, async (storage) => {
    await storage.applyDelta([makeConversation('sg_a'), makeConversation('sg_b')], [], { versionID: V, version: 5 });
  });
}

describe('single flight', () => {
  it('N triggers during a sync fold into exactly one follow-up; sync() joins', async () => {
    const gate = deferred<void>();
    let n = 0;
    const s = await seeded(async () => {
      if (n++ === 0) await gate.promise;
      return incr(5);
    });
    const first = s.loop.sync();
    const joined = s.loop.sync();
    expect(joined).toBe(first);
    for (let i = 0; i < 50; i++) s.loop.trigger();
    await flush();
    expect(s.calls).toHaveLength(1);
    gate.resolve();
    expect(await first).toBe('equal');
    expect(s.calls).toHaveLength(2);
    expect(s.metrics.syncs.equal).toBe(2);
    // idle again: a trigger starts a new sync
    s.loop.trigger();
    await flush();
    expect(s.calls).toHaveLength(3);
  });

  it('triggered rounds keep minSyncGapMs apart; a manual sync() is not delayed', async () => {
    const s = await seeded(() => incr(5), 100);
    s.loop.trigger(); // idle, no round yet: at once
    await flush();
    expect(s.calls).toHaveLength(1);
    for (let i = 0; i < 20; i++) s.loop.trigger(); // a burst right after: one round, when the gap is over
    await flush();
    expect(s.calls).toHaveLength(1);
    s.clock.advance(99);
    await flush();
    expect(s.calls).toHaveLength(1);
    s.clock.advance(1);
    await flush();
    expect(s.calls).toHaveLength(2);
    await s.loop.sync(); // manual: now, gap or not
    expect(s.calls).toHaveLength(3);
    // a follow-up folded during a round waits for the gap too, and sync() callers wait for it
    const gate = deferred<void>();
    let held = true;
    const s2 = await seeded(async () => {
      if (held) await gate.promise;
      return incr(5);
    }, 100);
    const first = s2.loop.sync();
    s2.loop.trigger();
    held = false;
    gate.resolve();
    await flush();
    expect(s2.calls).toHaveLength(1);
    s2.clock.advance(100);
    expect(await first).toBe('equal');
    expect(s2.calls).toHaveLength(2);
    // stop() cuts a pause short
    const s3 = await seeded(() => incr(5), 100);
    const running = s3.loop.sync();
    s3.loop.trigger();
    await flush();
    await s3.stop();
    expect(await running).toBe('equal');
    expect(s3.calls).toHaveLength(1);
  });

  it('a failed sync rejects with a typed error, changes nothing, and retries with backoff', async () => {
    let fail = true;
    const s = await seeded(async () => {
      if (fail) throw new ConvSyncError('NETWORK', 'down');
      return incr(6, { delete: ['sg_a'] });
    });
    await expect(s.loop.sync()).rejects.toMatchObject({ code: 'NETWORK' });
    expect(s.status.map((e) => e.type)).toEqual(['sync', 'fail']);
    expect(await s.storage.getCursor()).toEqual({ versionID: V, version: 5 });
    fail = false;
    s.clock.advance(1000); // backoff(0) with random 0.5 = 500 ms
    await flush();
    await flush();
    expect(s.calls).toHaveLength(2);
    expect(await s.storage.getCursor()).toEqual({ versionID: V, version: 6 });
    expect(s.changes).toEqual([{ added: [], updated: [], removed: ['sg_a'], mode: 'incremental' }]);
  });

  it('rejects a version going backwards or a non-full answer for another log', async () => {
    for (const a of [incr(4), incr(7, { versionID: 'd'.repeat(24) }), incr(5, { delete: ['sg_a'] })]) {
      const s = await seeded(() => a);
      await expect(s.loop.sync()).rejects.toMatchObject({ code: 'BAD_ANSWER' });
      expect(await s.storage.getCursor()).toEqual({ versionID: V, version: 5 });
      expect((await s.storage.getAll()).length).toBe(2);
    }
  });

  it('polls while the socket is down, not while it is up', async () => {
    const s = await seeded(() => incr(5));
    await s.loop.sync();
    s.clock.advance(60_000);
    await flush();
    expect(s.calls).toHaveLength(2);
    s.loop.setSocketUp(true);
    s.clock.advance(600_000);
    await flush();
    expect(s.calls).toHaveLength(2);
  });
});

describe('pushed frames', () => {
  const frame = (version: number, delta?: { insert?: Conversation[]; update?: Conversation[]; delete?: string[] }, versionID = V) => ({
    type: 'conversation.changed' as const,
    userID: 'u1',
    conversationIDs: [],
    versionID,
    version,
    ...(delta ? { delta: { insert: [], update: [], delete: [], ...delta } } : {}),
  });

  it('applies the next version directly, ignores old ones, syncs on gaps and on frames without delta', async () => {
    const s = await seeded(() => incr(9));
    await s.frames.frame(frame(6, { insert: [makeConversation('sg_c')] }));
    expect(s.calls).toHaveLength(0);
    expect(s.replica.cursor).toEqual({ versionID: V, version: 6 });
    expect(s.changes.at(-1)?.mode).toBe('pushed');
    await s.frames.frame(frame(6, { delete: ['sg_c'] })); // duplicate version: ignored
    await s.frames.frame(frame(3, { delete: ['sg_a'] })); // old: ignored
    expect((await s.storage.getAll()).length).toBe(3);
    expect(s.calls).toHaveLength(0);
    await s.frames.frame(frame(8, { delete: ['sg_a'] })); // gap
    await flush();
    expect(s.calls).toHaveLength(1);
    expect(s.metrics.pushedDeltasApplied).toBe(1);
  });

  it('frames that queue up behind a write are applied together, in version order, in one transaction', async () => {
    const s = await seeded(() => incr(9));
    let applies = 0;
    const apply = s.storage.applyDelta.bind(s.storage);
    s.storage.applyDelta = (...a) => (applies++, apply(...a));
    const draft = s.replica.setDraft('sg_a', 'a write in flight'); // the frames queue up behind it
    const c1 = makeConversation('sg_c', { maxSeq: 4 });
    const done = Promise.all([
      s.frames.frame(frame(8, { update: [{ ...c1, maxSeq: 3, showName: 'renamed' }] })), // arrives before 7
      s.frames.frame(frame(6, { insert: [c1] })),
      s.frames.frame(frame(7, { delete: ['sg_b'] })),
      s.frames.frame(frame(7, { delete: ['sg_b'] })), // duplicate
    ]);
    await draft;
    await done;
    expect(applies).toBe(1);
    expect(s.calls).toHaveLength(0);
    expect(s.replica.cursor).toEqual({ versionID: V, version: 8 });
    expect(s.metrics.pushedDeltasApplied).toBe(3);
    const c = await s.storage.get('sg_c');
    expect(c?.showName).toBe('renamed');
    expect(c?.maxSeq).toBe(4); // the larger seq wins across frames, as it does across writes
    expect(await s.storage.get('sg_b')).toBeUndefined();
    expect(s.changes.filter((x) => x.mode === 'pushed')).toHaveLength(1);
  });

  it('a record deleted and inserted again within one batch is left to a sync', async () => {
    const s = await seeded(() => incr(7, { insert: [makeConversation('sg_a')] }));
    const draft = s.replica.setDraft('sg_a', 'mine');
    const done = Promise.all([
      s.frames.frame(frame(6, { delete: ['sg_a'] })),
      s.frames.frame(frame(7, { insert: [makeConversation('sg_a')] })),
    ]);
    await draft;
    await done;
    await flush();
    expect(s.calls).toHaveLength(1); // the chain stopped at 7: one incremental sync
    expect(s.metrics.pushedDeltasApplied).toBe(1);
  });

  it('unread: in place; advances the cursor on the next version; unknown record → sync', async () => {
    const s = await seeded(() => incr(6));
    const unread = (id: string, hasReadSeq: number, version: number) =>
      s.frames.frame({ type: 'conversation.unread', userID: 'u1', conversationID: id, hasReadSeq, unreadCountTime: 0, versionID: V, version });
    await unread('sg_a', 3, 6);
    expect((await s.storage.get('sg_a'))?.hasReadSeq).toBe(3);
    expect(s.replica.cursor?.version).toBe(6);
    await unread('sg_a', 2, 6); // lower and old: nothing
    expect((await s.storage.get('sg_a'))?.hasReadSeq).toBe(3);
    expect(s.calls).toHaveLength(0);
    await unread('sg_zz', 4, 7);
    await flush();
    expect(s.calls).toHaveLength(1);
  });
});

describe('local writes while a snapshot is staged', () => {
  it('a read or a draft made between two pages is in the swap diff, as storage holds it', async () => {
    const W = 'f'.repeat(24);
    const gate = deferred<void>();
    const staged = deferred<void>();
    const s = await setup(
      async (path, body) => {
        if (path.endsWith('/get_incremental_conversations')) return body.versionID === W ? incr(3, { versionID: W }) : incr(0, { full: true, versionID: W, version: 3 } as never);
        if (body.cursor === undefined) {
          staged.resolve();
          return { versionID: W, version: 3, conversations: [makeConversation('sg_a', { maxSeq: 5, showName: 'new' }), makeConversation('sg_b')], nextCursor: 'sg_b' };
        }
        await gate.promise;
        return { versionID: W, version: 3, conversations: [makeConversation('sg_c')], nextCursor: null };
      },
      0,
      async (storage) => {
        await storage.applyDelta([makeConversation('sg_a', { maxSeq: 5 }), makeConversation('sg_b')], [], { versionID: V, version: 5 });
      },
    );
    const done = s.loop.sync();
    await staged.promise;
    await flush();
    await s.frames.frame({ type: 'conversation.unread', userID: 'u1', conversationID: 'sg_a', hasReadSeq: 4, unreadCountTime: 0, versionID: W, version: 3 });
    await s.replica.setDraft('sg_a', 'typed meanwhile');
    gate.resolve();
    await done; // a full round, then the follow-up the frame of another log asked for
    expect(s.metrics.syncs.full).toBe(1);
    const full = s.changes.find((c) => c.mode === 'full')!;
    const a = full.updated.find((r) => r.conversationID === 'sg_a')!;
    expect(a).toEqual(await s.storage.get('sg_a'));
    expect([a.hasReadSeq, a.unreadCount, a.draftText, a.showName]).toEqual([4, 1, 'typed meanwhile', 'new']);
  });
});

/**
 * The storage contract (SPEC §5.2, src/storage/types.ts), run against every adapter:
 * memory, idb and dexie (the last two on fake-indexeddb, one fresh database name per
 * test). idb reads the globals installed by `fake-indexeddb/auto`; dexie is handed the
 * factory explicitly (its injection path).
 */
import 'fake-indexeddb/auto';
import { IDBKeyRange as FakeKeyRange, indexedDB as fakeIndexedDB, forceCloseDatabase } from 'fake-indexeddb';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareConversations, ConvSyncError, type Conversation, type Cursor, type LocalConversation } from '../src/protocol/index.js';
import { dexieStorage, idbStorage, memoryStorage, type StorageAdapter, type StorageOptions } from '../src/storage/index.js';
import { toStorageError } from '../src/storage/errors.js';
import { CHUNK } from '../src/storage/common.js';
import { makeConversation } from './helpers/fixtures.js';

const idbEnv = { indexedDB: fakeIndexedDB, IDBKeyRange: FakeKeyRange };

const adapters: Array<[string, (o: StorageOptions) => StorageAdapter]> = [
  ['memory', (o) => memoryStorage(o)],
  ['idb', (o) => idbStorage(o)],
  ['dexie', (o) => dexieStorage({ ...o, ...idbEnv })],
  // The app's own Dexie instance: convsync's tables are added to the app's schema.
  ['dexie (app db)', (o) => dexieStorage({ ...o, db: appDexie(o.name ?? 'app') })],
];

function appDexie(name: string): Dexie {
  const db = new Dexie(name, idbEnv);
  db.version(3).stores({ messages: '++id, conversationID' });
  return db;
}

const C1: Cursor = { versionID: 'a'.repeat(24), version: 1 };
const C2: Cursor = { versionID: 'a'.repeat(24), version: 2 };
const C3: Cursor = { versionID: 'b'.repeat(24), version: 7 };
const T = 1_700_000_000_000;

let seq = 0;

function ids(list: Array<{ conversationID: string }>): string[] {
  return list.map((c) => c.conversationID);
}

/** The records as the contract promises them back: drafts empty, unread computed. */
function local(c: Conversation, over: Partial<LocalConversation> = {}): LocalConversation {
  const r: LocalConversation = { ...c, draftText: '', draftTextTime: 0, unreadCount: 0, ...over };
  r.unreadCount = Math.max(0, r.maxSeq - r.hasReadSeq);
  return r;
}

describe.each(adapters)('storage contract: %s', (kind, make) => {
  let name: string;
  let open: StorageAdapter[];
  /** Fault injection: `failAt = k` throws on the k-th record write from now on. */
  let writes: number;
  let failAt: number | null;
  const boom = new Error('injected');

  const opts = (): StorageOptions => ({
    name,
    beforeWrite: () => {
      writes++;
      if (failAt !== null && writes === failAt) throw boom;
    },
  });

  async function openAdapter(): Promise<StorageAdapter> {
    const a = make(opts());
    await a.open('u1');
    open.push(a);
    return a;
  }

  function failOnWrite(k: number): void {
    writes = 0;
    failAt = k;
  }

  async function expectInjected(p: Promise<unknown>): Promise<void> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConvSyncError);
    expect((err as ConvSyncError).code).toBe('STORAGE');
    expect((err as ConvSyncError).cause).toBe(boom);
    failAt = null;
  }

  /** Seeds a live list and a cursor through the public calls. */
  async function seeded(list: Conversation[], cursor: Cursor = C1): Promise<StorageAdapter> {
    const a = await openAdapter();
    await a.applyDelta(list, [], cursor);
    return a;
  }

  beforeEach(() => {
    name = `convsync-test-${kind}-${++seq}-${Date.now()}`;
    open = [];
    writes = 0;
    failAt = null;
  });

  afterEach(async () => {
    failAt = null;
    for (const a of open) await a.close().catch(() => undefined);
    const a = make({ name });
    await a.open('u1');
    await a.destroy();
  });

  it('reads and swaps lists longer than one chunk of reads', async () => {
    // past CHUNK (5,000): getAll and the swap's removed IDs walk the list in chunks
    const n = CHUNK + 40;
    const id = (i: number): string => `sg_${String(i).padStart(5, '0')}`;
    const a = await openAdapter();
    await a.beginFull(C1);
    await a.stagePage(Array.from({ length: n }, (_, i) => makeConversation(id(i), { latestMsgSendTime: T + i })), null);
    expect(await a.commitFull()).toEqual([]);
    const all = await a.getAll();
    expect(all).toHaveLength(n);
    expect(all[0]!.conversationID).toBe(id(n - 1));
    expect(all.at(-1)!.conversationID).toBe(id(0));
    // the new list drops IDs on both sides of the chunk boundary and at both ends
    const dropped = new Set([0, CHUNK - 1, CHUNK, CHUNK + 1, n - 1]);
    await a.beginFull(C2);
    const kept = Array.from({ length: n }, (_, i) => i).filter((i) => !dropped.has(i));
    await a.stagePage(kept.map((i) => makeConversation(id(i), { latestMsgSendTime: T + i })), null);
    expect((await a.commitFull()).sort()).toEqual([...dropped].map(id).sort());
    expect(await a.getAll()).toHaveLength(kept.length);
  });

  it('starts empty with no cursor and no staging', async () => {
    const a = await openAdapter();
    expect(await a.getCursor()).toBeNull();
    expect(await a.getAll()).toEqual([]);
    expect(await a.allIDs()).toEqual([]);
    expect(await a.get('sg_x')).toBeUndefined();
    expect(await a.getPage(10)).toEqual({ items: [], next: null });
    expect(await a.stagedFull()).toBeNull();
  });

  // (An app's Dexie instance has the app's own name.)
  if (kind !== 'dexie (app db)') it('default database name is convsync:<userID>', async () => {
    const a = make({});
    await a.open(`user-${name}`);
    open.push(a);
    await a.applyDelta([makeConversation('sg_1')], [], C1);
    await a.close();
    const b = make({ name: `convsync:user-${name}` });
    await b.open('someone-else');
    open.push(b);
    expect(ids(await b.getAll())).toEqual(['sg_1']);
    await b.destroy();
  });

  describe('applyDelta', () => {
    it('writes records and cursor together and reports the diff', async () => {
      const a = await openAdapter();
      const x = makeConversation('sg_x', { maxSeq: 5, hasReadSeq: 2 });
      const y = makeConversation('sg_y');
      const d = await a.applyDelta([x, y], [], C1);
      expect(d.removed).toEqual([]);
      expect(d.updated).toEqual([]);
      expect(d.added.sort((p, q) => p.conversationID.localeCompare(q.conversationID))).toEqual([local(x), local(y)]);
      expect(await a.getCursor()).toEqual(C1);
      expect(await a.get('sg_x')).toEqual(local(x));
      expect((await a.get('sg_x'))?.unreadCount).toBe(3);
      expect((await a.allIDs()).sort()).toEqual(['sg_x', 'sg_y']);
    });

    it('reports only real changes: equal records are not reported, unknown deletes are no-ops', async () => {
      const x = makeConversation('sg_x');
      const y = makeConversation('sg_y');
      const a = await seeded([x, y]);
      const y2 = { ...y, showName: 'renamed' };
      const d = await a.applyDelta([x, y2], ['sg_nope', 'sg_x'], C2);
      expect(d.added).toEqual([]);
      expect(d.updated).toEqual([local(y2)]);
      expect(d.removed).toEqual(['sg_x']);
      expect(ids(await a.getAll())).toEqual(['sg_y']);
      expect(await a.getCursor()).toEqual(C2);

      // Nothing but unknown IDs and equal records: empty diff, cursor still moves.
      const d2 = await a.applyDelta([y2], ['sg_nope'], C3);
      expect(d2).toEqual({ added: [], updated: [], removed: [] });
      expect(await a.getCursor()).toEqual(C3);
    });

    it('equal records are not rewritten (beforeWrite not called)', async () => {
      const x = makeConversation('sg_x');
      const a = await seeded([x]);
      writes = 0;
      await a.applyDelta([x], ['sg_unknown'], C2);
      expect(writes).toBe(0);
    });

    it('merges maxSeq and hasReadSeq by max, other fields from the server', async () => {
      const a = await seeded([makeConversation('sg_x', { maxSeq: 10, hasReadSeq: 8 })]);
      const stale = makeConversation('sg_x', { maxSeq: 5, hasReadSeq: 3, showName: 'new name' });
      const d = await a.applyDelta([stale], [], C2);
      const got = await a.get('sg_x');
      expect(got?.maxSeq).toBe(10);
      expect(got?.hasReadSeq).toBe(8);
      expect(got?.unreadCount).toBe(2);
      expect(got?.showName).toBe('new name');
      expect(d.updated).toEqual([got]);
      // Higher values win the other way too.
      await a.applyDelta([makeConversation('sg_x', { maxSeq: 20, hasReadSeq: 9, showName: 'new name' })], [], C3);
      expect(await a.get('sg_x')).toMatchObject({ maxSeq: 20, hasReadSeq: 9, unreadCount: 11 });
    });

    it('keeps drafts across updates', async () => {
      const a = await seeded([makeConversation('sg_x')]);
      await a.setDraft('sg_x', 'hello', T + 500);
      await a.applyDelta([makeConversation('sg_x', { showName: 'changed', latestMsgSendTime: T + 10 })], [], C2);
      expect(await a.get('sg_x')).toMatchObject({ draftText: 'hello', draftTextTime: T + 500, showName: 'changed' });
    });

    it.each([1, 2, 3, 4])('a failure on write %i leaves the old data and the old cursor', async (k) => {
      const x = makeConversation('sg_x');
      const y = makeConversation('sg_y');
      const z = makeConversation('sg_z');
      const a = await seeded([x, y, z]);
      const before = await a.getAll();
      failOnWrite(k);
      // 4 writes: update x, insert w, insert v, delete z.
      await expectInjected(
        a.applyDelta([{ ...x, showName: 'x2' }, makeConversation('sg_w'), makeConversation('sg_v')], ['sg_z'], C2),
      );
      expect(await a.getAll()).toEqual(before);
      expect(await a.getCursor()).toEqual(C1);
      // And the same call succeeds afterwards.
      await a.applyDelta([{ ...x, showName: 'x2' }, makeConversation('sg_w')], ['sg_z'], C2);
      expect((await a.allIDs()).sort()).toEqual(['sg_w', 'sg_x', 'sg_y']);
      expect(await a.getCursor()).toEqual(C2);
    });
  });

  describe('raiseRead and setDraft', () => {
    it('raiseRead raises, never lowers, and stores the cursor with it', async () => {
      const a = await seeded([makeConversation('sg_x', { maxSeq: 10, hasReadSeq: 4 })]);
      const r = await a.raiseRead('sg_x', 7, C2);
      expect(r).toMatchObject({ hasReadSeq: 7, unreadCount: 3 });
      expect(await a.getCursor()).toEqual(C2);
      const r2 = await a.raiseRead('sg_x', 5, null);
      expect(r2).toMatchObject({ hasReadSeq: 7, unreadCount: 3 });
      expect(await a.get('sg_x')).toMatchObject({ hasReadSeq: 7, unreadCount: 3 });
      expect(await a.getCursor()).toEqual(C2);
    });

    it('raiseRead of an unknown ID writes nothing, not even the cursor', async () => {
      const a = await seeded([makeConversation('sg_x')]);
      expect(await a.raiseRead('sg_nope', 9, C2)).toBeUndefined();
      expect(await a.getCursor()).toEqual(C1);
      expect(ids(await a.getAll())).toEqual(['sg_x']);
    });

    it('a failing raiseRead changes neither the record nor the cursor', async () => {
      const a = await seeded([makeConversation('sg_x', { maxSeq: 10, hasReadSeq: 4 })]);
      failOnWrite(1);
      await expectInjected(a.raiseRead('sg_x', 9, C2));
      expect(await a.get('sg_x')).toMatchObject({ hasReadSeq: 4 });
      expect(await a.getCursor()).toEqual(C1);
    });

    it('setDraft sets and clears the draft, and is undefined for unknown IDs', async () => {
      const a = await seeded([makeConversation('sg_x')]);
      expect(await a.setDraft('sg_x', 'hi', T + 9)).toMatchObject({ draftText: 'hi', draftTextTime: T + 9 });
      expect(await a.get('sg_x')).toMatchObject({ draftText: 'hi', draftTextTime: T + 9 });
      expect(await a.setDraft('sg_x', '', T + 10)).toMatchObject({ draftText: '', draftTextTime: 0 });
      expect(await a.setDraft('sg_nope', 'x', T)).toBeUndefined();
      expect(await a.get('sg_nope')).toBeUndefined();
    });
  });

  describe('order and paging (SPEC §1.2)', () => {
    function sample(): Conversation[] {
      return [
        makeConversation('sg_a', { latestMsgSendTime: T + 1 }),
        makeConversation('sg_b', { latestMsgSendTime: T + 3 }),
        makeConversation('sg_c', { latestMsgSendTime: T + 3 }), // tie with b: c first (ID descending)
        makeConversation('sg_d', { latestMsgSendTime: T, isPinned: true }),
        makeConversation('sg_e', { latestMsgSendTime: T + 9, isPinned: true }),
        makeConversation('sg_f', { latestMsgSendTime: T }), // gets a newer draft below
        makeConversation('sg_g', { latestMsgSendTime: T + 2 }),
        makeConversation('sg_h', { latestMsgSendTime: T + 2 }),
      ];
    }

    it('orders pinned first, then by max(latestMsgSendTime, draftTextTime), then ID descending', async () => {
      const a = await seeded(sample());
      await a.setDraft('sg_f', 'draft', T + 5);
      expect(ids(await a.getAll())).toEqual(['sg_e', 'sg_d', 'sg_f', 'sg_c', 'sg_b', 'sg_h', 'sg_g', 'sg_a']);
      // A pin and a new message move records; clearing the draft moves f back.
      await a.applyDelta(
        [makeConversation('sg_a', { latestMsgSendTime: T + 1, isPinned: true }), makeConversation('sg_g', { latestMsgSendTime: T + 4 })],
        [],
        C2,
      );
      await a.setDraft('sg_f', '', T + 6);
      expect(ids(await a.getAll())).toEqual(['sg_e', 'sg_a', 'sg_d', 'sg_g', 'sg_c', 'sg_b', 'sg_h', 'sg_f']);
    });

    it('pages through the list with `after` cursors, ending with next = null', async () => {
      const a = await seeded(sample());
      await a.setDraft('sg_f', 'draft', T + 5);
      const all = ids(await a.getAll());
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      for (;;) {
        const p = await a.getPage(3, after);
        seen.push(...ids(p.items));
        pages++;
        expect(p.items.length).toBeLessThanOrEqual(3);
        if (p.next === null) break;
        after = p.next;
      }
      expect(seen).toEqual(all);
      expect(pages).toBe(3);
      // Exactly `limit` items left: no empty trailing page.
      const full = await a.getPage(8);
      expect(ids(full.items)).toEqual(all);
      expect(full.next).toBeNull();
      expect((await a.getPage(0)).items).toEqual([]);
    });

    it('an `after` cursor stays valid when records change between pages', async () => {
      const a = await seeded(sample());
      const p1 = await a.getPage(3);
      expect(ids(p1.items)).toEqual(['sg_e', 'sg_d', 'sg_c']);
      // A newer record arrives at the top, and one below the cursor leaves.
      await a.applyDelta([makeConversation('sg_new', { latestMsgSendTime: T + 100 })], ['sg_h'], C2);
      const p2 = await a.getPage(3, p1.next!);
      expect(ids(p2.items)).toEqual(['sg_b', 'sg_g', 'sg_a']);
      const p3 = await a.getPage(3, p2.next!);
      expect(ids(p3.items)).toEqual(['sg_f']);
      expect(p3.next).toBeNull();
    });

    it('a larger random list matches the reference comparator, page by page', async () => {
      let r = 12345;
      const rnd = (n: number): number => ((r = (r * 1103515245 + 12345) % 2147483648), r % n);
      const list: Conversation[] = [];
      for (let i = 0; i < 300; i++) {
        list.push(makeConversation(`sg_${rnd(100000).toString(36)}_${i}`, { latestMsgSendTime: T + rnd(20), isPinned: rnd(10) === 0 }));
      }
      const a = await seeded(list);
      for (let i = 0; i < 30; i++) await a.setDraft(list[i * 7]!.conversationID, 'd', T + rnd(25));
      const expected = ids([...(await a.getAll())].sort(compareConversations));
      expect(ids(await a.getAll())).toEqual(expected);
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const p = await a.getPage(17, after);
        seen.push(...ids(p.items));
        if (!p.next) break;
        after = p.next;
      }
      expect(seen).toEqual(expected);
    });

    it('rejects a malformed page cursor as INVALID_ARGUMENT', async () => {
      const a = await seeded(sample());
      await expect(a.getPage(3, 'garbage')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  });

  describe('full sync', () => {
    const oldList = (): Conversation[] => [
      makeConversation('sg_1', { showName: 'one' }),
      makeConversation('sg_2', { showName: 'two' }),
      makeConversation('sg_3', { showName: 'three', maxSeq: 9, hasReadSeq: 9 }),
    ];

    it('replaces the list in one step: old list readable until commit, diff reported', async () => {
      const a = await seeded(oldList());
      await a.setDraft('sg_2', 'keep me', T + 1);
      await a.beginFull(C3);
      const before = await a.getAll();

      const s1 = await a.stagePage([makeConversation('sg_2', { showName: 'two' }), makeConversation('sg_3', { showName: 'THREE', maxSeq: 4, hasReadSeq: 1 })], 'p2');
      expect(s1.added).toEqual([]);
      expect(ids(s1.updated)).toEqual(['sg_3']); // sg_2 is equal to the live copy
      // seqs as the server has them: a full sync repairs the live copy's 9/9 (issue 15)
      expect(s1.updated[0]).toMatchObject({ showName: 'THREE', maxSeq: 4, hasReadSeq: 1, unreadCount: 3 });
      expect(await a.getAll()).toEqual(before);
      expect(await a.getCursor()).toEqual(C1);
      expect(await a.stagedFull()).toEqual({ cursor: C3, nextCursor: 'p2', staged: 2 });

      const s2 = await a.stagePage([makeConversation('sg_4')], null);
      expect(ids(s2.added)).toEqual(['sg_4']);
      expect(s2.updated).toEqual([]);
      expect(await a.getAll()).toEqual(before);
      expect(await a.getPage(10)).toEqual({ items: before, next: null });

      const removed = await a.commitFull();
      expect(removed).toEqual(['sg_1']);
      expect((await a.allIDs()).sort()).toEqual(['sg_2', 'sg_3', 'sg_4']);
      expect(await a.getCursor()).toEqual(C3);
      expect(await a.get('sg_1')).toBeUndefined();
      expect(await a.get('sg_2')).toMatchObject({ draftText: 'keep me', draftTextTime: T + 1 });
      expect(await a.get('sg_3')).toMatchObject({ showName: 'THREE', maxSeq: 4, hasReadSeq: 1, unreadCount: 3 });
      expect(await a.stagedFull()).toBeNull();
      // Later deltas work on the new live list.
      await a.applyDelta([makeConversation('sg_5')], ['sg_4'], { ...C3, version: 8 });
      expect((await a.allIDs()).sort()).toEqual(['sg_2', 'sg_3', 'sg_5']);
    });

    it('an empty snapshot empties the list', async () => {
      const a = await seeded(oldList());
      await a.beginFull(C3);
      await a.stagePage([], null);
      expect((await a.commitFull()).sort()).toEqual(['sg_1', 'sg_2', 'sg_3']);
      expect(await a.getAll()).toEqual([]);
      expect(await a.getCursor()).toEqual(C3);
    });

    it('drafts set during staging survive the swap (live and staged copies)', async () => {
      const a = await seeded(oldList());
      await a.beginFull(C3);
      await a.stagePage([makeConversation('sg_1', { showName: 'one' })], 'p2');
      await a.setDraft('sg_1', 'typed while staging', T + 7); // already staged
      await a.setDraft('sg_2', 'typed earlier', T + 8); // staged after
      await a.stagePage([makeConversation('sg_2', { showName: 'two' })], null);
      await a.commitFull();
      expect(await a.get('sg_1')).toMatchObject({ draftText: 'typed while staging', draftTextTime: T + 7 });
      expect(await a.get('sg_2')).toMatchObject({ draftText: 'typed earlier', draftTextTime: T + 8 });
    });

    it('raiseRead during staging raises the staged copy too', async () => {
      const a = await seeded([makeConversation('sg_1', { maxSeq: 10, hasReadSeq: 1 })]);
      await a.beginFull(C3);
      await a.stagePage([makeConversation('sg_1', { maxSeq: 10, hasReadSeq: 2 })], null);
      await a.raiseRead('sg_1', 6, null);
      await a.commitFull();
      expect(await a.get('sg_1')).toMatchObject({ hasReadSeq: 6, unreadCount: 4 });
    });

    it('a failing stagePage keeps the live list, the cursor and the earlier progress', async () => {
      const a = await seeded(oldList());
      const before = await a.getAll();
      await a.beginFull(C3);
      await a.stagePage([makeConversation('sg_1')], 'p2');
      failOnWrite(2);
      await expectInjected(a.stagePage([makeConversation('sg_2'), makeConversation('sg_3'), makeConversation('sg_9')], 'p3'));
      expect(await a.stagedFull()).toEqual({ cursor: C3, nextCursor: 'p2', staged: 1 });
      expect(await a.getAll()).toEqual(before);
      expect(await a.getCursor()).toEqual(C1);
      // Resume from the reported progress.
      await a.stagePage([makeConversation('sg_2'), makeConversation('sg_9')], null);
      expect((await a.commitFull()).sort()).toEqual(['sg_3']);
      expect((await a.allIDs()).sort()).toEqual(['sg_1', 'sg_2', 'sg_9']);
      expect(await a.getCursor()).toEqual(C3);
    });

    it('a failing commitFull keeps the old list and cursor; the commit can be retried', async () => {
      const a = await seeded(oldList());
      const before = await a.getAll();
      await a.beginFull(C3);
      await a.stagePage([makeConversation('sg_3'), makeConversation('sg_4')], null);
      failOnWrite(1); // commit "writes" the removal of sg_1 and sg_2
      await expectInjected(a.commitFull());
      expect(await a.getAll()).toEqual(before);
      expect(await a.getCursor()).toEqual(C1);
      expect(await a.stagedFull()).toEqual({ cursor: C3, nextCursor: null, staged: 2 });
      expect((await a.commitFull()).sort()).toEqual(['sg_1', 'sg_2']);
      expect((await a.allIDs()).sort()).toEqual(['sg_3', 'sg_4']);
      expect(await a.getCursor()).toEqual(C3);
    });

    it('an interrupted full sync leaves the old list and cursor and reports its progress after a reopen', async () => {
      const a = await seeded(oldList());
      const before = await a.getAll();
      await a.beginFull(C3);
      await a.stagePage([makeConversation('sg_1'), makeConversation('sg_7')], 'cursor-after-7');
      await a.close(); // the tab is gone

      const b = await openAdapter();
      expect(await b.getAll()).toEqual(before);
      expect(await b.getCursor()).toEqual(C1);
      expect(await b.stagedFull()).toEqual({ cursor: C3, nextCursor: 'cursor-after-7', staged: 2 });
      // another instance (a new tab) claims it before it goes on
      await expect(b.stagePage([makeConversation('sg_8')], null)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await b.resumeFull()).toEqual({ cursor: C3, nextCursor: 'cursor-after-7', staged: 2 });
      await b.stagePage([makeConversation('sg_8')], null);
      expect((await b.commitFull()).sort()).toEqual(['sg_2', 'sg_3']);
      expect((await b.allIDs()).sort()).toEqual(['sg_1', 'sg_7', 'sg_8']);
      expect(await b.getCursor()).toEqual(C3);
    });

    it('beginFull drops an earlier staging; abortFull drops it too', async () => {
      const a = await seeded(oldList());
      await a.beginFull(C2);
      await a.stagePage([makeConversation('sg_old_staging')], 'x');
      await a.beginFull(C3);
      expect(await a.stagedFull()).toBeNull(); // nothing staged yet: nothing to resume
      await a.stagePage([makeConversation('sg_1')], null);
      await a.commitFull();
      expect(await a.allIDs()).toEqual(['sg_1']);
      expect(await a.getCursor()).toEqual(C3);

      await a.beginFull(C1);
      await a.stagePage([makeConversation('sg_z')], null);
      await a.abortFull();
      expect(await a.stagedFull()).toBeNull();
      expect(await a.allIDs()).toEqual(['sg_1']);
      await expect(a.commitFull()).rejects.toMatchObject({ code: 'STORAGE' });
      await expect(a.stagePage([makeConversation('sg_z')], null)).rejects.toMatchObject({ code: 'STORAGE' });
    });

    it('refuses to commit a snapshot that is not completely staged', async () => {
      const a = await seeded(oldList());
      await a.beginFull(C3);
      await a.stagePage([makeConversation('sg_1')], 'more');
      await expect(a.commitFull()).rejects.toMatchObject({ code: 'STORAGE' });
      expect((await a.allIDs()).sort()).toEqual(['sg_1', 'sg_2', 'sg_3']);
      expect(await a.getCursor()).toEqual(C1);
    });
  });

  describe('several writers (tabs) on one database', () => {
    it('a cursor is only written over the one the change was computed from', async () => {
      const fresh = await openAdapter();
      await expect(fresh.applyDelta([makeConversation('sg_1')], [], C1, C2)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await fresh.getCursor()).toBeNull();
      expect(await fresh.allIDs()).toEqual([]);
      await fresh.applyDelta([makeConversation('sg_1')], [], C1, null);
      const other = await openAdapter(); // a second tab
      await other.applyDelta([makeConversation('sg_2')], [], C2, C1);
      // the first tab computed its change from C1: refused, nothing written, the cursor stays
      await expect(fresh.applyDelta([makeConversation('sg_3')], ['sg_1'], C2, C1)).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(fresh.raiseRead('sg_1', 0, C3, C1)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await fresh.getCursor()).toEqual(C2);
      expect((await fresh.allIDs()).sort()).toEqual(['sg_1', 'sg_2']);
      await fresh.applyDelta([makeConversation('sg_3')], [], C3, C2);
      expect(await other.getCursor()).toEqual(C3);
      // without `expected` (one writer) nothing is compared
      await other.applyDelta([], ['sg_3'], C3);
      expect((await fresh.allIDs()).sort()).toEqual(['sg_1', 'sg_2']);
    });

    it('a staged full sync belongs to the instance that began it until another one claims it', async () => {
      const a = await seeded([makeConversation('sg_1'), makeConversation('sg_3')]);
      const b = await openAdapter();
      await a.beginFull(C3);
      await a.stagePage([makeConversation('sg_1')], 'p2');
      for (const attempt of [b.stagePage([makeConversation('sg_9')], null), b.commitFull(), b.abortFull()]) {
        await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT' });
      }
      expect(await b.resumeFull()).toEqual({ cursor: C3, nextCursor: 'p2', staged: 1 });
      // the first owner (a frozen tab that wakes up) can no longer touch it
      await expect(a.stagePage([makeConversation('sg_5')], null)).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(a.commitFull()).rejects.toMatchObject({ code: 'CONFLICT' });
      await b.stagePage([makeConversation('sg_2')], null);
      expect((await b.commitFull()).sort()).toEqual(['sg_3']);
      expect((await a.allIDs()).sort()).toEqual(['sg_1', 'sg_2']);
      expect(await a.getCursor()).toEqual(C3);
    });

    it('a snapshot is never swapped in over a cursor another writer moved meanwhile', async () => {
      const a = await seeded([makeConversation('sg_1')], C1);
      await a.beginFull(C2);
      await a.stagePage([makeConversation('sg_2')], null);
      const b = await openAdapter();
      await b.applyDelta([makeConversation('sg_3')], [], C3, C1); // another tab moved the cursor
      await expect(a.commitFull()).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await a.getCursor()).toEqual(C3);
      expect((await a.allIDs()).sort()).toEqual(['sg_1', 'sg_3']);
      await a.abortFull();
      // the one writer may swap in an older version of the same log (a server restored from a backup)
      const c = await seeded([makeConversation('sg_1')], C2);
      await c.beginFull(C1);
      await c.stagePage([makeConversation('sg_2')], null);
      await c.commitFull();
      expect(await c.getCursor()).toEqual(C1);
    });

    it('a database deleted by another connection stops this one and is never created again', async () => {
      const a = await seeded([makeConversation('sg_1')]);
      const b = await openAdapter();
      await b.destroy(); // a logout in another tab
      await expect(a.applyDelta([makeConversation('sg_2')], [], C2)).rejects.toMatchObject({ code: 'DB_DELETED' });
      await expect(a.getAll()).rejects.toMatchObject({ code: 'DB_DELETED' });
      if (kind === 'idb' || kind === 'dexie') expect((await fakeIndexedDB.databases()).map((d) => d.name)).not.toContain(name);
      // a new start (an explicit open) may create it again
      const c = await openAdapter();
      expect(await c.getAll()).toEqual([]);
    });
  });

  describe('lifecycle', () => {
    it('reopen after close keeps records, drafts and cursor', async () => {
      const a = await seeded([makeConversation('sg_1', { maxSeq: 3 }), makeConversation('sg_2')]);
      await a.setDraft('sg_1', 'draft', T + 3);
      const before = await a.getAll();
      await a.close();
      const b = await openAdapter();
      expect(await b.getAll()).toEqual(before);
      expect(await b.getCursor()).toEqual(C1);
      expect(await b.get('sg_1')).toMatchObject({ draftText: 'draft', unreadCount: 3 });
    });

    it('destroy removes the database', async () => {
      const a = await seeded([makeConversation('sg_1')]);
      await a.beginFull(C3);
      await a.stagePage([makeConversation('sg_2')], 'next');
      await a.destroy();
      const b = await openAdapter();
      expect(await b.getAll()).toEqual([]);
      expect(await b.getCursor()).toBeNull();
      expect(await b.stagedFull()).toBeNull();
    });

    it('databases with different names are separate', async () => {
      const a = await seeded([makeConversation('sg_1')]);
      const other = make({ name: `${name}-other` });
      await other.open('u1');
      expect(await other.getAll()).toEqual([]);
      await other.destroy();
      expect(await a.allIDs()).toEqual(['sg_1']);
    });

    it('returned records are copies: mutating them changes nothing stored', async () => {
      const a = await seeded([makeConversation('sg_1', { latestMsg: { clientMsgID: 'm', seq: 1, sendID: 'u2', senderNickname: 'n', contentType: 101, text: 't', sendTime: T } })]);
      const got = (await a.get('sg_1'))!;
      got.showName = 'mutated';
      got.latestMsg!.text = 'mutated';
      (await a.getAll())[0]!.showName = 'mutated';
      expect(await a.get('sg_1')).toMatchObject({ showName: 'name sg_1', latestMsg: { text: 't' } });
    });
  });
});

/** Runs `fn` with `globalThis[key]` replaced (or removed, for `undefined`), then restores it. */
async function withGlobal(key: string, value: unknown, fn: () => Promise<void>): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  const saved = Object.getOwnPropertyDescriptor(g, key);
  if (value === undefined) delete g[key];
  else Object.defineProperty(g, key, { value, configurable: true, writable: true });
  try {
    await fn();
  } finally {
    if (saved) Object.defineProperty(g, key, saved);
    else delete g[key];
  }
}

describe('dexie with the app\'s own instance', () => {
  it('shares the instance between users and leaves the app\'s tables alone', async () => {
    const name = `convsync-test-app-${Date.now()}`;
    const db = appDexie(name);
    const u1 = dexieStorage({ db });
    const u2 = dexieStorage({ db });
    await u1.open('u1');
    await u2.open('u2');
    await db.table('messages').add({ conversationID: 'sg_1', text: 'app data' });
    await u1.applyDelta([makeConversation('sg_1')], [], C1);
    await u2.applyDelta([makeConversation('sg_2'), makeConversation('sg_3')], [], C2);
    await u2.beginFull(C3);
    await u2.stagePage([makeConversation('sg_3')], null);
    expect(await u2.commitFull()).toEqual(['sg_2']);
    expect(await u1.allIDs()).toEqual(['sg_1']);
    expect(await u2.allIDs()).toEqual(['sg_3']);
    await u1.destroy();
    expect(db.isOpen()).toBe(true);
    expect(await u2.allIDs()).toEqual(['sg_3']);
    expect(await db.table('messages').count()).toBe(1);
    await u2.close();
    expect(db.isOpen()).toBe(true);
    await db.delete();
  });

  it('refuses an instance opened without convsync\'s tables', async () => {
    const db = appDexie(`convsync-test-app-open-${Date.now()}`);
    await db.open();
    const a = dexieStorage({ db });
    await expect(a.open('u1')).rejects.toMatchObject({ code: 'STORAGE' });
    await db.delete();
  });
});

describe('storage errors', () => {
  it('maps DOMException names to codes', () => {
    const quota = new DOMException('full', 'QuotaExceededError');
    expect(toStorageError(quota)).toMatchObject({ code: 'QUOTA', cause: quota });
    expect(toStorageError(new DOMException('x', 'UnknownError'))).toMatchObject({ code: 'STORAGE' });
    const own = new ConvSyncError('DB_BLOCKED', 'b');
    expect(toStorageError(own)).toBe(own);
    expect(toStorageError(new Error('plain'))).toBeInstanceOf(ConvSyncError);
  });

  it.each([
    ['idb', () => idbStorage()],
    ['dexie', () => dexieStorage()],
  ])('%s: no indexedDB at all is NO_INDEXEDDB (read at open, not at import)', async (_k, make) => {
    await withGlobal('indexedDB', undefined, async () => {
      const a = make();
      await expect(a.open('u1')).rejects.toMatchObject({ code: 'NO_INDEXEDDB' });
    });
  });

  it('idb: a connection closed under the adapter is reopened once', async () => {
    const conns: IDBDatabase[] = [];
    const spy = {
      open(n: string, v?: number) {
        const req = fakeIndexedDB.open(n, v);
        req.addEventListener('success', () => conns.push(req.result));
        return req;
      },
      deleteDatabase: (n: string) => fakeIndexedDB.deleteDatabase(n),
      cmp: (x: unknown, y: unknown) => fakeIndexedDB.cmp(x, y),
      databases: () => fakeIndexedDB.databases(),
    } as unknown as IDBFactory;
    const name = `convsync-test-reopen-${Date.now()}`;
    const a = idbStorage({ name });
    await withGlobal('indexedDB', spy, async () => {
    await a.open('u1');
    await a.applyDelta([makeConversation('sg_1')], [], C1);
    expect(conns.length).toBe(1);
    forceCloseDatabase(conns[0]! as never); // as when the browser drops the connection
    expect(await a.allIDs()).toEqual(['sg_1']);
    conns[1]!.close(); // closed without an event: the transaction() call throws InvalidStateError
    await a.applyDelta([makeConversation('sg_2')], [], C2);
    expect((await a.allIDs()).sort()).toEqual(['sg_1', 'sg_2']);
    expect(conns.length).toBe(3);
    });
    await a.destroy();
  });

  it('idb: a delete blocked by another open connection is DB_BLOCKED', async () => {
    const name = `convsync-test-blocked-${Date.now()}`;
    const a = idbStorage({ name });
    await a.open('u1');
    // Another tab holds the database open and ignores versionchange.
    const other = await new Promise<IDBDatabase>((res, rej) => {
      const req = fakeIndexedDB.open(name);
      req.onsuccess = () => res(req.result);
      req.onerror = () => rej(req.error);
    });
    await expect(a.destroy()).rejects.toMatchObject({ code: 'DB_BLOCKED' });
    other.close();
  });
});

/** Storage contract, every adapter: a full sync staged page by page and swapped in at commit; drafts, reads and faults during it; resume after a reopen. */
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/protocol/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { C1, C2, C3, describeContract, ids, T } from './adapters.js';

describeContract(({ openAdapter, failOnWrite, expectInjected, seeded }) => {
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
});

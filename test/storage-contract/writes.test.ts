/** Storage contract, every adapter: incremental writes (applyDelta, raiseRead, setDraft): diffs, merges, cursor and faults. */
import { describe, expect, it } from 'vitest';
import { makeConversation } from '../helpers/fixtures.js';
import { C1, C2, C3, describeContract, ids, local, T } from './adapters.js';

describeContract(({ state, openAdapter, failOnWrite, expectInjected, seeded }) => {
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
      state.writes = 0;
      await a.applyDelta([x], ['sg_unknown'], C2);
      expect(state.writes).toBe(0);
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
});

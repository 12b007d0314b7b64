/** Storage contract, every adapter: several writers (tabs) on one database: cursor compare-and-set, claimed staging, a database deleted elsewhere. */
import { describe, expect, it } from 'vitest';
import { indexedDB as fakeIndexedDB } from 'fake-indexeddb';
import { makeConversation } from '../helpers/fixtures.js';
import { C1, C2, C3, describeContract } from './adapters.js';

describeContract(({ kind, state, openAdapter, seeded }) => {
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
      if (kind === 'idb' || kind === 'dexie') expect((await fakeIndexedDB.databases()).map((d) => d.name)).not.toContain(state.name);
      // a new start (an explicit open) may create it again
      const c = await openAdapter();
      expect(await c.getAll()).toEqual([]);
    });
  });
});

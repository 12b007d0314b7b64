/** Storage contract, every adapter: an empty start, the default database name, and the lifecycle (reopen, destroy, separate names, copies). */
import { describe, expect, it } from 'vitest';
import { makeConversation } from '../helpers/fixtures.js';
import { C1, C3, describeContract, ids, T } from './adapters.js';

describeContract(({ kind, make, state, openAdapter, seeded }) => {
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
    await a.open(`user-${state.name}`);
    state.open.push(a);
    await a.applyDelta([makeConversation('sg_1')], [], C1);
    await a.close();
    const b = make({ name: `convsync:user-${state.name}` });
    await b.open('someone-else');
    state.open.push(b);
    expect(ids(await b.getAll())).toEqual(['sg_1']);
    await b.destroy();
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
      const other = make({ name: `${state.name}-other` });
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

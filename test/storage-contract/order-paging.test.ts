/** Storage contract, every adapter: list order (SPEC §1.2), paging with `after` cursors, and lists longer than one chunk of reads. */
import { describe, expect, it } from 'vitest';
import { compareConversations, type Conversation } from '../../src/protocol/index.js';
import { CHUNK } from '../../src/storage/common.js';
import { makeConversation } from '../helpers/fixtures.js';
import { C1, C2, describeContract, ids, T } from './adapters.js';

describeContract(({ openAdapter, seeded }) => {
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
});

/**
 * The store contract: what every implementation of the ports (`ports.ts`) must do, as one
 * suite that store-contract.test.ts runs against the memory store and PostgreSQL. Each test
 * works on users and conversations of its own, so one store serves the whole suite.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, ServerFrame } from '../../src/protocol/index.js';
import { LogState, MUTATIONS_REMEMBERED, type Announce, type ConversationStore, type Edit } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';

/** Opens a store for the suite and closes it after. */
export type StoreFactory = () => Promise<{ store: ConversationStore; close(): Promise<void> }>;

const uid = (tag: string) => `${tag}_${randomBytes(4).toString('hex')}`;
const put = (u: string, ...cs: Conversation[]): Edit[] => cs.map((c) => ({ conversationID: c.conversationID, apply: () => ({ ...c, ownerUserID: u }) }));
const del = (...ids: string[]): Edit[] => ids.map((id) => ({ conversationID: id, apply: () => undefined }));
const frame = (userID: string, n: number): ServerFrame => ({ type: 'conversation.changed', userID, conversationIDs: [`n${n}`], versionID: 'a'.repeat(24), version: n });

/** The suite's store (call inside a `describe`): opened before its tests, closed after them. */
export function suiteStore(factory: StoreFactory): { readonly store: ConversationStore } {
  const held = {} as { store: ConversationStore; close(): Promise<void> };
  beforeAll(async () => Object.assign(held, await factory()));
  afterAll(() => held.close());
  return held;
}

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    const suite = suiteStore(factory);

    it('creates a log on first access: 24 hex id, version 1, deleted 0; heads() for many at once', async () => {
      const u = uid('h');
      const h = await suite.store.head(u);
      expect(h).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), version: 1, deleted: 0 });
      expect(await suite.store.head(u)).toEqual(h);
      const v = uid('h');
      const hs = await suite.store.heads([u, v]);
      expect(hs.get(u)).toEqual(h);
      expect(hs.get(v)).toMatchObject({ version: 1, deleted: 0 });
      expect(hs.get(v)!.id).not.toBe(h.id);
    });

    it('one commit is one version, whatever it mixes; a commit that changes nothing records nothing', async () => {
      const u = uid('c');
      await suite.store.commit(u, put(u, makeConversation('sg_a'), makeConversation('sg_b')));
      const h0 = await suite.store.head(u);
      const c = await suite.store.commit(u, [...put(u, makeConversation('sg_a', { ex: 'x' }), makeConversation('sg_c')), ...del('sg_b', 'sg_zz')]);
      expect(c.repeat).toBe(false);
      expect(c.answer).toEqual({ versionID: h0.id, version: h0.version + 1 });
      expect(c.change).toMatchObject({ id: h0.id, version: h0.version + 1, delete: ['sg_b'] });
      expect(c.change!.insert.map((x) => x.conversationID)).toEqual(['sg_c']);
      expect(c.change!.update).toEqual([makeConversation('sg_a', { ex: 'x', ownerUserID: u })]);
      const same = await suite.store.commit(u, [...put(u, makeConversation('sg_a', { ex: 'x' })), ...del('sg_b')]);
      expect(same).toEqual({ change: null, answer: { versionID: h0.id, version: h0.version + 1 }, repeat: false });
      expect((await suite.store.head(u)).version).toBe(h0.version + 1);
      expect(await suite.store.ids(u)).toEqual(['sg_a', 'sg_c']);
    });

    it('an edit that throws leaves nothing behind, not even the mutation ID', async () => {
      const u = uid('t');
      const h0 = await suite.store.head(u);
      const boom: Edit = {
        conversationID: 'sg_x',
        apply: () => {
          throw new Error('refused');
        },
      };
      await expect(suite.store.commit(u, [...put(u, makeConversation('sg_a')), boom], 'm1')).rejects.toThrow('refused');
      expect(await suite.store.head(u)).toEqual(h0);
      expect(await suite.store.get(u, ['sg_a'])).toEqual([]);
      const retry = await suite.store.commit(u, put(u, makeConversation('sg_a')), 'm1');
      expect(retry).toMatchObject({ repeat: false, answer: { version: h0.version + 1 } });
    });

    it('a remembered mutation ID applies nothing and answers as the first time; per user', async () => {
      const u = uid('m');
      const v = uid('m');
      const first = await suite.store.commit(u, put(u, makeConversation('sg_a', { ex: '1' })), 'same');
      await suite.store.commit(u, put(u, makeConversation('sg_a', { ex: '2' })));
      const again = await suite.store.commit(u, put(u, makeConversation('sg_a', { ex: '3' })), 'same');
      expect(again).toEqual({ change: null, answer: first.answer, repeat: true });
      expect((await suite.store.get(u, ['sg_a']))[0]!.ex).toBe('2');
      expect((await suite.store.commit(v, put(v, makeConversation('sg_a')), 'same')).repeat).toBe(false);
      // a no-op is remembered with the head it answered
      const noop = await suite.store.commit(u, [], 'noop');
      await suite.store.commit(u, put(u, makeConversation('sg_b')));
      expect(await suite.store.commit(u, put(u, makeConversation('sg_c')), 'noop')).toEqual({ change: null, answer: noop.answer, repeat: true });
    });

    it(`remembers the last ${MUTATIONS_REMEMBERED} mutation IDs per user, forgetting the oldest first`, async () => {
      const u = uid('r');
      for (let i = 0; i <= MUTATIONS_REMEMBERED; i++) await suite.store.commit(u, [], `m${i}`);
      expect((await suite.store.commit(u, put(u, makeConversation('sg_a')), 'm1')).repeat).toBe(true);
      expect((await suite.store.commit(u, put(u, makeConversation('sg_a')), `m${MUTATIONS_REMEMBERED}`)).repeat).toBe(true);
      const m0 = await suite.store.commit(u, put(u, makeConversation('sg_a')), 'm0');
      expect(m0.repeat).toBe(false);
      expect(m0.change?.insert.map((c) => c.conversationID)).toEqual(['sg_a']);
    }, 60_000);

    it('changesSince: entries in version order, one per element, logLen; entries left out on overflow', async () => {
      const u = uid('l');
      const h = await suite.store.head(u);
      await suite.store.commit(u, put(u, makeConversation('sg_a'), makeConversation('sg_b'))); // 2
      await suite.store.commit(u, put(u, makeConversation('sg_a', { ex: 'x' }))); // 3
      await suite.store.commit(u, del('sg_b')); // 4
      const all = await suite.store.changesSince(u, 0, 10);
      expect(all).toMatchObject({ id: h.id, version: 4, deleted: 0, logLen: 2 });
      expect(all.entries.map((e) => [e.eID, e.state, e.version])).toEqual([
        ['sg_a', LogState.UPDATE, 3],
        ['sg_b', LogState.DELETE, 4],
      ]);
      expect(all.entries[0]!.lastUpdate).toBeGreaterThan(Date.now() - 60_000);
      expect((await suite.store.changesSince(u, 3, 10)).entries.map((e) => e.eID)).toEqual(['sg_b']);
      expect(await suite.store.changesSince(u, 4, 10)).toMatchObject({ logLen: 0, entries: [] });
      expect(await suite.store.changesSince(u, 0, 1)).toMatchObject({ logLen: 2, entries: [] });
    });

    it('compact drops entries up to keepVersion, never lowers the watermark nor passes the version; reset keeps records and mutation IDs', async () => {
      const u = uid('k');
      for (const id of ['sg_a', 'sg_b', 'sg_c']) await suite.store.commit(u, put(u, makeConversation(id)), `w-${id}`); // 2, 3, 4
      expect(await suite.store.compact(u, 3)).toMatchObject({ version: 4, deleted: 3 });
      expect((await suite.store.changesSince(u, 0, 10)).entries.map((e) => e.eID)).toEqual(['sg_c']);
      expect((await suite.store.compact(u, 1)).deleted).toBe(3);
      expect((await suite.store.compact(u, 99)).deleted).toBe(4);
      const old = await suite.store.head(u);
      const fresh = await suite.store.resetLog(u);
      expect(fresh).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), version: 1, deleted: 0 });
      expect(fresh.id).not.toBe(old.id);
      expect(await suite.store.head(u)).toEqual(fresh);
      expect(await suite.store.ids(u)).toEqual(['sg_a', 'sg_b', 'sg_c']);
      expect((await suite.store.commit(u, [], 'w-sg_a')).repeat).toBe(true);
    });

    it('reads: get, page (ascending, after, more), count, ids', async () => {
      const u = uid('p');
      const ids = ['sg_c', 'sg_a', 'si_a_b', 'sg_B', 'sn_1'];
      await suite.store.commit(u, put(u, ...ids.map((id) => makeConversation(id))));
      const sorted = [...ids].sort();
      expect(await suite.store.ids(u)).toEqual(sorted);
      expect(await suite.store.count(u)).toBe(5);
      expect((await suite.store.get(u, ['sg_a', 'nope', 'sn_1'])).map((c) => c.conversationID).sort()).toEqual(['sg_a', 'sn_1']);
      const p1 = await suite.store.page(u, null, 2);
      expect(p1).toMatchObject({ more: true });
      expect(p1.items.map((c) => c.conversationID)).toEqual(sorted.slice(0, 2));
      const p2 = await suite.store.page(u, sorted[1]!, 3);
      expect(p2.items.map((c) => c.conversationID)).toEqual(sorted.slice(2));
      expect(p2.more).toBe(false);
      expect(await suite.store.count(uid('none'))).toBe(0);
    });

    it('sorted: pinned first, newest next, ties by ID descending; totals over the whole list', async () => {
      const u = uid('s');
      await suite.store.commit(
        u,
        put(
          u,
          makeConversation('sg_a', { latestMsgSendTime: 100, maxSeq: 5, hasReadSeq: 2 }),
          makeConversation('sg_b', { latestMsgSendTime: 100, maxSeq: 1 }),
          makeConversation('sg_c', { latestMsgSendTime: 300, recvMsgOpt: 1, maxSeq: 9 }),
          makeConversation('sg_p', { latestMsgSendTime: 1, isPinned: true }),
          makeConversation('sg_z', { latestMsgSendTime: 200, hasReadSeq: 7, maxSeq: 3 }),
        ),
      );
      const p = await suite.store.sorted(u, 0, 3);
      const q = await suite.store.sorted(u, 3, 3);
      expect([...p.items, ...q.items].map((c) => c.conversationID)).toEqual(['sg_p', 'sg_c', 'sg_z', 'sg_b', 'sg_a']);
      expect(p).toMatchObject({ total: 5, unreadTotal: 4 });
      expect(q.items.map((c) => c.unreadCount)).toEqual([1, 3]);
      expect(p.items[2]!.unreadCount).toBe(0);
    });

    it('directory: members, seq and names', async () => {
      const g = `sg_${uid('g')}`;
      const [a, b, c] = [uid('u'), uid('u'), uid('u')];
      expect(await suite.store.conversationInfo(g)).toBeNull();
      await suite.store.addMembers([g], [a, b], { showName: 'Team', seq: 4 });
      await suite.store.commit(c, put(c, makeConversation(g, { maxSeq: 9 })));
      const info = await suite.store.conversationInfo(g);
      expect(info).toMatchObject({ seq: 9, showName: 'Team' });
      expect([...info!.members].sort()).toEqual([a, b, c].sort());
      await suite.store.addMembers([g, g], [c], { seq: 2 });
      expect((await suite.store.conversationInfo(g))!.seq).toBe(9);
      await suite.store.setUserNames(new Map([[a, 'Ada']]));
      expect(await suite.store.userName(a)).toBe('Ada');
      expect(await suite.store.userName(b)).toBeUndefined();
    });

    it('feed: announced frames reach subscribers in commit order; repeats and resets as announced', async () => {
      const u = uid('f');
      await suite.store.follow(u);
      const got: ServerFrame[] = [];
      let twelve: () => void = () => {};
      const all = new Promise<void>((resolve) => (twelve = resolve));
      const stop = suite.store.subscribe((to, f) => {
        if (to === u && got.push(f) === 12) twelve();
      });
      let n = 0;
      const announce: Announce = (ch) => (ch ? [frame(u, ++n)] : []);
      await suite.store.commit(u, put(u, makeConversation('sg_a')), 'once', announce);
      await suite.store.commit(u, put(u, makeConversation('sg_a')), undefined, announce); // no change: nothing
      await suite.store.commit(u, put(u, makeConversation('sg_b')), 'once', announce); // a repeat: nothing
      await Promise.all(Array.from({ length: 10 }, (_, i) => suite.store.commit(u, put(u, makeConversation(`sg_${i}x`)), undefined, announce)));
      const head = await suite.store.resetLog(u, (h) => [{ type: 'conversation.changed', userID: u, conversationIDs: [], versionID: h.id, version: h.version }]);
      await all; // the feed delivers asynchronously on a shared store (bounded by the test timeout)
      stop();
      suite.store.unfollow(u);
      expect(got.slice(0, 11).map((f) => (f as { version: number }).version)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
      expect(got[11]).toMatchObject({ versionID: head.id, version: 1 });
    });

    it('retain: by count and by age, moving the watermark', async () => {
      const u = uid('ret');
      for (let i = 0; i < 6; i++) await suite.store.commit(u, put(u, makeConversation(`sg_${i}`))); // versions 2..7
      await suite.store.retain({ maxEntries: 2 });
      expect((await suite.store.head(u)).deleted).toBe(5);
      expect((await suite.store.changesSince(u, 5, 10)).entries.map((e) => e.version)).toEqual([6, 7]);
      expect(await suite.store.retain({ maxEntries: 2 })).toBe(0);
      expect(await suite.store.retain({ maxAgeMs: 60_000 })).toBe(0);
      await suite.store.retain({ maxAgeMs: 0 }, Date.now() + 1000);
      expect(await suite.store.head(u)).toMatchObject({ version: 7, deleted: 7 });
    });

    it('concurrent commits to one user: one version each, no gap, no answer twice', async () => {
      const u = uid('cc');
      const h = await suite.store.head(u);
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => suite.store.commit(u, put(u, makeConversation(`sg_${i}`)))));
      expect(answers.map((a) => a.answer.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => h.version + 1 + i));
      const log = await suite.store.changesSince(u, h.version, 100);
      expect(log.entries.map((e) => e.version)).toEqual(Array.from({ length: 40 }, (_, i) => h.version + 1 + i));
    });
  });
}

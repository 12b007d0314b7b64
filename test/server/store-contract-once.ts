/**
 * The store contract of exactly-once writes (SPEC §3.2 "Exactly once, forever"): the repeat
 * rule of a client key, conflicts on both identities, forgotten clients and remembered
 * refusals. store-contract.test.ts runs it against the memory store and PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/protocol/index.js';
import { ApiError, MUTATIONS_REMEMBERED, type Edit, type MutationKey } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { suiteStore, type StoreFactory } from './store-contract.js';

const uid = (tag: string) => `${tag}_${randomBytes(4).toString('hex')}`;
const put = (u: string, ...cs: Conversation[]): Edit[] => cs.map((c) => ({ conversationID: c.conversationID, apply: () => ({ ...c, ownerUserID: u }) }));
const DAY = 24 * 3600 * 1000;
const T0 = 1_800_000_000_000;
/** a client key: number `n`, content hash `hash`, at time `now` with a 30-day retention */
const ck = (clientID: string, n: number, hash = `h${n}`, now = T0): MutationKey => ({ clientID, number: n, hash, now, retainMs: 30 * DAY });
const refusedWith = (errCode: number) => expect.objectContaining({ errCode });

export function storeContractOnce(name: string, factory: StoreFactory): void {
  describe(`store contract, exactly once: ${name}`, () => {
    const suite = suiteStore(factory);

    it('a client number at or below the last applies nothing: the last answers its answer, an older one the head', async () => {
      const u = uid('c');
      const one = await suite.store.commit(u, put(u, makeConversation('sg_a', { ex: '1' })), ck('d1', 1));
      expect(one.repeat).toBe(false);
      const five = await suite.store.commit(u, put(u, makeConversation('sg_a', { ex: '5' })), ck('d1', 5)); // a gap is fine
      expect(five).toMatchObject({ repeat: false, answer: { version: one.answer.version + 1 } });
      await suite.store.commit(u, put(u, makeConversation('sg_a', { ex: 'other' }))); // another write moves the head
      const head = await suite.store.head(u);
      expect(await suite.store.commit(u, put(u, makeConversation('sg_a', { ex: '5' })), ck('d1', 5))).toEqual({ change: null, answer: five.answer, repeat: true });
      for (const n of [1, 3, 4]) {
        expect(await suite.store.commit(u, put(u, makeConversation('sg_a', { ex: `again${n}` })), ck('d1', n, 'whatever'))).toEqual({
          change: null,
          answer: { versionID: head.id, version: head.version },
          repeat: true,
        });
      }
      expect((await suite.store.get(u, ['sg_a']))[0]!.ex).toBe('other');
      // per user and per client
      expect((await suite.store.commit(u, put(u, makeConversation('sg_b')), ck('d2', 1))).repeat).toBe(false);
      const v = uid('c');
      expect((await suite.store.commit(v, put(v, makeConversation('sg_a')), ck('d1', 1))).repeat).toBe(false);
    });

    it(`a repeat is a repeat after any number of later writes (more than ${MUTATIONS_REMEMBERED})`, async () => {
      const u = uid('long');
      const first = await suite.store.commit(u, put(u, makeConversation('sg_a', { isPinned: true })), ck('d1', 1));
      for (let n = 2; n <= MUTATIONS_REMEMBERED + 2; n++) await suite.store.commit(u, [], ck('d1', n));
      await suite.store.commit(u, put(u, makeConversation('sg_a', { isPinned: false })), ck('d1', MUTATIONS_REMEMBERED + 3));
      const again = await suite.store.commit(u, put(u, makeConversation('sg_a', { isPinned: true })), ck('d1', 1, first.answer.versionID));
      expect(again.repeat).toBe(true);
      expect((await suite.store.get(u, ['sg_a']))[0]!.isPinned).toBe(false);
    }, 120_000);

    it('1409: the last number with other content; a mutationID with another hash; nothing applied', async () => {
      const u = uid('x');
      await suite.store.commit(u, put(u, makeConversation('sg_a', { ex: '1' })), ck('d1', 1, 'A'));
      const h = await suite.store.head(u);
      await expect(suite.store.commit(u, put(u, makeConversation('sg_a', { ex: '2' })), ck('d1', 1, 'B'))).rejects.toEqual(refusedWith(1409));
      await suite.store.commit(u, put(u, makeConversation('sg_b')), { mutationID: 'm1', hash: 'A' });
      const h2 = await suite.store.head(u);
      await expect(suite.store.commit(u, put(u, makeConversation('sg_c')), { mutationID: 'm1', hash: 'B' })).rejects.toEqual(refusedWith(1409));
      // the same hash, or an unknown one (the string form), is a repeat
      expect((await suite.store.commit(u, put(u, makeConversation('sg_c')), { mutationID: 'm1', hash: 'A' })).repeat).toBe(true);
      expect((await suite.store.commit(u, put(u, makeConversation('sg_c')), 'm1')).repeat).toBe(true);
      expect(await suite.store.head(u)).toEqual(h2);
      expect(h2.version).toBe(h.version + 1);
      expect(await suite.store.ids(u)).toEqual(['sg_a', 'sg_b']);
    });

    it('1410: an unknown client above 1, and a client unseen for the retention; never applied', async () => {
      const u = uid('f');
      await expect(suite.store.commit(u, put(u, makeConversation('sg_a')), ck('new', 7))).rejects.toEqual(refusedWith(1410));
      expect(await suite.store.ids(u)).toEqual([]);
      await suite.store.commit(u, put(u, makeConversation('sg_a')), ck('old', 1, 'h1', T0));
      await suite.store.commit(u, put(u, makeConversation('sg_b')), ck('kept', 1, 'h1', T0));
      // seen within the retention (a repeat counts as seen)
      expect((await suite.store.commit(u, [], ck('kept', 1, 'h1', T0 + 29 * DAY))).repeat).toBe(true);
      expect((await suite.store.commit(u, put(u, makeConversation('sg_c')), ck('kept', 2, 'h2', T0 + 58 * DAY))).repeat).toBe(false);
      await expect(suite.store.commit(u, put(u, makeConversation('sg_d')), ck('old', 2, 'h2', T0 + 31 * DAY))).rejects.toEqual(refusedWith(1410));
      // dropped for good: still unknown afterwards, and its number 1 starts it anew
      await expect(suite.store.commit(u, put(u, makeConversation('sg_d')), ck('old', 3, 'h3', T0 + 31 * DAY))).rejects.toEqual(refusedWith(1410));
      expect(await suite.store.ids(u)).toEqual(['sg_a', 'sg_b', 'sg_c']);
      expect((await suite.store.commit(u, put(u, makeConversation('sg_e')), ck('old', 1, 'fresh', T0 + 31 * DAY))).repeat).toBe(false);
    });

    it('a refused mutation (an edit throwing 1004) still advances the client; its repeat is refused the same', async () => {
      const u = uid('r');
      const missing: Edit = {
        conversationID: 'sg_none',
        apply: () => {
          throw new ApiError(1004, 'conversation sg_none not found');
        },
      };
      await expect(suite.store.commit(u, [missing], ck('d1', 1))).rejects.toEqual(refusedWith(1004));
      await expect(suite.store.commit(u, [missing], ck('d1', 1))).rejects.toEqual(refusedWith(1004));
      expect((await suite.store.commit(u, put(u, makeConversation('sg_a')), ck('d1', 2))).repeat).toBe(false); // known: not 1410
      // an error that is not a refusal (a bug, an outage) records nothing: the retry runs
      const boom: Edit = {
        conversationID: 'sg_b',
        apply: () => {
          throw new Error('boom');
        },
      };
      await expect(suite.store.commit(u, [boom], ck('d1', 3))).rejects.toThrow('boom');
      expect((await suite.store.commit(u, put(u, makeConversation('sg_b')), ck('d1', 3))).repeat).toBe(false);
      expect(await suite.store.ids(u)).toEqual(['sg_a', 'sg_b']);
    });
  });
}

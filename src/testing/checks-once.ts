/** Checks of exactly-once writes (SPEC §3.2 "Exactly once, forever") and the batch endpoint. */
import type { KitClient } from './client.js';
import { eq, has } from './expect.js';
import type { Check } from './types.js';

const SET = '/conversation/set_conversations';
const DEL = '/conversation/delete_conversations';
const BATCH = '/conversation/apply_mutations';

/** A user holding `ids`, a socket of theirs, their cursor and a fresh client ID. */
async function setup(k: KitClient, ids: string[]) {
  const u = k.user();
  const h = await k.upsert(u, ids.map((id) => k.record(u, id)));
  return { u, h, sock: await k.socket(u), clientID: `kit-${u}` };
}

export const onceChecks: Check[] = [
  {
    name: 'write.repeat-rule',
    title: 'clientID + mutationNumber: the last number answers its answer, an older one the head, neither applies; unknown client above 1 → 1410/410',
    async run(k) {
      const { u, h, sock, clientID } = await setup(k, ['sg_a']);
      const pin = { clientID, mutationNumber: 1, conversation: { conversationID: 'sg_a', isPinned: true } };
      const first = await k.call(u, SET, pin);
      eq(first, { ...h, version: h.version + 1 }, 'first answer');
      const third = await k.call(u, SET, { clientID, mutationNumber: 3, conversation: { conversationID: 'sg_a', isPinned: false } });
      eq(third, { ...h, version: h.version + 2 }, 'a later number (a gap is allowed)');
      await sock.next((f) => f.type === 'conversation.changed' && f.version === third.version, 5000, 'the second change');
      eq(await k.call(u, SET, { clientID, mutationNumber: 3, conversation: { conversationID: 'sg_a', isPinned: false } }), third, 'the last number again');
      eq(await k.call(u, SET, pin), third, 'an older number answers the head');
      await sock.nothingQueued('after the repeats');
      eq((await k.sync(u, h)).update[0]?.isPinned, false, 'the repeats changed nothing');
      const lost = { userID: u, clientID: `${clientID}-lost`, mutationNumber: 2, conversation: { conversationID: 'sg_a', isPinned: true } };
      await k.refused(SET, lost, await k.token(u), 1410, 410, 'an unknown client above 1');
      const bad = await k.refused(SET, { userID: u, clientID: 'a'.repeat(65), mutationNumber: 1, conversation: pin.conversation }, await k.token(u), 1001, 400, 'a clientID of 65 characters');
      eq(bad.body.errDlt, 'body.clientID', 'errDlt');
    },
  },
  {
    name: 'write.conflict',
    title: 'an identity used again for other content → 1409/409, nothing applied: the last client number, and a mutationID',
    async run(k) {
      const { u, h, clientID } = await setup(k, ['sg_a', 'sg_b']);
      const t = await k.token(u);
      await k.call(u, SET, { clientID, mutationNumber: 1, conversation: { conversationID: 'sg_a', isPinned: true } });
      await k.refused(SET, { userID: u, clientID, mutationNumber: 1, conversation: { conversationID: 'sg_a', ex: 'other' } }, t, 1409, 409, 'the last number, other content');
      await k.call(u, DEL, { mutationID: `m-${u}`, conversationIDs: ['sg_b'] });
      await k.refused(DEL, { userID: u, mutationID: `m-${u}`, conversationIDs: ['sg_a'] }, t, 1409, 409, 'a mutationID, other content');
      eq(await k.head(u), { ...h, version: h.version + 2 }, 'nothing applied');
    },
  },
  {
    name: 'write.batch',
    title: 'apply_mutations: one result per mutation in order, each its own version; a refused one alone; the batch again applies nothing',
    async run(k) {
      const { u, h, sock, clientID } = await setup(k, ['sg_a', 'sg_b']);
      const mutations = [
        { number: 1, kind: 'set', conversation: { conversationID: 'sg_a', isPinned: true } },
        { number: 2, kind: 'read', conversationID: 'sg_missing', hasReadSeq: 1 },
        { number: 3, kind: 'set', conversation: { conversationID: 'sg_b', ex: 'x' } },
        { number: 4, kind: 'delete', conversationIDs: ['sg_a'] },
      ];
      const r = await k.call(u, BATCH, { clientID, mutations });
      const at = (version: number) => ({ versionID: h.versionID, version });
      eq(r?.results?.length, 4, 'one result per mutation');
      eq(r.results[0], { number: 1, ...at(h.version + 1) }, 'mutation 1');
      has(r.results[1], { number: 2, errCode: 1004 }, 'mutation 2 (refused alone)');
      eq(r.results[2], { number: 3, ...at(h.version + 2) }, 'mutation 3');
      eq(r.results[3], { number: 4, ...at(h.version + 3) }, 'mutation 4');
      for (const v of [1, 2, 3]) await sock.next((f) => f.type === 'conversation.changed' && f.version === h.version + v, 5000, `the frame of version ${h.version + v}`);
      const again = await k.call(u, BATCH, { clientID, mutations });
      eq(again?.results, [1, 2, 3].map((number) => ({ number, ...at(h.version + 3) })).concat([r.results[3]]), 'the batch again');
      await sock.nothingQueued('after the repeated batch');
      await k.refused(BATCH, { userID: u, clientID, mutations: [mutations[0], mutations[0]] }, await k.token(u), 1001, 400, 'numbers not growing');
    },
  },
];

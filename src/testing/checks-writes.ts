/** Checks of the writes (SPEC §3.2), of errors and auth (§3), of the WebSocket (§4). */
import type { KitClient } from './client.js';
import { eq, has, ok } from './expect.js';
import type { Check } from './types.js';

const SET = '/conversation/set_conversations';
const READ = '/conversation/mark_as_read';
const DEL = '/conversation/delete_conversations';
const INC = '/conversation/get_incremental_conversations';

/** A user holding `records`, a socket of theirs, and their cursor. */
async function setup(k: KitClient, records: (u: string) => Parameters<KitClient['upsert']>[1]) {
  const u = k.user();
  const h = await k.upsert(u, records(u));
  const sock = await k.socket(u);
  return { u, h, sock };
}

export const writeChecks: Check[] = [
  {
    name: 'write.set',
    title: 'set_conversations changes the given fields and answers its version; a no-op answers the head; unknown → 1004',
    async run(k) {
      const { u, h } = await setup(k, (u) => [k.record(u, 'sg_a')]);
      eq(await k.call(u, SET, { conversation: { conversationID: 'sg_a', isPinned: true, ex: 'e', recvMsgOpt: 2 } }), { ...h, version: h.version + 1 }, 'answer');
      const a = await k.sync(u, h);
      has(a.update[0], { conversationID: 'sg_a', isPinned: true, ex: 'e', recvMsgOpt: 2, showName: 'kit sg_a' }, 'record');
      eq(await k.call(u, SET, { conversation: { conversationID: 'sg_a', isPinned: true } }), { ...h, version: h.version + 1 }, 'a no-op');
      await k.refused(SET, { userID: u, conversation: { conversationID: 'sg_nope', isPinned: true } }, await k.token(u), 1004, 404, 'unknown conversation');
    },
  },
  {
    name: 'write.read',
    title: 'mark_as_read raises hasReadSeq, never lowers it, clamps it to maxSeq; the read is in the log',
    async run(k) {
      const { u, h } = await setup(k, (u) => [k.record(u, 'sg_a', { maxSeq: 10, hasReadSeq: 2 })]);
      eq(await k.call(u, READ, { conversationID: 'sg_a', hasReadSeq: 6 }), { ...h, version: h.version + 1 }, 'answer');
      eq(await k.call(u, READ, { conversationID: 'sg_a', hasReadSeq: 4 }), { ...h, version: h.version + 1 }, 'a lower read');
      eq((await k.sync(u, h)).update[0]?.hasReadSeq, 6, 'hasReadSeq in the sync');
      await k.call(u, READ, { conversationID: 'sg_a', hasReadSeq: 99 });
      eq((await k.sync(u, h)).update[0]?.hasReadSeq, 10, 'hasReadSeq clamped to maxSeq');
    },
  },
  {
    name: 'write.delete',
    title: 'delete_conversations logs delete; unknown and repeated IDs are ignored; nothing to delete records nothing',
    async run(k) {
      const { u, h } = await setup(k, (u) => [k.record(u, 'sg_a'), k.record(u, 'sg_b')]);
      eq(await k.call(u, DEL, { conversationIDs: ['sg_a', 'sg_a', 'sg_missing'] }), { ...h, version: h.version + 1 }, 'answer');
      eq((await k.sync(u, h)).delete, ['sg_a'], 'delete');
      eq(await k.call(u, DEL, { conversationIDs: ['sg_missing'] }), { ...h, version: h.version + 1 }, 'nothing deleted');
    },
  },
  {
    name: 'write.mutationID',
    title: 'a repeated mutationID answers the first answer and applies nothing, notifies nobody; a bad one is 1001',
    async run(k) {
      const { u, h, sock } = await setup(k, (u) => [k.record(u, 'sg_a')]);
      const body = { mutationID: `m-${u}`, conversation: { conversationID: 'sg_a', isPinned: true } };
      const first = await k.call(u, SET, body);
      eq(first, { ...h, version: h.version + 1 }, 'first answer');
      await sock.next((f) => f.type === 'conversation.changed', 5000, 'the first change');
      await k.call(u, SET, { conversation: { conversationID: 'sg_a', isPinned: false } });
      await sock.next((f) => f.type === 'conversation.changed', 5000, 'the second change');
      eq(await k.call(u, SET, body), first, 'the repeat');
      await sock.nothingQueued('after the repeat');
      eq((await k.sync(u, h)).update[0]?.isPinned, false, 'the repeat changed nothing');
      for (const bad of [42, null, '', 'm 1', 'm'.repeat(129)]) {
        const a = await k.refused(SET, { userID: u, ...body, mutationID: bad }, await k.token(u), 1001, 400, `mutationID ${JSON.stringify(bad)}`);
        eq(a.body.errDlt, 'body.mutationID', 'errDlt');
      }
    },
  },
  {
    name: 'auth.tokens',
    title: 'no token or a bad one → 1502/401, an expired one → 1501/401, the `token:` header works, another user → 1002/403',
    async run(k) {
      const u = k.user();
      const body = { userID: u, versionID: '', version: 0 };
      await k.refused(INC, body, undefined, 1502, 401, 'no token');
      await k.refused(INC, body, 'not-a-token', 1502, 401, 'a garbage token');
      await k.refused(INC, body, (await k.token(u)).slice(0, -2) + 'xx', 1502, 401, 'a tampered token');
      await k.refused(INC, body, await k.token(u, 0), 1501, 401, 'an expired token');
      const viaHeader = await k.post(INC, body, undefined, { token: await k.token(u) });
      eq(viaHeader.body?.errCode, 0, 'the token: header');
      await k.refused(INC, { ...body, userID: k.user() }, await k.token(u), 1002, 403, "another user's data");
    },
  },
  {
    name: 'errors.envelope',
    title: 'bad arguments → 1001/400 naming the field, unknown route → 1004/404, the envelope; null lists read as []',
    async run(k) {
      const u = k.user();
      const t = await k.token(u);
      const ok0 = await k.post(INC, { userID: u, versionID: '', version: 0 }, t);
      has(ok0.body, { errCode: 0, errMsg: '', errDlt: '' }, 'success envelope');
      await k.refused(INC, '{"userID":', t, 1001, 400, 'malformed JSON');
      const wrong = await k.refused(INC, { userID: u, versionID: '', version: '3' }, t, 1001, 400, 'version a string');
      eq(wrong.body.errDlt, 'body.version', 'errDlt names the field');
      await k.refused(SET, { userID: u, conversation: { conversationID: 'sg_a', recvMsgOpt: 7 } }, t, 1001, 400, 'an unknown enum');
      await k.refused('/conversation/nope', {}, t, 1004, 404, 'an unknown route');
      eq((await k.post(DEL, { userID: u, conversationIDs: null }, t)).body?.errCode, 0, 'conversationIDs: null');
    },
  },
  {
    name: 'ws.auth',
    title: 'the socket answers auth with auth.ok; a bad token or another first frame closes it with 4401',
    async run(k) {
      const u = k.user();
      const s = await k.socket();
      s.send({ type: 'auth', token: await k.token(u) });
      eq(await s.next(() => true, 5000, 'auth.ok'), { type: 'auth.ok', userID: u }, 'auth answer');
      const bad = await k.socket();
      bad.send({ type: 'auth', token: 'nope' });
      eq(await bad.closed(), 4401, 'close code for a bad token');
      const other = await k.socket();
      other.send({ type: 'ping' });
      eq(await other.closed(), 4401, 'close code for another first frame');
    },
  },
  {
    name: 'ws.changed',
    title: 'a write sends conversation.changed with its version and delta to every socket of the user, and to nobody else',
    async run(k) {
      const { u, h, sock } = await setup(k, (u) => [k.record(u, 'sg_a')]);
      const second = await k.socket(u);
      const stranger = await k.socket(k.user());
      const answer = await k.call(u, SET, { conversation: { conversationID: 'sg_a', isPinned: true } });
      for (const s of [sock, second]) {
        const f = await s.next((x) => x.type === 'conversation.changed', 5000, 'conversation.changed');
        has(f, { userID: u, versionID: h.versionID, version: answer.version, conversationIDs: ['sg_a'] }, 'frame');
        ok(f.delta?.update?.[0]?.isPinned === true, `the delta carries the record: ${JSON.stringify(f.delta).slice(0, 200)}`);
      }
      await stranger.nothingQueued("another user's socket");
    },
  },
  {
    name: 'ws.unread',
    title: 'mark_as_read sends conversation.unread with the version the read produced',
    async run(k) {
      const { u, sock } = await setup(k, (u) => [k.record(u, 'sg_a', { maxSeq: 9 })]);
      const answer = await k.call(u, READ, { conversationID: 'sg_a', hasReadSeq: 7 });
      const f = await sock.next((x) => x.type === 'conversation.unread', 5000, 'conversation.unread');
      has(f, { userID: u, conversationID: 'sg_a', hasReadSeq: 7, versionID: answer.versionID, version: answer.version }, 'frame');
      ok(typeof f.unreadCountTime === 'number', 'unreadCountTime is a number');
    },
  },
  {
    name: 'ws.frames',
    title: 'ping gets pong, unknown types are ignored, a malformed frame closes only that socket with 4400',
    async run(k) {
      const u = k.user();
      const good = await k.socket(u);
      const bad = await k.socket(u);
      good.send({ type: 'future.thing' });
      good.send({ type: 'ping' });
      eq(await good.next(() => true, 5000, 'pong'), { type: 'pong' }, 'answer to ping');
      bad.send('{oops');
      eq(await bad.closed(), 4400, 'close code for a malformed frame');
      await good.nothingQueued('the other socket');
    },
  },
];

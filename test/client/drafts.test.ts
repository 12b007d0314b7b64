/** Drafts survive every kind of sync: pushed, unread, incremental, full. */
import { describe, expect, it } from 'vitest';
import type { LocalConversation } from '../../src/protocol/index.js';
import { expectEqualToServer, makeClient, serverHead, startLive, waitFor } from './harness.js';
import { seededServers } from './seeded-server.js';

const { clients, server } = seededServers();

describe('drafts survive every kind of sync', () => {
  it('incremental, pushed, unread, full', async () => {
    const s = await server();
    const c = makeClient(s, 'u1');
    clients.push(c);
    await startLive(c);
    const id = 'si_u1_u2';
    const lists: LocalConversation[][] = [];
    c.sync.conversations$.subscribe((l) => lists.push(l));
    const d = await c.sync.setDraft(id, 'half a thought');
    expect(d?.draftText).toBe('half a thought');
    await waitFor(c.sync.conversations$, (l) => l[0]?.conversationID === id || l[0]?.isPinned === true, 5000);
    const check = async (what: string) => {
      const r = await c.sync.get(id);
      expect(r?.draftText, what).toBe('half a thought');
      expect(lists.at(-1)?.find((x) => x.conversationID === id)?.draftText, what).toBe('half a thought');
    };
    // pushed delta touching the record
    let ev = waitFor(c.sync.changes$, (x) => x.mode === 'pushed');
    const sent = await s.admin<{ seq: number }>('/admin/send_message', { conversationID: id, sendID: 'u2', text: 'new' });
    await ev;
    await check('pushed');
    // unread frame
    ev = waitFor(c.sync.changes$, (x) => x.mode === 'pushed');
    await s.call('u1', '/conversation/mark_as_read', { userID: 'u1', conversationID: id, hasReadSeq: sent.seq });
    await ev;
    await check('unread');
    // incremental: frames dropped, then a manual sync
    c.taps.pass = () => false;
    await s.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: id, ex: 'changed' } });
    expect(await c.sync.sync()).toBe('incremental');
    await check('incremental');
    // full
    await s.admin('/admin/reset_log', { userID: 'u1' });
    expect(await c.sync.sync()).toBe('full');
    await check('full');
    c.taps.pass = () => true;
    await expectEqualToServer(c, s, 'u1');
    expect(await c.sync.setDraft(id, '')).toMatchObject({ draftText: '', draftTextTime: 0 });
    expect(await c.sync.setDraft('sg_nope', 'x')).toBeUndefined();
    expect(await serverHead(s, 'u1')).toEqual(c.sync.cursor());
  });
});

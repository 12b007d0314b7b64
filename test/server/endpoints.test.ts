import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareConversations, idHash, readFullPage, readIncremental, readSortedList, type Conversation } from '../../src/protocol/index.js';
import { createServer } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { serversClosedAfterEach, wrap, type TestServer } from '../helpers/server.js';

const start = serversClosedAfterEach();

const inc = (s: TestServer, u: string, versionID: string, version: number) =>
  s.call(u, '/conversation/get_incremental_conversations', { userID: u, versionID, version }).then(readIncremental);

describe('get_full_conversations', () => {
  it('pages ascending by ID after the cursor; nextCursor null at the end; default and max limit', async () => {
    const s = await start();
    const ids = Array.from({ length: 25 }, (_, i) => `sg_${String(i).padStart(3, '0')}`).reverse();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: ids.map((id) => makeConversation(id)) });
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const page = readFullPage(await s.call('u1', '/conversation/get_full_conversations', { userID: 'u1', limit: 10, ...(cursor ? { cursor } : {}) }));
      seen.push(...page.conversations.map((c) => c.conversationID));
      cursor = page.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual([...ids].sort());
    const all = readFullPage(await s.call('u1', '/conversation/get_full_conversations', { userID: 'u1' }));
    expect(all.conversations).toHaveLength(25);
    expect(all.nextCursor).toBeNull();
    // exactly a page full: no extra empty page
    const exact = readFullPage(await s.call('u1', '/conversation/get_full_conversations', { userID: 'u1', limit: 25 }));
    expect(exact.nextCursor).toBeNull();
    const five = await s.call('u1', '/conversation/get_full_conversations', { userID: 'u1', limit: 5000 });
    expect(five.conversations).toHaveLength(25);
  });

  it('reads the cursor before the page: paging then syncing incrementally loses nothing', async () => {
    const s = await start();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: ['sg_a', 'sg_b', 'sg_c'].map((id) => makeConversation(id)) });
    const p1 = readFullPage(await s.call('u1', '/conversation/get_full_conversations', { userID: 'u1', limit: 2 }));
    // changes while paging
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a', { ex: 'late' }), makeConversation('sg_d')] });
    const p2 = readFullPage(await s.call('u1', '/conversation/get_full_conversations', { userID: 'u1', limit: 2, cursor: p1.nextCursor }));
    expect(p2.version).toBeGreaterThan(p1.version);
    const local = new Map<string, Conversation>([...p1.conversations, ...p2.conversations].map((c) => [c.conversationID, c]));
    const d = await inc(s, 'u1', p1.versionID, p1.version);
    expect(d.full).toBe(false);
    for (const c of [...d.insert, ...d.update]) local.set(c.conversationID, c);
    expect(local.get('sg_a')!.ex).toBe('late');
    expect([...local.keys()].sort()).toEqual(['sg_a', 'sg_b', 'sg_c', 'sg_d']);
  });
});

describe('get_full_conversation_ids', () => {
  it('leaves the IDs out when the idHash is equal', async () => {
    const s = await start();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: ['sg_b', 'sg_a'].map((id) => makeConversation(id)) });
    const all = await s.call('u1', '/conversation/get_full_conversation_ids', { userID: 'u1' });
    expect(all).toMatchObject({ equal: false, conversationIDs: ['sg_a', 'sg_b'] });
    const eq = await s.call('u1', '/conversation/get_full_conversation_ids', { userID: 'u1', idHash: idHash(['sg_b', 'sg_a']) });
    expect(eq).toMatchObject({ equal: true, conversationIDs: [] });
    expect(eq.versionID).toMatch(/^[0-9a-f]{24}$/);
    const ne = await s.call('u1', '/conversation/get_full_conversation_ids', { userID: 'u1', idHash: idHash(['sg_a']) });
    expect(ne).toMatchObject({ equal: false, conversationIDs: ['sg_a', 'sg_b'] });
  });
});

describe('get_sorted_conversation_list', () => {
  it('orders pinned first, newest next, equal times by ID; pages from 1; totals', async () => {
    const s = await start();
    const recs = [
      makeConversation('sg_a', { latestMsgSendTime: 100, maxSeq: 5, hasReadSeq: 2 }),
      makeConversation('sg_b', { latestMsgSendTime: 100, maxSeq: 1 }), // same time as sg_a: both kept
      makeConversation('sg_c', { latestMsgSendTime: 300, recvMsgOpt: 1, maxSeq: 9 }),
      makeConversation('sg_p', { latestMsgSendTime: 1, isPinned: true }),
      makeConversation('sg_z', { latestMsgSendTime: 200, hasReadSeq: 7, maxSeq: 3 }),
    ];
    await s.admin('/admin/upsert', { userID: 'u1', conversations: recs });
    const p1 = readSortedList(await s.call('u1', '/conversation/get_sorted_conversation_list', { userID: 'u1', pagination: { pageNumber: 1, showNumber: 3 } }));
    const p2 = readSortedList(await s.call('u1', '/conversation/get_sorted_conversation_list', { userID: 'u1', pagination: { pageNumber: 2, showNumber: 3 } }));
    expect([...p1.conversationElems, ...p2.conversationElems].map((c) => c.conversationID)).toEqual(['sg_p', 'sg_c', 'sg_z', 'sg_b', 'sg_a']);
    expect([...recs].sort(compareConversations).map((c) => c.conversationID)).toEqual(['sg_p', 'sg_c', 'sg_z', 'sg_b', 'sg_a']);
    expect(p1.conversationTotal).toBe(5);
    expect(p1.unreadTotal).toBe(3 + 1); // sg_a 3, sg_b 1; sg_c muted; sg_z never negative
    expect(p2.conversationElems.find((c) => c.conversationID === 'sg_a')!.unreadCount).toBe(3);
    const p9 = await s.call('u1', '/conversation/get_sorted_conversation_list', { userID: 'u1', pagination: { pageNumber: 9, showNumber: 3 } });
    expect(p9.conversationElems).toEqual([]);
  });
});

describe('user writes', () => {
  it('set_conversations updates changed fields, logs update; a no-op bumps nothing; unknown → 1004', async () => {
    const s = await start();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    const h0 = await s.server.state.store.head('u1');
    await s.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'sg_a', isPinned: true, ex: 'e', recvMsgOpt: 2 } });
    const h1 = await s.server.state.store.head('u1');
    expect(h1.version).toBe(h0.version + 1);
    const d = await inc(s, 'u1', h0.id, h0.version);
    expect(d.update).toHaveLength(1);
    expect(d.update[0]).toMatchObject({ isPinned: true, ex: 'e', recvMsgOpt: 2, showName: 'name sg_a' });
    await s.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'sg_a', isPinned: true } });
    expect((await s.server.state.store.head('u1')).version).toBe(h1.version);
    const r = await s.post('/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'sg_nope', isPinned: true } }, s.token('u1'));
    expect(r.body.errCode).toBe(1004);
  });

  it('isPrivateChat on a single chat updates the peer too', async () => {
    const s = await start();
    const id = 'si_u1_u2';
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation(id, { conversationType: 1, userID: 'u2', groupID: '' })] });
    await s.admin('/admin/upsert', { userID: 'u2', conversations: [makeConversation(id, { conversationType: 1, userID: 'u1', groupID: '', ownerUserID: 'u2' })] });
    const p0 = await s.server.state.store.head('u2');
    await s.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: id, isPrivateChat: true, burnDuration: 30 } });
    const [peer] = await s.server.state.store.get('u2', [id]);
    expect(peer).toMatchObject({ isPrivateChat: true, burnDuration: 30 });
    expect((await s.server.state.store.head('u2')).version).toBe(p0.version + 1);
  });

  it('mark_as_read raises hasReadSeq, never lowers it, clamps to maxSeq; the read is in the log', async () => {
    const s = await start();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a', { maxSeq: 10, hasReadSeq: 2 })] });
    const h0 = await s.server.state.store.head('u1');
    await s.call('u1', '/conversation/mark_as_read', { userID: 'u1', conversationID: 'sg_a', hasReadSeq: 6 });
    await s.call('u1', '/conversation/mark_as_read', { userID: 'u1', conversationID: 'sg_a', hasReadSeq: 4 }); // lower: nothing
    const h1 = await s.server.state.store.head('u1');
    expect(h1.version).toBe(h0.version + 1);
    const d = await inc(s, 'u1', h0.id, h0.version);
    expect(d.update[0]!.hasReadSeq).toBe(6);
    await s.call('u1', '/conversation/mark_as_read', { userID: 'u1', conversationID: 'sg_a', hasReadSeq: 99 });
    expect((await s.server.state.store.get('u1', ['sg_a']))[0]!.hasReadSeq).toBe(10);
  });

  it('delete_conversations logs delete; missing IDs are ignored', async () => {
    const s = await start();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a'), makeConversation('sg_b')] });
    const h0 = await s.server.state.store.head('u1');
    await s.call('u1', '/conversation/delete_conversations', { userID: 'u1', conversationIDs: ['sg_a', 'sg_a', 'sg_missing'] });
    const d = await inc(s, 'u1', h0.id, h0.version);
    expect(d.delete).toEqual(['sg_a']);
    expect(d.version).toBe(h0.version + 1);
    await s.call('u1', '/conversation/delete_conversations', { userID: 'u1', conversationIDs: ['sg_missing'] });
    expect((await s.server.state.store.head('u1')).version).toBe(h0.version + 1);
  });
});

describe('admin', () => {
  it('seed creates 100,000 realistic conversations in one call and one version', async () => {
    const s = await start();
    const r = await s.admin('/admin/seed', { userID: 'big', count: 100_000, peers: ['u2', 'u3'] });
    expect(r).toMatchObject({ count: 100_000, version: 2 });
    const page = readFullPage(await s.call('big', '/conversation/get_full_conversations', { userID: 'big', limit: 5000 }));
    expect(page.conversations).toHaveLength(5000);
    const ids = (await s.server.state.store.ids('big'));
    expect(ids).toHaveLength(100_000);
    expect(ids).toContain('si_big_u2');
    const groups = ids.filter((id) => id.startsWith('sg_')).length;
    const singles = ids.filter((id) => id.startsWith('si_')).length;
    expect(groups).toBeGreaterThan(50_000);
    expect(singles).toBeGreaterThan(30_000);
    const sorted = readSortedList(await s.call('big', '/conversation/get_sorted_conversation_list', { userID: 'big', pagination: { pageNumber: 1, showNumber: 50 } }));
    expect(sorted.conversationTotal).toBe(100_000);
    expect(sorted.unreadTotal).toBeGreaterThan(0);
    const c = sorted.conversationElems[10]!;
    expect(c.latestMsg).not.toBeNull();
    expect(c.showName).not.toBe('');
    // a client with the seeded cursor's predecessor overflows → full
    const d = await inc(s, 'big', r.versionID, 1);
    expect(d.full).toBe(true);
  });

  it('send_message raises maxSeq/latestMsg for every member, inserting where missing; the sender has read it', async () => {
    const s = await start();
    await s.admin('/admin/seed', { userID: 'u1', count: 5, peers: ['u2'] });
    const [single] = await s.server.state.store.get('u1', ['si_u1_u2']);
    expect(single).toBeDefined();
    const before = single!.maxSeq;
    const m = await s.admin('/admin/send_message', { conversationID: 'si_u1_u2', sendID: 'u2', text: 'hi' });
    expect(m).toMatchObject({ seq: before + 1, members: ['u1', 'u2'] });
    const [mine] = await s.server.state.store.get('u1', ['si_u1_u2']);
    expect(mine).toMatchObject({ maxSeq: before + 1, latestMsg: { text: 'hi', sendID: 'u2', seq: before + 1 } });
    expect(mine!.hasReadSeq).toBe(single!.hasReadSeq);
    const [theirs] = await s.server.state.store.get('u2', ['si_u1_u2']); // inserted for u2, the sender
    expect(theirs).toMatchObject({ conversationType: 1, userID: 'u1', ownerUserID: 'u2', maxSeq: before + 1, hasReadSeq: before + 1 });
    // a group: every member, the seq grows per message
    const g = await s.admin('/admin/send_message', { conversationID: 'sg_team', sendID: 'u1', text: 'a' });
    await s.admin('/admin/upsert', { userID: 'u3', conversations: [makeConversation('sg_team', { ownerUserID: 'u3', maxSeq: 1 })] });
    const g2 = await s.admin('/admin/send_message', { conversationID: 'sg_team', sendID: 'u1', text: 'b' });
    expect(g.seq).toBe(1);
    expect(g2).toMatchObject({ seq: 2, members: ['u1', 'u3'] });
    const [u3] = await s.server.state.store.get('u3', ['sg_team']);
    expect(u3).toMatchObject({ maxSeq: 2, hasReadSeq: 0, latestMsg: { text: 'b' } });
    const bad = await s.post('/admin/send_message', { conversationID: 'si_u1_u2', sendID: 'u9', text: 'x' });
    expect(bad.body.errCode).toBe(1001);
  });

  it('compact and reset_log', async () => {
    const s = await start();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_b')] });
    const c = await s.admin('/admin/compact', { userID: 'u1', keepVersion: 2 });
    expect(c).toMatchObject({ version: 3, deleted: 2 });
    expect((await inc(s, 'u1', c.versionID, 1)).full).toBe(true);
    expect((await inc(s, 'u1', c.versionID, 2)).insert.map((x) => x.conversationID)).toEqual(['sg_b']);
    const r = await s.admin('/admin/reset_log', { userID: 'u1' });
    expect(r.versionID).not.toBe(c.versionID);
    expect(r.version).toBe(1);
    expect((await inc(s, 'u1', c.versionID, 3)).full).toBe(true);
    const del = await s.admin('/admin/delete', { userID: 'u1', conversationIDs: ['sg_a'] });
    expect(del).toMatchObject({ version: 2, deleted: ['sg_a'] });
  });
});

describe('restart, metrics, static files', () => {
  it('a server started with a previous state keeps data, cursors and tokens', async () => {
    const a = await createServer({ host: '127.0.0.1', port: 0, admin: true });
    const sa = wrap(a);
    await sa.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    const token = a.issueToken('u1');
    const h = await a.state.store.head('u1');
    await a.close();
    const sb = await start({ port: a.port, state: a.state });
    expect(sb.server.url).toBe(a.url);
    const r = await sb.post('/conversation/get_incremental_conversations', { userID: 'u1', versionID: h.id, version: h.version }, token);
    expect(r.body).toMatchObject({ errCode: 0, data: { full: false, versionID: h.id, version: h.version } });
  });

  it('GET /metrics speaks Prometheus text', async () => {
    const s = await start();
    await s.call('u1', '/conversation/get_incremental_conversations', { userID: 'u1', versionID: '', version: 0 });
    const h = await s.server.state.store.head('u1');
    await s.call('u1', '/conversation/get_incremental_conversations', { userID: 'u1', versionID: h.id, version: h.version });
    await s.post('/conversation/nope', {});
    const text = await (await fetch(s.url + '/metrics')).text();
    expect(text).toContain('convsync_sync_answers_total{mode="full"} 1');
    expect(text).toContain('convsync_sync_answers_total{mode="equal"} 1');
    expect(text).toContain('convsync_sync_answer_seconds_count 2');
    expect(text).toContain('convsync_errors_total{code="1004"} 1');
    expect(text).toMatch(/# TYPE convsync_open_sockets gauge/);
    expect(text).toMatch(/convsync_log_overflows_total 0/);
    expect(text).toMatch(/convsync_notifications_sent_total 0/);
    expect(text).toMatch(/convsync_log_entries_total 0/);
  });

  it('serves a static folder with content types and no path traversal', async () => {
    const root = mkdtempSync(join(tmpdir(), 'convsync-static-'));
    mkdirSync(join(root, 'site'));
    writeFileSync(join(root, 'secret.txt'), 'secret');
    writeFileSync(join(root, 'site', 'index.html'), '<h1>demo</h1>');
    writeFileSync(join(root, 'site', 'app.js'), 'console.log(1)');
    writeFileSync(join(root, 'site', 'logo.svg'), '<svg/>');
    const s = await start({ staticDir: join(root, 'site') });
    const index = await fetch(s.url + '/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await index.text()).toBe('<h1>demo</h1>');
    expect((await fetch(s.url + '/app.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(s.url + '/logo.svg')).headers.get('content-type')).toBe('image/svg+xml');
    expect((await fetch(s.url + '/missing.css')).status).toBe(404);
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt']) {
      const r = await fetch(s.url + p);
      expect(r.status, p).toBe(404);
      expect(await r.text()).not.toContain('secret');
    }
    // API paths are not shadowed
    expect((await fetch(s.url + '/conversation/get_full_conversations')).status).toBe(404);
    rmSync(root, { recursive: true, force: true });
  });
});

import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readServerFrame } from '../../src/protocol/index.js';
import { CLOSE_AUTH, CLOSE_MALFORMED } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { openSocket, serversClosedAfterEach } from '../helpers/server.js';

const start = serversClosedAfterEach();

describe('WebSocket auth', () => {
  it('answers a good auth frame with auth.ok', async () => {
    const s = await start();
    const sock = await s.socket();
    sock.send({ type: 'auth', token: s.token('u1') });
    expect(await sock.next()).toEqual({ type: 'auth.ok', userID: 'u1' });
    expect(s.server.connections('u1')).toBe(1);
  });

  it('closes with 4401 when no auth frame arrives in time', async () => {
    const s = await start({ authTimeoutMs: 50 });
    const sock = await s.socket();
    expect(await sock.closed).toBe(CLOSE_AUTH);
  });

  it.each([
    ['a bad token', { type: 'auth', token: 'nope' }],
    ['an expired token', 'EXPIRED'],
    ['another first frame', { type: 'ping' }],
    ['a non-JSON first frame', 'not json'],
  ])('closes with 4401 on %s', async (_n, frame) => {
    const s = await start();
    const sock = await s.socket();
    sock.send(frame === 'EXPIRED' ? { type: 'auth', token: s.token('u1', 0) } : frame);
    expect(await sock.closed).toBe(CLOSE_AUTH);
    expect(s.server.connections()).toBe(0);
  });

  it('refuses an upgrade from an origin outside allowedOrigins', async () => {
    const s = await start({ allowedOrigins: ['http://good.example'] });
    await expect(openSocket(s.wsURL, undefined, { Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    const ok = await openSocket(s.wsURL, s.token('u1'), { Origin: 'http://good.example' });
    expect(ok.frames[0]).toEqual({ type: 'auth.ok', userID: 'u1' });
    ok.ws.terminate();
  });

  it('closes an authenticated socket with 4401 when its token expires; it got every frame until then and none after', async () => {
    const s = await start();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    const token = s.token('u1', 2); // expires at the second boundary 1–2 s from now
    const expiresAt = Number(token.split('.')[1]) * 1000;
    const sock = await s.socket(token);
    const long = await s.socket(s.token('u1'));
    await s.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'sg_a', ex: 'before' } });
    expect(await sock.next((f) => f.type === 'conversation.changed')).toMatchObject({ delta: { update: [expect.objectContaining({ ex: 'before' })] } });
    const reason = new Promise<string>((resolve) => sock.ws.once('close', (_c, r) => resolve(r.toString())));
    expect(await sock.closed).toBe(CLOSE_AUTH);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt - 50); // not before its time
    expect(await reason).toBe('token expired');
    expect(s.server.connections('u1')).toBe(1);
    expect(s.server.metrics.ws.refused.get('token_expired')).toBe(1);
    // the socket with a long-lived token stays and keeps receiving
    await s.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'sg_a', ex: 'after' } });
    expect(await long.next((f) => f.delta?.update?.[0]?.ex === 'after')).toBeTruthy();
    expect(sock.frames.some((f) => f.delta?.update?.[0]?.ex === 'after')).toBe(false);
  });

  it('refuses upgrades on other paths', async () => {
    const s = await start();
    await expect(openSocket(s.url.replace('http', 'ws') + '/other')).rejects.toThrow(/404/);
  });
});

describe('WebSocket notifications', () => {
  it('fans out to every socket of the user and to nobody else', async () => {
    const s = await start();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    const a1 = await s.socket(s.token('u1'));
    const a2 = await s.socket(s.token('u1'));
    const b = await s.socket(s.token('u2'));
    await s.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'sg_a', isPinned: true } });
    const head = await s.server.state.store.head('u1');
    const [f1, f2] = await Promise.all([a1.next(), a2.next()]);
    expect(f1).toEqual(f2);
    expect(readServerFrame(JSON.stringify(f1))).toMatchObject({
      type: 'conversation.changed',
      userID: 'u1',
      conversationIDs: ['sg_a'],
      versionID: head.id,
      version: head.version,
      delta: { delete: [], insert: [], update: [expect.objectContaining({ conversationID: 'sg_a', isPinned: true })] },
    });
    // u2 heard nothing: a round trip on its socket proves no frame was queued before the pong
    b.send({ type: 'ping' });
    expect(await b.next()).toEqual({ type: 'pong' });
    expect(b.frames.filter((f) => f.type !== 'auth.ok' && f.type !== 'pong')).toEqual([]);
  });

  it('sends conversation.unread with the version the read produced', async () => {
    const s = await start();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a', { maxSeq: 9 })] });
    const sock = await s.socket(s.token('u1'));
    const before = await s.server.state.store.head('u1');
    await s.call('u1', '/conversation/mark_as_read', { userID: 'u1', conversationID: 'sg_a', hasReadSeq: 7 });
    const f = await sock.next();
    expect(readServerFrame(JSON.stringify(f))).toMatchObject({
      type: 'conversation.unread',
      userID: 'u1',
      conversationID: 'sg_a',
      hasReadSeq: 7,
      versionID: before.id,
      version: before.version + 1,
    });
    expect(f.unreadCountTime).toEqual(expect.any(Number));
  });

  it('leaves the delta out of large changes; send_message reaches members; private chat notifies both', async () => {
    const s = await start();
    const sock = await s.socket(s.token('u1'));
    const peer = await s.socket(s.token('u2'));
    await s.admin('/admin/upsert', { userID: 'u1', conversations: Array.from({ length: 101 }, (_, i) => makeConversation(`sg_${i}`)) });
    const big = await sock.next();
    expect(big.type).toBe('conversation.changed');
    expect(big.delta).toBeUndefined();
    expect(big.conversationIDs).toHaveLength(101);
    await s.admin('/admin/send_message', { conversationID: 'si_u1_u2', sendID: 'u1', text: 'hello' });
    const mine = await sock.next();
    const theirs = await peer.next();
    expect(mine.delta.insert[0]).toMatchObject({ conversationID: 'si_u1_u2', userID: 'u2', latestMsg: { text: 'hello' } });
    expect(theirs.delta.insert[0]).toMatchObject({ conversationID: 'si_u1_u2', userID: 'u1', ownerUserID: 'u2' });
    await s.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'si_u1_u2', isPrivateChat: true } });
    const priv = { type: 'conversation.private', sendID: 'u1', recvID: 'u2', conversationID: 'si_u1_u2', isPrivate: true };
    expect(await sock.next((f) => f.type === 'conversation.private')).toEqual(priv);
    expect(await peer.next((f) => f.type === 'conversation.private')).toEqual(priv);
    expect(peer.frames.some((f) => f.type === 'conversation.changed' && f.delta?.update?.[0]?.isPrivateChat === true)).toBe(true);
  });

  it('tells clients about a log reset (new versionID)', async () => {
    const s = await start();
    const sock = await s.socket(s.token('u1'));
    const r = await s.admin('/admin/reset_log', { userID: 'u1' });
    expect(await sock.next()).toMatchObject({ type: 'conversation.changed', versionID: r.versionID, version: 1, conversationIDs: [] });
  });
});

describe('WebSocket robustness', () => {
  it('a malformed frame closes only that socket with 4400', async () => {
    const s = await start();
    const bad = await s.socket(s.token('u1'));
    const good = await s.socket(s.token('u1'));
    bad.send('{oops');
    expect(await bad.closed).toBe(CLOSE_MALFORMED);
    const other = await s.socket(s.token('u1'));
    other.send({ nope: true }); // no type
    expect(await other.closed).toBe(CLOSE_MALFORMED);
    const bin = await s.socket(s.token('u1'));
    bin.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await bin.closed).toBe(CLOSE_MALFORMED);
    good.send({ type: 'ping' });
    expect(await good.next()).toEqual({ type: 'pong' });
    expect(s.server.connections('u1')).toBe(1);
    good.send({ type: 'future.thing' }); // unknown types are ignored
    good.send({ type: 'ping' });
    expect(await good.next()).toEqual({ type: 'pong' });
  });

  it('heartbeat: the server pings, a client that answers stays, a silent one is dropped', async () => {
    const s = await start({ heartbeatMs: 100 });
    const alive = await s.socket(s.token('u1'));
    const silent = await s.socket(s.token('u1'));
    // answer three server pings
    for (let i = 0; i < 3; i++) {
      expect(await alive.next((f) => f.type === 'ping')).toEqual({ type: 'ping' });
      alive.send({ type: 'pong' });
    }
    expect(await silent.closed).toBe(1006); // terminated
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    expect(s.server.connections('u1')).toBe(1);
  });

  it('counts sockets and notifications in /metrics; close() ends sockets with 1001', async () => {
    const s = await start();
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    const sock = await s.socket(s.token('u1'));
    await s.call('u1', '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: 'sg_a', ex: 'x' } });
    await sock.next();
    const text = await (await fetch(s.url + '/metrics')).text();
    expect(text).toContain('convsync_open_sockets 1');
    expect(text).toContain('convsync_notifications_sent_total 1');
    await s.server.close();
    expect(await sock.closed).toBe(1001);
  });
});

/**
 * Resource attacks on the reference server (issue 15): slow and half-sent requests
 * (slowloris), bodies sent without a token, floods of unauthenticated sockets and of one
 * user's sockets, and a socket that would outlive its token. Loopback only, every loop
 * bounded in count and time; figures are printed (`[limits]`), bounds asserted loosely.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CLOSE_AUTH, CLOSE_TOO_MANY } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { rawConnection, upgrade, type RawConnection } from '../helpers/raw-http.js';
import { openSocket, serversClosedAfterEach, type TestServer, type TestSocket } from '../helpers/server.js';
import { pool, withTimeout } from './server-state.js';
import { SET } from './paths.js';

const start = serversClosedAfterEach();
const figures: Record<string, unknown> = {};
const report = (name: string, v: Record<string, unknown>) => {
  figures[name] = v;
  console.log(`[limits] ${name}: ${JSON.stringify(v)}`);
};
afterAll(() => console.log(`[limits] figures ${JSON.stringify(figures)}`));

const headers = (s: TestServer, h: Record<string, string | number>) =>
  `POST ${SET} HTTP/1.1\r\nHost: 127.0.0.1:${s.server.port}\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

/** Opens `n` connections that each send `bytes` and then nothing; resolves with how long each was held (ms, `null`: still open at `maxMs`). */
async function hold(s: TestServer, n: number, bytes: (i: number) => string, maxMs: number): Promise<{ held: Array<number | null>; answers: string[] }> {
  const conns: RawConnection[] = await pool(Array.from({ length: n }, (_, i) => i), 50, (i) => rawConnection(s.server.port, bytes(i)));
  const held = await Promise.all(conns.map((c) => c.closedWithin(maxMs)));
  for (const c of conns) c.socket.destroy();
  return { held, answers: conns.map((c) => c.received().split('\r\n')[0] ?? '') };
}
/** Polls a server-side count that has no event (bounded). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}
const max = (xs: Array<number | null>) => Math.round(Math.max(...xs.map((x) => x ?? Infinity)));

describe('slow and half-sent requests', () => {
  it('500 half-sent bodies without a token: answered 401 at once and closed, the body never awaited', async () => {
    const s = await start();
    const { held, answers } = await hold(s, 500, () => headers(s, { 'Content-Length': 100_000 }) + '{"userID":"u1","pad":"', 10_000);
    expect(held.every((x) => x !== null)).toBe(true);
    expect(new Set(answers)).toEqual(new Set(['HTTP/1.1 401 Unauthorized']));
    expect(s.server.metrics.requestTimeouts).toBe(0);
    report('no-token half bodies', { connections: 500, maxHeldMs: max(held) });
  });

  it('200 slowloris headers and 200 half-sent bodies with a valid token: cut with 408 at the configured timeouts', async () => {
    const s = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    const token = s.token('u1');
    const slowHeaders = hold(s, 200, (i) => `POST ${SET} HTTP/1.1\r\nHost: 127.0.0.1:${s.server.port}\r\nX-Pad-${i}: `, 10_000);
    const slowBodies = hold(s, 200, () => headers(s, { Authorization: `Bearer ${token}`, 'Content-Length': 5_000 }) + '{"userID":"u1"', 10_000);
    const [h, b] = await Promise.all([slowHeaders, slowBodies]);
    for (const r of [h, b]) {
      expect(r.held.every((x) => x !== null)).toBe(true);
      expect(new Set(r.answers)).toEqual(new Set(['HTTP/1.1 408 Request Timeout']));
    }
    expect(s.server.metrics.requestTimeouts).toBe(400);
    report('slow requests, configured', { headersTimeoutMs: 500, requestTimeoutMs: 1000, maxHeldHeadersMs: max(h.held), maxHeldBodyMs: max(b.held) });
  });

  it('with the defaults (10 s) a slowloris connection is held about 10 s, not minutes', { timeout: 40_000 }, async () => {
    const s = await start();
    const token = s.token('u1');
    const [h, b] = await Promise.all([
      hold(s, 20, () => `POST ${SET} HTTP/1.1\r\nHost: 127.0.0.1:${s.server.port}\r\n`, 20_000),
      hold(s, 20, () => headers(s, { Authorization: `Bearer ${token}`, 'Content-Length': 5_000 }) + '{', 20_000),
    ]);
    for (const r of [h, b]) {
      expect(r.held.every((x) => x !== null)).toBe(true);
      expect(Math.min(...r.held.map((x) => x!))).toBeGreaterThanOrEqual(9_000); // not cut early either
    }
    report('slow requests, defaults', { maxHeldHeadersMs: max(h.held), maxHeldBodyMs: max(b.held) });
  });
});

describe('socket floods', () => {
  it('1,050 sockets that never authenticate: 1,000 held, 50 refused with 503; room again once some leave', { timeout: 60_000 }, async () => {
    // a long auth timeout so that none leaves during the flood, whatever the machine's load
    const s = await start({ authTimeoutMs: 30_000 });
    const t0 = performance.now();
    const tries = await withTimeout(
      pool(Array.from({ length: 1_050 }, (_, i) => i), 50, () => upgrade(s.wsURL)),
      25_000,
      'the flood',
    );
    const floodMs = performance.now() - t0;
    const open = tries.filter((t) => t.status === 101).map((t) => t.ws!);
    expect(open.length).toBe(1_000);
    expect(tries.filter((t) => t.status === 503).length).toBe(50);
    expect(s.server.metrics.ws.refused.get('unauthenticated_limit')).toBe(50);
    expect(s.server.unauthenticatedConnections()).toBe(1_000);
    // a legitimate client is refused while the flood holds every place (the trade-off of a global cap)…
    expect((await upgrade(s.wsURL)).status).toBe(503);
    // …and gets in as soon as places free up (the auth timeout, 5 s by default, frees them all)
    for (const ws of open.slice(0, 10)) ws.terminate();
    await until(() => s.server.unauthenticatedConnections() === 990, 'the ten to leave');
    const after = await openSocket(s.wsURL, s.token('u1'));
    expect(after.frames[0]).toEqual({ type: 'auth.ok', userID: 'u1' });
    for (const ws of open) ws.terminate();
    after.ws.terminate();
    report('unauthenticated flood', { tried: 1050, held: open.length, refused: 51, floodMs: Math.round(floodMs) });
  });

  it('300 sockets for one user: 100 authenticated, 200 closed with 4429; another user still connects', { timeout: 60_000 }, async () => {
    const s = await start();
    const token = s.token('u1');
    const results = await withTimeout(
      pool(Array.from({ length: 300 }, (_, i) => i), 50, async () => {
        const sock = await openSocket(s.wsURL);
        sock.send({ type: 'auth', token });
        const first = await Promise.race([sock.next().then(() => 'ok' as const), sock.closed]);
        return { sock, first };
      }),
      30_000,
      'the user flood',
    );
    const ok = results.filter((r) => r.first === 'ok');
    expect(ok.length).toBe(100);
    expect(results.filter((r) => r.first === CLOSE_TOO_MANY).length).toBe(200);
    expect(s.server.connections('u1')).toBe(100);
    expect(s.server.metrics.ws.refused.get('user_limit')).toBe(200);
    const other = await openSocket(s.wsURL, s.token('u2'));
    expect(other.frames[0]).toEqual({ type: 'auth.ok', userID: 'u2' });
    for (const r of results) r.sock.ws.terminate();
    other.ws.terminate();
    report('one user flood', { tried: 300, authenticated: ok.length, closed4429: 200 });
  });
});

describe('a socket does not outlive its token', () => {
  it('a 2 s token under a change every 100 ms for 3.5 s: frames until the expiry, 4401 at it, nothing after', { timeout: 20_000 }, async () => {
    const s = await start();
    await s.server.service.upsert('u1', [makeConversation('sg_a', { ownerUserID: 'u1' })]);
    const token = s.token('u1', 2);
    const expiresAt = Number(token.split('.')[1]) * 1000;
    const sock: TestSocket = await openSocket(s.wsURL, token);
    let closedAt = 0;
    const closed = sock.closed.then((code) => ((closedAt = Date.now()), code));
    const committed: Array<{ version: number; at: number }> = [];
    const end = Date.now() + 3_500;
    for (let i = 0; i < 60 && Date.now() < end; i++) {
      const c = await s.server.service.setConversations('u1', { conversationID: 'sg_a', ex: `e${i}` });
      committed.push({ version: c.version, at: Date.now() });
      await new Promise((r) => setTimeout(r, 100)); // the pace of the writer, not a wait for an event
    }
    expect(await withTimeout(closed, 5_000, 'close')).toBe(CLOSE_AUTH);
    const got = sock.frames.filter((f) => f.type === 'conversation.changed').map((f) => f.version as number);
    const after = committed.filter((c) => c.at > closedAt).map((c) => c.version);
    expect(after.length).toBeGreaterThan(5);
    expect(got.filter((v) => after.includes(v))).toEqual([]);
    expect(got.length).toBeGreaterThan(0);
    expect(closedAt).toBeGreaterThanOrEqual(expiresAt - 50);
    report('token expiry', { closedAfterExpiryMs: closedAt - expiresAt, framesBefore: got.length, writesAfterClose: after.length });
  });
});

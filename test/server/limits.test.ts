/**
 * The server's limits: slow headers and bodies are cut, the token is checked before a body
 * is read, unauthenticated sockets and sockets per user are capped.
 */
import { describe, expect, it } from 'vitest';
import { CLOSE_TOO_MANY, createServer } from '../../src/server/index.js';
import { rawConnection, upgrade } from '../helpers/raw-http.js';
import { openSocket, serversClosedAfterEach, type TestServer } from '../helpers/server.js';

const start = serversClosedAfterEach();
const SET = '/conversation/set_conversations';

const head = (s: TestServer, path: string, headers: Record<string, string | number>) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${s.server.port}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

/** Polls a server-side fact that has no event (bounded). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe('slow requests', () => {
  it('half-sent headers, a half-sent body and a silent connection are cut with 408 at the timeouts', async () => {
    const s = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const token = s.token('u1');
    const conns = await Promise.all([
      rawConnection(s.server.port, `POST ${SET} HTTP/1.1\r\nHost: 127.0.0.1:${s.server.port}\r\nContent-Le`),
      rawConnection(s.server.port, head(s, SET, { Authorization: `Bearer ${token}`, 'Content-Length': 100 }) + '{"userID":'),
      rawConnection(s.server.port, ''),
    ]);
    for (const c of conns) {
      expect(await c.closedWithin(5_000)).not.toBeNull();
      expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    }
    expect(s.server.metrics.requestTimeouts).toBe(3);
    expect(s.server.metrics.render()).toContain('convsync_http_request_timeouts_total 3');
  });

  it('a request that arrives in time is served as before', async () => {
    const s = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const r = await s.post('/conversation/get_incremental_conversations', { userID: 'u1', versionID: '', version: 0 }, s.token('u1'));
    expect(r.body.errCode).toBe(0);
  });

  it('timeouts are checked options', async () => {
    await expect(createServer({ headersTimeoutMs: -1 })).rejects.toThrow(RangeError);
    await expect(createServer({ requestTimeoutMs: 1.5 })).rejects.toThrow(RangeError);
    await expect(createServer({ maxSocketsPerUser: 0 })).rejects.toThrow(RangeError);
    await expect(createServer({ maxUnauthenticatedSockets: -3 })).rejects.toThrow(RangeError);
  });
});

describe('the token is checked before the body is read', () => {
  it.each([
    ['no token', {}, 401, 1502],
    ['a bad token', { Authorization: 'Bearer nope' }, 401, 1502],
    ['an expired token', 'EXPIRED', 401, 1501],
    ['a valid token but a declared body over the limit', 'BIG', 413, 1413],
  ] as const)('%s: answered at once, the connection closed, the body never awaited', async (_n, headers, status, errCode) => {
    const s = await start();
    const h =
      headers === 'EXPIRED'
        ? { Authorization: `Bearer ${s.token('u1', 0)}`, 'Content-Length': 1_000_000 }
        : headers === 'BIG'
          ? { Authorization: `Bearer ${s.token('u1')}`, 'Content-Length': 2 * 1024 * 1024 }
          : { ...headers, 'Content-Length': 1_000_000 };
    // the headers announce a body and none of it is ever sent
    const c = await rawConnection(s.server.port, head(s, SET, h));
    expect(await c.closedWithin(5_000)).not.toBeNull();
    const answer = c.received();
    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer).toContain(`"errCode":${errCode}`);
    expect(s.server.metrics.requestTimeouts).toBe(0);
  });
});

describe('socket limits', () => {
  it('past maxUnauthenticatedSockets an upgrade is refused with 503; an authenticated socket frees its place', async () => {
    const s = await start({ maxUnauthenticatedSockets: 3 });
    const waiting = [await openSocket(s.wsURL), await openSocket(s.wsURL), await openSocket(s.wsURL)];
    expect(s.server.unauthenticatedConnections()).toBe(3);
    expect((await upgrade(s.wsURL)).status).toBe(503);
    expect(s.server.metrics.ws.refused.get('unauthenticated_limit')).toBe(1);
    waiting[0]!.send({ type: 'auth', token: s.token('u1') });
    await waiting[0]!.next((f) => f.type === 'auth.ok');
    const next = await upgrade(s.wsURL);
    expect(next.status).toBe(101);
    next.ws!.terminate();
    waiting[1]!.ws.terminate();
    await until(() => s.server.unauthenticatedConnections() === 1, 'the closed socket to leave');
    expect(s.server.metrics.ws.accepted).toBe(4);
  });

  it('past maxSocketsPerUser a socket is closed with 4429 after its auth frame; other users are not affected', async () => {
    const s = await start({ maxSocketsPerUser: 2 });
    const a = [await s.socket(s.token('u1')), await s.socket(s.token('u1'))];
    const third = await openSocket(s.wsURL);
    third.send({ type: 'auth', token: s.token('u1') });
    expect(await third.closed).toBe(CLOSE_TOO_MANY);
    expect(third.frames).toEqual([]);
    expect(s.server.connections('u1')).toBe(2);
    expect(s.server.metrics.ws.refused.get('user_limit')).toBe(1);
    await s.socket(s.token('u2'));
    a[0]!.ws.terminate();
    await until(() => s.server.connections('u1') === 1, 'the closed socket to leave');
    const again = await s.socket(s.token('u1'));
    expect(again.frames[0]).toEqual({ type: 'auth.ok', userID: 'u1' });
  });
});

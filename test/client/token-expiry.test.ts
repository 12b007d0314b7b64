/**
 * A short-lived token against the real server: the server closes the socket at the token's
 * expiry (4401), the client asks its token function for a fresh token, reconnects and
 * catches up, and no change made around the expiry is lost.
 */
import { describe, expect, it } from 'vitest';
import { CLOSE_AUTH } from '../../src/server/index.js';
import { withTimeout } from '../reliability/server-state.js';
import { startServer } from '../helpers/server.js';
import { caughtUp, conv, expectEqualToServer, makeClient, reconnected, startLive, stopAfterEach, waitFor } from './harness.js';

const { servers, clients } = stopAfterEach();
const TTL_SECONDS = 2;
const expiryOf = (token: string) => Number(token.split('.')[1]) * 1000;

describe('a socket does not outlive its token', () => {
  it('closed with 4401 at expiry; a fresh token from the token function; every change around the expiry arrives', async () => {
    const s = await startServer();
    servers.push(s);
    await s.admin('/admin/seed', { userID: 'u1', count: 10 });
    const issued: string[] = [];
    const c = makeClient(s, 'u1', {
      tokenFn: async () => {
        const t = s.token('u1', TTL_SECONDS);
        issued.push(t);
        return t;
      },
    });
    clients.push(c);
    await startLive(c);
    await expectEqualToServer(c, s, 'u1');

    const first = c.taps.last();
    const expiresAt = expiryOf(issued.at(-1)!);
    const written: string[] = [];
    const write = (id: string) => {
      written.push(id);
      return s.admin('/admin/upsert', { userID: 'u1', conversations: [conv(id, 'u1')] });
    };
    const pending: Array<Promise<unknown>> = [];
    // a write on every step of the way: the new socket's auth.ok, before the client sees it
    c.taps.pass = (raw, sock) => {
      if (sock !== first && raw.includes('"auth.ok"') && !written.includes('sg_at_reauth')) pending.push(write('sg_at_reauth'));
      return true;
    };
    const firstClosed = new Promise<{ code: number; at: number }>((resolve) =>
      first.inner.once('close', (code) => {
        pending.push(write('sg_at_close')); // the moment the server closed it: the client is down
        resolve({ code, at: Date.now() });
      }),
    );
    const back = reconnected(c, 10_000);
    // writes timed against the known expiry (not waits): just before it and at it
    const timers = [
      setTimeout(() => pending.push(write('sg_before_expiry')), Math.max(0, expiresAt - Date.now() - 100)),
      setTimeout(() => pending.push(write('sg_at_expiry')), Math.max(0, expiresAt - Date.now())),
    ];
    await write('sg_live');
    try {
      const closed = await withTimeout(firstClosed, expiresAt - Date.now() + 3_000, 'the server to close the socket at expiry');
      expect(closed.code).toBe(CLOSE_AUTH);
      expect(closed.at).toBeGreaterThanOrEqual(expiresAt - 50);
      await back;
    } finally {
      timers.forEach(clearTimeout);
    }
    await write('sg_after_reconnect');
    await Promise.all(pending);

    // re-authenticated with a fresh token, asked from the token function
    expect(c.tokenCalls()).toBeGreaterThanOrEqual(2);
    expect(expiryOf(issued.at(-1)!)).toBeGreaterThan(expiresAt);
    expect(c.taps.sockets.length).toBeGreaterThanOrEqual(2);
    expect(c.sync.metrics().socketReconnects).toBeGreaterThanOrEqual(1);

    await caughtUp(c, s, 'u1');
    const settled = await waitFor(c.sync.status$, (st) => st.state === 'idle' && st.connected);
    const local = new Set((await c.sync.getPage({ limit: 1_000 })).items.map((x) => x.conversationID));
    expect(written.filter((id) => !local.has(id))).toEqual([]);
    expect(written).toEqual(expect.arrayContaining(['sg_live', 'sg_before_expiry', 'sg_at_expiry', 'sg_at_close', 'sg_at_reauth', 'sg_after_reconnect']));
    await expectEqualToServer(c, s, 'u1');
    expect(settled.error).toBeUndefined();
  });
});

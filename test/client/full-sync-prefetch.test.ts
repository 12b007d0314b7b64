/**
 * A full sync downloads the next snapshot page while it writes the current one. When that
 * download fails at once (before the page is awaited), the failure is the sync's, typed;
 * it is never an unhandled rejection (which ends a Node process by default).
 */
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.js';
import { expectEqualToServer, makeClient, stopAfterEach } from './harness.js';

const { servers, clients } = stopAfterEach();

describe('full sync, the page downloaded ahead', () => {
  it.each([2, 3])('page %i failing at once fails the sync with NETWORK, and nothing is left unhandled', async (failing) => {
    const s = await startServer();
    servers.push(s);
    await s.admin('/admin/seed', { userID: 'u1', count: 12, peers: ['u2'] });
    const c = makeClient(s, 'u1', { socket: false, pageSize: 3, maxBackoffMs: 60_000 });
    clients.push(c);
    let pages = 0;
    c.craft.fn = (path) => {
      if (path.endsWith('/get_full_conversations') && ++pages === failing) throw new TypeError('fetch failed (at once)');
      return undefined;
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      await c.sync.start();
      const err = await c.sync.sync().then(
        () => null,
        (e: unknown) => e as { code?: string },
      );
      await new Promise((r) => setTimeout(r, 50)); // a rejection nobody handled is reported by now
      expect(err?.code).toBe('NETWORK');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    c.craft.fn = null;
    await c.sync.sync();
    await expectEqualToServer(c, s, 'u1');
  });
});

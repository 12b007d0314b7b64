/**
 * Tokens (issue 5, "Security"): fuzzed and forged tokens are refused, expired ones too
 * (HTTP and WebSocket), and a token survives a restart that keeps the state only.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, createServerState, issueToken, CLOSE_AUTH } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { openSocket, post, startServer, wrap, type TestServer } from '../helpers/server.js';
import { prototypesClean, storeSnapshot, withTimeout } from './server-state.js';
import { INC } from './paths.js';

describe('expired, tampered and foreign tokens are refused', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ admin: false });
    await s.server.service.upsert('u1', [makeConversation('sg_a')]);
  });
  afterAll(() => s.close());
  const body = { userID: 'u1', versionID: '', version: 0 };

  it('any single-character change, insertion or deletion of a valid token: 1502 on HTTP', async () => {
    const good = s.token('u1');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    const mutated = fc
      .tuple(fc.nat({ max: good.length - 1 }), fc.constantFrom(...alphabet), fc.constantFrom('replace', 'insert', 'delete'))
      .map(([i, ch, op]) => (op === 'replace' ? good.slice(0, i) + ch + good.slice(i + 1) : op === 'insert' ? good.slice(0, i) + ch + good.slice(i) : good.slice(0, i) + good.slice(i + 1)))
      // HTTP drops white space around a header value: a space added at either end is the same token
      .filter((t) => t.trim() !== good);
    const before = storeSnapshot(s.server.state.store);
    await fc.assert(
      fc.asyncProperty(mutated, async (t) => {
        const r = await s.post(INC, body, t);
        expect({ status: r.status, errCode: r.body.errCode }).toEqual({ status: 401, errCode: 1502 });
      }),
      { numRuns: 150 },
    );
    expect(storeSnapshot(s.server.state.store)).toBe(before);
  });

  it('forgeries: another user’s payload, a later expiry, another server’s secret, extra parts, empty parts', async () => {
    const good = s.token('u1');
    const [u, e, sig] = good.split('.') as [string, string, string];
    const forged = [
      `${Buffer.from('u2').toString('base64url')}.${e}.${sig}`,
      `${u}.${Number(e) + 3600}.${sig}`,
      `${u}.${e}.${sig}.extra`,
      `${u}.${e}.`,
      `..${sig}`,
      `${u}.${e}`,
      issueToken('another-secret', 'u1').token,
      issueToken(s.server.state.tokenSecret + 'x', 'u1').token,
      `${u}.${e}.${Buffer.from(sig, 'base64url').toString('hex')}`,
      `${u}.0${e}.${sig}`,
    ];
    for (const t of forged) {
      const r = await s.post(INC, body, t);
      expect({ t, status: r.status, errCode: r.body.errCode }).toEqual({ t, status: 401, errCode: 1502 });
      const sock = await openSocket(s.wsURL);
      sock.send({ type: 'auth', token: t });
      expect(await withTimeout(sock.closed, 5_000, 'ws close')).toBe(CLOSE_AUTH);
      expect(sock.frames).toEqual([]);
    }
  });

  it('expired tokens: 1501 on HTTP (both headers), 4401 on the socket', async () => {
    for (const ttl of [0, -1, -86_400]) {
      const t = s.token('u1', ttl);
      const a = await s.post(INC, body, t);
      expect({ status: a.status, errCode: a.body.errCode }).toEqual({ status: 401, errCode: 1501 });
      const b = await post(s.url, INC, body, undefined, { token: t });
      expect(b.body.errCode).toBe(1501);
      const sock = await openSocket(s.wsURL);
      sock.send({ type: 'auth', token: t });
      expect(await withTimeout(sock.closed, 5_000, 'ws close')).toBe(CLOSE_AUTH);
    }
  });

  it('a token survives a restart that keeps the state, and dies with a new state', async () => {
    const state = createServerState();
    const first = wrap(await createServer({ state }));
    const t = first.token('u1');
    await first.close();
    const same = wrap(await createServer({ state }));
    try {
      expect((await same.post(INC, body, t)).body.errCode).toBe(0);
    } finally {
      await same.close();
    }
    const fresh = wrap(await createServer({}));
    try {
      expect((await fresh.post(INC, body, t)).body.errCode).toBe(1502);
    } finally {
      await fresh.close();
    }
  });

  it('nothing above touched the prototypes', () => {
    expect(prototypesClean()).toBe(true);
  });
});

/**
 * The admin API is same-origin only and a server with admin on refuses a foreign Host
 * (DNS rebinding): `request-guard.ts` and its use by the HTTP handler and the upgrade.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/server/cli-args.js';
import { adminCallAllowed, hostRule, sameOrigin } from '../../src/server/http/request-guard.js';
import { httpRequest, rawConnection, upgrade } from '../helpers/raw-http.js';
import { serversClosedAfterEach } from '../helpers/server.js';

const start = serversClosedAfterEach();
const rule = (allowedHosts: readonly string[] | true | undefined, admin = true, host = '127.0.0.1') => hostRule({ allowedHosts, admin, host, port: () => 8787 });

describe('the Host rule', () => {
  it('with admin on: loopback names and the configured host, with the server’s port only', () => {
    const ok = rule(undefined);
    for (const h of ['127.0.0.1:8787', 'localhost:8787', 'LOCALHOST:8787', '[::1]:8787']) expect(ok(h)).toBe(true);
    for (const h of ['evil.example:8787', 'localhost:8788', '127.0.0.1', 'localhost', '127.0.0.2:8787', 'localhost.evil.example:8787', '', 'a b:8787', 'user@localhost:8787', undefined]) {
      expect({ h, ok: ok(h) }).toEqual({ h, ok: false });
    }
    expect(hostRule({ allowedHosts: undefined, admin: true, host: '::1', port: () => 8787 })('[::1]:8787')).toBe(true);
    expect(hostRule({ allowedHosts: undefined, admin: true, host: 'box.lan', port: () => 8787 })('box.lan:8787')).toBe(true);
  });

  it('allowedHosts adds names (any port) and name:port pairs; true serves any Host; admin off serves any Host unless a list is given', () => {
    const r = rule(['app.example', 'proxy.example:443']);
    expect([r('app.example'), r('app.example:9'), r('proxy.example:443'), r('proxy.example'), r('localhost:8787')]).toEqual([true, true, true, false, true]);
    expect(rule(true)('evil.example:8787')).toBe(true);
    expect(rule(undefined, false)('evil.example:8787')).toBe(true);
    expect(rule(['app.example'], false)('evil.example:8787')).toBe(false);
  });

  it('same origin: exactly http(s):// + Host; admin calls without Origin pass, cross-site fetch metadata does not', () => {
    expect(sameOrigin('http://127.0.0.1:8787', '127.0.0.1:8787')).toBe(true);
    expect(sameOrigin('https://app.example', 'app.example:443')).toBe(true);
    for (const o of ['https://evil.example', 'null', 'http://127.0.0.1:8787/', 'http://localhost:8787', 'http://127.0.0.1:8788', 'ws://127.0.0.1:8787', 'HTTP://127.0.0.1:8787']) {
      expect({ o, same: sameOrigin(o, '127.0.0.1:8787') }).toEqual({ o, same: false });
    }
    expect(adminCallAllowed({ host: 'localhost:1' })).toBe(true);
    expect(adminCallAllowed({ host: 'localhost:1', 'sec-fetch-site': 'same-origin', origin: 'http://localhost:1' })).toBe(true);
    expect(adminCallAllowed({ host: 'localhost:1', 'sec-fetch-site': 'cross-site' })).toBe(false);
    expect(adminCallAllowed({ host: 'localhost:1', 'sec-fetch-site': 'same-site' })).toBe(false);
  });

  it('the CLI takes --allowed-hosts', () => {
    expect(parseArgs([]).allowedHosts).toBeUndefined();
    expect(parseArgs(['--allowed-hosts', 'a.example,b.example:8080']).allowedHosts).toEqual(['a.example', 'b.example:8080']);
    expect(parseArgs(['--allowed-hosts=any']).allowedHosts).toBe(true);
    expect(() => parseArgs(['--allowed-hosts', 'a b'])).toThrow(/--allowed-hosts/);
  });
});

describe('a server with admin on', () => {
  it('answers /admin/* without CORS headers, and refuses a foreign Origin with 403 before reading the body', async () => {
    const s = await start({ admin: true });
    const evil = await httpRequest(s.url, '/admin/token', { headers: { Origin: 'https://evil.example', 'Content-Type': 'text/plain' }, body: '{"userID":"u1"}' });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.text)).toMatchObject({ errCode: 1002, data: null });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await httpRequest(s.url, '/admin/token', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    // the demo page: same origin (POST carries Origin), and Node callers without one
    const own = await httpRequest(s.url, '/admin/token', { headers: { Origin: s.url, 'Sec-Fetch-Site': 'same-origin' }, body: '{"userID":"u1"}' });
    expect(own.status).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBeUndefined();
    expect((await httpRequest(s.url, '/admin/token', { body: '{"userID":"u1"}' })).status).toBe(200);
    // the user API keeps its CORS
    const api = await httpRequest(s.url, '/conversation/get_incremental_conversations', { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } });
    expect(api.headers['access-control-allow-origin']).toBe('*');
  });

  it('refuses a foreign Host on every route and on the upgrade; serves loopback names and allowedHosts', async () => {
    const s = await start({ admin: true });
    const foreign = { Host: `evil.example:${s.server.port}` };
    for (const [path, method] of [['/admin/token', 'POST'], ['/conversation/get_incremental_conversations', 'POST'], ['/metrics', 'GET'], ['/', 'GET']] as const) {
      const r = await httpRequest(s.url, path, { method, headers: foreign, ...(method === 'POST' ? { body: '{"userID":"u1"}' } : {}) });
      expect({ path, status: r.status, errCode: JSON.parse(r.text).errCode }).toEqual({ path, status: 403, errCode: 1002 });
    }
    expect((await upgrade(s.wsURL, foreign)).status).toBe(403);
    expect(s.server.metrics.ws.refused.get('host')).toBe(1);
    expect(s.server.metrics.ws.accepted).toBe(0);
    // HTTP/1.0 lets a request leave Host out: refused too
    const bare = await rawConnection(s.server.port, 'GET /metrics HTTP/1.0\r\n\r\n');
    expect(await bare.closedWithin(5_000)).not.toBeNull();
    expect(bare.received()).toMatch(/^HTTP\/1\.1 403 /);
    const local = await httpRequest(s.url, '/admin/token', { headers: { Host: `localhost:${s.server.port}`, Origin: `http://localhost:${s.server.port}` }, body: '{"userID":"u1"}' });
    expect(local.status).toBe(200);

    const proxied = await start({ admin: true, allowedHosts: ['demo.example'] });
    const r = await httpRequest(proxied.url, '/admin/token', { headers: { Host: 'demo.example', Origin: 'https://demo.example' }, body: '{"userID":"u1"}' });
    expect(r.status).toBe(200);
    const sock = await upgrade(proxied.wsURL, { Host: 'demo.example' });
    expect(sock.status).toBe(101);
    sock.ws?.terminate();
  });

  it('with admin off any Host is served (production behind any name), unless allowedHosts is given', async () => {
    const s = await start({ admin: false });
    expect((await httpRequest(s.url, '/metrics', { method: 'GET', headers: { Host: 'api.example' } })).status).toBe(200);
    const strict = await start({ admin: false, allowedHosts: ['api.example'] });
    expect((await httpRequest(strict.url, '/metrics', { method: 'GET', headers: { Host: 'other.example' } })).status).toBe(403);
    expect((await httpRequest(strict.url, '/metrics', { method: 'GET', headers: { Host: 'api.example' } })).status).toBe(200);
    await expect(start({ allowedHosts: ['a b'] })).rejects.toThrow(TypeError);
  });
});

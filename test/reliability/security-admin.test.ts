/**
 * The admin API of `npm start` against web pages (issue 15): a page on another origin
 * must not get a token (or seed, or send messages: CSRF), and a page that rebinds its
 * own name to 127.0.0.1 (DNS rebinding) must not reach the server at all. The demo page,
 * served by the same server, keeps working.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, upgrade } from '../helpers/raw-http.js';
import { openSocket, startServer, type TestServer } from '../helpers/server.js';
import { storeSnapshot } from './server-state.js';
import { INC } from './paths.js';

const ADMIN: Array<[string, unknown]> = [
  ['/admin/token', { userID: 'dev' }],
  ['/admin/seed', { userID: 'dev', count: 5 }],
  ['/admin/send_message', { conversationID: 'sg_x', sendID: 'dev', text: 'hi' }],
  ['/admin/upsert', { userID: 'dev', conversations: [] }],
  ['/admin/delete', { userID: 'dev', conversationIDs: ['sg_x'] }],
  ['/admin/reset_log', { userID: 'dev' }],
  ['/admin/compact', { userID: 'dev', keepVersion: 1 }],
];

let s: TestServer;
let dir: string;
let port: number;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convsync-admin-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>demo</title>');
  s = await startServer({ admin: true, staticDir: dir }); // what `npm start` runs, on a free port
  port = s.server.port;
  await s.admin('/admin/seed', { userID: 'dev', count: 20 });
});
afterAll(async () => {
  await s.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a page on another origin cannot use the admin API', () => {
  const origins = () => [
    'https://evil.example',
    'null',
    `http://127.0.0.1:${port}.evil.example`,
    `http://localhost:${port}`, // another origin than the page's own 127.0.0.1
    `http://127.0.0.1:${port + 1}`,
    `http://127.0.0.1:${port}/`,
    `HTTP://127.0.0.1:${port}`,
    `http://0.0.0.0:${port}`,
  ];

  it('every admin route × 8 foreign origins × simple, JSON and preflight requests: 403, no CORS header, no token, nothing changed', async () => {
    const before = storeSnapshot(s.server.state.store);
    let tried = 0;
    for (const origin of origins()) {
      for (const [path, body] of ADMIN) {
        for (const kind of ['simple', 'json', 'preflight'] as const) {
          const headers: Record<string, string> =
            kind === 'preflight'
              ? { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' }
              : { Origin: origin, 'Content-Type': kind === 'simple' ? 'text/plain' : 'application/json', 'Sec-Fetch-Site': 'cross-site' };
          const r = await httpRequest(s.url, path, { method: kind === 'preflight' ? 'OPTIONS' : 'POST', headers, body: kind === 'preflight' ? '' : JSON.stringify(body) });
          tried++;
          expect({ origin, path, kind, status: r.status }).toEqual({ origin, path, kind, status: 403 });
          expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
          expect(JSON.parse(r.text)).toMatchObject({ errCode: 1002, data: null });
          expect(r.text).not.toMatch(/token"?:/);
        }
      }
    }
    expect(tried).toBe(8 * 7 * 3);
    expect(storeSnapshot(s.server.state.store)).toBe(before); // no seed, message or reset went through
  });

  it('fetch metadata alone (a cross-site request without Origin) is refused too', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const r = await httpRequest(s.url, '/admin/token', { headers: { 'Sec-Fetch-Site': site }, body: '{"userID":"dev"}' });
      expect(r.status).toBe(403);
    }
  });
});

describe('DNS rebinding: a foreign Host is refused everywhere', () => {
  const hosts = () => [
    `evil.example:${port}`,
    `127.0.0.1.nip.io:${port}`,
    `localhost.evil.example:${port}`,
    `0.0.0.0:${port}`,
    `127.1:${port}`,
    `2130706433:${port}`,
    `[::ffff:127.0.0.1]:${port}`,
    `localhost:${port + 1}`,
    'localhost',
    'evil.example',
  ];

  it('10 hosts × token, user API, static page, metrics and the upgrade: 403 (the rebound page is same-origin with itself)', async () => {
    const accepted = s.server.metrics.ws.accepted;
    for (const host of hosts()) {
      const page = `http://${host}`;
      const token = await httpRequest(s.url, '/admin/token', { headers: { Host: host, Origin: page, 'Sec-Fetch-Site': 'same-origin' }, body: '{"userID":"dev"}' });
      expect({ host, status: token.status }).toEqual({ host, status: 403 });
      expect(token.text).not.toMatch(/token"?:/);
      const api = await httpRequest(s.url, INC, { headers: { Host: host, Origin: page, Authorization: `Bearer ${s.token('dev')}` }, body: JSON.stringify({ userID: 'dev', versionID: '', version: 0 }) });
      expect({ host, status: api.status }).toEqual({ host, status: 403 });
      for (const path of ['/', '/metrics']) expect((await httpRequest(s.url, path, { method: 'GET', headers: { Host: host } })).status).toBe(403);
      expect((await upgrade(s.wsURL, { Host: host, Origin: page })).status).toBe(403);
    }
    expect(s.server.metrics.ws.accepted).toBe(accepted);
  });
});

describe('the demo page keeps working', () => {
  it('same-origin: GET without Origin, POST with the page’s own Origin, the socket; at 127.0.0.1 and at localhost', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      const page = `http://${host.toLowerCase()}`;
      const index = await httpRequest(s.url, '/', { method: 'GET', headers: { Host: host, 'Sec-Fetch-Site': 'none' } });
      expect(index.status).toBe(200);
      const r = await httpRequest(s.url, '/admin/token', { headers: { Host: host, Origin: page, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' }, body: '{"userID":"dev"}' });
      expect(r.status).toBe(200);
      const { token } = JSON.parse(r.text).data as { token: string };
      const seed = await httpRequest(s.url, '/admin/seed', { headers: { Host: host, Origin: page, 'Sec-Fetch-Site': 'same-origin' }, body: '{"userID":"dev","count":1}' });
      expect(seed.status).toBe(200);
      const sock = await openSocket(s.wsURL, token, { Host: host, Origin: page });
      expect(sock.frames[0]).toEqual({ type: 'auth.ok', userID: 'dev' });
      sock.ws.terminate();
    }
  });
});

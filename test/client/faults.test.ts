/** Failures: storage failing on the k-th write, auth refused, an offline start from the cache. */
import { describe, expect, it } from 'vitest';
import { conv, expectEqualToServer, makeClient, startLive, uniqueName, waitFor, type Kind } from './harness.js';
import { seededServers, snapshot } from './seeded-server.js';

const { servers, clients, server } = seededServers();

describe.each(['memory', 'idb'] as const)('storage failing on the k-th write (%s)', (kind: Kind) => {
  const faulty = () => {
    const f = { armed: false, k: 3, n: 0 };
    const hook = (_id: string) => {
      if (f.armed && ++f.n === f.k) throw new Error('disk on fire');
    };
    return { f, hook };
  };

  it('in an incremental apply: old data and cursor stay; the next sync converges', async () => {
    const s = await server();
    const { f, hook } = faulty();
    const c = makeClient(s, 'u1', { kind, socket: false, beforeWrite: hook, maxBackoffMs: 60_000 });
    clients.push(c);
    await c.sync.start();
    await c.sync.sync();
    const before = await snapshot(c);
    await s.admin('/admin/upsert', { userID: 'u1', conversations: Array.from({ length: 6 }, (_, i) => conv(`sg_f${i}`, 'u1')) });
    f.armed = true;
    await expect(c.sync.sync()).rejects.toMatchObject({ code: 'STORAGE' });
    expect(await snapshot(c)).toEqual(before);
    expect(c.sync.cursor()).toEqual(before.cursor);
    f.armed = false;
    expect(await c.sync.sync()).toBe('incremental');
    await expectEqualToServer(c, s, 'u1');
  });

  it('in a full sync: the old list stays readable; the next sync converges', async () => {
    const s = await server(30);
    const { f, hook } = faulty();
    const c = makeClient(s, 'u1', { kind, socket: false, beforeWrite: hook, pageSize: 7, maxBackoffMs: 60_000 });
    clients.push(c);
    await c.sync.start();
    await c.sync.sync();
    const before = await snapshot(c);
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_full_new', 'u1')] });
    await s.admin('/admin/reset_log', { userID: 'u1' });
    f.k = 12; // on the second page
    f.armed = true;
    await expect(c.sync.sync()).rejects.toMatchObject({ code: 'STORAGE' });
    expect(await snapshot(c)).toEqual(before);
    f.armed = false;
    expect(await c.sync.sync()).toBe('full');
    await expectEqualToServer(c, s, 'u1');
  });

  it('in a pushed delta: nothing half-applied; a sync catches up', async () => {
    const s = await server();
    const { f, hook } = faulty();
    const c = makeClient(s, 'u1', { kind, beforeWrite: hook });
    clients.push(c);
    await startLive(c);
    f.k = 2;
    f.armed = true;
    const failed = waitFor(c.sync.status$, (st) => st.error?.code === 'STORAGE');
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_p1', 'u1'), conv('sg_p2', 'u1')] });
    await failed;
    const caughtUp = waitFor(c.sync.changes$, (x) => [...x.added, ...x.updated].some((r) => r.conversationID === 'sg_p2'));
    f.armed = false;
    await caughtUp;
    await expectEqualToServer(c, s, 'u1');
  });
});

describe('auth', () => {
  it('401 → the token function is called again and the request succeeds', async () => {
    const s = await server();
    let calls = 0;
    const c = makeClient(s, 'u1', { socket: false, tokenFn: async () => (calls++ === 0 ? 'expired.token.value' : s.token('u1')) });
    clients.push(c);
    await c.sync.start();
    expect(await c.sync.sync()).toBe('full');
    expect(calls).toBe(2); // the requests refused together (the snapshot, the preview) asked once
    // the snapshot's first page, refused, then sent again with the new token (one page in all)
    expect(c.requests.filter((p) => p.endsWith('/get_full_conversations'))).toHaveLength(2);
    await expectEqualToServer(c, s, 'u1');
  });

  it('a token refused twice → AUTH', async () => {
    const s = await server();
    const c = makeClient(s, 'u1', { socket: false, tokenFn: async () => 'bad' });
    clients.push(c);
    await c.sync.start();
    await expect(c.sync.sync()).rejects.toMatchObject({ code: 'AUTH' });
    expect(c.tokenCalls()).toBe(2);
  });

  it('a socket refused with 4401 asks for a new token and connects', async () => {
    const s = await server();
    let calls = 0;
    const c = makeClient(s, 'u1', { tokenFn: async () => (calls++ === 0 ? 'bad' : s.token('u1')) });
    clients.push(c);
    await startLive(c);
    await expectEqualToServer(c, s, 'u1');
  });
});

describe.each(['memory', 'idb'] as const)('offline start (%s)', (kind: Kind) => {
  it('shows the cached list at once and reports offline', async () => {
    const s = await server(25);
    const name = uniqueName('offline');
    const a = makeClient(s, 'u1', { kind, name, socket: false });
    await a.sync.start();
    await a.sync.sync();
    await a.sync.setDraft((await a.sync.getPage({ limit: 1 })).items[0]!.conversationID, 'draft kept offline');
    const cached = (await a.sync.getPage({ limit: 100 })).items;
    await a.sync.stop();
    const url = s.url;
    await s.close();
    servers.length = 0; // closed above

    const b = makeClient({ ...s, url, wsURL: s.wsURL }, 'u1', { kind, name });
    clients.push(b);
    const statuses: string[] = [];
    b.sync.status$.subscribe((st) => statuses.push(st.state));
    const listed = waitFor(b.sync.conversations$, () => true);
    await b.sync.start();
    expect((await b.sync.getPage({ limit: 100 })).items).toEqual(cached);
    expect(await b.sync.get(cached[0]!.conversationID)).toEqual(cached[0]);
    expect(await listed).toEqual(cached);
    const off = await waitFor(b.sync.status$, (st) => st.state === 'offline');
    expect(off.error?.code).toBe('NETWORK');
    expect(b.sync.cursor()).toEqual(await b.storage.getCursor());
    expect((await b.sync.getPage({ limit: 100 })).items).toEqual(cached);
  });
});

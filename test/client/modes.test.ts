/** Sync modes against the real server: full, incremental, equal, and every reason for full. */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/client/kernel/types.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { conv, expectEqualToServer, makeClient, serverHead, waitFor, type Client, type Kind } from './harness.js';

let server: TestServer | null = null;
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.sync.stop();
  await server?.close();
  server = null;
});

async function setup(kind: Kind, opts: { syncLimit?: number } = {}) {
  const s = (server = await startServer(opts));
  await s.admin('/admin/seed', { userID: 'u1', count: 40, peers: ['u2'] });
  const c = makeClient(s, 'u1', { kind, socket: false });
  clients.push(c);
  const changes: ChangeSet[] = [];
  c.sync.changes$.subscribe((x) => changes.push(x));
  await c.sync.start();
  expect(await c.sync.sync()).toBe('full');
  return { s, c, changes };
}

describe.each(['memory', 'idb'] as const)('sync modes (%s)', (kind) => {
  it('cold start: a full sync equal to the server, one changes$ event with everything added', async () => {
    const { s, c, changes } = await setup(kind);
    await expectEqualToServer(c, s, 'u1');
    expect(changes).toHaveLength(1);
    expect(changes[0]!.mode).toBe('full');
    expect(changes[0]!.added).toHaveLength(40);
    expect(c.sync.metrics().syncs).toEqual({ full: 1, incremental: 0, equal: 0 });
    // paging: snapshot pages of pageSize, then the catch-up incremental
    const full = c.requests.filter((p) => p.endsWith('get_full_conversations')).length;
    expect(full).toBe(1);
  });

  it('full sync pages through the snapshot (small pages)', async () => {
    const s = (server = await startServer());
    await s.admin('/admin/seed', { userID: 'u1', count: 95 });
    const c = makeClient(s, 'u1', { kind, socket: false, pageSize: 10 });
    clients.push(c);
    const progress: number[] = [];
    c.sync.progress$.subscribe((p) => progress.push(p.staged));
    await c.sync.start();
    await c.sync.sync();
    await expectEqualToServer(c, s, 'u1');
    expect(c.requests.filter((p) => p.endsWith('get_full_conversations'))).toHaveLength(10);
    expect(progress.at(-1)).toBe(95);
  });

  it('incremental insert / update / delete, with the true diff on changes$', async () => {
    const { s, c, changes } = await setup(kind);
    const [a, b] = (await c.sync.getPage({ limit: 2 })).items;
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_new', 'u1'), { ...a!, showName: 'renamed' }] });
    await s.admin('/admin/delete', { userID: 'u1', conversationIDs: [b!.conversationID] });
    expect(await c.sync.sync()).toBe('incremental');
    await expectEqualToServer(c, s, 'u1');
    const last = changes.at(-1)!;
    expect(last.mode).toBe('incremental');
    expect(last.added.map((x) => x.conversationID)).toEqual(['sg_new']);
    expect(last.updated.map((x) => [x.conversationID, x.showName])).toEqual([[a!.conversationID, 'renamed']]);
    expect(last.removed).toEqual([b!.conversationID]);
  });

  it('an update naming an unknown record is an upsert; a delete of an unknown ID is a no-op', async () => {
    const { s, c } = await setup(kind);
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_x', 'u1')] });
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_x', 'u1', { showName: 'v2' })] });
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_y', 'u1')] });
    await s.admin('/admin/delete', { userID: 'u1', conversationIDs: ['sg_y'] });
    // sg_x arrives as an update (its insert entry was superseded); sg_y as a delete the client never saw
    expect(await c.sync.sync()).toBe('incremental');
    await expectEqualToServer(c, s, 'u1');
    expect((await c.sync.get('sg_x'))?.showName).toBe('v2');
  });

  it('equal: no storage writes at all', async () => {
    const { s, c, changes } = await setup(kind);
    const w = c.writes();
    const n = changes.length;
    expect(await c.sync.sync()).toBe('equal');
    expect(await c.sync.sync()).toBe('equal');
    expect(c.writes()).toBe(w);
    expect(changes).toHaveLength(n);
    await expectEqualToServer(c, s, 'u1');
  });

  it('overflow past syncLimit → full, reporting only what really changed', async () => {
    const { s, c, changes } = await setup(kind, { syncLimit: 5 });
    const fresh = Array.from({ length: 8 }, (_, i) => conv(`sg_over${i}`, 'u1'));
    for (const x of fresh) await s.admin('/admin/upsert', { userID: 'u1', conversations: [x] });
    expect(await c.sync.sync()).toBe('full');
    await expectEqualToServer(c, s, 'u1');
    const last = changes.at(-1)!;
    expect(last.mode).toBe('full');
    expect(last.added.map((x) => x.conversationID).sort()).toEqual(fresh.map((x) => x.conversationID).sort());
    expect(last.updated).toEqual([]);
    expect(last.removed).toEqual([]);
  });

  it('log reset → full with a new versionID; nothing changed so no changes$ event', async () => {
    const { s, c, changes } = await setup(kind);
    const before = c.sync.cursor()!;
    const n = changes.length;
    await s.admin('/admin/reset_log', { userID: 'u1' });
    expect(await c.sync.sync()).toBe('full');
    expect(c.sync.cursor()!.versionID).not.toBe(before.versionID);
    expect(changes).toHaveLength(n);
    await expectEqualToServer(c, s, 'u1');
  });

  it('a seq value the server never had: kept by an incremental change (seqs only grow), repaired by the next full sync', async () => {
    const { s, c } = await setup(kind);
    const lists: Array<Array<[string, number, number]>> = [];
    c.sync.conversations$.subscribe((l) => lists.push(l.map((x) => [x.conversationID, x.maxSeq, x.unreadCount])));
    const seqs = async () => {
      const r = await c.sync.get('sg_inflated');
      return [r?.maxSeq, r?.hasReadSeq, r?.unreadCount];
    };
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_inflated', 'u1', { maxSeq: 900, hasReadSeq: 100 })] });
    expect(await c.sync.sync()).toBe('incremental');
    expect(await seqs()).toEqual([900, 100, 800]);
    // the server corrects itself (a buggy value, a restore): an incremental change keeps the larger values
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_inflated', 'u1', { maxSeq: 12, hasReadSeq: 10 })] });
    expect(await c.sync.sync()).toBe('incremental');
    expect(await seqs()).toEqual([900, 100, 800]);
    // a full sync ends with the server's values, on screen too
    await s.admin('/admin/reset_log', { userID: 'u1' });
    expect(await c.sync.sync()).toBe('full');
    expect(await seqs()).toEqual([12, 10, 2]);
    await expectEqualToServer(c, s, 'u1');
    expect(lists.at(-1)?.find(([id]) => id === 'sg_inflated')).toEqual(['sg_inflated', 12, 2]);
  });

  it('compaction watermark past the client → full; a client at the watermark stays incremental', async () => {
    const { s, c } = await setup(kind);
    const v0 = c.sync.cursor()!.version;
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_c1', 'u1')] });
    expect(await c.sync.sync()).toBe('incremental');
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_c2', 'u1')] });
    await s.admin('/admin/compact', { userID: 'u1', keepVersion: v0 + 1 });
    expect(await c.sync.sync()).toBe('incremental'); // client at keepVersion
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_c3', 'u1')] });
    await s.admin('/admin/upsert', { userID: 'u1', conversations: [conv('sg_c4', 'u1')] });
    await s.admin('/admin/compact', { userID: 'u1', keepVersion: v0 + 4 });
    expect(await c.sync.sync()).toBe('full');
    await expectEqualToServer(c, s, 'u1');
  });

  it('client ahead of the server (restored server) → full', async () => {
    const { s, c } = await setup(kind);
    const head = await serverHead(s, 'u1');
    await c.sync.stop();
    // the device saw versions this server no longer has
    await c.storage.open('u1');
    await c.storage.applyDelta([], [], { versionID: head.versionID, version: head.version + 50 });
    await c.storage.close();
    await c.sync.start();
    expect(await c.sync.sync()).toBe('full');
    await expectEqualToServer(c, s, 'u1');
  });
});

describe('drift check and resume', () => {
  it('a local set that drifted from the server (same cursor) is found by the idHash check and fixed by a full sync', async () => {
    const s = (server = await startServer());
    await s.admin('/admin/seed', { userID: 'u1', count: 20 });
    const c = makeClient(s, 'u1', { socket: false, driftCheck: true, driftCheckIntervalMs: 0 });
    clients.push(c);
    await c.sync.start();
    expect(await c.sync.sync()).toBe('full');
    expect(await c.sync.sync()).toBe('equal'); // one check, no mismatch
    expect(c.sync.metrics().driftChecks).toBe(1);
    // lose one record locally without moving the cursor (a bug, a manual edit …)
    await c.sync.stop();
    await c.storage.open('u1');
    const cur = (await c.storage.getCursor())!;
    const [victim] = await c.storage.allIDs();
    await c.storage.applyDelta([], [victim!], cur);
    await c.storage.close();
    await c.sync.start();
    expect(await c.sync.sync()).toBe('full');
    expect(c.sync.metrics().driftMismatches).toBe(1);
    await expectEqualToServer(c, s, 'u1');
  });

  it('drift check is off for a sync that was full, and costs one request otherwise', async () => {
    const s = (server = await startServer());
    await s.admin('/admin/seed', { userID: 'u1', count: 5 });
    const c = makeClient(s, 'u1', { socket: false, driftCheck: true });
    clients.push(c);
    await c.sync.start();
    await c.sync.sync();
    expect(c.requests.filter((p) => p.endsWith('get_full_conversation_ids'))).toHaveLength(0);
    await c.sync.sync();
    expect(c.requests.filter((p) => p.endsWith('get_full_conversation_ids'))).toHaveLength(0); // within the interval
  });

  it.each(['memory', 'idb'] as const)('an interrupted full sync resumes from its staged pages (%s)', async (kind) => {
    const s = (server = await startServer());
    await s.admin('/admin/seed', { userID: 'u1', count: 50 });
    let fail = false;
    let n = 0;
    const c = makeClient(s, 'u1', { kind, socket: false, pageSize: 10, maxBackoffMs: 60_000, beforeWrite: () => {
      if (fail && ++n === 25) throw new Error('crash on page 3');
    } });
    clients.push(c);
    const lists: number[] = [];
    c.sync.conversations$.subscribe((l) => lists.push(l.length));
    fail = true;
    await c.sync.start();
    await expect(c.sync.sync()).rejects.toMatchObject({ code: 'STORAGE' });
    expect(await c.storage.getAll()).toEqual([]); // nothing half-shown
    expect(await c.storage.getCursor()).toBeNull();
    fail = false;
    const pagesBefore = c.requests.filter((p) => p.endsWith('get_full_conversations')).length;
    expect(await c.sync.sync()).toBe('full');
    const pagesAfter = c.requests.filter((p) => p.endsWith('get_full_conversations')).length - pagesBefore;
    expect(pagesAfter).toBe(3); // pages 3, 4, 5 — not all five again
    await expectEqualToServer(c, s, 'u1');
    await waitFor(c.sync.conversations$, (l) => l.length === 50);
    expect(lists.filter((x) => x !== 0 && x !== 50)).toEqual([]); // never a half list
  });
});

/**
 * The conformance kit (src/testing) against the reference server on the memory store and
 * on PostgreSQL, and against broken servers, where it must fail with a reason. The bin
 * (dist/conformance.js, built by `npm test`'s pretest) is run too.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, MemoryConversationStore, type ConvSyncServer, type ConversationStore } from '../../src/server/index.js';
import { CHECKS, formatReport, runConformance } from '../../src/testing/index.js';
import { freshDatabase } from '../helpers/postgres.js';

const bin = fileURLToPath(new URL('../../dist/conformance.js', import.meta.url));

/** Runs the bin; resolves with its exit code and output. */
function runBin(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

describe.each([
  ['memory', async () => 'memory'],
  ['postgres', () => freshDatabase('kit')],
])('the kit against the reference server on %s', (_name, store) => {
  let server: ConvSyncServer;
  beforeAll(async () => {
    server = await createServer({ host: '127.0.0.1', port: 0, admin: true, store: await store() });
  });
  afterAll(() => server.close());

  it('passes every check', async () => {
    const report = await runConformance(server.url, { totalTimeoutMs: 120_000 });
    expect(report.results.map((r) => r.name)).toEqual(CHECKS.map((c) => c.name));
    expect(report.failed, formatReport(report)).toBe(0);
    expect(report.passed).toBe(CHECKS.length);
  }, 150_000);
});

describe('the kit fails a server that breaks the protocol', () => {
  const servers: ConvSyncServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });
  /** A reference server over a store with one port method replaced. */
  async function broken(patch: (s: MemoryConversationStore) => void): Promise<ConvSyncServer> {
    const store = new MemoryConversationStore();
    patch(store);
    const s = await createServer({ host: '127.0.0.1', port: 0, admin: true, store: store as ConversationStore });
    servers.push(s);
    return s;
  }

  it('an incremental answer that drops deletes, and a sorted list in ID order: those checks fail with a reason', async () => {
    const s = await broken((store) => {
      const changes = store.changesSince.bind(store);
      store.changesSince = async (...a) => {
        const r = await changes(...a);
        const entries = r.entries.filter((e) => e.state !== 2);
        return { ...r, entries, logLen: entries.length };
      };
      const sorted = store.sorted.bind(store);
      store.sorted = async (u, offset, limit) => {
        const p = await sorted(u, 0, 1_000_000);
        p.items.sort((x, y) => (x.conversationID < y.conversationID ? -1 : 1));
        return { ...p, items: p.items.slice(offset, offset + limit) };
      };
    });
    const report = await runConformance(s.url, { only: ['decision.incremental', 'sorted', 'write.delete', 'paging'] });
    const failed = Object.fromEntries(report.results.filter((r) => !r.ok).map((r) => [r.name, r.reason]));
    expect(Object.keys(failed).sort()).toEqual(['decision.incremental', 'sorted', 'write.delete']);
    expect(failed['decision.incremental']).toMatch(/delete: expected \["sg_b"\], got \[\]/);
    expect(failed['sorted']).toMatch(/^order: expected/);
    expect(report).toMatchObject({ passed: 1, failed: 3 });
  });

  it('a server that forgets every mutation identity: the exactly-once checks fail with a reason', async () => {
    const s = await broken((store) => {
      const commit = store.commit.bind(store);
      store.commit = (u, edits, _mutation, announce) => commit(u, edits, undefined, announce);
    });
    const report = await runConformance(s.url, { only: ['write.repeat-rule', 'write.conflict', 'write.batch'] });
    expect(report.results.filter((r) => !r.ok).map((r) => r.name)).toEqual(['write.repeat-rule', 'write.conflict', 'write.batch']);
    for (const r of report.results) expect(r.reason).toMatch(/expected/);
  });

  it('a server that never answers: each check fails within its time limit', async () => {
    const t0 = Date.now();
    const report = await runConformance('http://127.0.0.1:9', { only: ['decision.equal', 'ws.auth'], checkTimeoutMs: 2000 });
    expect(report.failed).toBe(2);
    expect(report.results[0]!.reason).toMatch(/request failed/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('the bin: exit 0 and "N passed, 0 failed" on a good server, 1 on a broken one, 2 without a URL', async () => {
    const good = servers[0] ?? (await broken(() => {}));
    const fine = await createServer({ host: '127.0.0.1', port: 0, admin: true });
    servers.push(fine);
    const ok = await runBin([fine.url, '--only', 'decision', '--only', 'ws.changed']);
    expect(ok.out).toMatch(/✓ decision\.incremental \(\d+ ms\)/);
    expect(ok.out).toMatch(/^7 passed, 0 failed$/m);
    expect(ok.code).toBe(0);
    const bad = await runBin([good.url, '--only', 'decision.incremental']);
    expect(bad.out).toMatch(/✗ decision\.incremental: delete: expected/);
    expect(bad.out).toMatch(/^0 passed, 1 failed$/m);
    expect(bad.code).toBe(1);
    expect((await runBin([])).code).toBe(2);
  });
});

import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, retentionOf } from '../../src/server/cli-args.js';
import pg from 'pg';
import { freshDatabase } from '../helpers/postgres.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// inside node_modules so that the bundle's bare imports (`ws`) resolve
const outDir = join(root, 'node_modules', '.cache', `convsync-cli-test-${process.pid}`);
const cli = join(outDir, 'cli.mjs');

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(root, 'src/server/cli.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: cli,
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Starts the CLI; resolves once it prints its URL. */
async function startCli(args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const io = { stderr: '' };
  child.stderr.on('data', (d: Buffer) => (io.stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))\n/m.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before listening: ${io.stderr}`)));
  });
  return { child, exited, io, url };
}

const postJSON = async (url: string, path: string, body: unknown, token?: string) =>
  (await fetch(url + path, { method: 'POST', body: JSON.stringify(body), headers: token ? { Authorization: `Bearer ${token}` } : {} })).json();

describe('convsync-server CLI', () => {
  it('--store postgres://: SIGTERM and start again, the data, the log id and the tokens are still there', async () => {
    const db = await freshDatabase('cli');
    const args = ['--port', '0', '--host', '127.0.0.1', '--admin', '--quiet', '--store', db];
    const first = await startCli(args);
    const seeded = await postJSON(first.url, '/admin/seed', { userID: 'u1', count: 5 });
    expect(seeded.errCode).toBe(0);
    const { token } = (await postJSON(first.url, '/admin/token', { userID: 'u1' })).data;
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const second = await startCli(args);
    const r = await postJSON(second.url, '/conversation/get_incremental_conversations', { userID: 'u1', versionID: seeded.data.versionID, version: seeded.data.version }, token);
    expect(r).toMatchObject({ errCode: 0, data: { full: false, versionID: seeded.data.versionID, version: seeded.data.version } });
    const ids = await postJSON(second.url, '/conversation/get_full_conversation_ids', { userID: 'u1' }, token);
    expect(ids.data.conversationIDs).toHaveLength(5);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(first.io.stderr + second.io.stderr).toBe('');
  });

  it('--store postgres://: a connection terminated in the middle of a write fails that request, not the process', async () => {
    const db = await freshDatabase('cli_drop');
    const run = await startCli(['--port', '0', '--host', '127.0.0.1', '--admin', '--quiet', '--store', db]);
    let died = false;
    void run.exited.then(() => (died = true));
    await postJSON(run.url, '/admin/seed', { userID: 'u1', count: 3 });
    const { token } = (await postJSON(run.url, '/admin/token', { userID: 'u1' })).data;
    const id = (await postJSON(run.url, '/conversation/get_full_conversation_ids', { userID: 'u1' }, token)).data.conversationIDs[0];
    const set = (ex: string) => postJSON(run.url, '/conversation/set_conversations', { userID: 'u1', conversation: { conversationID: id, ex } }, token);
    // hold the user's head row, so the server's write waits on it with its connection checked out
    const holder = new pg.Client({ connectionString: db });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM convsync_heads WHERE user_id = 'u1' FOR UPDATE");
      const answer = set('lost');
      const waiting = "SELECT pid FROM pg_stat_activity WHERE application_name = 'convsync' AND wait_event_type = 'Lock'";
      let pids: Array<{ pid: number }> = [];
      for (let i = 0; i < 200 && pids.length === 0; i++) pids = (await holder.query(waiting)).rows; // bounded: the database has no event for it
      expect(pids.length).toBeGreaterThan(0);
      await holder.query('SELECT pg_terminate_backend($1)', [pids[0]!.pid]);
      await holder.query('ROLLBACK');
      expect((await answer).errCode).toBe(503); // retryable: the write was not applied
    } finally {
      await holder.end();
    }
    // the same process serves the next write
    expect((await set('kept')).errCode).toBe(0);
    const list = await postJSON(run.url, '/conversation/get_full_conversations', { userID: 'u1' }, token);
    expect(JSON.stringify(list)).toContain('"ex":"kept"');
    expect(died).toBe(false);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('prints the listening line, serves, and exits cleanly on SIGTERM', async () => {
    const { child, exited, io, url } = await startCli(['--port', '0', '--host', '127.0.0.1', '--admin', '--sync-limit', '50', '--quiet']);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    const tok = await (await fetch(`${url}/admin/token`, { method: 'POST', body: JSON.stringify({ userID: 'u1' }) })).json();
    expect(tok.errCode).toBe(0);
    const r = await fetch(`${url}/conversation/get_incremental_conversations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tok.data.token}` },
      body: JSON.stringify({ userID: 'u1', versionID: '', version: 0 }),
    });
    expect((await r.json()).data.full).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(io.stderr).toBe('');
    // the port is released
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  });

  it('shuts down cleanly on a SIGTERM sent the moment it announces itself', async () => {
    for (let i = 0; i < 5; i++) {
      const { child, exited, io } = await startCli(['--port', '0', '--host', '127.0.0.1', '--quiet']);
      child.kill('SIGTERM');
      expect(await exited, `attempt ${i}: ${io.stderr}`).toBe(0);
    }
  });

  it('refuses unknown arguments with exit code 2', async () => {
    const child = spawn(process.execPath, [cli, '--bogus'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown argument --bogus/);
  });
});

describe('parseArgs', () => {
  it('reads flags in both forms, with defaults', () => {
    expect(parseArgs([])).toMatchObject({ port: 8787, host: '127.0.0.1', admin: false, syncLimit: 200 });
    expect(parseArgs(['--port=0', '--host', '0.0.0.0', '--admin', '--sync-limit=5', '--static', 'x'])).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      admin: true,
      syncLimit: 5,
      staticDir: 'x',
    });
    expect(() => parseArgs(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseArgs(['--sync-limit', '0'])).toThrow(/--sync-limit/);
    expect(() => parseArgs(['--port'])).toThrow(/needs a value/);
  });

  it('reads --store and the retention flags', () => {
    expect(parseArgs([])).toMatchObject({ store: 'memory', retainDays: undefined, retainEntries: undefined });
    expect(parseArgs(['--store', 'postgres://u@h:5432/db']).store).toBe('postgres://u@h:5432/db');
    expect(parseArgs(['--store=postgresql://h/db']).store).toBe('postgresql://h/db');
    expect(() => parseArgs(['--store', 'mysql://h/db'])).toThrow(/--store/);
    expect(retentionOf(parseArgs([]))).toBeUndefined();
    expect(retentionOf(parseArgs(['--retain-days', '2']))).toEqual({ maxAgeMs: 2 * 24 * 3600 * 1000 });
    expect(retentionOf(parseArgs(['--retain-entries', '500']))).toEqual({ maxEntries: 500 });
    expect(retentionOf(parseArgs(['--retain-days', '0']))).toBe(false);
  });
});

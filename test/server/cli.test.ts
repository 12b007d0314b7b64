import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/server/cli-args.js';

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

describe('convsync-server CLI', () => {
  it('prints the listening line, serves, and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, '--port', '0', '--host', '127.0.0.1', '--admin', '--sync-limit', '50', '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))\n/m.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
    });
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
    expect(stderr).toBe('');
    // the port is released
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
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
});

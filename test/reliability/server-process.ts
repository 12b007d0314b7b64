/** The reference server in a child process (the CLI bundled with esbuild), for the load test's sync clients. */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { post } from '../helpers/server.js';
import { withTimeout } from './server-state.js';

/**
 * The reference server in its own process (the CLI, bundled with esbuild as the CLI test
 * does), so that the 200 clients and the server do not share one event loop: on 2 cores
 * the load generator gets one and the server the other, and the latency printed is the
 * server's, not the generator's queue.
 */
export interface RemoteServer {
  url: string;
  admin<T = any>(path: string, body: unknown): Promise<T>;
  token(userID: string): Promise<string>;
  close(): Promise<void>;
}

export async function spawnServer(): Promise<RemoteServer> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const outDir = join(root, 'node_modules', '.cache', `convsync-load-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  const cli = join(outDir, 'cli.mjs');
  await build({ entryPoints: [join(root, 'src/server/cli.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: cli, logLevel: 'silent' });
  const child = spawn(process.execPath, [cli, '--port', '0', '--host', '127.0.0.1', '--admin', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await withTimeout(
    new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    }),
    15_000,
    'server process listening',
  );
  const admin = async (path: string, body: unknown) => {
    const r = await post(url, path, body);
    if (r.body.errCode !== 0) throw new Error(`${path}: ${r.body.errCode} ${r.body.errMsg}`);
    return r.body.data;
  };
  return {
    url,
    admin,
    token: async (userID) => (await admin('/admin/token', { userID })).token as string,
    async close() {
      child.kill('SIGTERM');
      await withTimeout(exited, 10_000, 'server process exit');
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

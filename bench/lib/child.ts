/**
 * Scenario 7's servers in a child process (bench/lib/server-child.ts, bundled with
 * esbuild into .tmp/bench), so the load generator and the server do not share a thread.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { buildDir, root } from './paths.js';

export interface Child {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function childScript(): Promise<string> {
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  const outfile = join(buildDir, 'server-child.mjs');
  await esbuild.build({ entryPoints: [join(root, 'bench/lib/server-child.ts')], outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', logLevel: 'silent' });
  return outfile;
}

export async function startChild(script: string, mode: 'convsync' | 'bare'): Promise<Child> {
  const proc = spawn(process.execPath, [script, mode], { stdio: ['pipe', 'pipe', 'inherit'], cwd: root });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${mode} server did not start`)), 15_000);
    proc.stdout!.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      const m = /READY (\S+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => reject(new Error(`${mode} server exited (${code})`)));
  });
  return {
    url,
    proc,
    async stop() {
      const exited = new Promise<void>((r) => (proc.exitCode !== null ? r() : proc.once('exit', () => r())));
      proc.stdin!.end();
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

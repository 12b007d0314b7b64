/**
 * The server a convergence schedule runs against, and how it restarts.
 *
 * - `inProcessServer`: the reference server in this process on the memory store (fast);
 *   it cannot restart.
 * - `processServer`: the `convsync-server` CLI in a child process on a fresh PostgreSQL
 *   database of the run's cluster. A restart stops that process (SIGKILL: no goodbye, or
 *   SIGTERM: a clean shutdown), waits for it to exit and starts a new process on the same
 *   database and port; the client reconnects by itself. Server-side changes are committed
 *   by a second instance of the store in this process (like an admin tool beside the
 *   server): the process hears them through LISTEN/NOTIFY as one of several instances.
 *
 * Either way `store` is where the test reads the truth and `svc` what it changes it with.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ConversationService, createServer, issueToken, Metrics, openPostgresStore, type ConversationStore, type PostgresStore } from '../../../src/server/index.js';
import { clusterURL, freshDatabase, sql } from '../../helpers/postgres.js';
import type { StopSignal } from './commands.js';

export interface ScheduleServer {
  /** stays the same across restarts (same port) */
  readonly url: string;
  readonly wsURL: string;
  /** the truth, read directly; `server.state.store` is the same (the harness reads it there) */
  readonly store: ConversationStore;
  readonly server: { state: { store: ConversationStore } };
  readonly svc: ConversationService;
  token(userID: string): string;
  /** the server process's id (`null`: in process) */
  pid(): number | null;
  /** stops the server's process and starts a new one on the same data and port */
  restart(signal: StopSignal): Promise<void>;
  close(): Promise<void>;
}

export async function inProcessServer(syncLimit: number): Promise<ScheduleServer> {
  const s = await createServer({ host: '127.0.0.1', port: 0, admin: true, syncLimit });
  const store = s.state.store;
  return {
    url: s.url,
    wsURL: s.wsURL,
    store,
    server: { state: { store } },
    svc: s.service,
    token: (u) => s.issueToken(u),
    pid: () => null,
    restart: () => Promise.reject(new Error('an in-process server does not restart: a schedule with restartServer runs on processServer')),
    close: () => s.close(),
  };
}

// ---- the server process ----

const root = fileURLToPath(new URL('../../..', import.meta.url));
// inside node_modules so that the bundle's bare imports (`ws`, `pg`) resolve
const outDir = join(root, 'node_modules', '.cache', `convsync-convergence-${process.pid}`);
let bundled: Promise<string> | null = null;

/** The CLI bundled once per test process (as test/server/cli.test.ts does). */
function cliBundle(): Promise<string> {
  bundled ??= (async () => {
    mkdirSync(outDir, { recursive: true });
    const outfile = join(outDir, 'cli.mjs');
    await build({ entryPoints: [join(root, 'src/server/cli.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'silent' });
    return outfile;
  })();
  return bundled;
}

interface Proc {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not after ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Starts the CLI; resolves with its port once it prints `listening on`. */
async function startProcess(args: string[]): Promise<{ proc: Proc; port: number }> {
  const cli = await cliBundle();
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const proc: Proc = { child, exited, stderr: () => err };
  const listening = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((e) => reject(new Error(`server process exited (${e.code ?? e.signal}) before listening: ${err.trim()}`)));
  });
  try {
    return { proc, port: await withTimeout(listening, 20_000, 'server process listening') };
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
}

/** Stops a process with `signal` and waits for it to be gone; a SIGTERM must end in a clean exit. */
async function stopProcess(p: Proc, signal: StopSignal): Promise<void> {
  p.child.kill(signal);
  const e = await withTimeout(p.exited, 15_000, `server process exit on ${signal}`);
  if (signal === 'SIGTERM' && e.code !== 0) throw new Error(`server process did not shut down cleanly on SIGTERM (${e.code ?? e.signal}): ${p.stderr().trim()}`);
  if (signal === 'SIGKILL' && e.signal !== 'SIGKILL') throw new Error(`server process ended by ${e.code ?? e.signal}, not by SIGKILL`);
}

/** A database created ahead for the next process schedule (creating one takes a while). */
let spare: Promise<string> | null = null;
const nextDatabase = (): Promise<string> => {
  const db = spare ?? freshDatabase('conv');
  spare = freshDatabase('conv');
  spare.catch(() => undefined);
  return db;
};

/** Deletes the bundle and the database made ahead (after the file's tests). */
export async function cleanUp(): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  const db = await spare?.catch(() => null);
  spare = null;
  if (db) await dropDatabase(db).catch(() => undefined);
}

/**
 * The server process on a fresh database. It starts while `prepare` fills the database
 * through the store of this process (the test's seed); resolves once both are done.
 */
export async function processServer(syncLimit: number, prepare: (store: ConversationStore, svc: ConversationService) => Promise<void>): Promise<ScheduleServer> {
  const db = await nextDatabase();
  let store: PostgresStore | null = null;
  let proc: Proc | null = null;
  let starting: Promise<{ proc: Proc; port: number }> | null = null;
  try {
    // this instance creates the schema and the shared token secret; the process finds both
    store = await openPostgresStore(db, { poolSize: 4 });
    const st = store;
    const secret = await st.sharedSecret?.();
    if (!secret) throw new Error('the PostgreSQL store has no shared token secret');
    const svc = new ConversationService(st, new Metrics());
    const args = (port: number) => ['--store', db, '--host', '127.0.0.1', '--port', String(port), '--sync-limit', String(syncLimit), '--retain-days', '0', '--quiet'];
    starting = startProcess(args(0));
    await prepare(st, svc);
    const first = await starting;
    proc = first.proc;
    const port = first.port;
    return {
      url: `http://127.0.0.1:${port}`,
      wsURL: `ws://127.0.0.1:${port}/ws`,
      store: st,
      server: { state: { store: st } },
      svc,
      token: (u) => issueToken(secret, u).token,
      pid: () => proc?.child.pid ?? null,
      async restart(signal) {
        if (proc) await stopProcess(proc, signal);
        proc = null;
        // the port is free once the process is gone; another program may take it meanwhile (then retry)
        for (let attempt = 0; ; attempt++) {
          try {
            proc = (await startProcess(args(port))).proc;
            return;
          } catch (e) {
            if (attempt >= 4 || !/EADDRINUSE/.test(String(e))) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      },
      async close() {
        if (proc) await stopProcess(proc, 'SIGKILL').catch(() => undefined);
        proc = null;
        await st.close();
        await dropDatabase(db);
      },
    };
  } catch (e) {
    proc?.child.kill('SIGKILL');
    await starting?.then((s) => s.proc.child.kill('SIGKILL')).catch(() => undefined);
    await store?.close().catch(() => undefined);
    await dropDatabase(db).catch(() => undefined);
    throw e;
  }
}

async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await sql(clusterURL(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/**
 * A throwaway PostgreSQL cluster for the tests and the bench: `initdb` in a temporary
 * directory, `postgres` on a free port of 127.0.0.1 (no Unix socket), stopped and deleted
 * by `stop()`. Run as root (CI), the cluster belongs to the unprivileged user `nobody`
 * (`initdb` refuses root). Needs Debian's `postgresql` package (or `initdb`/`pg_ctl` on the
 * PATH); without it `startCluster` throws a message that says so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** A running cluster. */
export interface Cluster {
  /** `postgres://convsync@127.0.0.1:PORT/postgres` */
  url: string;
  port: number;
  /** the URL of another database of the cluster */
  urlOf(database: string): string;
  /** SIGKILL to the postmaster and every backend at once (a crash, not a shutdown); resolves when all are gone */
  kill(): Promise<void>;
  /** starts the cluster again on the same port and data (after `kill`: with crash recovery) */
  start(): void;
  stop(): void;
}

/** The processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Gone or a zombie (a killed postmaster may wait for a parent that never reaps it). */
function ended(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Where `initdb` and `pg_ctl` are: Debian's versioned directory, else the PATH. */
export function findPgBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const found = which.status === 0 ? which.stdout.trim() : '';
  return found ? join(found, '..') : null;
}

/** The message of a machine without PostgreSQL. */
export const NO_POSTGRES =
  'PostgreSQL is not installed: the postgres tests need initdb and pg_ctl (Debian: `apt-get install -y postgresql`; .ci/run installs it)';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL program, as `nobody` when we are root. */
function run(bin: string, args: string[], asNobody: boolean): void {
  const [cmd, argv] = asNobody ? ['runuser', ['-u', 'nobody', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: tmpdir() });
  if (r.status !== 0) throw new Error(`${bin.split('/').pop()} failed (${r.status}): ${r.stderr || r.stdout}`);
}

/** Starts a cluster in a new temporary directory; `fast` turns durability off (tests). */
export async function startCluster(o: { fast?: boolean } = {}): Promise<Cluster> {
  const bin = findPgBin();
  if (!bin) throw new Error(NO_POSTGRES);
  const asNobody = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'convsync-pg-'));
  const data = join(dir, 'data');
  if (asNobody) {
    const ids = execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  chmodSync(dir, 0o700);
  const port = await freePort();
  const opts = [`-p ${port}`, '-c listen_addresses=127.0.0.1', "-c unix_socket_directories=''", '-c max_connections=200'];
  if (o.fast) opts.push('-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off');
  const start = () => run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', opts.join(' '), 'start'], asNobody);
  try {
    run(join(bin, 'initdb'), ['-D', data, '-U', 'convsync', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], asNobody);
    start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const urlOf = (db: string) => `postgres://convsync@127.0.0.1:${port}/${db}`;
  let stopped = false;
  let running = true;
  return {
    url: urlOf('postgres'),
    port,
    urlOf,
    async kill() {
      const pidFile = join(data, 'postmaster.pid');
      const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      const all = [postmaster, ...childrenOf(postmaster)];
      for (const pid of all) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // a backend that ended by itself once the postmaster was gone
        }
      }
      running = false;
      const end = Date.now() + 10_000;
      while (!all.every(ended)) {
        if (Date.now() > end) throw new Error('the killed PostgreSQL processes did not end within 10 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      // a zombie postmaster would pass the lock file's "is it running" check
      rmSync(pidFile, { force: true });
    },
    start() {
      start();
      running = true;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        if (running) run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], asNobody);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

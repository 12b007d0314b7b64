/** Argument parsing of the `convsync-server` CLI (kept apart so it can be tested). */
export interface CliArgs {
  /** `memory` or a `postgres://` URL */
  store: string;
  /** log entries older than this many days are compacted (0: no age limit); `undefined`: the store's default */
  retainDays: number | undefined;
  /** at most this many log entries per user (0: no count limit) */
  retainEntries: number | undefined;
  /** a client unseen this many days is forgotten (its next write gets 1410); `undefined`: 180 */
  clientRetentionDays: number | undefined;
  port: number;
  host: string;
  admin: boolean;
  syncLimit: number;
  staticDir: string | undefined;
  /** Host names served besides loopback and `--host` (`true`: any); see `allowedHosts` of createServer */
  allowedHosts: string[] | true | undefined;
  quiet: boolean;
  help: boolean;
}

export const USAGE = [
  'usage: convsync-server [--port 8787] [--host 127.0.0.1] [--admin] [--sync-limit 200] [--static DIR] [--quiet]',
  '                       [--store memory|postgres://USER:PASS@HOST:PORT/DB] [--retain-days N] [--retain-entries N]',
  '                       [--client-retention-days N] [--allowed-hosts NAME[:PORT],…|any]',
  '  --store          where records and logs live (default memory; postgres needs `npm i pg`)',
  '  --retain-days    compact log entries older than N days (default: off for memory, 30 for postgres; 0 = off)',
  '  --retain-entries keep at most N log entries per user (default off)',
  '  --client-retention-days  forget a writing client unseen for N days (default 180; its next write gets 1410)',
  '  --allowed-hosts  Host names served besides loopback and --host (with --admin only those are; any = every Host)',
].join('\n');

/** How an option's value is read: `value()` takes it from `--opt=value` or the next argument. */
interface OptionInput {
  value(): string;
  integer(min: number, max: number): number;
}

/** Every option and what it sets. */
const OPTIONS: Readonly<Record<string, (o: OptionInput) => Partial<CliArgs>>> = {
  '--port': (o) => ({ port: o.integer(0, 65535) }),
  '--host': (o) => ({ host: o.value() }),
  '--admin': () => ({ admin: true }),
  '--sync-limit': (o) => ({ syncLimit: o.integer(1, 1_000_000) }),
  '--static': (o) => ({ staticDir: o.value() }),
  '--quiet': () => ({ quiet: true }),
  '--allowed-hosts': (o) => {
    const v = o.value();
    if (v === 'any') return { allowedHosts: true };
    const list = v.split(',').map((x) => x.trim());
    if (list.some((x) => !/^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(:\d{1,5})?$/i.test(x))) throw new Error(`--allowed-hosts: expected host names (NAME or NAME:PORT, comma-separated) or any, got ${v}`);
    return { allowedHosts: list };
  },
  '--store': (o) => {
    const v = o.value();
    if (v !== 'memory' && !/^postgres(ql)?:\/\//i.test(v)) throw new Error(`--store: expected memory or a postgres:// URL`);
    return { store: v };
  },
  '--retain-days': (o) => ({ retainDays: o.integer(0, 100_000) }),
  '--retain-entries': (o) => ({ retainEntries: o.integer(0, 1_000_000_000) }),
  '--client-retention-days': (o) => ({ clientRetentionDays: o.integer(1, 100_000) }),
  '--help': () => ({ help: true }),
  '-h': () => ({ help: true }),
};

/** Parses the CLI arguments; throws a message naming the argument at fault. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const a: CliArgs = { store: 'memory', retainDays: undefined, retainEntries: undefined, clientRetentionDays: undefined, port: 8787, host: '127.0.0.1', admin: false, syncLimit: 200, staticDir: undefined, allowedHosts: undefined, quiet: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const o: OptionInput = {
      value() {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new Error(`${arg} needs a value`);
        return v;
      },
      integer(min, max) {
        const s = o.value();
        const n = Number(s);
        if (!/^\d+$/.test(s) || n < min || n > max) throw new Error(`${arg}: expected an integer between ${min} and ${max}, got ${s}`);
        return n;
      },
    };
    const option = Object.hasOwn(OPTIONS, arg) ? OPTIONS[arg] : undefined;
    if (!option) throw new Error(`unknown argument ${arg}`);
    Object.assign(a, option(o));
  }
  return a;
}

/** The `retention` option of `createServer` the arguments ask for (`undefined`: the store's default). */
export function retentionOf(a: Pick<CliArgs, 'retainDays' | 'retainEntries'>): { maxAgeMs?: number; maxEntries?: number } | false | undefined {
  if (a.retainDays === undefined && a.retainEntries === undefined) return undefined;
  const r: { maxAgeMs?: number; maxEntries?: number } = {};
  if (a.retainDays) r.maxAgeMs = a.retainDays * 24 * 3600 * 1000;
  if (a.retainEntries) r.maxEntries = a.retainEntries;
  return r.maxAgeMs === undefined && r.maxEntries === undefined ? false : r;
}

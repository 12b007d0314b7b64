/** Argument parsing of the `convsync-server` CLI (kept apart so it can be tested). */
export interface CliArgs {
  port: number;
  host: string;
  admin: boolean;
  syncLimit: number;
  staticDir: string | undefined;
  quiet: boolean;
  help: boolean;
}

export const USAGE = 'usage: convsync-server [--port 8787] [--host 127.0.0.1] [--admin] [--sync-limit 200] [--static DIR] [--quiet]';

export function parseArgs(argv: readonly string[]): CliArgs {
  const a: CliArgs = { port: 8787, host: '127.0.0.1', admin: false, syncLimit: 200, staticDir: undefined, quiet: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = (): string => {
      const v = value ?? argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const integer = (min: number, max: number): number => {
      const s = next();
      const n = Number(s);
      if (!/^\d+$/.test(s) || n < min || n > max) throw new Error(`${arg}: expected an integer between ${min} and ${max}, got ${s}`);
      return n;
    };
    switch (arg) {
      case '--port':
        a.port = integer(0, 65535);
        break;
      case '--host':
        a.host = next();
        break;
      case '--admin':
        a.admin = true;
        break;
      case '--sync-limit':
        a.syncLimit = integer(1, 1_000_000);
        break;
      case '--static':
        a.staticDir = next();
        break;
      case '--quiet':
        a.quiet = true;
        break;
      case '--help':
      case '-h':
        a.help = true;
        break;
      default:
        throw new Error(`unknown argument ${arg}`);
    }
  }
  return a;
}


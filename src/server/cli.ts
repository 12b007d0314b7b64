/**
 * `convsync-server [--port 8787] [--host 127.0.0.1] [--admin] [--sync-limit 200]
 *                  [--static DIR] [--quiet] [--store memory|postgres://…]
 *                  [--retain-days N] [--retain-entries N] [--client-retention-days N] [--allowed-hosts NAME,…|any]`
 *
 * Prints `listening on http://HOST:PORT` once ready (`--port 0` picks a free port),
 * logs one JSON line per request (never tokens) unless `--quiet`, and shuts down
 * cleanly on SIGINT/SIGTERM. Serves `demo/dist` of the package when it exists. A missing
 * optional peer (`ws`, or `pg` with `--store postgres://`) is named with the command that
 * installs it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer } from './create-server.js';
import { parseArgs, retentionOf, USAGE, type CliArgs } from './cli-args.js';
import { jsonLineLogger, silentLogger } from './logger.js';

/** `demo/dist` of the package (this file is `dist/cli.js`), when it has been built. */
function defaultStaticDir(): string | undefined {
  try {
    const dir = fileURLToPath(new URL('../demo/dist/', import.meta.url));
    return existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const retention = retentionOf(args);
  const server = await createServer({
    store: args.store,
    ...(retention !== undefined ? { retention } : {}),
    ...(args.clientRetentionDays !== undefined ? { clientRetentionMs: args.clientRetentionDays * 24 * 3600 * 1000 } : {}),
    port: args.port,
    host: args.host,
    admin: args.admin,
    syncLimit: args.syncLimit,
    ...(args.allowedHosts !== undefined ? { allowedHosts: args.allowedHosts } : {}),
    logger: args.quiet ? silentLogger : jsonLineLogger((line) => process.stdout.write(line)),
    ...((args.staticDir ?? defaultStaticDir()) !== undefined ? { staticDir: (args.staticDir ?? defaultStaticDir())! } : {}),
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!args.quiet) process.stdout.write(`${signal}: shutting down\n`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // announced once a signal already shuts down cleanly (a supervisor may stop it at once)
  process.stdout.write(`listening on ${server.url}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`convsync-server: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

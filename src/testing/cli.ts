/**
 * `convsync-conformance <url> [--ws URL] [--sync-limit 200] [--only PREFIX]… [--timeout MS] [--json]`
 *
 * Runs the conformance kit against a server whose admin endpoints are on, prints one line
 * per check and `N passed, N failed`, and exits 0 when every check passed, 1 when one
 * failed, 2 on bad arguments.
 */
import { formatReport, runConformance, CHECKS } from './run.js';
import type { CheckResult, KitOptions } from './types.js';

const USAGE = `usage: convsync-conformance <url> [--ws URL] [--sync-limit 200] [--only PREFIX]... [--timeout MS] [--json] [--list]
  url           the server, e.g. http://127.0.0.1:8787 (admin endpoints on)
  --ws          its WebSocket URL (default: <url>/ws)
  --sync-limit  the server's syncLimit (default 200)
  --only        run the checks whose name starts with PREFIX (repeatable)
  --timeout     time allowed to each check in ms (default 15000)
  --json        print the report as JSON
  --list        list the checks and exit`;

function parse(argv: string[]): { url: string; o: KitOptions; json: boolean; list: boolean } {
  const o: KitOptions = {};
  const only: string[] = [];
  let url = '';
  let json = false;
  let list = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = () => {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`${a}: expected a positive integer, got ${v}`);
      return Number(v);
    };
    if (a === '--ws') o.wsURL = value();
    else if (a === '--sync-limit') o.syncLimit = int();
    else if (a === '--only') only.push(value());
    else if (a === '--timeout') o.checkTimeoutMs = int();
    else if (a === '--json') json = true;
    else if (a === '--list') list = true;
    else if (a === '--help' || a === '-h') throw new Error('');
    else if (!a.startsWith('-') && url === '') url = a;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!list && !/^https?:\/\//.test(url)) throw new Error('give the server URL, e.g. http://127.0.0.1:8787');
  if (only.length > 0) o.only = only;
  return { url, o, json, list };
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    const m = (e as Error).message;
    process.stderr.write(`${m ? m + '\n' : ''}${USAGE}\n`);
    process.exit(m ? 2 : 0);
  }
  if (args.list) {
    for (const c of CHECKS) process.stdout.write(`${c.name}: ${c.title}\n`);
    return;
  }
  const print = (r: CheckResult) => void process.stdout.write(r.ok ? `✓ ${r.name} (${r.ms} ms)\n` : `✗ ${r.name}: ${r.reason}\n`);
  const report = await runConformance(args.url, args.json ? args.o : { ...args.o, onResult: print });
  if (args.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(formatReport(report).split('\n').at(-1)! + '\n');
  process.exit(report.failed === 0 ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`convsync-conformance: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});

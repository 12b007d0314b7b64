// `npm run bench` / `npm run bench:stores`: bundles bench/<name>.ts (and what it imports
// from src/) with esbuild into .tmp/bench/<name>.mjs, dependencies left to node_modules,
// then runs it. No TS runner needed.
//   node bench/launch.mjs run      the client and server bench (BENCH_QUICK=1, BENCH_ONLY=1,4, BENCH_RUNTIMES=node)
//   node bench/launch.mjs stores   the server's stores side by side (BENCH_SECONDS=4)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const name = process.argv[2];
if (name !== 'run' && name !== 'stores') {
  console.error('usage: node bench/launch.mjs run|stores');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, `.tmp/bench/${name}.mjs`);
await build({
  entryPoints: [join(root, `bench/${name}.ts`)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, ['--enable-source-maps', '--max-old-space-size=6144', outfile], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);

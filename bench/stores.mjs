// `npm run bench:stores`: bundles bench/stores.ts (and what it imports from src/) with esbuild
// into .tmp/bench/stores.mjs, dependencies left to node_modules, then runs it.
// No TS runner needed. Environment: BENCH_SECONDS=4 (per configuration and measure).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, '.tmp/bench/stores.mjs');
await build({
  entryPoints: [join(root, 'bench/stores.ts')],
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

/**
 * Builds the demo page (demo/dist) once before the browser tests, so they run from a
 * clean clone as well as after `npm run build`. The tests import the server from
 * src/ directly, so the package build itself is not needed here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

export default function setup(): void {
  const rollup = join(root, 'node_modules/.bin/rollup');
  execFileSync(rollup, ['-c', 'demo/rollup.config.mjs', '--silent'], { cwd: root, stdio: 'inherit' });
  if (!existsSync(join(root, 'demo/dist/main.js'))) throw new Error('demo build produced no demo/dist/main.js');
}

/**
 * Builds the demo page (demo/dist) once before the browser tests, so they run from a
 * clean clone as well as after `npm run build`. The tests import the server from
 * src/ directly, so the package build itself is not needed here.
 */
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sveltePlugin } from './pages/svelte-plugin.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the bare test pages (test/browser/pages) are built and served from. */
export const pagesDir = join(root, 'test-output/pages');

export default async function setup(): Promise<void> {
  const rollup = join(root, 'node_modules/.bin/rollup');
  execFileSync(rollup, ['-c', 'demo/rollup.config.mjs', '--silent'], { cwd: root, stdio: 'inherit' });
  if (!existsSync(join(root, 'demo/dist/main.js'))) throw new Error('demo build produced no demo/dist/main.js');
  mkdirSync(pagesDir, { recursive: true });
  await build({ entryPoints: [join(root, 'test/browser/pages/tab.ts')], outfile: join(pagesDir, 'tab.js'), bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'warning' });
  copyFileSync(join(root, 'test/browser/pages/tab.html'), join(pagesDir, 'tab.html'));
  // React in development mode: StrictMode mounts, unmounts and mounts again, and warns on the console
  await build({ entryPoints: [join(root, 'test/browser/pages/react.tsx')], outfile: join(pagesDir, 'react.js'), bundle: true, format: 'esm', platform: 'browser', target: 'es2022', jsx: 'automatic', define: { 'process.env.NODE_ENV': '"development"' }, logLevel: 'warning' });
  copyFileSync(join(root, 'test/browser/pages/react.html'), join(pagesDir, 'react.html'));
  // the Vue and Svelte pages in development mode: their warnings go to the console
  const dev = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'warning' } as const;
  await build({ ...dev, entryPoints: [join(root, 'test/browser/pages/vue.ts')], outfile: join(pagesDir, 'vue.js'), define: { 'process.env.NODE_ENV': '"development"', __VUE_OPTIONS_API__: 'false', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' } });
  await build({ ...dev, entryPoints: [join(root, 'test/browser/pages/svelte.ts')], outfile: join(pagesDir, 'svelte.js'), conditions: ['svelte', 'browser', 'development'], plugins: [sveltePlugin] });
  for (const page of ['vue', 'svelte']) copyFileSync(join(root, `test/browser/pages/${page}.html`), join(pagesDir, `${page}.html`));
}

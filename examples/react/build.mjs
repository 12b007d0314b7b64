// Bundles the example into dist/: `npm i convsync react react-dom && npm i -D esbuild && node build.mjs`,
// then `npx convsync-server --admin --static dist` and open http://127.0.0.1:8787/?user=alice.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
mkdirSync(join(here, 'dist'), { recursive: true });
await build({
  entryPoints: [join(here, 'src/main.tsx')],
  outfile: join(here, 'dist/main.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  jsx: 'automatic',
  minify: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
copyFileSync(join(here, 'index.html'), join(here, 'dist/index.html'));

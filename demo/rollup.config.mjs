// Builds the demo page: demo/src/main.ts (plain TS + DOM, using only the SDK's public
// entry src/index.ts) bundled with its dependencies into demo/dist/, plus the HTML and CSS.
// `npm run build:demo`; `npm start` serves demo/dist at http://127.0.0.1:8787/.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');

/** Copies the static files next to the bundle. */
const copyStatic = {
  name: 'copy-demo-static',
  writeBundle() {
    mkdirSync(out, { recursive: true });
    for (const f of ['index.html', 'style.css']) copyFileSync(join(here, f), join(out, f));
  },
};

/**
 * The demo uses idbStorage only. src/index.ts also re-exports dexieStorage; the
 * package is `sideEffects: false`, so that module and its `dexie` import are dropped,
 * but rollup would still parse dexie's CommonJS build (which needs a commonjs plugin)
 * if it resolved it. Keeping `dexie` external avoids that; this check makes sure no
 * `dexie` import survives into the page.
 */
const noDexie = {
  name: 'no-dexie-in-demo',
  generateBundle(_options, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type === 'chunk' && [...chunk.imports, ...chunk.dynamicImports].some((i) => i.includes('dexie'))) {
        this.error('the demo bundle imports dexie: only idbStorage should be used');
      }
    }
  },
};

export default {
  input: join(here, 'src/main.ts'),
  external: ['dexie'],
  // an unused external import is dropped (dexie has no side effects the demo needs)
  treeshake: { moduleSideEffects: (_id, external) => !external },
  plugins: [
    noDexie,
    nodeResolve({ browser: true }),
    esbuild({ target: 'es2022', tsconfig: join(here, '../tsconfig.json'), minify: true }),
    copyStatic,
  ],
  output: { dir: out, format: 'es', entryFileNames: 'main.js', sourcemap: true },
};

// Measures what a browser app pays for convsync: bundles a tiny entry that imports
// the given names from the built package, minifies it, gzips it.
// Used by `npm run size`, the size test and the benchmarks.
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import terser from '@rollup/plugin-terser';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {{ names: string[], from?: string, external?: string[] }} what  names imported from `from` (default: the
 *   built client entry); `external`: packages the app has anyway (React for the react entry), left out
 * @returns {Promise<{ code: string, bytes: number, gzip: number, modules: string[] }>}
 */
export async function measureBundle({ names, from = path.join(root, 'dist/index.js'), external = [] }) {
  const entry = '\0size-entry';
  const bundle = await rollup({
    input: entry,
    external: (id) => external.some((x) => id === x || id.startsWith(`${x}/`)),
    plugins: [
      {
        name: 'size-entry',
        resolveId: (id) => (id === entry ? id : null),
        load: (id) => (id === entry ? `export { ${names.join(', ')} } from ${JSON.stringify(from)};` : null),
      },
      nodeResolve({ browser: true }),
      // dexie's ESM wrapper re-exports its UMD build
      commonjs(),
    ],
    onwarn: () => {},
  });
  const { output } = await bundle.generate({ format: 'es', inlineDynamicImports: true, plugins: [terser({ module: true, format: { comments: false } })] });
  await bundle.close();
  const chunk = output[0];
  return {
    code: chunk.code,
    bytes: Buffer.byteLength(chunk.code),
    gzip: gzipSync(chunk.code, { level: 9 }).length,
    modules: Object.keys(chunk.modules),
  };
}

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;

/** The framework each binding entry builds on: what an app has anyway. */
export const BINDINGS = { react: 'react', vue: 'vue', svelte: 'svelte' };

/**
 * What an app pays for one binding entry on top of the client and its framework (both
 * left out, with rxjs): the built `dist/<name>.js` bundled by esbuild, minified, gzipped.
 * `inputs` are the files esbuild read: the entry alone when it imports no other binding.
 */
export async function measureBinding(name, from = path.join(root, `dist/${name}.js`)) {
  const { build } = await import('esbuild');
  const r = await build({
    entryPoints: [from],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: ['convsync', 'rxjs', BINDINGS[name], `${BINDINGS[name]}/*`],
  });
  const code = r.outputFiles[0].text;
  return { bytes: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length, inputs: Object.keys(r.metafile.inputs).map((f) => path.resolve(f)) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [label, names] of [
    ['core + idb adapter', ['createConversationSync', 'idbStorage']],
    ['core + dexie adapter', ['createConversationSync', 'dexieStorage']],
  ]) {
    const r = await measureBundle({ names });
    console.log(`${label.padEnd(22)} ${kb(r.bytes).padStart(10)} min  ${kb(r.gzip).padStart(9)} gzip`);
  }
  for (const name of Object.keys(BINDINGS)) {
    const r = await measureBinding(name);
    console.log(`${`convsync/${name} (alone)`.padEnd(22)} ${kb(r.bytes).padStart(10)} min  ${kb(r.gzip).padStart(9)} gzip`);
  }
}

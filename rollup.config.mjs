// Builds the package: ESM + CJS for the client (`convsync`), the reference server
// (`convsync/server`), the conformance kit (`convsync/testing`), the framework bindings
// (`convsync/react`, `convsync/vue`, `convsync/svelte`), the two CLIs
// (`convsync-server`, `convsync-conformance`), and bundled type declarations.
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';
import { copyFileSync } from 'node:fs';

const core = { index: 'src/index.ts', server: 'src/server/index.ts', testing: 'src/testing/index.ts' };
/**
 * One build per binding, so each file holds its own copy of src/bindings and imports
 * neither a shared chunk nor another binding: an app pays for the one it uses.
 */
const bindings = { react: 'src/react/index.ts', vue: 'src/vue/index.ts', svelte: 'src/svelte/index.ts' };
// Every bare import stays external: users install them as dependencies.
const external = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');
/**
 * The bindings (and src/bindings under them) name the client by the package
 * (`import type … from 'convsync'`), so an app sees one `ConversationSync` type, not a
 * copy inside a binding's entry.
 */
const coreByName = {
  name: 'core-by-name',
  resolveId(source, importer) {
    if (source === '../index.js' && importer && /[\\/]src[\\/](bindings|react|vue|svelte)[\\/]/.test(importer)) return { id: 'convsync', external: true };
    return null;
  },
};
/** `convsync/react` is client code for React Server Components (Next.js App Router): its files start with the directive. */
const useClient = (chunk) => (chunk.isEntry && chunk.name === 'react' ? "'use client';" : '');
const ts = () => esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' });

/** rollup-plugin-dts writes .d.ts; CJS consumers need the same text as .d.cts. */
const copyCtsTypes = (names) => ({
  name: 'copy-cts-types',
  writeBundle() {
    for (const name of names) copyFileSync(`dist/${name}.d.ts`, `dist/${name}.d.cts`);
  },
});

const code = (input) => ({
  input,
  external,
  plugins: [coreByName, ts()],
  output: [
    { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', banner: useClient },
    { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', banner: useClient },
  ],
});
const types = (input) => ({
  input,
  external,
  plugins: [coreByName, dts(), copyCtsTypes(Object.keys(input))],
  output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts' },
});
const each = Object.entries(bindings).map(([name, file]) => ({ [name]: file }));

export default [
  code(core),
  ...each.map(code),
  {
    input: { cli: 'src/server/cli.ts', conformance: 'src/testing/cli.ts' },
    external,
    plugins: [ts()],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', banner: '#!/usr/bin/env node' },
  },
  types(core),
  ...each.map(types),
];

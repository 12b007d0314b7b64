/**
 * An esbuild plugin for the Svelte test page: compiles `.svelte` files with Svelte's own
 * compiler (TypeScript in them is stripped by it). The pages make their stores once per
 * component from the first props, as meant: the warning that says so is left out.
 */
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';
import { compile } from 'svelte/compiler';

export const sveltePlugin: Plugin = {
  name: 'svelte',
  setup(build) {
    build.onLoad({ filter: /\.svelte$/ }, async ({ path }) => {
      const { js, warnings } = compile(await readFile(path, 'utf8'), { filename: path, generate: 'client', dev: true, warningFilter: (w) => w.code !== 'state_referenced_locally' });
      return { contents: js.code, loader: 'js', warnings: warnings.map((w) => ({ text: `${w.code}: ${w.message}` })) };
    });
  },
};

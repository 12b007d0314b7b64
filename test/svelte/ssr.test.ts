/**
 * Server-side rendering: every store of convsync/svelte rendered with Svelte's server
 * `render` in Node (no IndexedDB, no DOM) with a client that was never started, from a
 * runes-mode component and from one in Svelte 4's syntax. The markup is the empty state,
 * and the client is not touched at all: no property of it is read.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compile } from 'svelte/compiler';
import { render } from 'svelte/server';
import { beforeAll, expect, it } from 'vitest';
import type { ConversationSync } from '../../src/index.js';
import { expectUntouched, neverStarted, watched } from '../bindings/watched.js';

const root = path.resolve(import.meta.dirname, '../..');
const out = path.join(root, 'test-output/svelte-ssr');
type Component = Parameters<typeof render>[0];
const components: Record<string, Component> = {};

/** Compiles a component of this folder for the server; its import of the binding points at the source. */
async function serverComponent(name: string): Promise<Component> {
  const file = path.join(import.meta.dirname, `${name}.svelte`);
  const { js } = compile(readFileSync(file, 'utf8'), { filename: file, generate: 'server' });
  mkdirSync(out, { recursive: true });
  const target = path.join(out, `${name}.js`);
  writeFileSync(target, js.code.replaceAll("'../../src/svelte/index.js'", JSON.stringify(path.join(root, 'src/svelte/index.ts'))));
  return ((await import(target)) as { default: Component }).default;
}

beforeAll(async () => {
  for (const name of ['App', 'Legacy']) components[name] = await serverComponent(name);
});

/** The markup without Svelte's hydration comments. */
const html = (component: Component, sync: ConversationSync): string => render(component, { props: { sync } as never }).body.replace(/<!--[^]*?-->/g, '');

for (const name of ['App', 'Legacy']) {
  it(`render (${name}): every store, a never-started client: the empty state, and the client untouched`, async () => {
    const real = neverStarted(`alice-${name}`);
    const { sync, reads } = watched(real);
    expect(html(components[name]!, sync)).toBe('<main><p id="status">stopped false false 0</p><p id="totals">0 0 0 true false</p><p id="one">none</p><p id="writes">0</p><ul></ul></main>');
    expect(reads).toEqual([]);
    await expectUntouched(real);
  });
}

it('render twice with the same client gives the same markup', () => {
  const sync = neverStarted('bob');
  const a = html(components['App']!, sync);
  expect(html(components['App']!, sync)).toBe(a);
  expect(a).toContain('<ul></ul>');
});

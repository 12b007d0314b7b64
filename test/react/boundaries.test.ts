/**
 * Where the frameworks may appear: React only in src/react, Vue only in src/vue, Svelte
 * nowhere (convsync/svelte implements the store contract by hand). Each binding imports
 * its framework, rxjs's types, the client's public entry (types only), src/bindings and
 * its own files, never another binding; src/bindings imports no framework at all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const src = path.resolve(import.meta.dirname, '../../src');
const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => f.split(path.sep).join('/'));
/** Every module specifier a file imports or re-exports, with whether the import is type-only. */
const importsOf = (f: string) =>
  [...readFileSync(path.join(src, f), 'utf8').matchAll(/^(import|export)(\s+type)?\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|require\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm)].map((m) => ({
    spec: m[3] ?? m[4] ?? m[5] ?? m[6]!,
    typeOnly: m[2] !== undefined,
  }));

const frameworks: Record<string, RegExp> = { react: /^react(-dom)?(\/|$)/, vue: /^(vue|@vue\/)/, svelte: /^svelte(\/|$)/ };
const bindings = { react: 'react', vue: 'vue', svelte: null, bindings: null } as const;

it('finds the sources', () => {
  expect(files).toContain('index.ts');
  expect(files).toContain('react/hooks.ts');
  expect(files).toContain('bindings/page.ts');
  expect(importsOf('react/hooks.ts').map((i) => i.spec)).toContain('react');
  expect(importsOf('react/hooks.ts').map((i) => i.spec)).toContain('../bindings/page.js');
});

it('a framework is imported only by its own binding (Svelte by none)', () => {
  const offenders = files.flatMap((f) =>
    Object.entries(frameworks)
      .filter(([name, re]) => !(f.startsWith(`${name}/`) && name !== 'svelte') && importsOf(f).some((i) => re.test(i.spec)))
      .map(([name]) => `${f} imports ${name}`),
  );
  expect(offenders).toEqual([]);
});

it('each binding imports its framework, rxjs types, the public client entry (types), src/bindings and itself only', () => {
  const bad = Object.entries(bindings).flatMap(([dir, framework]) =>
    files
      .filter((f) => f.startsWith(`${dir}/`))
      .flatMap((f) => importsOf(f).map((i) => ({ f, ...i })))
      .filter(
        ({ spec, typeOnly }) =>
          !(
            (framework !== null && spec === framework) ||
            (typeOnly && (spec === 'rxjs' || spec === '../index.js')) ||
            /^\.\/[\w-]+\.js$/.test(spec) ||
            (dir !== 'bindings' && /^\.\.\/bindings\/[\w-]+\.js$/.test(spec))
          ),
      ),
  );
  expect(bad).toEqual([]);
});

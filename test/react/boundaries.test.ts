/**
 * Where React may appear: only src/react imports it, and src/react imports nothing but
 * React, rxjs's types, the client's public entry (types only) and its own files.
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

it('finds the sources', () => {
  expect(files).toContain('index.ts');
  expect(files).toContain('react/page.ts');
  expect(importsOf('react/page.ts').map((i) => i.spec)).toContain('react');
});

it('nothing outside src/react imports React', () => {
  const offenders = files.filter((f) => !f.startsWith('react/')).filter((f) => importsOf(f).some((i) => /^react(-dom)?(\/|$)/.test(i.spec)));
  expect(offenders).toEqual([]);
});

it('src/react imports React, rxjs types, the public client entry (types) and itself only', () => {
  const bad = files
    .filter((f) => f.startsWith('react/'))
    .flatMap((f) => importsOf(f).map((i) => ({ f, ...i })))
    .filter(({ spec, typeOnly }) => !(spec === 'react' || (typeOnly && (spec === 'rxjs' || spec === '../index.js')) || /^\.\/[\w-]+\.js$/.test(spec)));
  expect(bad).toEqual([]);
});

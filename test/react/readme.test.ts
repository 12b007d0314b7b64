/**
 * The README's React section shows the real thing: the hook signatures are the block that
 * test/react/hooks.test-d.ts type-checks against the hooks, and the component is the
 * example's (examples/react/src/conversation-list.tsx, type-checked and run in Chromium).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const read = (f: string) => readFileSync(path.join(root, f), 'utf8');
const readme = read('README.md');

/** The fenced code blocks of one language in the README. */
const blocks = (lang: string) => [...readme.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm'))].map((m) => m[1]);

it('shows the hook signatures that the type test checks', () => {
  const src = read('test/react/hooks.test-d.ts');
  const m = /\/\/ README hooks: begin\n([\s\S]*?)\/\/ README hooks: end/.exec(src);
  expect(m, 'markers in hooks.test-d.ts').not.toBeNull();
  expect(m![1]).toMatch(/useConversationPage[\s\S]*usePendingWrites/);
  expect(blocks('ts')).toContain(m![1]);
});

it("shows the example's component, verbatim", () => {
  expect(blocks('tsx')).toContain(read('examples/react/src/conversation-list.tsx'));
});

it('has the React install line', () => {
  expect(blocks('sh').some((b) => /^npm i convsync react\b/m.test(b!))).toBe(true);
});

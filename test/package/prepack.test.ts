/**
 * `npm pack` on a clone that was never built: the `prepack` script builds, so the
 * tarball holds dist/ (without it, the package would ship no code at all). The clone is
 * the repository's files without dist/, node_modules (linked) or any output.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const skip = new Set(['.git', 'node_modules', 'dist', 'test-output', 'demo/dist', '.tmp']);
let clone = '';

afterAll(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

// a full build on a busy 2-core machine: minutes, not seconds
it('npm pack on an unbuilt clone builds first and ships dist/', { timeout: 300_000 }, () => {
  clone = mkdtempSync(path.join(tmpdir(), 'convsync-prepack-'));
  cpSync(root, clone, { recursive: true, filter: (src) => !skip.has(path.relative(root, src).split(path.sep).join('/')) && !src.endsWith('.tgz') });
  symlinkSync(path.join(root, 'node_modules'), path.join(clone, 'node_modules'));
  expect(existsSync(path.join(clone, 'dist'))).toBe(false);
  expect(existsSync(path.join(clone, 'package.json'))).toBe(true);

  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: clone, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const files = (JSON.parse(out.slice(out.indexOf('['))) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  for (const f of ['index.js', 'index.cjs', 'index.d.ts', 'server.js', 'react.js', 'react.cjs', 'cli.js']) expect(files).toContain(`dist/${f}`);
});

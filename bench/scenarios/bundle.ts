/**
 * Scenario 8: minified + gzipped bytes of the browser entry with the idb adapter and
 * with the dexie adapter, measured by the same function as `npm run size`
 * (scripts/bundle-size.mjs: rollup, node-resolve for the browser, commonjs, terser,
 * gzip -9, dynamic imports inlined so a lazily loaded Dexie counts). The package's client
 * entry is built first with the package's own rollup + esbuild settings into
 * .tmp/bench/pkg, from the current src/ (dist/ is left alone).
 * Replicache and @openim/client-sdk are measured by the same function when installed in
 * bench/compare (`npm install --prefix bench/compare`: bench-only, never a dependency of
 * the package); otherwise the figures are shown, marked quoted, not measured.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDir, root } from '../lib/paths.js';
import { fmtBytes, ratio } from '../lib/stats.js';
import type { Row } from '../lib/types.js';

type Measure = (w: { names: string[]; from?: string }) => Promise<{ bytes: number; gzip: number; modules: string[] }>;

/** The client entry built with the package's rollup + esbuild settings (as rollup.config.mjs). */
async function buildClientEntry(): Promise<string> {
  // computed specifiers: resolved at run time from the repository's node_modules
  const { rollup } = (await import('rollup')) as typeof import('rollup');
  const esbuildPlugin = ((await import('rollup-plugin-esbuild')) as unknown as { default: (o: object) => import('rollup').Plugin }).default;
  const out = join(buildDir, 'pkg');
  const bundle = await rollup({
    input: { index: join(root, 'src/index.ts') },
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
    plugins: [esbuildPlugin({ target: 'es2022', tsconfig: join(root, 'tsconfig.json') })],
    onwarn: () => {},
  });
  await bundle.write({ dir: out, format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' });
  await bundle.close();
  return join(out, 'index.js');
}

export const QUOTED = { replicache: 35.5 * 1024, openim: 50.7 * 1024 };

export async function benchBundle(log: (s: string) => void): Promise<Row[]> {
  const script = pathToFileURL(join(root, 'scripts/bundle-size.mjs')).href;
  const { measureBundle } = (await import(script)) as { measureBundle: Measure };
  const from = await buildClientEntry();
  const rows: Row[] = [];
  const hasDexie = (m: string[]) => (m.some((x) => x.includes('/node_modules/dexie/')) ? 'yes' : 'no');
  const idb = await measureBundle({ names: ['createConversationSync', 'idbStorage'], from });
  const dexie = await measureBundle({ names: ['createConversationSync', 'dexieStorage'], from });
  rows.push({
    scenario: 8,
    runtime: 'build',
    name: 'browser entry · createConversationSync + idbStorage (min+gzip)',
    unit: 'B',
    value: idb.gzip,
    extra: `${fmtBytes(idb.gzip)} gzip · ${fmtBytes(idb.bytes)} min · Dexie in bundle: ${hasDexie(idb.modules)}`,
  });
  rows.push({
    scenario: 8,
    runtime: 'build',
    name: 'browser entry · createConversationSync + dexieStorage (min+gzip, Dexie included)',
    unit: 'B',
    value: dexie.gzip,
    extra: `${fmtBytes(dexie.gzip)} gzip · ${fmtBytes(dexie.bytes)} min · Dexie in bundle: ${hasDexie(dexie.modules)}`,
  });
  const cmp = join(root, 'bench/compare/node_modules');
  const others = [
    { label: 'replicache', names: ['Replicache'], file: join(cmp, 'replicache/out/replicache.js'), quoted: QUOTED.replicache },
    { label: '@openim/client-sdk', names: ['getSDK'], file: join(cmp, '@openim/client-sdk/lib/index.es.js'), quoted: QUOTED.openim },
  ];
  for (const o of others) {
    const measured = existsSync(o.file) ? await measureBundle({ names: o.names, from: o.file }).catch(() => null) : null;
    if (measured) {
      rows.push({
        scenario: 8,
        runtime: 'build',
        name: `${o.label} · ${o.names.join(', ')} (min+gzip, measured)`,
        unit: 'B',
        value: measured.gzip,
        ratio: { value: ratio(idb.gzip, measured.gzip), against: `convsync+idb ÷ ${o.label}` },
        extra: `${fmtBytes(measured.gzip)} gzip · ${fmtBytes(measured.bytes)} min · issue 6 quotes ${fmtBytes(o.quoted)}`,
      });
    } else {
      rows.push({
        scenario: 8,
        runtime: 'build',
        name: `${o.label} (quoted in issue 6, not measured)`,
        unit: 'B',
        value: o.quoted,
        ratio: { value: ratio(idb.gzip, o.quoted), against: `convsync+idb ÷ ${o.label} (quoted)` },
        extra: existsSync(o.file) ? 'installed, but the measurement failed' : 'not installed: npm install --prefix bench/compare',
      });
    }
  }
  log('  bundle done');
  return rows;
}

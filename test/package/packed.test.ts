// The package as users receive it: `npm pack`, unpacked into a temporary project,
// imported as ESM, as CJS, and bundled for the browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @ts-expect-error plain .mjs helper without types
import { BINDINGS, measureBinding, measureBundle } from '../../scripts/bundle-size.mjs';

const root = path.resolve(import.meta.dirname, '../..');
let project = '';
/** A second consumer with only the package's dependencies: no dexie, no ws, no react (optional peers). */
let bare = '';
let files: string[] = [];

/** Each test runs Node a few times or bundles with rollup: ample for a busy 2-core machine, not the 30 s default. */
const SLOW = { timeout: 180_000 };

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'convsync-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], { cwd: root, encoding: 'utf8' });
  const info = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = info[0]!.files.map((f) => f.path);
  const modules = path.join(project, 'node_modules');
  mkdirSync(modules);
  execFileSync('tar', ['-xzf', path.join(project, info[0]!.filename), '-C', modules]);
  execFileSync('mv', [path.join(modules, 'package'), path.join(modules, 'convsync')]);
  // The package's dependencies come from this repository's install: no registry needed.
  for (const dep of ['dexie', 'idb', 'rxjs', 'ws', 'tslib', 'react', 'react-dom', 'scheduler']) {
    try {
      symlinkSync(path.join(root, 'node_modules', dep), path.join(modules, dep));
    } catch {
      /* not every dependency has every optional peer */
    }
  }
  writeFileSync(path.join(project, 'package.json'), '{"name":"consumer","private":true}');
  // not inside `project`: Node would find dexie and ws in its node_modules
  bare = mkdtempSync(path.join(tmpdir(), 'convsync-bare-'));
  mkdirSync(path.join(bare, 'node_modules'));
  execFileSync('cp', ['-R', path.join(modules, 'convsync'), path.join(bare, 'node_modules', 'convsync')]);
  for (const dep of ['idb', 'rxjs', 'tslib', 'fake-indexeddb']) {
    try {
      symlinkSync(path.join(root, 'node_modules', dep), path.join(bare, 'node_modules', dep));
    } catch {
      /* not every dependency has every optional peer */
    }
  }
  writeFileSync(path.join(bare, 'package.json'), '{"name":"bare-consumer","private":true}');
}, 180_000);

afterAll(() => {
  for (const dir of [project, bare]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (file: string, code: string, cwd = project) => {
  writeFileSync(path.join(cwd, file), code);
  return execFileSync(process.execPath, [file], { cwd, encoding: 'utf8' }).trim();
};

/** Starts the packaged server, syncs the packaged client against it, prints what it got. */
const smoke = `
  const server = await createServer({ port: 0, host: '127.0.0.1', admin: true });
  const post = async (path, body) => (await (await fetch(server.url + path, { method: 'POST', body: JSON.stringify(body) })).json()).data;
  await post('/admin/seed', { userID: 'u1', count: 3 });
  const { token } = await post('/admin/token', { userID: 'u1' });
  const sync = createConversationSync({ userID: 'u1', apiURL: server.url, token, storage: memoryStorage({ name: 'pack-' + Math.random() }) });
  await sync.start();
  const mode = await sync.sync();
  const page = await sync.getPage({ limit: 10 });
  await sync.stop();
  await server.close();
  console.log(mode, page.items.length, new ConvSyncError('STORAGE', 'x').code);
`;

describe('packed tarball', SLOW, () => {
  it('contains only what users need', () => {
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.cjs');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/server.js');
    expect(files).toContain('dist/testing.js');
    expect(files).toContain('dist/testing.cjs');
    expect(files).toContain('dist/testing.d.ts');
    expect(files).toContain('dist/conformance.js');
    for (const b of ['react', 'vue', 'svelte']) for (const f of ['js', 'cjs', 'd.ts', 'd.cts']) expect(files).toContain(`dist/${b}.${f}`);
    const unexpected = files.filter((f) => !/^(dist\/|package\.json$|README\.md$|LICENSE$)/.test(f));
    expect(unexpected).toEqual([]);
    expect(files.some((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
  });

  it("the React entry starts with 'use client' (ESM and CJS); the other entries do not", () => {
    const head = (f: string) => readFileSync(path.join(project, 'node_modules/convsync/dist', f), 'utf8').split('\n', 1)[0];
    expect(head('react.js')).toBe("'use client';");
    expect(head('react.cjs')).toBe("'use client';");
    for (const f of ['index.js', 'index.cjs', 'server.js', 'testing.js']) expect(head(f)).not.toMatch(/use client/);
  });

  it('works as ESM', () => {
    const out = run('esm.mjs', `import { createConversationSync, memoryStorage, ConvSyncError } from 'convsync';\nimport { createServer } from 'convsync/server';\n${smoke}`);
    expect(out).toBe('full 3 STORAGE');
  });

  it('works as CJS', () => {
    const out = run(
      'cjs.cjs',
      `const { createConversationSync, memoryStorage, ConvSyncError } = require('convsync');\nconst { createServer } = require('convsync/server');\n(async () => {${smoke}})();`,
    );
    expect(out).toBe('full 3 STORAGE');
  });

  it('the client works without the optional peers (dexie, ws); dexieStorage() says what is missing', () => {
    const code = (head: string) => `${head}
      const s = memoryStorage({ name: 'bare' });
      await s.open('u1');
      await s.close();
      const err = await dexieStorage({ name: 'bare', indexedDB, IDBKeyRange }).open('u1').then(() => null, (e) => e);
      console.log(typeof createConversationSync, err instanceof ConvSyncError, /dexie/i.test(String(err && err.message)));`;
    const esm = run('bare.mjs', code(`import { createConversationSync, memoryStorage, dexieStorage, ConvSyncError } from 'convsync';\nimport { indexedDB, IDBKeyRange } from 'fake-indexeddb';`), bare);
    expect(esm).toBe('function true true');
    const cjs = run(
      'bare.cjs',
      `(async () => {${code(`const { createConversationSync, memoryStorage, dexieStorage, ConvSyncError } = require('convsync');\nconst { indexedDB, IDBKeyRange } = require('fake-indexeddb');`)}})();`,
      bare,
    );
    expect(cjs).toBe('function true true');
  });

  it('react entry works as ESM and CJS: server-renders every hook with a client that never started', () => {
    const app = (h: string) => `${h}
      const sync = createConversationSync({ userID: 'u1', apiURL: 'http://127.0.0.1:9', token: 't', storage: memoryStorage({ name: 'ssr' }) });
      function App() {
        const page = useConversationPage(sync, { limit: 5 });
        const one = useConversation(sync, 'x');
        const s = useSyncStatus(sync);
        const text = [page.loading, page.items.length, useTotalUnread(sync), usePendingWrites(sync).length, s.state, one === undefined].join(' ');
        return createElement('p', null, text);
      }
      console.log(renderToString(createElement(App)));`;
    const names = 'useConversationPage, useConversation, useTotalUnread, useSyncStatus, usePendingWrites';
    const esm = run('react.mjs', app(`import { ${names} } from 'convsync/react';\nimport { createConversationSync, memoryStorage } from 'convsync';\nimport { createElement } from 'react';\nimport { renderToString } from 'react-dom/server';`));
    expect(esm).toBe('<p>true 0 0 0 stopped true</p>');
    const cjs = run(
      'react.cjs',
      app(`const { ${names} } = require('convsync/react');\nconst { createConversationSync, memoryStorage } = require('convsync');\nconst { createElement } = require('react');\nconst { renderToString } = require('react-dom/server');`),
    );
    expect(cjs).toBe('<p>true 0 0 0 stopped true</p>');
  });

  it('without react: the core entry still runs; convsync/react names the missing package', () => {
    const esm = run('noreact.mjs', `import { createConversationSync } from 'convsync';\nconst e = await import('convsync/react').then(() => null, (e) => e);\nconsole.log(typeof createConversationSync, e.code, e.message);`, bare);
    expect(esm).toMatch(/^function ERR_MODULE_NOT_FOUND Cannot find package 'react' imported from .*convsync.dist.react\.js/);
    const cjs = run('noreact.cjs', `const { createConversationSync } = require('convsync');\nlet e = null;\ntry { require('convsync/react'); } catch (x) { e = x; }\nconsole.log(typeof createConversationSync, e.code, e.message.split('\\n')[0]);`, bare);
    expect(cjs).toMatch(/^function MODULE_NOT_FOUND Cannot find module 'react'/);
  });

  it('server entry works as ESM and CJS', () => {
    expect(run('srv.mjs', `import { createServer } from 'convsync/server'; console.log(typeof createServer);`)).toBe('function');
    expect(run('srv.cjs', `const { createServer } = require('convsync/server'); console.log(typeof createServer);`)).toBe('function');
  });

  it('testing entry and the conformance bin work as ESM and CJS', () => {
    expect(run('kit.mjs', `import { runConformance, CHECKS } from 'convsync/testing'; console.log(typeof runConformance, CHECKS.length > 10);`)).toBe('function true');
    expect(run('kit.cjs', `const { runConformance, CHECKS } = require('convsync/testing'); console.log(typeof runConformance, CHECKS.length > 10);`)).toBe('function true');
    const list = execFileSync(process.execPath, ['node_modules/convsync/dist/conformance.js', '--list'], { cwd: project, encoding: 'utf8' });
    expect(list).toMatch(/^decision\.incremental: /m);
  });

  it('without ws: the server entry imports, createServer and the CLI say to install ws', () => {
    const esm = run('nows.mjs', `import { createServer } from 'convsync/server';\nconst e = await createServer().then(() => null, (e) => e);\nconsole.log(e.name, e.message);`, bare);
    expect(esm).toMatch(/^MissingPeerError .*"ws".*npm i ws/);
    const cjs = run('nows.cjs', `const { createServer } = require('convsync/server');\ncreateServer().then(() => console.log('started'), (e) => console.log(e.name, e.message));`, bare);
    expect(cjs).toMatch(/^MissingPeerError .*npm i ws/);
    const cli = spawnSync(process.execPath, ['node_modules/convsync/dist/cli.js', '--port', '0'], { cwd: bare, encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/needs the "ws" package.*npm i ws/);
  });

  it('without pg: --store postgres:// and createServer({ store }) say to install pg; the memory store starts without it', () => {
    const code = `import { createServer } from 'convsync/server';
      const e = await createServer({ store: 'postgres://nobody@127.0.0.1:1/none' }).then(() => null, (e) => e);
      const s = await createServer({ port: 0 });
      await s.close();
      console.log(e.name, e.message, typeof s.url);`;
    expect(run('nopg.mjs', code)).toMatch(/^MissingPeerError .*"pg".*npm i pg.* string$/);
    const cli = spawnSync(process.execPath, ['node_modules/convsync/dist/cli.js', '--port', '0', '--store', 'postgres://nobody@127.0.0.1:1/none'], { cwd: project, encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/needs the "pg" package.*npm i pg/);
  });

  it('bundles for the browser without dexie or server code when only idb is used', async () => {
    const from = path.join(project, 'node_modules/convsync/dist/index.js');
    const r = await measureBundle({ names: ['createConversationSync', 'idbStorage'], from });
    expect(r.modules.some((m: string) => m.includes('/dexie/'))).toBe(false);
    expect(r.modules.some((m: string) => m.includes('/idb/'))).toBe(true);
    expect(r.code).not.toMatch(/createServer|node:http|VersionLog/);
    // no React in the core entry
    expect(r.modules.some((m: string) => /[\\/]react(-dom)?[\\/]/.test(m))).toBe(false);
    expect(r.code).not.toMatch(/useSyncExternalStore/);
    const d = await measureBundle({ names: ['createConversationSync', 'dexieStorage'], from });
    expect(d.modules.some((m: string) => m.includes('/dexie/'))).toBe(true);
  });
});

describe('bundle size', SLOW, () => {
  it('stays within the budget written in the README', async () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const m = /Size budget: \*\*(\d+(?:\.\d+)?) KB\*\*/.exec(readme);
    expect(m, 'README states "Size budget: **N KB**"').not.toBeNull();
    const budget = Number(m![1]) * 1024;
    const r = await measureBundle({ names: ['createConversationSync', 'idbStorage'] });
    expect(r.gzip).toBeLessThanOrEqual(budget);
  });

  it('each binding entry stays within the budget written in the README, and holds only itself (no other binding, no shared chunk)', async () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const m = /Binding size budget: \*\*(\d+(?:\.\d+)?) KB\*\*/.exec(readme);
    expect(m, 'README states "Binding size budget: **N KB**"').not.toBeNull();
    expect(Object.keys(BINDINGS)).toEqual(['react', 'vue', 'svelte']);
    for (const name of Object.keys(BINDINGS)) {
      const r = await measureBinding(name);
      expect(r.inputs).toEqual([path.join(root, `dist/${name}.js`)]);
      expect(r.gzip, name).toBeLessThanOrEqual(Number(m![1]) * 1024);
    }
  });
});

/**
 * The Chromium driver: the page is served by the reference server (same origin) with a
 * bench bundle built from bench/ops/browser-entry.ts; Debian's Chromium is launched through
 * support/chromium.ts (shared with the browser tests: playwright-core, /usr/bin/chromium,
 * never a downloaded browser). Client-side operations run in the page with real
 * IndexedDB; peak memory is the page's JS heap, sampled over the DevTools protocol.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM, launch, type Browser } from '../../support/chromium.js';
import { buildDir, root } from '../lib/paths.js';
import type { Driver, OpName } from '../lib/types.js';

/** Builds the page (bench.js + index.html) into .tmp/bench/www; returns the folder. */
export async function buildPage(): Promise<string> {
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  const www = join(buildDir, 'www');
  mkdirSync(www, { recursive: true });
  await esbuild.build({
    entryPoints: [join(root, 'bench/ops/browser-entry.ts')],
    outfile: join(www, 'bench.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: false,
    logLevel: 'silent',
  });
  writeFileSync(join(www, 'index.html'), '<!doctype html><meta charset="utf-8"><title>convsync bench</title><script type="module" src="/bench.js"></script>\n');
  return www;
}

export async function chromiumDriver(url: string): Promise<{ driver: Driver; version: string }> {
  const browser: Browser = await launch();
  const { page } = browser;
  try {
    await page.goto(`${url}/index.html`);
    await page.waitForFunction(() => (globalThis as unknown as { benchReady?: boolean }).benchReady === true, null, { timeout: 30_000 });
  } catch (e) {
    await browser.close();
    throw new Error(`the bench page did not load: ${String(e)} ${browser.problems.join('; ')}`);
  }
  const ua = await page.evaluate(() => navigator.userAgent);
  let version = /Chrome\/([\d.]+)/.exec(ua)?.[1] ?? ua; // the user agent reduces the version to N.0.0.0
  try {
    version = /([\d]+\.[\d.]+)/.exec(execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 10_000 }))?.[1] ?? version;
  } catch {
    /* keep the user agent's */
  }
  const cdp = await browser.context.newCDPSession(page);
  const driver: Driver = {
    runtime: 'chromium',
    apiURL: url,
    memoryLabel: 'JS heap',
    async call<R>(op: OpName, arg: Record<string, unknown>): Promise<R> {
      try {
        return (await page.evaluate(([o, a]) => (globalThis as unknown as { bench: Record<string, (x: unknown) => Promise<unknown>> }).bench[o]!(a), [op, arg] as const)) as R;
      } catch (e) {
        throw new Error(`chromium ${op}: ${e instanceof Error ? e.message : String(e)}${browser.problems.length ? ` (${browser.problems.slice(-3).join('; ')})` : ''}`);
      }
    },
    async peakMemory<T>(fn: () => Promise<T>): Promise<{ value: T; peak: number }> {
      let peak = 0;
      let running = true;
      const sample = async (): Promise<void> => {
        for (let i = 0; running && i < 1_000_000; i++) {
          const h = (await cdp.send('Runtime.getHeapUsage').catch(() => ({ usedSize: 0 }))) as { usedSize: number };
          if (h.usedSize > peak) peak = h.usedSize;
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const sampler = sample();
      try {
        const value = await fn();
        return { value, peak };
      } finally {
        running = false;
        await sampler;
      }
    },
    async close() {
      await cdp.detach().catch(() => undefined);
      await browser.close();
    },
  };
  return { driver, version };
}

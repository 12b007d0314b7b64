/**
 * Runs the checks one after another against a server, each within its time limit and the
 * whole run within its own, and reports every check with pass/fail and a reason.
 */
import { syncChecks } from './checks-sync.js';
import { writeChecks } from './checks-writes.js';
import { onceChecks } from './checks-once.js';
import { KitClient } from './client.js';
import type { Check, CheckResult, KitOptions, KitReport } from './types.js';

/** Every check of the kit, in the order they run. */
export const CHECKS: readonly Check[] = [...syncChecks, ...writeChecks, ...onceChecks];

/** `ws://host/ws` for `http://host` (and wss for https). */
export function defaultWsURL(url: string): string {
  const u = new URL(url);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = u.pathname.replace(/\/$/, '') + '/ws';
  return u.toString();
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

/**
 * Runs the conformance checks against the server at `url` (which must have its admin
 * endpoints on: `/admin/token`, `/admin/upsert`, `/admin/delete`, `/admin/compact`,
 * `/admin/reset_log`). Never throws for a failing server: every failure is in the report.
 */
export async function runConformance(url: string, o: KitOptions = {}): Promise<KitReport> {
  const base = url.replace(/\/+$/, '');
  const runID = Math.random().toString(36).slice(2, 8);
  const k = new KitClient(base, o.wsURL ?? defaultWsURL(base), o.syncLimit ?? 200, runID);
  const checks = CHECKS.filter((c) => !o.only || o.only.some((p) => c.name.startsWith(p)));
  const deadline = Date.now() + (o.totalTimeoutMs ?? 300_000);
  const results: CheckResult[] = [];
  for (const c of checks) {
    const t0 = Date.now();
    let r: CheckResult;
    if (t0 > deadline) r = { name: c.name, title: c.title, ok: false, ms: 0, reason: 'not run: the run took longer than totalTimeoutMs' };
    else {
      try {
        await withTimeout(c.run(k), Math.min(o.checkTimeoutMs ?? 15_000, deadline - t0 + 1), c.name);
        r = { name: c.name, title: c.title, ok: true, ms: Date.now() - t0 };
      } catch (e) {
        r = { name: c.name, title: c.title, ok: false, ms: Date.now() - t0, reason: e instanceof Error ? e.message : String(e) };
      } finally {
        k.cleanup();
      }
    }
    results.push(r);
    o.onResult?.(r);
  }
  const passed = results.filter((r) => r.ok).length;
  return { url: base, passed, failed: results.length - passed, results };
}

/** One line per check and the closing `N passed, N failed` line. */
export function formatReport(r: KitReport): string {
  const lines = r.results.map((x) => (x.ok ? `✓ ${x.name} (${x.ms} ms)` : `✗ ${x.name}: ${x.reason}`));
  return [...lines, `${r.passed} passed, ${r.failed} failed`].join('\n');
}

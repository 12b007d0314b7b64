/**
 * The probes of an orchestrator (GET or HEAD, no token): `/healthz` answers 200 while the
 * process runs; `/readyz` answers 200 when the store can serve now and 503 (with
 * `Retry-After`) while its database cannot be reached, so a load balancer sends the
 * requests to another instance meanwhile. A readiness check that takes longer than
 * `READY_TIMEOUT_MS` counts as not ready.
 */
import { RETRY_AFTER_SECONDS } from '../unavailable.js';

export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);
const READY_TIMEOUT_MS = 2000;

export interface ProbeAnswer {
  status: number;
  headers: Record<string, string>;
  body: { status: 'ok' | 'unavailable'; error?: string };
}

/** The answer of a probe path; `ready` is the store's readiness check (none: always ready). */
export async function probe(path: string, ready: (() => Promise<void>) | undefined): Promise<ProbeAnswer> {
  const ok: ProbeAnswer = { status: 200, headers: {}, body: { status: 'ok' } };
  if (path === '/healthz' || !ready) return ok;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
  });
  try {
    await Promise.race([ready(), late]);
    return ok;
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return { status: 503, headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) }, body: { status: 'unavailable', error } };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The two clients scenarios 2 and 3 measure side by side, per adapter: one holding the
 * small list and one the large (`flatSizes`), open in the driver's runtime.
 */
import type { BenchConfig } from './config.js';
import { seedUser } from './http.js';
import type { AdapterName, Driver } from './types.js';
import { nf, uniq } from './util.js';

export interface Side {
  N: number;
  userID: string;
  token: string;
  /** database name (reopened warm by scenario 3) */
  name: string;
  /** client handle in the driver's runtime */
  h: number;
}

/** Seeds a user per size and opens a client on each, synced to the end. */
export async function openPair(d: Driver, serverURL: string, cfg: BenchConfig, adapter: AdapterName, log: (s: string) => void): Promise<Side[]> {
  const [small, large] = cfg.flatSizes;
  const sides: Side[] = [];
  for (const N of [small, large]) {
    const { userID, token } = await seedUser(serverURL, 'incr', N);
    const name = uniq(`bench-incr-${adapter}`);
    const r = await d.call<{ h: number; count: number }>('openClient', { userID, token, adapter, name, expect: N });
    if (r.count !== N) throw new Error(`incremental setup ${adapter} N=${N}: ${r.count} records`);
    sides.push({ N, userID, token, name, h: r.h });
  }
  log(`  incremental ${d.runtime} ${adapter}: clients of ${nf(small)} and ${nf(large)} ready`);
  return sides;
}

/** Deletes the pair's databases (the clients must be closed). */
export async function deletePair(d: Driver, sides: readonly Side[], adapter: AdapterName): Promise<void> {
  for (const s of sides) {
    const r = await d.call<{ h: number }>('openClient', { userID: s.userID, token: s.token, adapter, name: s.name });
    await d.call('closeClient', { h: r.h, clear: true });
  }
}

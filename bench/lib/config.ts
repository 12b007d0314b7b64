/** The bench configuration: the full run, or the quick one (tiny sizes, a smoke check). */
import type { AdapterName } from './types.js';

/** The storage adapters scenarios 1–3 measure, in this order. */
export const ADAPTERS: AdapterName[] = ['idb', 'dexie', 'memory'];

export interface BenchConfig {
  quick: boolean;
  /** untimed runs before the timed ones */
  warmup: number;
  /** timed runs of every scenario */
  runs: number;
  /** timed runs where one run is very long (N = 100,000 full syncs); stated in the table */
  runsLarge: number;
  fullSizes: number[];
  /** the two list sizes compared by scenarios 2 and 3 (small, large) */
  flatSizes: [number, number];
  incrementalK: number[];
  latencyChanges: number;
  latencyN: number;
  burstChanges: number;
  burstMs: number;
  burstN: number;
  bytesSizes: number[];
  bytesK: number[];
  serverLogSizes: [number, number];
  serverClients: number;
  serverSeconds: number;
  fanoutSockets: number;
  fanoutRounds: number;
  /** list sizes of scenario 10 (first paint, cold and warm); the largest also counts long tasks */
  paintSizes: number[];
}

export function benchConfig(quick: boolean, overrides: Partial<BenchConfig> = {}): BenchConfig {
  return { ...baseConfig(quick), ...overrides };
}

function baseConfig(quick: boolean): BenchConfig {
  return quick
    ? {
        quick,
        warmup: 1,
        runs: 2,
        runsLarge: 1,
        fullSizes: [300],
        flatSizes: [200, 2000],
        incrementalK: [1, 10],
        latencyChanges: 20,
        latencyN: 200,
        burstChanges: 100,
        burstMs: 200,
        burstN: 200,
        bytesSizes: [1000],
        bytesK: [1, 10],
        serverLogSizes: [1000, 20_000],
        serverClients: 20,
        serverSeconds: 0.3,
        fanoutSockets: 50,
        fanoutRounds: 2,
        paintSizes: [1000, 10_000],
      }
    : {
        quick,
        warmup: 1,
        runs: 5,
        runsLarge: 3,
        fullSizes: [1000, 10_000, 100_000],
        flatSizes: [1000, 100_000],
        incrementalK: [1, 10, 200],
        latencyChanges: 1000,
        latencyN: 1000,
        burstChanges: 1000,
        burstMs: 1000,
        burstN: 1000,
        bytesSizes: [1000, 10_000, 100_000],
        bytesK: [1, 10, 200],
        serverLogSizes: [1000, 1_000_000],
        serverClients: 200,
        serverSeconds: 2,
        fanoutSockets: 1000,
        fanoutRounds: 20,
        paintSizes: [1000, 10_000, 100_000],
      };
}

/** The Node driver: fake-indexeddb for IndexedDB, `ws` for WebSocket; peak memory is the process RSS. */
import 'fake-indexeddb/auto';
import WebSocket from 'ws';
import type { Driver, OpName } from '../lib/types.js';
import { setClientEnv } from '../ops/client.js';
import { ops } from '../ops/index.js';

export function nodeDriver(apiURL: string, wsURL: string): Driver {
  setClientEnv({ runtime: 'node', apiURL, wsURL, WebSocket: WebSocket as unknown as new (url: string) => object });
  const table = ops as unknown as Record<string, (a: Record<string, unknown>) => Promise<unknown>>;
  return {
    runtime: 'node',
    apiURL,
    memoryLabel: 'RSS',
    async call<R>(op: OpName, arg: Record<string, unknown>): Promise<R> {
      return (await table[op]!(arg)) as R;
    },
    async peakMemory<T>(fn: () => Promise<T>): Promise<{ value: T; peak: number }> {
      let peak = process.memoryUsage.rss();
      const timer = setInterval(() => {
        const r = process.memoryUsage.rss();
        if (r > peak) peak = r;
      }, 10);
      try {
        const value = await fn();
        const r = process.memoryUsage.rss();
        return { value, peak: Math.max(peak, r) };
      } finally {
        clearInterval(timer);
      }
    },
    async close() {},
  };
}

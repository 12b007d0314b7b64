/**
 * The page side of the Chromium benchmarks: real IndexedDB, the browser's fetch and
 * WebSocket, the same client-side operations as in Node (bench/ops/index.ts), served from
 * the reference server (same origin).
 */
import { setClientEnv } from './client.js';
import { ops } from './index.js';

const origin = location.origin;
setClientEnv({
  runtime: 'chromium',
  apiURL: origin,
  wsURL: origin.replace(/^http/, 'ws') + '/ws',
  WebSocket: WebSocket,
});

(globalThis as unknown as { bench: typeof ops; benchReady: boolean }).bench = ops;
(globalThis as unknown as { benchReady: boolean }).benchReady = true;

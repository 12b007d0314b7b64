/**
 * convsync/testing: the conformance kit. Points at any server that speaks the protocol
 * (SPEC §2–§4) over HTTP and WebSocket and checks its behaviour; `npx convsync-conformance
 * <url>` runs it from a shell. Depends on the protocol only (and on `ws` in Node 20).
 */
export { runConformance, formatReport, defaultWsURL, CHECKS } from './run.js';
export { KitFailure } from './types.js';
export type { Check, CheckResult, KitOptions, KitReport } from './types.js';
export { KitClient } from './client.js';
export type { Answer } from './client.js';
export { KitSocket } from './socket.js';

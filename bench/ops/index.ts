/**
 * The client-side operations a driver can run, by name (lib/types.ts `OpName`). In Node
 * they are called directly; in Chromium bench/ops/browser-entry.ts exposes the same
 * object on `window`.
 */
import type { OpName } from '../lib/types.js';
import { clientState, closeClient, openClient, subscribeClient, syncTimed, waitCursor } from './client.js';
import { firstEmission, pageTimed } from './first-page.js';
import { coldPaint, warmPaint } from './first-paint.js';
import { downloadRun, dropSnapshot, fullSyncRun, rawPutRun } from './full-sync.js';
import { changeToScreen } from './latency.js';
import { replayQueued, writeToScreen } from './writes.js';

export const ops = {
  openClient,
  closeClient,
  subscribeClient,
  syncTimed,
  clientState,
  waitCursor,
  downloadRun,
  dropSnapshot: async () => dropSnapshot(),
  rawPutRun,
  fullSyncRun,
  pageTimed,
  firstEmission,
  changeToScreen,
  writeToScreen,
  replayQueued,
  coldPaint,
  warmPaint,
} satisfies Record<OpName, (arg: never) => unknown>; // every OpName, no other name

export type Ops = typeof ops;

/**
 * The client-side operations a driver can run, by name. In Node they are called
 * directly; in Chromium bench/browser-entry.ts exposes the same object on `window`.
 */
import { clientState, closeClient, openClient, subscribeClient, syncTimed, waitCursor } from './client.js';
import { firstEmission, pageTimed } from './first-page.js';
import { downloadRun, dropSnapshot, fullSyncRun, rawPutRun } from './full-sync.js';
import { changeToScreen } from './latency.js';

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
};

export type Ops = typeof ops;

/** A device's SDK instance: its own database, its own network, the page's token. */
import { createConversationSync, idbStorage, type ConversationSync } from '../../src/index.js';
import { post, type DemoApi } from './api.js';
import type { NetworkGate } from './net.js';

/**
 * The database of one device of the user. Every tab that shows this device opens the
 * same one, so the SDK makes those tabs share one sync (one leads, docs/tabs.md).
 */
export function databaseName(userID: string, device: string): string {
  return `convsync-demo:${userID}:${device}`;
}

export function createClient(api: DemoApi, wsURL: string, dbName: string, gate: NetworkGate): ConversationSync {
  let tokenCalls = 0;
  return createConversationSync({
    userID: api.userID,
    apiURL: api.base,
    wsURL,
    // The first call gets the token the page fetched on load; later calls (after a 401)
    // ask the admin API for a fresh one, through this device's network.
    token: async () => {
      if (tokenCalls++ === 0) return api.token;
      const d = await post<{ token: string }>(api.base, '/admin/token', { userID: api.userID }, { fetch: gate.fetch });
      return d.token;
    },
    storage: idbStorage({ name: dbName }),
    fetch: gate.fetch,
    WebSocket: gate.WebSocket,
  });
}

/**
 * `ws` is an optional peer dependency: `loadWebSocketServer()` imports it when a server
 * starts, and says to install it when it is missing.
 */
import type { WebSocketServer } from 'ws';
import { loadPeer } from '../optional.js';

/** The `WebSocketServer` class of `ws`, imported now. */
export type WebSocketServerCtor = typeof WebSocketServer;

/** Imports `ws` (an optional peer dependency); a `MissingPeerError` says to install it. */
export async function loadWebSocketServer(): Promise<WebSocketServerCtor> {
  const m = (await loadPeer('ws', 'The convsync server (WebSocket notifications)', () => import('ws'))) as {
    WebSocketServer?: WebSocketServerCtor;
    default?: { WebSocketServer?: WebSocketServerCtor };
  };
  const ctor = m.WebSocketServer ?? m.default?.WebSocketServer;
  if (!ctor) throw new Error('the "ws" package has no WebSocketServer: install ws 8 or later');
  return ctor;
}

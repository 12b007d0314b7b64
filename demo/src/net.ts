/**
 * A device's network, as the SDK sees it. The SDK accepts `fetch` and `WebSocket`
 * injections (SPEC §5.1); the demo hands each device a gated pair so "go offline"
 * behaves like a real network loss: requests fail with a network error, open
 * sockets are closed and frames stop arriving, new sockets fail to connect. The SDK
 * is not told anything else: what it shows while offline is its own behaviour.
 */

type Listener = () => void;

/** WebSocket readyState values (the globals are not needed at module load). */
const CONNECTING = 0;
const CLOSED = 3;

/**
 * What a socket does when the network is down: it never opens, reports an error
 * and closes with 1006 on the next turn of the event loop. It makes no connection.
 */
class OfflineSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState: number = CONNECTING;
  binaryType: BinaryType = 'blob';
  readonly bufferedAmount = 0;
  readonly extensions = '';
  readonly protocol = '';
  readonly url: string;
  onopen: ((ev: Event) => unknown) | null = null;
  onmessage: ((ev: MessageEvent) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  onclose: ((ev: CloseEvent) => unknown) | null = null;

  constructor(url: string | URL) {
    super();
    this.url = String(url);
    setTimeout(() => this.fail(), 0);
  }

  private fail(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    const err = new Event('error');
    this.dispatchEvent(err);
    this.onerror?.(err);
    const close = new CloseEvent('close', { code: 1006, reason: 'device offline', wasClean: false });
    this.dispatchEvent(close);
    this.onclose?.(close);
  }

  send(): void {
    throw new DOMException('WebSocket is not open', 'InvalidStateError');
  }

  close(): void {
    this.fail();
  }
}

export class NetworkGate {
  private isOnline = true;
  private readonly sockets = new Set<WebSocket>();
  private readonly offlineWaiters = new Set<(e: Error) => void>();
  private readonly listeners = new Set<Listener>();

  get online(): boolean {
    return this.isOnline;
  }

  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  setOnline(online: boolean): void {
    if (online === this.isOnline) return;
    this.isOnline = online;
    if (!online) {
      // Requests in flight fail as they would when the cable is pulled.
      for (const reject of this.offlineWaiters) reject(new TypeError('Failed to fetch (device offline)'));
      this.offlineWaiters.clear();
      // Open sockets go down. A client cannot close with 1006, so 4000 + a reason.
      for (const ws of this.sockets) {
        if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(4000, 'device offline');
      }
      this.sockets.clear();
    }
    for (const fn of this.listeners) fn();
  }

  /** The `fetch` handed to the SDK. */
  readonly fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (!this.isOnline) return Promise.reject(new TypeError('Failed to fetch (device offline)'));
    let reject: ((e: Error) => void) | undefined;
    const cut = new Promise<never>((_, r) => {
      reject = r;
      this.offlineWaiters.add(r);
    });
    cut.catch(() => undefined);
    return Promise.race([globalThis.fetch(input, init), cut]).finally(() => {
      if (reject) this.offlineWaiters.delete(reject);
    });
  };

  /** The `WebSocket` constructor handed to the SDK. */
  readonly WebSocket: typeof WebSocket = this.makeWebSocket();

  private makeWebSocket(): typeof WebSocket {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const gate = this;
    function GatedWebSocket(url: string | URL, protocols?: string | string[]): WebSocket {
      if (!gate.isOnline) return new OfflineSocket(url) as unknown as WebSocket;
      const ws = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
      // Registered before the SDK's own listeners, so it runs first: once the device
      // is offline no frame reaches the SDK, even one already on its way.
      ws.addEventListener('message', (ev) => {
        if (!gate.isOnline) ev.stopImmediatePropagation();
      });
      ws.addEventListener('close', () => gate.sockets.delete(ws));
      gate.sockets.add(ws);
      return ws;
    }
    Object.assign(GatedWebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
    return GatedWebSocket as unknown as typeof WebSocket;
  }
}

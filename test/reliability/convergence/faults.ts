/**
 * The network faults of a convergence schedule: through the harness's fetch hook (`craft`)
 * the next requests fail, time out, lose their answer, get half of it or an HTML 503;
 * through the socket tap the next `conversation.*` frames are dropped, duplicated, held
 * until `release()` or delivered after the next frame.
 */
import type { TapSocket } from '../../client/harness.js';
import type { FetchMode, FrameMode } from './commands.js';

interface Held {
  tap: TapSocket;
  raw: string;
}

export class Faults {
  fetch = { mode: 'fail' as FetchMode, n: 0 };
  frame = { mode: 'drop' as FrameMode, n: 0 };
  private delayed: Held[] = [];
  private reordered: Held[] = [];

  /** Faults off (held frames stay held until `release()`). */
  off(): void {
    this.fetch.n = 0;
    this.frame.n = 0;
  }

  /** The fetch hook: `undefined` lets the request through untouched. */
  async onFetch(real: () => Promise<Response>, init: RequestInit): Promise<Response | undefined> {
    if (this.fetch.n <= 0) return undefined;
    this.fetch.n--;
    switch (this.fetch.mode) {
      case 'fail':
        throw new TypeError('fetch failed (injected)');
      case 'timeout':
        return new Promise<Response>((_resolve, reject) => {
          const sig = init.signal;
          const abort = (): void => reject(new DOMException('aborted', 'AbortError'));
          if (!sig) return; // never happens: the client always sends a signal
          if (sig.aborted) abort();
          else sig.addEventListener('abort', abort, { once: true });
        });
      case 'truncate': {
        const r = await real();
        const text = await r.text();
        return new Response(text.slice(0, Math.floor(text.length / 2)), { status: r.status, headers: { 'content-type': 'application/json' } });
      }
      case 'lost':
        await (await real()).arrayBuffer(); // the server acted; the answer never arrives
        throw new TypeError('connection reset (injected)');
      case 'html503':
        return new Response('<html><body><h1>503 Service Unavailable</h1></body></html>', { status: 503, headers: { 'content-type': 'text/html' } });
    }
  }

  /** Tap filter: faults apply to `conversation.*` frames only (auth and heartbeat pass). */
  pass(raw: string, tap: TapSocket): boolean {
    let type: unknown;
    try {
      type = (JSON.parse(raw) as { type?: unknown }).type;
    } catch {
      return true;
    }
    if (typeof type !== 'string' || !type.startsWith('conversation.')) return true;
    const flushReordered = (): void => {
      const r = this.reordered.splice(0);
      if (r.length) queueMicrotask(() => r.forEach((h) => h.tap.inject(h.raw)));
    };
    if (this.frame.n <= 0) {
      flushReordered();
      return true;
    }
    this.frame.n--;
    switch (this.frame.mode) {
      case 'drop':
        return false;
      case 'dup':
        queueMicrotask(() => tap.inject(raw));
        flushReordered();
        return true;
      case 'delay':
        this.delayed.push({ tap, raw });
        return false;
      case 'reorder':
        this.reordered.push({ tap, raw });
        return false;
    }
  }

  /** Delivers every held frame (stale by now, mostly). */
  release(): void {
    for (const h of [...this.reordered.splice(0), ...this.delayed.splice(0)]) h.tap.inject(h.raw);
  }
}

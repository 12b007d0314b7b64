/** Fakes shared by the client unit tests. */
import type { Clock } from '../../src/client/kernel/clock.js';

/** A manual clock: timers fire only on `advance`. */
export class FakeClock implements Clock {
  t = 1_700_000_000_000;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.timers.delete(h as number);
  };
  get pending(): number {
    return this.timers.size;
  }
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (let i = 0; i < 10_000; i++) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}

/** A promise with its resolvers exposed. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
}

/** Lets pending microtasks and one macrotask run. */
export const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** A JSON Response with an envelope. */
export function envelope(data: unknown, errCode = 0, status = 200): Response {
  return new Response(JSON.stringify({ errCode, errMsg: errCode ? 'failed' : '', errDlt: '', data }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * A WebSocket for the kit: the platform's `WebSocket` where there is one, else the `ws`
 * package, imported only then (Node 20). Frames are kept in order; `next` awaits one.
 */
import { KitFailure } from './types.js';

interface MinimalSocket {
  readyState: number;
  send(data: string): void;
  close(code?: number): void;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onopen: (() => void) | null;
}
type SocketCtor = new (url: string) => MinimalSocket;

async function socketClass(): Promise<SocketCtor> {
  const native = (globalThis as { WebSocket?: SocketCtor }).WebSocket;
  if (native) return native;
  try {
    const m = (await import('ws')) as { WebSocket?: SocketCtor; default?: SocketCtor };
    return (m.WebSocket ?? m.default)!;
  } catch {
    throw new KitFailure('no WebSocket here: on Node 20 the kit needs the "ws" package (npm i ws)');
  }
}

/** A socket whose frames (parsed JSON) are awaited in order. */
export class KitSocket {
  readonly frames: any[] = [];
  private taken = 0;
  private waiters: Array<() => void> = [];
  /** the close code, once closed */
  closeCode: number | null = null;

  private constructor(private readonly ws: MinimalSocket) {
    ws.onmessage = (ev) => {
      try {
        this.frames.push(JSON.parse(String(ev.data)));
      } catch {
        this.frames.push({ type: '(not JSON)', raw: String(ev.data) });
      }
      this.wake();
    };
    ws.onclose = (ev) => {
      this.closeCode = ev.code;
      this.wake();
    };
  }

  /** Opens a socket; with a token, authenticates and waits for `auth.ok`. */
  static async open(url: string, token?: string, ms = 5000): Promise<KitSocket> {
    const Ctor = await socketClass();
    const ws = new Ctor(url);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new KitFailure(`WebSocket ${url}: not open after ${ms} ms`)), ms);
      ws.onopen = () => (clearTimeout(t), resolve());
      ws.onerror = () => (clearTimeout(t), reject(new KitFailure(`WebSocket ${url}: could not connect`)));
    });
    const s = new KitSocket(ws);
    if (token !== undefined) {
      s.send({ type: 'auth', token });
      const ok = await s.next((f) => f.type === 'auth.ok', ms, 'auth.ok');
      if (typeof ok.userID !== 'string') throw new KitFailure(`auth.ok without a userID: ${JSON.stringify(ok)}`);
    }
    return s;
  }

  send(v: unknown): void {
    this.ws.send(typeof v === 'string' ? v : JSON.stringify(v));
  }

  close(): void {
    if (this.ws.readyState <= 1) this.ws.close();
  }

  /** The next frame after those taken that matches `pred`, within `ms`. */
  next(pred: (f: any) => boolean = () => true, ms = 5000, what = 'a frame'): Promise<any> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => done(new KitFailure(`no ${what} within ${ms} ms (frames: ${JSON.stringify(this.frames.slice(this.taken)).slice(0, 300)})`)), ms);
      const done = (e: Error | null, f?: unknown) => {
        clearTimeout(t);
        this.waiters = this.waiters.filter((w) => w !== look);
        if (e) reject(e);
        else resolve(f);
      };
      const look = () => {
        for (let i = this.taken; i < this.frames.length; i++) {
          if (pred(this.frames[i])) {
            this.taken = i + 1;
            return done(null, this.frames[i]);
          }
        }
        if (this.closeCode !== null) done(new KitFailure(`socket closed (${this.closeCode}) while waiting for ${what}`));
      };
      this.waiters.push(look);
      look();
    });
  }

  /** Resolves with the close code, within `ms`. */
  closed(ms = 7000): Promise<number> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== look);
        reject(new KitFailure(`socket not closed within ${ms} ms`));
      }, ms);
      const look = () => {
        if (this.closeCode === null) return;
        clearTimeout(t);
        this.waiters = this.waiters.filter((w) => w !== look);
        resolve(this.closeCode);
      };
      this.waiters.push(look);
      look();
    });
  }

  /** Proves no frame is queued: the next frame is the answer to a ping. */
  async nothingQueued(what: string): Promise<void> {
    this.send({ type: 'ping' });
    const f = await this.next(() => true, 5000, 'pong');
    if (f.type !== 'pong') throw new KitFailure(`${what}: expected no frame, got ${JSON.stringify(f).slice(0, 200)}`);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/**
 * HTTP transport: POST JSON with `Authorization: Bearer`, a fresh `operationID` per
 * request and a timeout; parses the envelope and maps every failure to a
 * `ConvSyncError`. The validator `read` runs on `data` before anything else sees it.
 */
import { ConvSyncError, isObj, type ErrorCode } from '../../protocol/index.js';
import type { Clock } from '../kernel/clock.js';

export type TokenOption = string | (() => Promise<string>);
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface TokenSource {
  /** The current token (asks the function the first time). */
  get(): Promise<string>;
  /**
   * Asks the token function again; a string token is returned as it is. With `since` (the
   * `asked` count when a refused request got its token), requests refused together ask
   * once: when the function was asked again since, that answer is returned.
   */
  refresh(since?: number): Promise<string>;
  /** How many times the token function was asked. */
  readonly asked: number;
  readonly refreshable: boolean;
}

export function tokenSource(t: TokenOption): TokenSource {
  let cur: Promise<string> | null = null;
  const call = (): Promise<string> => {
    const p = (cur = Promise.resolve()
      .then(() => (typeof t === 'string' ? t : t()))
      .then((v) => {
        if (typeof v !== 'string' || !v) throw 0;
        return v;
      })
      .catch((e: unknown) => {
        if (cur === p) cur = null; // ask again next time
        if (e instanceof ConvSyncError) throw e;
        // a token function that fetches its token fails like any request when the network is down
        if (isNetworkError(e)) throw new ConvSyncError('NETWORK', 'the token function could not reach its server', { cause: e });
        throw new ConvSyncError('AUTH', 'no token from the token function', { cause: e });
      }));
    return p;
  };
  let asked = 0;
  const ask = (): Promise<string> => (asked++, call());
  return {
    get: () => cur ?? ask(),
    refresh: (since) => (since !== undefined && since !== asked && cur ? cur : ask()),
    refreshable: typeof t !== 'string',
    get asked() {
      return asked;
    },
  };
}

/** fetch rejects with a TypeError when no answer arrives (DOMException `NetworkError` in some browsers). */
function isNetworkError(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return e instanceof TypeError || name === 'NetworkError' || name === 'TimeoutError';
}

export interface HttpOptions {
  apiURL: string;
  token: TokenSource;
  fetch?: FetchLike | undefined;
  clock: Clock;
  timeoutMs: number;
  /** the most bytes read of one answer */
  maxBytes: number;
  /** counters to increment */
  stats: { requests: number; bytesReceived: number };
}

export interface Http {
  post<T>(path: string, body: unknown, read: (data: unknown) => T): Promise<T>;
  /** Aborts every request in flight; they reject with `STOPPED`. */
  abortAll(): void;
}

const AUTH_AGAIN = Symbol('auth');

/**
 * The body of `res`, read chunk by chunk so that an answer larger than `max` bytes (or one
 * that never ends) fails as soon as it passes `max` instead of filling memory.
 */
async function readCapped(res: Response, max: number, count: (n: number) => void): Promise<Uint8Array> {
  const tooLarge = (): ConvSyncError => new ConvSyncError('BAD_ANSWER', `the answer is larger than maxAnswerBytes (${max})`);
  if (Number(res.headers?.get('content-length') ?? 0) > max) throw tooLarge();
  const reader = res.body?.getReader();
  if (!reader) {
    const buf = new Uint8Array(await res.arrayBuffer());
    count(buf.byteLength);
    if (buf.byteLength > max) throw tooLarge();
    return buf;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    count(value.byteLength);
    if (size > max) {
      void reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return all;
}

/** `crypto.randomUUID` where there is one (it is missing in insecure browser contexts). */
const opID = (): string =>
  globalThis.crypto?.randomUUID?.() ?? Date.now().toString(36) + Math.random().toString(36).slice(2, 12);

export function createHttp(o: HttpOptions): Http {
  const base = o.apiURL.replace(/\/+$/, '');
  const inflight = new Map<AbortController, string>();
  const stats = o.stats;
  const doFetch: FetchLike = o.fetch ?? ((u, i) => globalThis.fetch(u, i));

  async function once(path: string, body: unknown, token: string): Promise<unknown> {
    const operationID = opID();
    const ctrl = new AbortController();
    inflight.set(ctrl, 'NETWORK');
    const timer = o.clock.setTimeout(() => {
      inflight.set(ctrl, 'TIMEOUT');
      ctrl.abort();
    }, o.timeoutMs);
    stats.requests++;
    let status = 0;
    let text: string;
    try {
      const res = await doFetch(base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, operationID },
        body: JSON.stringify(body),
        signal: ctrl.signal,
      });
      status = res.status;
      const buf = await readCapped(res, o.maxBytes, (n) => (stats.bytesReceived += n));
      text = new TextDecoder().decode(buf);
    } catch (e) {
      if (e instanceof ConvSyncError) {
        ctrl.abort(); // the rest of an answer that is too large is not read
        throw new ConvSyncError(e.code, `POST ${path}: ${e.message}`, { operationID, status });
      }
      const code = (inflight.get(ctrl) ?? 'NETWORK') as ErrorCode;
      const what = code === 'TIMEOUT' ? `timed out after ${o.timeoutMs} ms` : code === 'STOPPED' ? 'stopped' : 'failed';
      throw new ConvSyncError(code, `POST ${path} ${what}`, { cause: e, operationID, ...(status ? { status } : {}) });
    } finally {
      o.clock.clearTimeout(timer);
      inflight.delete(ctrl);
    }
    let env: unknown;
    try {
      env = JSON.parse(text);
    } catch {
      env = undefined;
    }
    const errCode = isObj(env) && Number.isSafeInteger(env.errCode) ? (env.errCode as number) : undefined;
    const fail = (code: ErrorCode, msg: string): ConvSyncError =>
      new ConvSyncError(code, `POST ${path}: ${msg}`, { status, operationID, ...(errCode === undefined ? {} : { errCode }) });
    if (errCode === 1501 || errCode === 1502 || (status === 401 && errCode === undefined)) return AUTH_AGAIN;
    const errMsg = isObj(env) && typeof env.errMsg === 'string' ? env.errMsg : '';
    if (errCode === undefined) throw fail(status >= 500 ? 'SERVER' : 'BAD_ANSWER', `HTTP ${status}, not a convsync envelope`);
    if (errCode === 1002) throw fail('FORBIDDEN', errMsg || 'no permission');
    if (errCode !== 0) throw fail('SERVER', `errCode ${errCode} ${errMsg}`);
    if (status < 200 || status > 299) throw fail(status >= 500 ? 'SERVER' : 'BAD_ANSWER', `HTTP ${status} with errCode 0`);
    return { data: (env as Record<string, unknown>).data, operationID };
  }

  return {
    abortAll() {
      for (const c of inflight.keys()) {
        inflight.set(c, 'STOPPED');
        c.abort();
      }
    },
    async post(path, body, read) {
      let token = await o.token.get();
      let since = o.token.asked;
      for (let i = 0; ; i++) {
        const r = await once(path, body, token);
        if (r === AUTH_AGAIN) {
          if (i > 0 || !o.token.refreshable) throw new ConvSyncError('AUTH', `POST ${path}: token refused`, { status: 401 });
          token = await o.token.refresh(since);
          since = o.token.asked;
          continue;
        }
        const { data, operationID } = r as { data: unknown; operationID: string };
        try {
          return read(data);
        } catch (e) {
          if (e instanceof ConvSyncError) throw new ConvSyncError(e.code, e.message, { cause: e.cause, operationID, status: 200 });
          throw e;
        }
      }
    },
  };
}

/**
 * POST JSON to the reference server and read its `{errCode, errMsg, errDlt, data}`
 * envelope: the one helper the tests (test/helpers, test/browser) and the bench share.
 * No Node module: the bench's client-side operations use it inside the browser page too.
 */
import type { Envelope } from '../src/protocol/index.js';

export type { Envelope };

export interface PostAnswer<T = any> {
  status: number;
  headers: Headers;
  /** the parsed envelope */
  body: Envelope<T>;
  /** the answer's body as received (its byte size is what went over the wire) */
  raw: Uint8Array;
}

/**
 * POSTs `body` (JSON-encoded; a string is sent as it is) with an optional bearer token
 * and extra headers. Throws when the answer is not JSON, never on a non-zero errCode.
 */
export async function postJSON<T = any>(url: string, path: string, body: unknown, token?: string, headers: Record<string, string> = {}): Promise<PostAnswer<T>> {
  const h: Record<string, string> = { 'Content-Type': 'application/json', ...headers };
  if (token !== undefined) h['Authorization'] = `Bearer ${token}`;
  const res = await fetch(url + path, { method: 'POST', headers: h, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const raw = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(raw);
  let env: Envelope<T>;
  try {
    env = JSON.parse(text) as Envelope<T>;
  } catch {
    throw new Error(`${path}: not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, body: env, raw };
}

/** The envelope's `data`; throws `<path>: <errCode> <errMsg>` when errCode is not 0. */
export function dataOf<T>(path: string, env: Envelope<T>): T {
  if (env.errCode !== 0) throw new Error(`${path}: ${env.errCode} ${env.errMsg}`);
  return env.data as T;
}

/** POSTs and returns `data`, failing on a non-zero errCode. */
export async function postData<T = any>(url: string, path: string, body: unknown, token?: string): Promise<T> {
  return dataOf(path, (await postJSON<T>(url, path, body, token)).body);
}

/**
 * Helpers for the server reliability suites (hostile input, security, load): a full
 * snapshot of the in-memory store, a snapshot of the built-in prototypes, raw HTTP
 * requests (bytes, any headers), and a timeout around any promise.
 */
import { MemoryConversationStore, type ConversationStore } from '../../src/server/index.js';

/**
 * Everything a `MemoryConversationStore` holds, as one string: every user it knows (a
 * read of an unknown user creates one, so this also proves "nothing was read"), each
 * user's records, and each version log (id, version, watermark, every entry); plus
 * conversation memberships and user names.
 */
export function storeSnapshot(store: ConversationStore): string {
  if (!(store instanceof MemoryConversationStore)) throw new Error('storeSnapshot needs a MemoryConversationStore');
  return JSON.stringify(store.snapshot());
}

/** Own property names and descriptors of the prototypes a pollution would touch. */
export function protoSnapshot(): string {
  const describe = (o: object) =>
    Object.getOwnPropertyNames(o)
      .sort()
      .map((k) => {
        const d = Object.getOwnPropertyDescriptor(o, k)!;
        return `${k}:${typeof d.value}:${typeof d.get}:${String(d.writable)}`;
      });
  return JSON.stringify([Object.prototype, Array.prototype, Function.prototype, String.prototype].map(describe));
}

/** True when a fresh object shows no inherited junk. */
export function prototypesClean(): boolean {
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'isAdmin', 'userID', 'conversationID', 'type', 'token', 'x']) {
    if (k in probe || k in []) return false;
  }
  return Object.getPrototypeOf(probe) === Object.prototype && Object.getPrototypeOf(Object.prototype) === null;
}

export interface RawResult {
  status: number;
  headers: Headers;
  text: string;
  /** the parsed envelope, or `null` when the answer is not JSON */
  json: { errCode: number; errMsg: string; errDlt: string; data: unknown } | null;
}

/** POST raw bytes or text with exactly the given headers (no defaults added except by fetch). */
export async function rawPost(url: string, path: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<RawResult> {
  const res = await fetch(url + path, { method: 'POST', headers, body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]) });
  const text = await res.text();
  let json: RawResult['json'] = null;
  try {
    json = JSON.parse(text) as RawResult['json'];
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Rejects with `what` when `p` does not settle within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timer = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timer]).finally(() => clearTimeout(t));
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** p-th percentile (0–100) of a list of numbers, nearest-rank. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1]!;
}

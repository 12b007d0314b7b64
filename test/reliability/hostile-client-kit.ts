/** The building blocks of the hostile-input rows of the client: crafted answers, the row shapes, a device's snapshot. */
import type { Cursor, ErrorCode, LocalConversation } from '../../src/protocol/index.js';
import type { TestServer } from '../helpers/server.js';
import { conv, type Client, type ClientOptions } from '../client/harness.js';

export const USER = 'u1';

export const rec = conv('sg_evil', USER);
export const res = (body: string, status = 200, type = 'application/json', headers: Record<string, string> = {}): Response =>
  new Response(body, { status, headers: { 'content-type': type, ...headers } });
export const json = (v: unknown, status = 200, type = 'application/json'): Response => res(JSON.stringify(v), status, type);
export const env = (data: unknown, errCode = 0, status = 200): Response => json({ errCode, errMsg: errCode ? 'refused' : '', errDlt: '', data }, status);
/** An incremental answer one version ahead of `c` (override anything). */
export const next = (c: Cursor, o: Record<string, unknown> = {}): Record<string, unknown> => ({
  versionID: c.versionID,
  version: c.version + 1,
  full: false,
  insert: [],
  update: [],
  delete: [],
  ...o,
});
/** The server's real answer, rewritten. */
export async function rewrite(real: () => Promise<Response>, fn: (env: Record<string, unknown>) => unknown, type = 'application/json'): Promise<Response> {
  const r = await real();
  const e = JSON.parse(await r.text()) as Record<string, unknown>;
  return res(JSON.stringify(fn(e)), r.status, type);
}
/** Every `[]` one level under `data` becomes `null` (as OpenIM's servers encode empty lists). */
export const nullLists = (e: Record<string, unknown>): unknown => {
  const d = { ...(e.data as Record<string, unknown>) };
  for (const k of Object.keys(d)) if (Array.isArray(d[k]) && (d[k] as unknown[]).length === 0) d[k] = null;
  return { ...e, data: d };
};

export interface Ctx {
  s: TestServer;
  c: Client;
  cur: Cursor;
}

export type Outcome =
  /** the sync (answer rows) or the frame is refused with this code; nothing changes locally */
  | { code: ErrorCode }
  /** answer rows: the sync succeeds and the device equals the server */
  | { tolerated: 'server' }
  /** answer rows: the sync succeeds; `check` states the local result */
  | { tolerated: 'custom'; check: (x: Ctx, before: Snap) => Promise<void> }
  /** frame rows: no error, no request, nothing changes */
  | { ignored: true }
  /** frame rows: not applied; a sync is triggered instead, and nothing changes (the server did not change) */
  | { resync: true };

export interface AnswerRow {
  name: string;
  opts?: ClientOptions;
  user?: string;
  /** a server-side change made before the sync (for rows that rewrite a real answer) */
  setup?: (x: Ctx) => Promise<void>;
  /** the crafted answer for a request (undefined: the real one) */
  answer: (path: string, body: Record<string, unknown>, x: Ctx, real: () => Promise<Response>, init: RequestInit) => Response | undefined | Promise<Response | undefined>;
  expect: Outcome;
}

export interface FrameRow {
  name: string;
  frame: (x: Ctx) => unknown;
  expect: Outcome;
}

export interface Snap {
  list: LocalConversation[];
  cursor: Cursor | null;
}
export const snap = async (c: Client): Promise<Snap> => ({ list: await c.storage.getAll(), cursor: await c.storage.getCursor() });
export const INCR = '/conversation/get_incremental_conversations';
export const FULL = '/conversation/get_full_conversations';
export const IDS = '/conversation/get_full_conversation_ids';
export const incr = (f: (x: Ctx) => Response | Promise<Response>): AnswerRow['answer'] => (p, _b, x) => (p === INCR ? f(x) : undefined);

/**
 * The tab message codec: what another tab posts is checked like a server frame before
 * anything reads it (a tab of an older or newer app version, or any script of the origin,
 * can post on the channel's name). A message is rebuilt from its checked fields; a
 * malformed one reads as `null`, and the link drops and counts it.
 */
import { ShapeError, bool, idString, int, isValidCursor, list, obj, readConversation, str, type Cursor, type LocalConversation, type Obj } from '../../protocol/index.js';
import type { Settled } from '../kernel/commit.js';
import type { TabMessage, WireError, WireStatus } from './link.js';

const fail = (field: string, expected: string): never => {
  throw new ShapeError(field, expected);
};
/** `o[key]` read by `read`, or absent. */
const opt = <T>(o: Obj, key: string, read: (o: Obj, key: string) => T): { [k: string]: T } => (o[key] === undefined ? {} : { [key]: read(o, key) });
const among = <T extends string>(o: Obj, key: string, allowed: readonly T[]): T => (allowed.includes(o[key] as T) ? (o[key] as T) : fail(key, allowed.join('|')));
const ints = (o: Obj, key: string): number => int(o, key, 'm', Number.MIN_SAFE_INTEGER);

const MODES = ['full', 'incremental', 'equal'] as const;
const CHANGE_MODES = [...MODES, 'pushed', 'local', 'rollback'] as const;
const STATES = ['idle', 'syncing', 'offline', 'error', 'stopped'] as const;

function cursor(v: unknown): Cursor {
  const o = obj(v, 'cursor');
  if (!isValidCursor(o.versionID, o.version)) fail('cursor', 'a cursor');
  return { versionID: o.versionID as string, version: o.version as number };
}
const ids = (o: Obj, key: string): string[] => list(o, key, 'm', idString);
function row(v: unknown, f: string): LocalConversation {
  const o = obj(v, f);
  return { ...readConversation(o, f), draftText: str(o, 'draftText', f), draftTextTime: int(o, 'draftTextTime', f), unreadCount: int(o, 'unreadCount', f) };
}
const rows = (o: Obj, key: string): LocalConversation[] => list(o, key, 'm', row);
type SettledError = NonNullable<Settled['error']>;
function settledError(v: unknown): SettledError {
  const o = obj(v, 'error');
  return { code: str(o, 'code', 'error', 64) as SettledError['code'], message: str(o, 'message', 'error'), ...opt(o, 'errCode', ints) };
}
function wireError(v: unknown): WireError {
  const o = obj(v, 'error');
  return { ...settledError(o), ...opt(o, 'status', ints), ...opt(o, 'operationID', (x, k) => str(x, k, 'error')) };
}
const error = (o: Obj): { error?: WireError } => opt(o, 'error', (x, k) => wireError(x[k]));

function status(v: unknown): WireStatus {
  const o = obj(v, 'status');
  return {
    state: among(o, 'state', STATES),
    connected: bool(o, 'connected', 's'),
    pendingWrites: int(o, 'pendingWrites', 's'),
    hasSynced: bool(o, 'hasSynced', 's'),
    preview: bool(o, 'preview', 's'),
    ...opt(o, 'lastSyncAt', ints),
    ...opt(o, 'lastMode', (x, k) => among(x, k, MODES)),
    ...error(o),
  };
}

function settled(v: unknown): Settled {
  const o = obj(v, 'settled');
  const e = o.error === undefined ? {} : { error: settledError(o.error) };
  return { mutationIDs: ids(o, 'mutationIDs'), ...opt(o, 'ack', (x, k) => cursor(x[k])), ...e };
}

/** The body of a message of type `t`, checked. */
const bodies: Record<TabMessage['t'], (o: Obj) => object> = {
  alive: () => ({}),
  ping: () => ({}),
  clear: () => ({}),
  hello: () => ({}),
  commit: (o) => ({ ids: o.ids === null ? null : ids(o, 'ids'), cursor: o.cursor === null ? null : cursor(o.cursor), outbox: bool(o, 'outbox', 'm'), settled: list(o, 'settled', 'm', settled) }),
  changes: (o) => {
    const c = obj(o.changes, 'changes');
    return { changes: { mode: among(c, 'mode', CHANGE_MODES), added: rows(c, 'added'), updated: rows(c, 'updated'), removed: ids(c, 'removed') } };
  },
  status: (o) => ({ status: status(o.status) }),
  progress: (o) => {
    const p = obj(o.progress, 'progress');
    return { progress: { staged: int(p, 'staged', 'p'), ...opt(p, 'total', ints), done: bool(p, 'done', 'p') } };
  },
  sync: (o) => ({ id: str(o, 'id', 'm', 256) }),
  synced: (o) => ({ id: str(o, 'id', 'm', 256), to: str(o, 'to', 'm', 256), ...opt(o, 'mode', (x, k) => among(x, k, MODES)), ...error(o) }),
  preview: (o) => {
    const t = obj(o.totals, 'totals');
    return { rows: rows(o, 'rows'), totals: { count: int(t, 'count', 't'), unread: int(t, 'unread', 't') } };
  },
};

/** The message another tab posted, checked and rebuilt; `null` when it is malformed. */
export function readTabMessage(raw: unknown): TabMessage | null {
  try {
    const o = obj(raw, 'message');
    const t = o.t as TabMessage['t'];
    const body = Object.hasOwn(bodies, t) ? bodies[t] : fail('t', 'a message type');
    return { from: str(o, 'from', 'm', 256), leader: bool(o, 'leader', 'm'), t, ...body(o) } as TabMessage;
  } catch (e) {
    if (e instanceof ShapeError) return null;
    throw e;
  }
}

/**
 * Validation of everything the server sends. Each reader builds a fresh object from
 * the known fields only (so stray keys such as `__proto__` never reach storage) and
 * throws `ConvSyncError` `BAD_ANSWER` / `BAD_FRAME` naming the field at fault.
 */
import { bool, idString, int, isValidCursor, list, obj, oneOf, ShapeError, str, type Obj } from './check.js';
import { ConvSyncError } from './errors.js';
import type {
  Conversation,
  Cursor,
  Delta,
  FullIDsAnswer,
  FullPage,
  IncrementalAnswer,
  LatestMsg,
  PrivateFrame,
  ServerFrame,
  SortedListAnswer,
  UnreadFrame,
} from './types.js';

/** Reads `o[key]`, reporting failures as `<field>.<key>` (the shape of the checkers in check.ts). */
type Reader<T> = (o: Obj, key: string, field: string) => T;

/** One reader per field of `T`: the compiler checks that none is missing or of the wrong type. */
type Fields<T> = { [K in keyof T]-?: Reader<T[K]> };

const id: Reader<string> = (o, key, field) => idString(o[key], `${field}.${key}`);
const among =
  <T extends number>(...allowed: T[]): Reader<T> =>
  (o, key, field) =>
    oneOf(o, key, field, allowed);

/** Builds a fresh `T` from the fields of the object `v`, each read (and checked) in table order. */
function readFields<T>(v: unknown, field: string, fields: Fields<T>): T {
  const o = obj(v, field);
  const out = {} as T;
  for (const key of Object.keys(fields) as Array<keyof T & string>) out[key] = fields[key](o, key, field);
  return out;
}

const latestMsgFields: Fields<LatestMsg> = {
  clientMsgID: str,
  seq: int,
  sendID: str,
  senderNickname: str,
  contentType: int,
  text: str,
  sendTime: int,
};

const conversationFields: Fields<Conversation> = {
  conversationID: id,
  ownerUserID: str,
  conversationType: among(1, 3, 4),
  userID: str,
  groupID: str,
  showName: str,
  faceURL: str,
  recvMsgOpt: among(0, 1, 2),
  isPinned: bool,
  isPrivateChat: bool,
  burnDuration: int,
  groupAtType: int,
  attachedInfo: str,
  ex: str,
  minSeq: int,
  maxSeq: int,
  hasReadSeq: int,
  // absent or null: no message yet
  latestMsg: (o, key, field) => (o[key] == null ? null : readFields(o[key], `${field}.${key}`, latestMsgFields)),
  latestMsgSendTime: int,
};

/** Reads one wire conversation. */
export function readConversation(v: unknown, f: string): Conversation {
  return readFields(v, f, conversationFields);
}

function cursorOf(o: Obj, f: string): Cursor {
  if (!isValidCursor(o.versionID, o.version)) throw new ShapeError(`${f}.versionID/version`, 'a valid cursor');
  return { versionID: o.versionID as string, version: o.version as number };
}

function ids(v: unknown, f: string): string {
  return idString(v, f);
}

function noDuplicates(d: Delta, f: string): void {
  const seen = new Set<string>();
  for (const id of [...d.delete, ...d.insert.map((c) => c.conversationID), ...d.update.map((c) => c.conversationID)]) {
    if (seen.has(id)) throw new ShapeError(f, `each ID at most once (${id} repeats)`);
    seen.add(id);
  }
}

function readDelta(o: Obj, f: string): Delta {
  const d = {
    delete: list(o, 'delete', f, ids),
    insert: list(o, 'insert', f, readConversation),
    update: list(o, 'update', f, readConversation),
  };
  noDuplicates(d, f);
  return d;
}

function guard<T>(code: 'BAD_ANSWER' | 'BAD_FRAME', what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof ShapeError) throw new ConvSyncError(code, `malformed ${what}: ${e.message}`, { cause: e });
    throw e;
  }
}

export function readIncremental(data: unknown): IncrementalAnswer {
  return guard('BAD_ANSWER', 'incremental answer', () => {
    const o = obj(data, 'data');
    const full = bool(o, 'full', 'data');
    const d = readDelta(o, 'data');
    if (full && d.delete.length + d.insert.length + d.update.length > 0) {
      throw new ShapeError('data.full', 'empty lists when full is true');
    }
    return { ...cursorOf(o, 'data'), full, ...d };
  });
}

export function readFullPage(data: unknown): FullPage {
  return guard('BAD_ANSWER', 'full page', () => {
    const o = obj(data, 'data');
    const conversations = list(o, 'conversations', 'data', readConversation);
    const next = o.nextCursor;
    if (next !== null && next !== undefined && typeof next !== 'string') throw new ShapeError('data.nextCursor', 'a string or null');
    const seen = new Set<string>();
    for (const c of conversations) {
      if (seen.has(c.conversationID)) throw new ShapeError('data.conversations', `unique IDs (${c.conversationID} repeats)`);
      seen.add(c.conversationID);
    }
    const page: FullPage = { ...cursorOf(o, 'data'), conversations, nextCursor: next ?? null };
    if (o.total !== undefined && o.total !== null) page.total = int(o, 'total', 'data', 0);
    return page;
  });
}

export function readFullIDs(data: unknown): FullIDsAnswer {
  return guard('BAD_ANSWER', 'ID list', () => {
    const o = obj(data, 'data');
    return {
      ...cursorOf(o, 'data'),
      equal: bool(o, 'equal', 'data'),
      conversationIDs: o.conversationIDs === undefined ? [] : list(o, 'conversationIDs', 'data', ids),
    };
  });
}

/** The answer of a write (SPEC §3.2): the version its change produced, or the head. */
export function readWriteAnswer(data: unknown): Cursor {
  return guard('BAD_ANSWER', 'write answer', () => cursorOf(obj(data, 'data'), 'data'));
}

export function readSortedList(data: unknown): SortedListAnswer {
  return guard('BAD_ANSWER', 'sorted list', () => {
    const o = obj(data, 'data');
    return {
      conversationTotal: int(o, 'conversationTotal', 'data'),
      unreadTotal: int(o, 'unreadTotal', 'data'),
      conversationElems: list(o, 'conversationElems', 'data', (v, f) => ({
        ...readConversation(v, f),
        unreadCount: int(obj(v, f), 'unreadCount', f),
      })),
    };
  });
}

const unreadFields: Fields<Omit<UnreadFrame, 'type' | keyof Cursor>> = {
  userID: str,
  conversationID: id,
  hasReadSeq: int,
  unreadCountTime: int,
};

const privateFields: Fields<Omit<PrivateFrame, 'type'>> = {
  sendID: str,
  recvID: str,
  conversationID: id,
  isPrivate: bool,
};

/**
 * Parses and validates one server frame. Returns `null` for a frame type this
 * client does not know (ignored, so a newer server can add types).
 */
export function readServerFrame(raw: string): ServerFrame | null {
  return guard('BAD_FRAME', 'frame', () => {
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      throw new ShapeError('frame', 'valid JSON');
    }
    const o = obj(v, 'frame');
    const f = 'frame';
    switch (o.type) {
      case 'conversation.changed': {
        const frame: ServerFrame = {
          type: 'conversation.changed',
          userID: str(o, 'userID', f),
          conversationIDs: list(o, 'conversationIDs', f, ids),
          ...cursorOf(o, f),
        };
        if (o.delta !== undefined && o.delta !== null) frame.delta = readDelta(obj(o.delta, `${f}.delta`), `${f}.delta`);
        return frame;
      }
      case 'conversation.unread':
        return { type: o.type, ...readFields(o, f, unreadFields), ...cursorOf(o, f) };
      case 'conversation.private':
        return { type: o.type, ...readFields(o, f, privateFields) };
      case 'auth.ok':
        return { type: 'auth.ok', userID: str(o, 'userID', f) };
      case 'ping':
      case 'pong':
        return { type: o.type };
      default:
        if (typeof o.type !== 'string') throw new ShapeError('frame.type', 'a string');
        return null;
    }
  });
}


/**
 * Request body validation. Every reader builds a fresh object from the known fields
 * (unknown keys are ignored) and throws `ShapeError` naming the field at fault, which
 * the HTTP layer turns into errCode 1001.
 */
import {
  conversationTypeOf,
  idString,
  int,
  list,
  obj,
  readConversation,
  ShapeError,
  str,
  type Conversation,
  type Obj,
} from '../../protocol/index.js';

const B = 'body';
export const MAX_IDS_PER_REQUEST = 10_000;
export const MAX_BATCH_TARGETS = 1_000;
export const MAX_PAGE_LIMIT = 5_000;
export const DEFAULT_PAGE_LIMIT = 1_000;
export const MAX_SHOW_NUMBER = 1_000;
export const MAX_SEED = 200_000;
export const MAX_TEXT = 64 * 1024;

/** 1–128 printable ASCII characters (0x21–0x7e): the shape of a mutationID and of an operationID. */
export const PRINTABLE_ID = /^[\x21-\x7e]{1,128}$/;

/** an optional field: absent or `null` reads as `undefined` */
export function opt<T>(o: Obj, key: string, read: () => T): T | undefined {
  return o[key] === undefined || o[key] === null ? undefined : read();
}

export function userID(o: Obj, f = B): string {
  return idString(o.userID, `${f}.userID`);
}

export function idList(o: Obj, key: string, f: string, max: number): string[] {
  const ids = list(o, key, f, idString);
  if (ids.length > max) throw new ShapeError(`${f}.${key}`, `at most ${max} IDs`);
  return [...new Set(ids)];
}

export interface CursorReq {
  userID: string;
  versionID: string;
  version: number;
}

function cursorReq(v: unknown, f: string): CursorReq {
  const o = obj(v, f);
  // an invalid cursor (empty, wrong length, zeros, version ≤ 0) is not an error: it asks for a full sync
  return { userID: userID(o, f), versionID: str(o, 'versionID', f, 256), version: int(o, 'version', f, Number.MIN_SAFE_INTEGER) };
}

export function readIncrementalReq(body: unknown): CursorReq {
  return cursorReq(body, B);
}

export function readBatchReq(body: unknown): { targets: CursorReq[] } {
  const o = obj(body, B);
  const targets = list(o, 'targets', B, cursorReq);
  if (targets.length > MAX_BATCH_TARGETS) throw new ShapeError(`${B}.targets`, `at most ${MAX_BATCH_TARGETS} targets`);
  const seen = new Set<string>();
  targets.forEach((t, i) => {
    if (seen.has(t.userID)) throw new ShapeError(`${B}.targets[${i}].userID`, 'each userID at most once');
    seen.add(t.userID);
  });
  return { targets };
}

export function readFullReq(body: unknown): { userID: string; cursor: string | null; limit: number } {
  const o = obj(body, B);
  const cursor = opt(o, 'cursor', () => str(o, 'cursor', B, 256)) ?? null;
  const limit = opt(o, 'limit', () => int(o, 'limit', B, 1)) ?? DEFAULT_PAGE_LIMIT;
  if (limit > MAX_PAGE_LIMIT) throw new ShapeError(`${B}.limit`, `an integer between 1 and ${MAX_PAGE_LIMIT}`);
  return { userID: userID(o), cursor: cursor === '' ? null : cursor, limit };
}

export function readFullIDsReq(body: unknown): { userID: string; idHash: string | undefined } {
  const o = obj(body, B);
  const h = opt(o, 'idHash', () => str(o, 'idHash', B, 64));
  if (h !== undefined && !/^[0-9a-f]{16}$/.test(h)) throw new ShapeError(`${B}.idHash`, '16 lowercase hex chars');
  return { userID: userID(o), idHash: h };
}

export function readSortedReq(body: unknown): { userID: string; pageNumber: number; showNumber: number } {
  const o = obj(body, B);
  const p = obj(o.pagination, `${B}.pagination`);
  const pageNumber = int(p, 'pageNumber', `${B}.pagination`, 1);
  const showNumber = int(p, 'showNumber', `${B}.pagination`, 1);
  if (showNumber > MAX_SHOW_NUMBER) throw new ShapeError(`${B}.pagination.showNumber`, `an integer between 1 and ${MAX_SHOW_NUMBER}`);
  return { userID: userID(o), pageNumber, showNumber };
}

/** `/admin/delete`: a user's records by ID. */
export function readDeleteReq(body: unknown): { userID: string; conversationIDs: string[] } {
  const o = obj(body, B);
  return { userID: userID(o), conversationIDs: idList(o, 'conversationIDs', B, MAX_IDS_PER_REQUEST) };
}

// ---- admin ----

export function readTokenReq(body: unknown): { userID: string; ttlSeconds: number | undefined } {
  const o = obj(body, B);
  return { userID: userID(o), ttlSeconds: opt(o, 'ttlSeconds', () => int(o, 'ttlSeconds', B, 0)) };
}

export function readUserReq(body: unknown): { userID: string } {
  return { userID: userID(obj(body, B)) };
}

export function readSeedReq(body: unknown): { userID: string; count: number; peers: string[] } {
  const o = obj(body, B);
  const count = int(o, 'count', B, 0);
  if (count > MAX_SEED) throw new ShapeError(`${B}.count`, `an integer between 0 and ${MAX_SEED}`);
  const peers = opt(o, 'peers', () => idList(o, 'peers', B, 10_000)) ?? [];
  return { userID: userID(o), count, peers };
}

export function readSendMessageReq(body: unknown): { conversationID: string; sendID: string; text: string } {
  const o = obj(body, B);
  const conversationID = idString(o.conversationID, `${B}.conversationID`);
  if (conversationTypeOf(conversationID) === undefined) throw new ShapeError(`${B}.conversationID`, 'an ID starting with si_, sg_ or sn_');
  return { conversationID, sendID: idString(o.sendID, `${B}.sendID`), text: str(o, 'text', B, MAX_TEXT) };
}

export function readUpsertReq(body: unknown): { userID: string; conversations: Conversation[] } {
  const o = obj(body, B);
  const conversations =
    o.conversation !== undefined && o.conversations === undefined
      ? [readConversation(o.conversation, `${B}.conversation`)]
      : list(o, 'conversations', B, readConversation);
  if (conversations.length > MAX_IDS_PER_REQUEST) throw new ShapeError(`${B}.conversations`, `at most ${MAX_IDS_PER_REQUEST} records`);
  return { userID: userID(o), conversations };
}

export function readCompactReq(body: unknown): { userID: string; keepVersion: number } {
  const o = obj(body, B);
  return { userID: userID(o), keepVersion: int(o, 'keepVersion', B, 0) };
}

/**
 * Validation of the user writes (SPEC §3.2): the three single writes and the batch
 * `/conversation/apply_mutations`. A write is its identity (`mutation.ts`) and its content,
 * a `UserMutation`; the content of a mutation that carries a client identity is read apart,
 * so that a bad one is refused (and remembered) alone, not as the whole request.
 */
import {
  bool,
  CLIENT_ID,
  idString,
  int,
  list,
  MAX_BATCH_MUTATIONS,
  obj,
  oneOf,
  ShapeError,
  str,
  type Obj,
  type RecvMsgOpt,
} from '../../protocol/index.js';
import type { WriteIdentity } from '../mutation.js';
import { idList, MAX_IDS_PER_REQUEST, MAX_TEXT, opt, PRINTABLE_ID, userID } from './validate-request.js';

const B = 'body';

/** The settings `set_conversations` may change. */
export interface ConversationSettings {
  conversationID: string;
  isPinned?: boolean;
  recvMsgOpt?: RecvMsgOpt;
  isPrivateChat?: boolean;
  burnDuration?: number;
  groupAtType?: number;
  attachedInfo?: string;
  ex?: string;
}

/** What a user write does, whichever endpoint carried it (its content hash is taken of this). */
export type UserMutation =
  | { kind: 'set'; conversation: ConversationSettings }
  | { kind: 'read'; conversationID: string; hasReadSeq: number }
  /** `maxSeqs[i]`: the newest seq the device knew of `conversationIDs[i]` (a newer record is kept) */
  | { kind: 'delete'; conversationIDs: string[]; maxSeqs?: number[] };

/** A write as read: its content, or why its content was refused (a client's mutation only). */
export type ReadWrite = { userID: string; identity: WriteIdentity | undefined } & ({ mutation: UserMutation } | { invalid: ShapeError; raw: unknown });

/**
 * The identity of a write: `mutationID` (1–128 printable ASCII), or `clientID` (1–64
 * printable ASCII) with `mutationNumber` (an integer ≥ 1), or none; not both kinds.
 */
function identityOf(o: Obj): WriteIdentity | undefined {
  const hasClient = o.clientID !== undefined || o.mutationNumber !== undefined;
  if (o.mutationID !== undefined) {
    if (typeof o.mutationID !== 'string' || !PRINTABLE_ID.test(o.mutationID)) throw new ShapeError(`${B}.mutationID`, '1 to 128 printable ASCII characters (0x21-0x7e)');
    if (hasClient) throw new ShapeError(`${B}.mutationID`, 'absent when clientID and mutationNumber are given');
    return { mutationID: o.mutationID };
  }
  if (!hasClient) return undefined;
  return { clientID: clientIDOf(o), mutationNumber: int(o, 'mutationNumber', B, 1) };
}

function clientIDOf(o: Obj): string {
  if (typeof o.clientID !== 'string' || !CLIENT_ID.test(o.clientID)) throw new ShapeError(`${B}.clientID`, '1 to 64 printable ASCII characters (0x21-0x7e)');
  return o.clientID;
}

function settingsOf(o: Obj, f: string): ConversationSettings {
  const c = obj(o.conversation, `${f}.conversation`);
  const g = `${f}.conversation`;
  const s: ConversationSettings = { conversationID: idString(c.conversationID, `${g}.conversationID`) };
  const isPinned = opt(c, 'isPinned', () => bool(c, 'isPinned', g));
  if (isPinned !== undefined) s.isPinned = isPinned;
  const recvMsgOpt = opt(c, 'recvMsgOpt', () => oneOf(c, 'recvMsgOpt', g, [0, 1, 2] as const));
  if (recvMsgOpt !== undefined) s.recvMsgOpt = recvMsgOpt;
  const isPrivateChat = opt(c, 'isPrivateChat', () => bool(c, 'isPrivateChat', g));
  if (isPrivateChat !== undefined) s.isPrivateChat = isPrivateChat;
  const burnDuration = opt(c, 'burnDuration', () => int(c, 'burnDuration', g, 0));
  if (burnDuration !== undefined) s.burnDuration = burnDuration;
  const groupAtType = opt(c, 'groupAtType', () => oneOf(c, 'groupAtType', g, [0, 1, 2, 3, 4] as const));
  if (groupAtType !== undefined) s.groupAtType = groupAtType;
  const attachedInfo = opt(c, 'attachedInfo', () => str(c, 'attachedInfo', g, MAX_TEXT));
  if (attachedInfo !== undefined) s.attachedInfo = attachedInfo;
  const ex = opt(c, 'ex', () => str(c, 'ex', g, MAX_TEXT));
  if (ex !== undefined) s.ex = ex;
  return s;
}

const setOf = (o: Obj, f: string): UserMutation => ({ kind: 'set', conversation: settingsOf(o, f) });

const readOf = (o: Obj, f: string): UserMutation => ({
  kind: 'read',
  conversationID: idString(o.conversationID, `${f}.conversationID`),
  hasReadSeq: int(o, 'hasReadSeq', f, 0),
});

function seqOf(v: unknown, f: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ShapeError(f, 'an integer ≥ 0');
  return v;
}

/** IDs without duplicates; with `maxSeqs`, one per ID (a duplicated ID keeps the largest). */
function deleteOf(o: Obj, f: string): UserMutation {
  const ids = list(o, 'conversationIDs', f, idString);
  if (ids.length > MAX_IDS_PER_REQUEST) throw new ShapeError(`${f}.conversationIDs`, `at most ${MAX_IDS_PER_REQUEST} IDs`);
  const seqs = opt(o, 'maxSeqs', () => list(o, 'maxSeqs', f, seqOf));
  if (seqs === undefined) return { kind: 'delete', conversationIDs: idList(o, 'conversationIDs', f, MAX_IDS_PER_REQUEST) };
  if (seqs.length !== ids.length) throw new ShapeError(`${f}.maxSeqs`, 'one integer ≥ 0 per conversationID');
  const by = new Map<string, number>();
  ids.forEach((id, i) => by.set(id, Math.max(by.get(id) ?? 0, seqs[i]!)));
  return { kind: 'delete', conversationIDs: [...by.keys()], maxSeqs: [...by.values()] };
}

/** One single write: its user, identity and content. */
function readWrite(body: unknown, content: (o: Obj, f: string) => UserMutation): ReadWrite {
  const o = obj(body, B);
  const head = { userID: userID(o), identity: identityOf(o) };
  try {
    return { ...head, mutation: content(o, B) };
  } catch (e) {
    // a client's mutation is processed (and remembered) even when its content is refused
    if (!(e instanceof ShapeError) || !head.identity || 'mutationID' in head.identity) throw e;
    return { ...head, invalid: e, raw: body };
  }
}

export const readSetReq = (body: unknown): ReadWrite => readWrite(body, setOf);
export const readMarkReadReq = (body: unknown): ReadWrite => readWrite(body, readOf);
export const readDeleteWriteReq = (body: unknown): ReadWrite => readWrite(body, deleteOf);

/** One mutation of a batch: its number and content, or why its content was refused. */
export type BatchItem = { number: number } & ({ mutation: UserMutation } | { invalid: ShapeError; raw: unknown });

const CONTENT = { set: setOf, read: readOf, delete: deleteOf } as const;

function batchItem(v: unknown, f: string): BatchItem {
  const o = obj(v, f);
  const number = int(o, 'number', f, 1);
  try {
    const kind = o.kind;
    if (kind !== 'set' && kind !== 'read' && kind !== 'delete') throw new ShapeError(`${f}.kind`, '"set", "read" or "delete"');
    return { number, mutation: CONTENT[kind](o, f) };
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    return { number, invalid: e, raw: v };
  }
}

/** `/conversation/apply_mutations`: 1–500 mutations of one client, numbers strictly increasing. */
export function readApplyMutationsReq(body: unknown): { userID: string; clientID: string; items: BatchItem[] } {
  const o = obj(body, B);
  const u = userID(o);
  const clientID = clientIDOf(o);
  if (!Array.isArray(o.mutations) || o.mutations.length === 0 || o.mutations.length > MAX_BATCH_MUTATIONS) {
    throw new ShapeError(`${B}.mutations`, `an array of 1 to ${MAX_BATCH_MUTATIONS} mutations`);
  }
  const items = o.mutations.map((m, i) => batchItem(m, `${B}.mutations[${i}]`));
  items.forEach((it, i) => {
    if (i > 0 && it.number <= items[i - 1]!.number) throw new ShapeError(`${B}.mutations[${i}].number`, 'numbers strictly increasing');
  });
  return { userID: u, clientID, items };
}

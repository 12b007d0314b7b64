/**
 * The identity of a write and the repeat rule (SPEC §3.2 "Exactly once, forever"), shared
 * by both stores: what a write's identity says given what the store remembers of it.
 *
 * A client identity is (clientID, number). Per (user, client) the store keeps the last
 * number processed, its answer (a version, or the refusal it got), a hash of its content
 * and when the client was last seen. A legacy `mutationID` is remembered with its answer
 * and content hash among the user's last `MUTATIONS_REMEMBERED`.
 */
import { createHash } from 'node:crypto';
import { ErrCode, type Cursor } from '../protocol/index.js';
import { ApiError } from './http/api-error.js';

/** How long a client unseen is remembered by default: 180 days. */
export const DEFAULT_CLIENT_RETENTION_MS = 180 * 24 * 3600 * 1000;

/** The identity a user write carries (absent: none, applied every time). */
export type WriteIdentity = { mutationID: string } | { clientID: string; mutationNumber: number };

/** A refusal remembered as the answer of a processed mutation. */
export interface Refusal {
  errCode: number;
  errMsg: string;
}

/** What a store is told of a write's identity. */
export type MutationKey =
  | { mutationID: string; hash: string | null }
  | {
      clientID: string;
      number: number;
      hash: string;
      /** the time of the write (the client's `seenAt`) */
      now: number;
      /** clients unseen since `now - retainMs` are forgotten */
      retainMs: number;
    };

/** What a store remembers of one client of one user. */
export interface ClientState {
  last: number;
  hash: string;
  /** the answer of `last`: its version, or its refusal */
  answer: Cursor | Refusal;
  seenAt: number;
}

/** What to do with a client mutation. */
export type Judgement =
  | { kind: 'apply' }
  /** nothing to apply: answer `answer`, or the current head when `null` */
  | { kind: 'repeat'; answer: Cursor | Refusal | null };

/** A client state that the retention has not dropped. */
export function alive(state: ClientState | undefined, key: { now: number; retainMs: number }): ClientState | undefined {
  return state && state.seenAt >= key.now - key.retainMs ? state : undefined;
}

/**
 * The repeat rule. Throws 1409 for the last number with other content and 1410 for a
 * number above 1 of a client the store does not know (forgotten, or its data lost).
 */
export function judge(state: ClientState | undefined, key: { clientID: string; number: number; hash: string }): Judgement {
  if (!state) {
    if (key.number > 1) throw new ApiError(ErrCode.CLIENT_FORGOTTEN, `client ${key.clientID} is not known (forgotten after its retention, or its data lost): resync; mutation ${key.number} is not applied`);
    return { kind: 'apply' };
  }
  if (key.number > state.last) return { kind: 'apply' };
  if (key.number < state.last) return { kind: 'repeat', answer: null };
  if (key.hash !== state.hash) throw conflict(`mutation ${key.number} of client ${key.clientID}`);
  return { kind: 'repeat', answer: state.answer };
}

/** The 1409 of an identity used again for other content. */
export function conflict(what: string): ApiError {
  return new ApiError(ErrCode.MUTATION_CONFLICT, `${what} was already used for another write`);
}

/** Whether a remembered answer is a refusal. */
export function isRefusal(a: Cursor | Refusal): a is Refusal {
  return 'errCode' in a;
}

/** The error to throw again for a remembered refusal. */
export function refusalError(r: Refusal): ApiError {
  return new ApiError(r.errCode as ApiError['errCode'], r.errMsg);
}

/** JSON with object keys sorted (arrays keep their order), `undefined` fields left out. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The hash of a write's content (its kind and fields, not its identity): 22 base64url characters. */
export function contentHash(content: unknown): string {
  return createHash('sha256').update(canonical(content)).digest('base64url').slice(0, 22);
}

/** The key the store is told, for an identity and the hash of its content. */
export function keyOf(id: WriteIdentity, hash: string, now: number, retainMs: number): MutationKey {
  return 'mutationID' in id ? { mutationID: id.mutationID, hash } : { clientID: id.clientID, number: id.mutationNumber, hash, now, retainMs };
}

/** The refusal an error is remembered as, when it is one a client cannot cure by retrying. */
export function refusalOf(e: unknown): Refusal | null {
  if (!(e instanceof ApiError)) return null;
  const permanent: number[] = [ErrCode.ARGS, ErrCode.NO_PERMISSION, ErrCode.NOT_FOUND];
  return permanent.includes(e.errCode) ? { errCode: e.errCode, errMsg: e.message } : null;
}

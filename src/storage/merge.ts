/** The merge rules every adapter applies when a synced record meets a stored one. */
import { unreadCountOf, type Conversation, type LocalConversation } from '../protocol/index.js';

/**
 * Merges an incoming wire record into the stored one: client-only fields are kept.
 * `seqs`: `'max'` (an incremental change) keeps the larger `maxSeq` and `hasReadSeq`, so
 * a read raised out of band is not undone by an answer computed before it; `'server'` (a
 * snapshot) takes the server's values, so a value the server never had (or no longer
 * has) is repaired by a full sync. Returns `undefined` when the result equals what is
 * stored (nothing to write).
 */
export function mergeIncoming(stored: LocalConversation | undefined, incoming: Conversation, seqs: 'max' | 'server' = 'max'): LocalConversation | undefined {
  const merged: LocalConversation = {
    ...(seqs === 'max' ? withHigherSeqs(incoming, stored) : incoming),
    draftText: stored?.draftText ?? '',
    draftTextTime: stored?.draftTextTime ?? 0,
    unreadCount: 0,
  };
  merged.unreadCount = unreadCountOf(merged);
  if (stored && sameRecord(stored, merged)) return undefined;
  return merged;
}

/**
 * `next` with `maxSeq` and `hasReadSeq` raised to those of `prev`: within one log they
 * only ever grow (SPEC §1.1), whichever of two records is newer.
 */
export function withHigherSeqs<T extends Conversation>(next: T, prev: Pick<Conversation, 'maxSeq' | 'hasReadSeq'> | undefined): T {
  if (!prev) return { ...next };
  return { ...next, maxSeq: Math.max(next.maxSeq, prev.maxSeq), hasReadSeq: Math.max(next.hasReadSeq, prev.hasReadSeq) };
}

/** Field-by-field equality of two local records (latestMsg compared by value). */
export function sameRecord(a: LocalConversation, b: LocalConversation): boolean {
  return sameFields(a, b) && (a.latestMsg === null || b.latestMsg === null ? a.latestMsg === b.latestMsg : sameFields(a.latestMsg, b.latestMsg));
}

/** True when `a` has the value of every field of `b` except `latestMsg` (records are built from known fields only). */
function sameFields<T extends object>(a: T, b: T): boolean {
  return (Object.keys(b) as Array<keyof T>).every((k) => k === 'latestMsg' || a[k] === b[k]);
}

/** A record with `hasReadSeq` raised to at least `seq`, or `undefined` if that changes nothing. */
export function withRead(stored: LocalConversation, seq: number): LocalConversation | undefined {
  if (seq <= stored.hasReadSeq) return undefined;
  const next = { ...stored, hasReadSeq: seq };
  next.unreadCount = unreadCountOf(next);
  return next;
}

export function withDraft(stored: LocalConversation, text: string, time: number): LocalConversation {
  return { ...stored, draftText: text, draftTextTime: text === '' ? 0 : time };
}

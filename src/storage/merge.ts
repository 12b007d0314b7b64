/** The merge rules every adapter applies when a synced record meets a stored one. */
import { unreadCountOf, type Conversation, type LocalConversation } from '../protocol/index.js';

/**
 * Merges an incoming wire record into the stored one: client-only fields are kept,
 * `maxSeq` and `hasReadSeq` take the larger value. Returns `undefined` when the
 * result equals what is stored (nothing to write).
 */
export function mergeIncoming(stored: LocalConversation | undefined, incoming: Conversation): LocalConversation | undefined {
  const merged: LocalConversation = {
    ...incoming,
    maxSeq: Math.max(incoming.maxSeq, stored?.maxSeq ?? 0),
    hasReadSeq: Math.max(incoming.hasReadSeq, stored?.hasReadSeq ?? 0),
    draftText: stored?.draftText ?? '',
    draftTextTime: stored?.draftTextTime ?? 0,
    unreadCount: 0,
  };
  merged.unreadCount = unreadCountOf(merged);
  if (stored && sameRecord(stored, merged)) return undefined;
  return merged;
}

/** Field-by-field equality of two local records (latestMsg compared by value). */
export function sameRecord(a: LocalConversation, b: LocalConversation): boolean {
  for (const k of Object.keys(b) as Array<keyof LocalConversation>) {
    if (k === 'latestMsg') continue;
    if (a[k] !== b[k]) return false;
  }
  const x = a.latestMsg;
  const y = b.latestMsg;
  if (x === null || y === null) return x === y;
  return (
    x.clientMsgID === y.clientMsgID &&
    x.seq === y.seq &&
    x.sendID === y.sendID &&
    x.senderNickname === y.senderNickname &&
    x.contentType === y.contentType &&
    x.text === y.text &&
    x.sendTime === y.sendTime
  );
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

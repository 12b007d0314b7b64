/** List order and unread arithmetic (SPEC §1.2, §1.3), shared by client and server. */
import type { Conversation } from './types.js';

/** What the order needs of a record; drafts exist only on the client. */
type Sortable = Pick<Conversation, 'conversationID' | 'isPinned' | 'latestMsgSendTime'> & { draftTextTime?: number };

/** `max(latestMsgSendTime, draftTextTime)`. */
export function sortTimeOf(c: Sortable): number {
  return Math.max(c.latestMsgSendTime, c.draftTextTime ?? 0);
}

/**
 * Comparator for SPEC §1.2: descending on (pinned, sortTime, conversationID).
 * Negative when `a` comes first.
 */
export function compareConversations(a: Sortable, b: Sortable): number {
  const p = Number(b.isPinned) - Number(a.isPinned);
  if (p !== 0) return p;
  const t = sortTimeOf(b) - sortTimeOf(a);
  if (t !== 0) return t;
  return a.conversationID < b.conversationID ? 1 : a.conversationID > b.conversationID ? -1 : 0;
}

export function unreadCountOf(c: Pick<Conversation, 'maxSeq' | 'hasReadSeq'>): number {
  return Math.max(0, c.maxSeq - c.hasReadSeq);
}

/** Sum of unread counts over conversations whose `recvMsgOpt` is 0. */
export function totalUnreadOf(list: Iterable<Pick<Conversation, 'maxSeq' | 'hasReadSeq' | 'recvMsgOpt'>>): number {
  let n = 0;
  for (const c of list) if (c.recvMsgOpt === 0) n += unreadCountOf(c);
  return n;
}

/**
 * Rules about conversations that both halves (and any backend) share (SPEC §1.1): what a
 * conversation ID says, when two wire records are the same, and a complete record with
 * defaults.
 */
import type { Conversation, ConversationType, LatestMsg } from './types.js';

const PREFIX_TYPE: Readonly<Record<string, ConversationType>> = { si_: 1, sg_: 3, sn_: 4 };

/**
 * The type an ID names by its prefix: `si_` single chat (1), `sg_` group (3), `sn_`
 * notification (4); `undefined` for any other ID, or a prefix with nothing after it.
 */
export function conversationTypeOf(conversationID: string): ConversationType | undefined {
  return conversationID.length > 3 ? PREFIX_TYPE[conversationID.slice(0, 3)] : undefined;
}

/** The peer of `userID` in single chat `si_<a>_<b>`, or `null` when `userID` is not a party. */
export function peerOf(conversationID: string, userID: string): string | null {
  if (!conversationID.startsWith('si_')) return null;
  const rest = conversationID.slice(3);
  if (rest.startsWith(`${userID}_`) && rest.length > userID.length + 1) return rest.slice(userID.length + 1);
  if (rest.endsWith(`_${userID}`) && rest.length > userID.length + 1) return rest.slice(0, rest.length - userID.length - 1);
  return null;
}

/** The ID of the single chat of two users: `si_` and the two IDs sorted, joined with `_`. */
export function singleChatID(a: string, b: string): string {
  return a < b ? `si_${a}_${b}` : `si_${b}_${a}`;
}

function sameLatestMsg(x: LatestMsg | null, y: LatestMsg | null): boolean {
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

/** Field-by-field equality of two wire records (the same keys, equal values). */
export function sameConversation(a: Conversation, b: Conversation): boolean {
  for (const k of Object.keys(a) as Array<keyof Conversation>) {
    if (k === 'latestMsg') continue;
    if (a[k] !== b[k]) return false;
  }
  if (Object.keys(a).length !== Object.keys(b).length) return false;
  return sameLatestMsg(a.latestMsg, b.latestMsg);
}

/**
 * A complete wire record of `conversationID` in the list of `ownerUserID`: the type, the
 * peer (single chat) and the group (group) follow from the ID, every other field takes
 * its default (empty strings, zeros, `false`, no message); `fields` overrides any of them.
 * An ID of no known prefix is taken as a notification conversation.
 */
export function defaultConversation(conversationID: string, ownerUserID: string, fields: Partial<Conversation> = {}): Conversation {
  const conversationType = conversationTypeOf(conversationID) ?? 4;
  return {
    conversationID,
    ownerUserID,
    conversationType,
    userID: conversationType === 1 ? (peerOf(conversationID, ownerUserID) ?? '') : '',
    groupID: conversationType === 3 ? conversationID.slice(3) : '',
    showName: '',
    faceURL: '',
    recvMsgOpt: 0,
    isPinned: false,
    isPrivateChat: false,
    burnDuration: 0,
    groupAtType: 0,
    attachedInfo: '',
    ex: '',
    minSeq: 0,
    maxSeq: 0,
    hasReadSeq: 0,
    latestMsg: null,
    latestMsgSendTime: 0,
    ...fields,
  };
}

/** Test and bench data shared by test/ and bench/. */
import type { Conversation } from '../src/protocol/index.js';

/** A valid wire conversation with sensible defaults; override any field. */
export function makeConversation(id: string, over: Partial<Conversation> = {}): Conversation {
  return {
    conversationID: id,
    ownerUserID: 'u1',
    conversationType: 3,
    userID: '',
    groupID: id.replace(/^sg_/, ''),
    showName: `name ${id}`,
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
    latestMsgSendTime: 1_700_000_000_000,
    ...over,
  };
}

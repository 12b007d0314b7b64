/** Test and bench data shared by test/ and bench/. */
import { defaultConversation, type Conversation } from '../src/protocol/index.js';

/** A valid wire conversation (a group of u1's) with sensible defaults; override any field. */
export function makeConversation(id: string, over: Partial<Conversation> = {}): Conversation {
  return {
    ...defaultConversation(id, 'u1'),
    conversationType: 3,
    userID: '',
    groupID: id.replace(/^sg_/, ''),
    showName: `name ${id}`,
    latestMsgSendTime: 1_700_000_000_000,
    ...over,
  };
}

/**
 * `/admin/send_message` (SPEC §3.4): a new message in a conversation reaches every
 * member's record. Kept apart from the service: it reads the demo directory and commits
 * once per member through the function it is given.
 */
import { randomBytes } from 'node:crypto';
import { conversationTypeOf, defaultConversation, peerOf, type Conversation, type LatestMsg } from '../../protocol/index.js';
import { badArgs, notFound } from '../http/api-error.js';
import type { ConversationDirectory, Edit } from '../ports.js';

/** OpenIM's content type of a text message */
export const TEXT_CONTENT_TYPE = 101;

/** What `sendMessage` answers. */
export interface SentMessage {
  seq: number;
  sendTime: number;
  members: string[];
}

/** What `sendMessage` needs: the directory, and a commit that counts and notifies. */
export interface SendMessageDeps {
  directory: ConversationDirectory;
  commit(userID: string, edits: readonly Edit[]): Promise<unknown>;
}

/**
 * Every member's record gets the new `maxSeq` and `latestMsg` (a member without a record
 * gets one, `insert`). The sender has read their own message: their `hasReadSeq` rises to
 * the new seq, so a sender's unread count never grows. A record created here starts with
 * `minSeq = seq` (no history) and `hasReadSeq = seq - 1` for the others (one unread).
 */
export async function sendMessage(d: SendMessageDeps, conversationID: string, sendID: string, text: string): Promise<SentMessage> {
  const type = conversationTypeOf(conversationID);
  if (type === undefined) throw badArgs(`bad arguments: ${conversationID} is not an si_, sg_ or sn_ conversation`, 'body.conversationID');
  const info = await d.directory.conversationInfo(conversationID);
  const members = new Set(info?.members ?? []);
  let peerOfSender: string | null = null;
  if (type === 1) {
    peerOfSender = peerOf(conversationID, sendID);
    if (peerOfSender === null) throw badArgs(`bad arguments: ${sendID} is not a party of ${conversationID}`, 'body.sendID');
    members.add(sendID).add(peerOfSender);
  } else if (type === 3) {
    members.add(sendID); // sending to a group joins it (admin tool)
  } else if (members.size === 0) {
    throw notFound(`conversation ${conversationID}`);
  }
  const seq = (info?.seq ?? 0) + 1;
  const now = Date.now();
  const latestMsg: LatestMsg = {
    clientMsgID: randomBytes(8).toString('hex'),
    seq,
    sendID,
    senderNickname: (await d.directory.userName(sendID)) ?? sendID,
    contentType: TEXT_CONTENT_TYPE,
    text,
    sendTime: now,
  };
  const ordered = [...members].sort();
  for (const m of ordered) {
    const own = m === sendID;
    const peer = type === 1 ? (own ? peerOfSender! : sendID) : '';
    const showName = type === 1 ? ((await d.directory.userName(peer)) ?? peer) : info?.showName || (type === 3 ? conversationID.slice(3) : 'Notifications');
    const created = (): Conversation =>
      defaultConversation(conversationID, m, {
        userID: peer,
        showName,
        faceURL: type === 1 ? '' : (info?.faceURL ?? ''),
        minSeq: seq,
        maxSeq: seq,
        hasReadSeq: own ? seq : seq - 1,
        latestMsg,
        latestMsgSendTime: now,
      });
    await d.commit(m, [
      {
        conversationID,
        apply: (old): Conversation =>
          old
            ? {
                ...old,
                maxSeq: Math.max(old.maxSeq, seq),
                hasReadSeq: own ? Math.max(old.hasReadSeq, seq) : old.hasReadSeq,
                latestMsg,
                latestMsgSendTime: now,
              }
            : created(),
      },
    ]);
  }
  await d.directory.addMembers([conversationID], ordered, { seq });
  return { seq, sendTime: now, members: ordered };
}

/**
 * What users and admins do to conversations: each operation commits through the store
 * (records and log together) and then notifies the owners' sockets (SPEC §3.2, §3.4, §4).
 */
import { randomBytes } from 'node:crypto';
import type { ChangedFrame, Conversation, ConversationType, LatestMsg, ServerFrame } from '../protocol/index.js';
import { badArgs, notFound } from './api-error.js';
import type { Metrics } from './metrics.js';
import type { CommitResult, ConversationStore, Edit } from './ports.js';
import type { ConversationSettings } from './validate-request.js';
import type { LogHead } from './version-log.js';

/** A change that touches at most this many records carries its `delta`. */
export const DELTA_MAX = 100;
/** A change that touches more IDs than this sends `conversationIDs: []` (the client syncs). */
export const CHANGED_IDS_MAX = 1000;
/** OpenIM's content type of a text message */
export const TEXT_CONTENT_TYPE = 101;

export interface Notifier {
  send(userID: string, frame: ServerFrame): number;
}

export function changedFrame(userID: string, r: CommitResult): ChangedFrame {
  const n = r.insert.length + r.update.length + r.delete.length;
  const ids = n > CHANGED_IDS_MAX ? [] : [...r.insert.map((c) => c.conversationID), ...r.update.map((c) => c.conversationID), ...r.delete];
  const frame: ChangedFrame = { type: 'conversation.changed', userID, conversationIDs: ids, versionID: r.id, version: r.version };
  if (n <= DELTA_MAX) frame.delta = { delete: r.delete, insert: r.insert, update: r.update };
  return frame;
}

function typeOf(conversationID: string): ConversationType {
  return conversationID.startsWith('si_') ? 1 : conversationID.startsWith('sg_') ? 3 : 4;
}

/** The peer of `userID` in single chat `si_<a>_<b>`, or `null` when `userID` is not a party. */
export function peerOf(conversationID: string, userID: string): string | null {
  if (!conversationID.startsWith('si_')) return null;
  const rest = conversationID.slice(3);
  if (rest.startsWith(`${userID}_`) && rest.length > userID.length + 1) return rest.slice(userID.length + 1);
  if (rest.endsWith(`_${userID}`) && rest.length > userID.length + 1) return rest.slice(0, rest.length - userID.length - 1);
  return null;
}

export function singleChatID(a: string, b: string): string {
  return a < b ? `si_${a}_${b}` : `si_${b}_${a}`;
}

export class ConversationService {
  constructor(
    readonly store: ConversationStore,
    private readonly notifier: Notifier,
    private readonly metrics: Metrics,
  ) {}

  /** commit, count, notify `conversation.changed` */
  async commit(userID: string, edits: readonly Edit[], notify = true): Promise<CommitResult | null> {
    const r = await this.store.commit(userID, edits);
    if (!r) return null;
    this.metrics.logVersions++;
    this.metrics.logEntries += r.insert.length + r.update.length + r.delete.length;
    if (notify) this.notifier.send(userID, changedFrame(userID, r));
    return r;
  }

  async setConversations(userID: string, s: ConversationSettings): Promise<void> {
    const id = s.conversationID;
    let before: Conversation | undefined;
    const r = await this.commit(userID, [
      {
        conversationID: id,
        apply(old) {
          if (!old) throw notFound(`conversation ${id}`);
          before = old;
          const next = { ...old };
          if (s.isPinned !== undefined) next.isPinned = s.isPinned;
          if (s.recvMsgOpt !== undefined) next.recvMsgOpt = s.recvMsgOpt;
          if (s.isPrivateChat !== undefined) next.isPrivateChat = s.isPrivateChat;
          if (s.burnDuration !== undefined) next.burnDuration = s.burnDuration;
          if (s.groupAtType !== undefined) next.groupAtType = s.groupAtType;
          if (s.attachedInfo !== undefined) next.attachedInfo = s.attachedInfo;
          if (s.ex !== undefined) next.ex = s.ex;
          return next;
        },
      },
    ]);
    const old = before;
    if (!r || !old || s.isPrivateChat === undefined || old.conversationType !== 1 || old.userID === '') return;
    const peer = old.userID;
    const after = r.update[0]!;
    if (after.isPrivateChat === old.isPrivateChat && after.burnDuration === old.burnDuration) return;
    // the peer's record of the same single chat follows (when the peer has one)
    await this.commit(peer, [
      {
        conversationID: id,
        apply: (p) => (p ? { ...p, isPrivateChat: after.isPrivateChat, burnDuration: after.burnDuration } : undefined),
      },
    ]);
    if (after.isPrivateChat !== old.isPrivateChat) {
      const frame: ServerFrame = { type: 'conversation.private', sendID: userID, recvID: peer, conversationID: id, isPrivate: after.isPrivateChat };
      this.notifier.send(userID, frame);
      this.notifier.send(peer, frame);
    }
  }

  /** Raises hasReadSeq (clamped to maxSeq); a read that raises nothing changes nothing. */
  async markAsRead(userID: string, conversationID: string, hasReadSeq: number): Promise<void> {
    const r = await this.commit(
      userID,
      [
        {
          conversationID,
          apply(old) {
            if (!old) throw notFound(`conversation ${conversationID}`);
            const target = Math.min(hasReadSeq, old.maxSeq);
            return target > old.hasReadSeq ? { ...old, hasReadSeq: target } : old;
          },
        },
      ],
      false,
    );
    if (!r) return;
    this.notifier.send(userID, {
      type: 'conversation.unread',
      userID,
      conversationID,
      hasReadSeq: r.update[0]!.hasReadSeq,
      unreadCountTime: Date.now(),
      versionID: r.id,
      version: r.version,
    });
  }

  async deleteConversations(userID: string, ids: readonly string[]): Promise<void> {
    await this.commit(
      userID,
      ids.map((conversationID) => ({ conversationID, apply: () => undefined })),
    );
  }

  /** Admin: replace or insert raw records (owner forced to `userID`). */
  async upsert(userID: string, records: readonly Conversation[]): Promise<CommitResult | null> {
    return this.commit(
      userID,
      records.map((c) => ({ conversationID: c.conversationID, apply: () => ({ ...c, ownerUserID: userID }) })),
    );
  }

  async resetLog(userID: string): Promise<LogHead> {
    const head = await this.store.resetLog(userID);
    // a changed frame with the new identity: every connected client re-syncs (in full)
    this.notifier.send(userID, { type: 'conversation.changed', userID, conversationIDs: [], versionID: head.id, version: head.version });
    return head;
  }

  /**
   * Admin: a new message in a conversation. Every member's record gets the new `maxSeq`
   * and `latestMsg` (a member without a record gets one, `insert`). The sender has read
   * their own message: their `hasReadSeq` rises to the new seq, so a sender's unread
   * count never grows. A record created here starts with `minSeq = seq` (no history) and
   * `hasReadSeq = seq - 1` for the others (one unread: this message).
   */
  async sendMessage(conversationID: string, sendID: string, text: string): Promise<{ seq: number; sendTime: number; members: string[] }> {
    const info = await this.store.conversationInfo(conversationID);
    const members = new Set(info?.members ?? []);
    const type = typeOf(conversationID);
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
      senderNickname: (await this.store.userName(sendID)) ?? sendID,
      contentType: TEXT_CONTENT_TYPE,
      text,
      sendTime: now,
    };
    const ordered = [...members].sort();
    for (const m of ordered) {
      const own = m === sendID;
      const peer = type === 1 ? (own ? peerOfSender! : sendID) : '';
      const showName = type === 1 ? ((await this.store.userName(peer)) ?? peer) : info?.showName || (type === 3 ? conversationID.slice(3) : 'Notifications');
      await this.commit(m, [
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
              : {
                  conversationID,
                  ownerUserID: m,
                  conversationType: type,
                  userID: peer,
                  groupID: type === 3 ? conversationID.slice(3) : '',
                  showName,
                  faceURL: type === 1 ? '' : (info?.faceURL ?? ''),
                  recvMsgOpt: 0,
                  isPinned: false,
                  isPrivateChat: false,
                  burnDuration: 0,
                  groupAtType: 0,
                  attachedInfo: '',
                  ex: '',
                  minSeq: seq,
                  maxSeq: seq,
                  hasReadSeq: own ? seq : seq - 1,
                  latestMsg,
                  latestMsgSendTime: now,
                },
        },
      ]);
    }
    await this.store.addMembers([conversationID], ordered, { seq });
    return { seq, sendTime: now, members: ordered };
  }
}

/**
 * The edits behind the user writes (SPEC §3.2): each turns a request into a function from
 * the stored record to the new one, for `ConversationWrites.commit`.
 */
import type { Conversation } from '../protocol/index.js';
import { notFound } from './http/api-error.js';
import type { Edit } from './ports.js';
import type { ConversationSettings } from './http/validate-writes.js';

/**
 * set_conversations: the given settings over the stored record; 1004 when there is none.
 * `seen` receives the record as it was before (the privacy of a single chat follows it).
 */
export function settingsEdit(s: ConversationSettings, seen: (old: Conversation) => void = () => {}): Edit {
  const id = s.conversationID;
  return {
    conversationID: id,
    apply(old) {
      if (!old) throw notFound(`conversation ${id}`);
      seen(old);
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
  };
}

/** An edit that throws `error`: a client's mutation refused for its content is committed as one. */
export function refusedEdit(error: Error): Edit {
  return {
    conversationID: '',
    apply() {
      throw error;
    },
  };
}

/** The peer's record of a single chat takes the owner's privacy settings (when the peer has one). */
export function privacyEdit(conversationID: string, owner: Conversation): Edit {
  return {
    conversationID,
    apply: (c) => (c ? { ...c, isPrivateChat: owner.isPrivateChat, burnDuration: owner.burnDuration } : undefined),
  };
}

/** mark_as_read: raises hasReadSeq, clamped to maxSeq, never lowers it; 1004 when there is no record. */
export function readEdit(conversationID: string, hasReadSeq: number): Edit {
  return {
    conversationID,
    apply(old) {
      if (!old) throw notFound(`conversation ${conversationID}`);
      const target = Math.min(hasReadSeq, old.maxSeq);
      return target > old.hasReadSeq ? { ...old, hasReadSeq: target } : old;
    },
  };
}

/**
 * delete_conversations (and /admin/delete): the record goes, or stays absent; with
 * `knownSeq` (the newest seq the device knew of), a record with newer messages stays.
 */
export function removeEdit(conversationID: string, knownSeq?: number): Edit {
  return { conversationID, apply: (old) => (old && knownSeq !== undefined && old.maxSeq > knownSeq ? old : undefined) };
}

/** How a change of a single chat's privacy reaches the peer. */
export interface PrivacyChange {
  peer: string;
  after: Conversation;
  /** `isPrivateChat` itself changed (not only `burnDuration`): both parties hear it */
  turned: boolean;
}

/** What the peer must follow after a settings change of a single chat, or `null`. */
export function privacyChange(old: Conversation, after: Conversation): PrivacyChange | null {
  if (old.conversationType !== 1 || old.userID === '') return null;
  if (after.isPrivateChat === old.isPrivateChat && after.burnDuration === old.burnDuration) return null;
  return { peer: old.userID, after, turned: after.isPrivateChat !== old.isPrivateChat };
}

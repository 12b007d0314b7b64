/** Wire types shared by the client and the reference server (SPEC §1, §3, §4). */

/** 1 single chat, 3 group, 4 notification. */
export type ConversationType = 1 | 3 | 4;
/** 0 normal, 1 do not receive, 2 receive without notifying. */
export type RecvMsgOpt = 0 | 1 | 2;

export interface LatestMsg {
  clientMsgID: string;
  seq: number;
  sendID: string;
  senderNickname: string;
  contentType: number;
  text: string;
  sendTime: number;
}

/** A conversation as the server sends it. */
export interface Conversation {
  conversationID: string;
  ownerUserID: string;
  conversationType: ConversationType;
  userID: string;
  groupID: string;
  showName: string;
  faceURL: string;
  recvMsgOpt: RecvMsgOpt;
  isPinned: boolean;
  isPrivateChat: boolean;
  burnDuration: number;
  groupAtType: number;
  attachedInfo: string;
  ex: string;
  minSeq: number;
  maxSeq: number;
  hasReadSeq: number;
  latestMsg: LatestMsg | null;
  latestMsgSendTime: number;
}

/** A conversation as the client keeps it: the wire record plus client-only fields. */
export interface LocalConversation extends Conversation {
  /** Local only; never sent by the server and never overwritten by a sync. */
  draftText: string;
  /** ms since epoch; 0 when there is no draft. */
  draftTextTime: number;
  /** Computed: max(0, maxSeq - hasReadSeq). */
  unreadCount: number;
}

/** The server's version cursor for one target. */
export interface Cursor {
  versionID: string;
  version: number;
}

export type SyncMode = 'full' | 'incremental' | 'equal';

/** Answer `data` of `/conversation/get_incremental_conversations`. */
export interface IncrementalAnswer extends Cursor {
  full: boolean;
  delete: string[];
  insert: Conversation[];
  update: Conversation[];
}

/** Answer `data` of `/conversation/get_incremental_conversations_batch`. */
export interface BatchAnswer {
  results: Record<string, IncrementalAnswer>;
}

/** Answer `data` of `/conversation/get_full_conversations`. */
export interface FullPage extends Cursor {
  conversations: Conversation[];
  nextCursor: string | null;
  /** the number of records of the user; on the first page (a request without `cursor`) only */
  total?: number;
}

/** Answer `data` of `/conversation/get_full_conversation_ids`. */
export interface FullIDsAnswer extends Cursor {
  equal: boolean;
  conversationIDs: string[];
}

/** Answer `data` of `/conversation/get_sorted_conversation_list`. */
export interface SortedListAnswer {
  conversationTotal: number;
  unreadTotal: number;
  conversationElems: Array<Conversation & { unreadCount: number }>;
}

/** Every HTTP answer is wrapped in this envelope. */
export interface Envelope<T> {
  errCode: number;
  errMsg: string;
  errDlt: string;
  data?: T;
}

export interface Delta {
  delete: string[];
  insert: Conversation[];
  update: Conversation[];
}

// ---- WebSocket frames (SPEC §4) ----

export interface ChangedFrame extends Cursor {
  type: 'conversation.changed';
  userID: string;
  conversationIDs: string[];
  delta?: Delta;
}

export interface UnreadFrame extends Cursor {
  type: 'conversation.unread';
  userID: string;
  conversationID: string;
  hasReadSeq: number;
  unreadCountTime: number;
}

export interface PrivateFrame {
  type: 'conversation.private';
  sendID: string;
  recvID: string;
  conversationID: string;
  isPrivate: boolean;
}

export interface AuthOkFrame {
  type: 'auth.ok';
  userID: string;
}

export interface PingFrame {
  type: 'ping';
}
export interface PongFrame {
  type: 'pong';
}

export type ServerFrame = ChangedFrame | UnreadFrame | PrivateFrame | AuthOkFrame | PingFrame | PongFrame;
export type ClientFrame = { type: 'auth'; token: string } | PingFrame | PongFrame;

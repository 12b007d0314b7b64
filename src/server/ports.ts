/**
 * The store behind the server, as three narrow ports a database can implement: what
 * the sync decision and the read routes need (`ConversationReads`), what writes need
 * (`ConversationWrites`), and the demo directory of members and names
 * (`ConversationDirectory`). Every method is async and deals in wire records, log heads
 * and plain lists, never in the implementation's own structures.
 */
import type { Conversation, Cursor, ServerFrame } from '../protocol/index.js';
import type { LogChanges, LogHead } from './version-log.js';

/**
 * The frames a commit announces to the sockets of its own user, computed from what it
 * changed (`null`: nothing changed). The store records them with the commit and delivers
 * them through its `ConversationFeed`, in commit order per user.
 */
export type Announce = (change: CommitResult | null) => ServerFrame[];

/** One step of a commit: a function from the current record to the new one. */
export interface Edit {
  conversationID: string;
  /** returns the new record, or `undefined` to delete (or keep absent) */
  apply(old: Conversation | undefined): Conversation | undefined;
}

/** The change one commit made: the log head after it and the records it touched. */
export interface CommitResult extends LogHead {
  insert: Conversation[];
  update: Conversation[];
  delete: string[];
}

/** What `ConversationWrites.commit` did. */
export interface Commit {
  /** the change, or `null` when nothing changed (or nothing was applied: `repeat`) */
  change: CommitResult | null;
  /** the write's answer: the version its change produced, or the head when nothing changed */
  answer: Cursor;
  /** the mutation ID was remembered: nothing was applied and `answer` is the first answer */
  repeat: boolean;
}

/** How many mutation IDs a store remembers per user, at the least (SPEC §3.2). */
export const MUTATIONS_REMEMBERED = 1000;

/** A page of the list in SPEC §1.2 order, with the totals of the whole list. */
export interface SortedPage {
  total: number;
  unreadTotal: number;
  items: Array<Conversation & { unreadCount: number }>;
}

/** Who takes part in a conversation, and its newest message seq (for send_message). */
export interface ConversationInfo {
  members: string[];
  seq: number;
  showName: string;
  faceURL: string;
}

/** What `addMembers` may record about the conversations besides their members. */
export interface MemberInfo {
  showName?: string;
  faceURL?: string;
  seq?: number;
}

/** Reads for the sync decision (SPEC §2.1, §2.2) and the read endpoints (§3.1). */
export interface ConversationReads {
  /** cheap current id/version/watermark; creates the log on first access */
  head(userID: string): Promise<LogHead>;
  /** the same for many users in one round trip */
  heads(userIDs: readonly string[]): Promise<Map<string, LogHead>>;
  changesSince(userID: string, version: number, limit: number): Promise<LogChanges>;
  /** records by ID; missing ones left out */
  get(userID: string, conversationIDs: readonly string[]): Promise<Conversation[]>;
  /** ascending by conversationID, strictly after `after` */
  page(userID: string, after: string | null, limit: number): Promise<{ items: Conversation[]; more: boolean }>;
  /** how many records the user has */
  count(userID: string): Promise<number>;
  /** every conversationID of the user, ascending */
  ids(userID: string): Promise<string[]>;
  /** SPEC §1.2 order, `offset`/`limit` */
  sorted(userID: string, offset: number, limit: number): Promise<SortedPage>;
}

/** Writes: records and the version log change together, or not at all. */
export interface ConversationWrites {
  /**
   * One atomic step: evaluates every edit first, then applies the record changes and one
   * log batch together and, when `mutationID` is given, remembers the answer under it for
   * the user (the last `MUTATIONS_REMEMBERED` at least, oldest forgotten first). A
   * `mutationID` still remembered applies nothing and answers as the first time. An edit
   * that throws leaves nothing behind, not even the mutation ID. A commit that changes no
   * field records no version, but still remembers its mutation ID with the current head.
   */
  commit(userID: string, edits: readonly Edit[], mutationID?: string, announce?: Announce): Promise<Commit>;
  /** drops the log: the next access creates one with a new id; `announce` gets the new head */
  resetLog(userID: string, announce?: (head: LogHead) => ServerFrame[]): Promise<LogHead>;
  /** drops entries up to `keepVersion` and raises the watermark (SPEC §3.4) */
  compact(userID: string, keepVersion: number): Promise<LogHead>;
  /**
   * Retention: compacts every log whose entries are older than `maxAgeMs` (by the time
   * they were written) or more than `maxEntries`, moving each `deleted` watermark.
   * Answers how many logs it compacted.
   */
  retain(policy: RetentionPolicy, now?: number): Promise<number>;
}

/** What automatic compaction keeps (SPEC §2 "Compaction"); a limit left out is not applied. */
export interface RetentionPolicy {
  /** entries written longer ago than this are dropped */
  maxAgeMs?: number;
  /** at most this many entries per log are kept (the newest) */
  maxEntries?: number;
}

/** Stops a feed subscription. */
export type Unsubscribe = () => void;

/**
 * Where announced frames go: to whoever subscribed, per user in the order of the commits
 * that announced them. A store shared by several server instances delivers every
 * instance's frames to every instance; `follow`/`unfollow` say which users have sockets
 * here, so such a store reads only what it will deliver.
 */
export interface ConversationFeed {
  subscribe(deliver: (userID: string, frame: ServerFrame) => void): Unsubscribe;
  /**
   * A socket of `userID` is about to join here: frames committed after the returned
   * promise resolves are delivered (frames before it are not: the client syncs on connect).
   */
  follow(userID: string): Promise<void>;
  /** one socket of `userID` left (as many calls as `follow`) */
  unfollow(userID: string): void;
}

/** The demo directory: members of conversations and display names (admin tools only). */
export interface ConversationDirectory {
  /** membership and seq of a conversation across users; `null` when unknown */
  conversationInfo(conversationID: string): Promise<ConversationInfo | null>;
  /**
   * Registers members of conversations (beyond the owners of records, who always are),
   * optionally with a display name/avatar and the newest seq.
   */
  addMembers(conversationIDs: readonly string[], userIDs: readonly string[], info?: MemberInfo): Promise<void>;
  /** display names of users (used for single chats created by send_message) */
  setUserNames(names: ReadonlyMap<string, string>): Promise<void>;
  userName(userID: string): Promise<string | undefined>;
}

/** Everything a server needs of its store: the ports in one object. */
export interface ConversationStore extends ConversationReads, ConversationWrites, ConversationDirectory, ConversationFeed {
  /**
   * A token secret kept with the data, so that every instance on the store, and a
   * restarted one, accepts the same tokens; `undefined` when the store keeps none.
   */
  sharedSecret?(): Promise<string>;
  /**
   * Resolves when the store can serve now (`/readyz`); rejects (best with a
   * `StoreUnavailableError`) while its database cannot be reached. Absent: always ready.
   */
  ready?(): Promise<void>;
  /** releases connections and timers (a store opened by `createServer` from a URL is closed with it) */
  close?(): Promise<void>;
}

/**
 * Conversation storage behind an interface a real database could implement, and the
 * in-memory implementation the reference server uses.
 *
 * The one write primitive is `commit(userID, edits)`: every edit is a function from the
 * current record (or `undefined`) to the new one (or `undefined` to delete). The store
 * evaluates all of them first, then applies the record changes and the one log entry
 * batch together: an edit that throws leaves neither, and a commit that changes no field
 * of any record records nothing (no version bump). A database implementation runs the
 * same thing inside one transaction.
 */
import { compareConversations, totalUnreadOf, unreadCountOf, type Conversation } from '../protocol/index.js';
import { LogState, VersionLog, type LogChanges, type LogHead, type LogStateValue } from './version-log.js';

export interface Edit {
  conversationID: string;
  /** returns the new record, or `undefined` to delete (or keep absent) */
  apply(old: Conversation | undefined): Conversation | undefined;
}

export interface CommitResult extends LogHead {
  insert: Conversation[];
  update: Conversation[];
  delete: string[];
  /** records before the commit, for the IDs in `update` and `delete` */
  before: Map<string, Conversation>;
}

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

export interface MemberInfo {
  showName?: string;
  faceURL?: string;
  seq?: number;
}

export interface ConversationStore {
  /** cheap current id/version/watermark; creates the log on first access */
  head(userID: string): Promise<LogHead>;
  /** the same for many users in one round trip */
  heads(userIDs: readonly string[]): Promise<Map<string, LogHead>>;
  changesSince(userID: string, version: number, limit: number): Promise<LogChanges>;
  /** records by ID; missing ones left out */
  get(userID: string, conversationIDs: readonly string[]): Promise<Conversation[]>;
  /** ascending by conversationID, strictly after `after` */
  page(userID: string, after: string | null, limit: number): Promise<{ items: Conversation[]; more: boolean }>;
  /** every conversationID of the user, ascending */
  ids(userID: string): Promise<string[]>;
  /** SPEC §1.2 order, `offset`/`limit` */
  sorted(userID: string, offset: number, limit: number): Promise<SortedPage>;
  /** atomic: records and log together; `null` when nothing changed */
  commit(userID: string, edits: readonly Edit[]): Promise<CommitResult | null>;
  /** drops the log: the next access creates one with a new id */
  resetLog(userID: string): Promise<LogHead>;
  compact(userID: string, keepVersion: number): Promise<LogHead>;
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

/** Field-by-field equality of two wire records. */
export function sameConversation(a: Conversation, b: Conversation): boolean {
  for (const k of Object.keys(a) as Array<keyof Conversation>) {
    if (k === 'latestMsg') continue;
    if (a[k] !== b[k]) return false;
  }
  if (Object.keys(a).length !== Object.keys(b).length) return false;
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

function cmpID(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class UserData {
  recs = new Map<string, Conversation>();
  log: VersionLog | null = null;
  private sortedIDs: string[] | null = null;
  private ordered: { list: Conversation[]; unreadTotal: number } | null = null;

  getLog(): VersionLog {
    this.log ??= new VersionLog();
    return this.log;
  }

  idsAscending(): string[] {
    this.sortedIDs ??= [...this.recs.keys()].sort(cmpID);
    return this.sortedIDs;
  }

  inOrder(): { list: Conversation[]; unreadTotal: number } {
    if (!this.ordered) {
      const list = [...this.recs.values()].sort(compareConversations);
      this.ordered = { list, unreadTotal: totalUnreadOf(list) };
    }
    return this.ordered;
  }

  changed(idSetChanged: boolean): void {
    this.ordered = null;
    if (idSetChanged) this.sortedIDs = null;
  }
}

export class MemoryConversationStore implements ConversationStore {
  private users = new Map<string, UserData>();
  /** explicit memberships; a seed batch shares one frozen member list across its conversations */
  private convs = new Map<string, { members: readonly string[]; seq: number; showName: string; faceURL: string }>();
  private names = new Map<string, string>();

  private user(userID: string): UserData {
    let u = this.users.get(userID);
    if (!u) {
      u = new UserData();
      this.users.set(userID, u);
    }
    return u;
  }

  async head(userID: string): Promise<LogHead> {
    return this.user(userID).getLog().headInfo();
  }

  async heads(userIDs: readonly string[]): Promise<Map<string, LogHead>> {
    const out = new Map<string, LogHead>();
    for (const id of userIDs) out.set(id, this.user(id).getLog().headInfo());
    return out;
  }

  async changesSince(userID: string, version: number, limit: number): Promise<LogChanges> {
    return this.user(userID).getLog().changesSince(version, limit);
  }

  async get(userID: string, conversationIDs: readonly string[]): Promise<Conversation[]> {
    const u = this.user(userID);
    const out: Conversation[] = [];
    for (const id of conversationIDs) {
      const r = u.recs.get(id);
      if (r) out.push(r);
    }
    return out;
  }

  async page(userID: string, after: string | null, limit: number): Promise<{ items: Conversation[]; more: boolean }> {
    const u = this.user(userID);
    const ids = u.idsAscending();
    let lo = 0;
    if (after !== null) {
      let hi = ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ids[mid]! <= after) lo = mid + 1;
        else hi = mid;
      }
    }
    const slice = ids.slice(lo, lo + limit);
    return { items: slice.map((id) => u.recs.get(id)!), more: lo + limit < ids.length };
  }

  async ids(userID: string): Promise<string[]> {
    return [...this.user(userID).idsAscending()];
  }

  async sorted(userID: string, offset: number, limit: number): Promise<SortedPage> {
    const { list, unreadTotal } = this.user(userID).inOrder();
    const items = list.slice(offset, offset + limit).map((c) => ({ ...c, unreadCount: unreadCountOf(c) }));
    return { total: list.length, unreadTotal, items };
  }

  async commit(userID: string, edits: readonly Edit[]): Promise<CommitResult | null> {
    const u = this.user(userID);
    // 1. evaluate every edit against a staged view; nothing is applied yet
    const staged = new Map<string, Conversation | undefined>();
    for (const e of edits) {
      const cur = staged.has(e.conversationID) ? staged.get(e.conversationID) : u.recs.get(e.conversationID);
      const next = e.apply(cur);
      if (next !== undefined && (next.conversationID !== e.conversationID || next.ownerUserID !== userID)) {
        throw new Error(`edit of ${e.conversationID} returned a record of another ID or owner`);
      }
      staged.set(e.conversationID, next);
    }
    // 2. diff against the stored records
    const insert: Conversation[] = [];
    const update: Conversation[] = [];
    const del: string[] = [];
    const before = new Map<string, Conversation>();
    const logChanges: Array<{ eID: string; state: LogStateValue }> = [];
    for (const [id, next] of staged) {
      const old = u.recs.get(id);
      if (old === undefined && next === undefined) continue;
      if (old === undefined) {
        insert.push(next!);
        logChanges.push({ eID: id, state: LogState.INSERT });
      } else if (next === undefined) {
        del.push(id);
        before.set(id, old);
        logChanges.push({ eID: id, state: LogState.DELETE });
      } else if (!sameConversation(old, next)) {
        update.push(next);
        before.set(id, old);
        logChanges.push({ eID: id, state: LogState.UPDATE });
      }
    }
    if (logChanges.length === 0) return null;
    // 3. apply records and log together (nothing below can throw)
    for (const c of insert) u.recs.set(c.conversationID, c);
    for (const c of update) u.recs.set(c.conversationID, c);
    for (const id of del) u.recs.delete(id);
    u.changed(insert.length + del.length > 0);
    const log = u.getLog();
    log.incr(logChanges);
    return { ...log.headInfo(), insert, update, delete: del, before };
  }

  async resetLog(userID: string): Promise<LogHead> {
    const u = this.user(userID);
    u.log = null;
    return u.getLog().headInfo();
  }

  async compact(userID: string, keepVersion: number): Promise<LogHead> {
    const log = this.user(userID).getLog();
    log.compact(keepVersion);
    return log.headInfo();
  }

  async conversationInfo(conversationID: string): Promise<ConversationInfo | null> {
    const c = this.convs.get(conversationID);
    const members = new Set(c?.members ?? []);
    let seq = c?.seq ?? 0;
    let showName = c?.showName ?? '';
    let faceURL = c?.faceURL ?? '';
    // whoever holds a record of it takes part (one map lookup per user)
    for (const [userID, u] of this.users) {
      const r = u.recs.get(conversationID);
      if (!r) continue;
      members.add(userID);
      if (r.maxSeq > seq) seq = r.maxSeq;
      if (showName === '' && r.conversationType !== 1) {
        showName = r.showName;
        faceURL = r.faceURL;
      }
    }
    if (!c && members.size === 0) return null;
    return { members: [...members], seq, showName, faceURL };
  }

  async addMembers(conversationIDs: readonly string[], userIDs: readonly string[], info: MemberInfo = {}): Promise<void> {
    const shared = Object.freeze([...userIDs]);
    for (const id of conversationIDs) {
      const c = this.convs.get(id);
      if (!c) {
        this.convs.set(id, { members: shared, seq: info.seq ?? 0, showName: info.showName ?? '', faceURL: info.faceURL ?? '' });
        continue;
      }
      const more = userIDs.filter((u) => !c.members.includes(u));
      if (more.length > 0) c.members = [...c.members, ...more];
      if (info.seq !== undefined && info.seq > c.seq) c.seq = info.seq;
      if (info.showName !== undefined) c.showName = info.showName;
      if (info.faceURL !== undefined) c.faceURL = info.faceURL;
    }
  }

  async setUserNames(names: ReadonlyMap<string, string>): Promise<void> {
    for (const [k, v] of names) this.names.set(k, v);
  }

  async userName(userID: string): Promise<string | undefined> {
    return this.names.get(userID);
  }

  /** The log of a user, for tests and the admin snapshot. */
  logOf(userID: string): VersionLog {
    return this.user(userID).getLog();
  }
}

/**
 * The in-memory store of the reference server: every port of `ports.ts` over plain maps.
 *
 * `commit` evaluates all edits against a staged view first, then applies the record
 * changes, the one log batch and the mutation together, synchronously: an edit that
 * throws leaves none of them, and a commit that changes no field records no version. A
 * database implementation runs the same thing inside one transaction.
 */
import { unreadCountOf, type Conversation, type Cursor, type ServerFrame } from '../../../protocol/index.js';
import { LocalFeed } from './local-feed.js';
import type { RememberedID } from './mutation-memory.js';
import { diff, type Diff } from '../../diff.js';
import type { ClientState, MutationKey } from '../../mutation.js';
import { cmpID, UserData } from './user.js';
import {
  type Announce,
  type Commit,
  type ConversationInfo,
  type ConversationStore,
  type Edit,
  type MemberInfo,
  type RetentionPolicy,
  type SortedPage,
  type Unsubscribe,
} from '../../ports.js';
import type { LogChanges, LogHead, VersionLogSnapshot } from '../../version-log.js';

/** Everything a `MemoryConversationStore` holds, as plain data in a stable order (tests, debugging). */
export interface MemoryStoreSnapshot {
  users: Array<{ userID: string; records: Conversation[]; log: VersionLogSnapshot | null; mutations: Array<[string, RememberedID]>; clients: Array<[string, ClientState]> }>;
  conversations: Array<{ conversationID: string; members: string[]; seq: number; showName: string; faceURL: string }>;
  names: Array<[string, string]>;
}

/** The reference server's store: all users' records, version logs and the demo directory in memory. */
export class MemoryConversationStore implements ConversationStore {
  private users = new Map<string, UserData>();
  /** explicit memberships; a seed batch shares one frozen member list across its conversations */
  private convs = new Map<string, { members: readonly string[]; seq: number; showName: string; faceURL: string }>();
  private names = new Map<string, string>();
  private readonly feed = new LocalFeed();

  private user(userID: string): UserData {
    let u = this.users.get(userID);
    if (!u) {
      u = new UserData();
      this.users.set(userID, u);
    }
    return u;
  }

  // ---- ConversationReads ----

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

  async count(userID: string): Promise<number> {
    return this.user(userID).recs.size;
  }

  async ids(userID: string): Promise<string[]> {
    return [...this.user(userID).idsAscending()];
  }

  async sorted(userID: string, offset: number, limit: number): Promise<SortedPage> {
    const { list, unreadTotal } = this.user(userID).inOrder();
    const items = list.slice(offset, offset + limit).map((c) => ({ ...c, unreadCount: unreadCountOf(c) }));
    return { total: list.length, unreadTotal, items };
  }

  // ---- ConversationWrites ----

  async commit(userID: string, edits: readonly Edit[], mutation?: string | MutationKey, announce?: Announce): Promise<Commit> {
    const u = this.user(userID);
    const key: MutationKey | undefined = typeof mutation === 'string' ? { mutationID: mutation, hash: null } : mutation;
    const log = u.getLog();
    const now = log.headInfo();
    const repeat = key ? u.memo.repeatAnswer(key, { versionID: now.id, version: now.version }) : null;
    if (repeat) return { change: null, answer: repeat, repeat: true };
    let d: Diff;
    try {
      d = diff(u.recs, userID, edits);
    } catch (e) {
      u.memo.refused(key, e);
      throw e;
    }
    // apply records, log and mutation together (nothing below can throw)
    if (d.log.length > 0) {
      for (const c of d.insert) u.recs.set(c.conversationID, c);
      for (const c of d.update) u.recs.set(c.conversationID, c);
      for (const id of d.delete) u.recs.delete(id);
      u.changed(d.insert.length + d.delete.length > 0);
      log.incr(d.log);
    }
    const head = log.headInfo();
    const answer: Cursor = { versionID: head.id, version: head.version };
    if (key) u.memo.applied(key, answer);
    const change = d.log.length > 0 ? { ...head, insert: d.insert, update: d.update, delete: d.delete } : null;
    if (announce) this.feed.emit(userID, announce(change));
    return { change, answer, repeat: false };
  }

  async resetLog(userID: string, announce?: (head: LogHead) => ServerFrame[]): Promise<LogHead> {
    const u = this.user(userID);
    u.log = null;
    const head = u.getLog().headInfo();
    if (announce) this.feed.emit(userID, announce(head));
    return head;
  }

  async compact(userID: string, keepVersion: number): Promise<LogHead> {
    const log = this.user(userID).getLog();
    log.compact(keepVersion);
    return log.headInfo();
  }

  async retain(policy: RetentionPolicy, now = Date.now()): Promise<number> {
    const cutoff = policy.maxAgeMs === undefined ? undefined : now - policy.maxAgeMs;
    let n = 0;
    for (const u of this.users.values()) {
      const keep = u.log?.retainVersion(cutoff, policy.maxEntries) ?? null;
      if (keep === null) continue;
      u.log!.compact(keep);
      n++;
    }
    return n;
  }

  // ---- ConversationFeed ----

  subscribe(deliver: (userID: string, frame: ServerFrame) => void): Unsubscribe {
    return this.feed.subscribe(deliver);
  }

  /** one process: every frame reaches the subscribers anyway */
  follow(_userID: string): Promise<void> {
    return this.feed.follow();
  }

  unfollow(_userID: string): void {
    this.feed.unfollow();
  }

  // ---- ConversationDirectory ----

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

  // ---- inspection ----

  /**
   * A copy of everything held: every user the store knows (a read of an unknown user
   * creates one) with its records and log, memberships and names, each sorted by key.
   */
  snapshot(): MemoryStoreSnapshot {
    const byKey = <T>(a: [string, T], b: [string, T]) => cmpID(a[0], b[0]);
    return {
      users: [...this.users.entries()].sort(byKey).map(([userID, u]) => ({
        userID,
        records: [...u.recs.entries()].sort(byKey).map(([, c]) => c),
        log: u.log ? u.log.snapshot() : null,
        mutations: [...u.memo.ids.entries()],
        clients: [...u.memo.clients.entries()].sort(byKey),
      })),
      conversations: [...this.convs.entries()].sort(byKey).map(([conversationID, c]) => ({ conversationID, ...c, members: [...c.members] })),
      names: [...this.names.entries()].sort(byKey),
    };
  }
}

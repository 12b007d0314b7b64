/**
 * The one way into the store for the routes: sync reads (SPEC §2, §3.1), what users do
 * (§3.2) and the admin tools (§3.4). Every write commits through the store (records and
 * log together) with the frames the notification policy (§4) derives from what it did;
 * the store records them with the commit and its feed delivers them to the sockets.
 */
import { idHash, type Conversation, type Cursor, type FullIDsAnswer, type FullPage, type SortedListAnswer } from '../protocol/index.js';
import { decide, decideBatch, type Decision } from './decision.js';
import { privacyChange, privacyEdit, readEdit, refusedEdit, removeEdit, settingsEdit, type PrivacyChange } from './edits.js';
import type { Metrics } from './metrics.js';
import { framesTo, type WriteEffect } from './notifications.js';
import type { Announce, Commit, CommitResult, ConversationStore, Edit } from './ports.js';
import type { MutationKey } from './mutation.js';
import { seedPlan } from './admin/seed.js';
import { sendMessage, type SentMessage } from './admin/send-message.js';
import type { ConversationSettings, UserMutation } from './http/validate-writes.js';
import { contentHash, DEFAULT_CLIENT_RETENTION_MS, keyOf, type WriteIdentity } from './mutation.js';
import type { LogHead } from './version-log.js';

/** The answer of `/admin/seed`. */
export interface SeedResult extends Cursor {
  count: number;
}

/** One user write that carried a mutation identity and succeeded. */
export interface MutationEvent {
  userID: string;
  /** the legacy mutationID, or `clientID/mutationNumber` */
  mutationID: string;
  /** set for a client identity */
  clientID?: string;
  mutationNumber?: number;
  kind: 'set' | 'read' | 'delete';
  /** answered with the first answer: nothing was applied this time */
  repeat: boolean;
}

/** Options of `ConversationService`. */
export interface ServiceOptions {
  /** called once per user write that carries a mutation identity and succeeds */
  onMutation?: (e: MutationEvent) => void;
  /** a client unseen this long is forgotten (its next write gets 1410), default 180 days */
  clientRetentionMs?: number;
  /** the clock of the client retention (tests inject one), default `Date.now` */
  now?: () => number;
}

/** Reads, user writes and admin tools over one store, with notifications and metrics. */
export class ConversationService {
  constructor(
    private readonly store: ConversationStore,
    private readonly metrics: Metrics,
    private readonly options: ServiceOptions = {},
  ) {}

  // ---- sync reads ----

  /** The current log head of a user (created on first access). */
  head(userID: string): Promise<LogHead> {
    return this.store.head(userID);
  }

  /** SPEC §2.1 for one target. */
  decide(userID: string, cursor: Cursor, limit: number): Promise<Decision> {
    return decide(this.store, userID, cursor, limit);
  }

  /** SPEC §2.2: one decision per target. */
  decideBatch(targets: ReadonlyArray<{ userID: string } & Cursor>, limit: number): Promise<Map<string, Decision>> {
    return decideBatch(this.store, targets, limit);
  }

  /**
   * One page of the snapshot, ascending by ID after `after`. The cursor is read before the
   * page, so it is never newer than the data; the first page (`after === null`) also
   * carries `total`, the number of records.
   */
  async fullPage(userID: string, after: string | null, limit: number): Promise<FullPage> {
    const head = await this.store.head(userID);
    const total = after === null ? await this.store.count(userID) : undefined;
    const page = await this.store.page(userID, after, limit);
    const last = page.items[page.items.length - 1];
    return {
      versionID: head.id,
      version: head.version,
      conversations: page.items,
      nextCursor: page.more && last ? last.conversationID : null,
      ...(total !== undefined ? { total } : {}),
    };
  }

  /**
   * Every ID of the user, left out when `hash` equals theirs (SPEC §2.3). The version
   * answered is the one of the IDs (a client compares them only at that version): the head
   * is read before and after the IDs, and the IDs again while a commit moved it between.
   */
  async fullIDs(userID: string, hash: string | undefined): Promise<FullIDsAnswer> {
    let head = await this.store.head(userID);
    let ids = await this.store.ids(userID);
    for (let i = 0; i < 8; i++) {
      const after = await this.store.head(userID);
      if (after.id === head.id && after.version === head.version) break;
      head = after;
      ids = await this.store.ids(userID);
    }
    const equal = hash !== undefined && hash === idHash(ids);
    return { versionID: head.id, version: head.version, equal, conversationIDs: equal ? [] : ids };
  }

  /** One page of the list in SPEC §1.2 order, pages counted from 1. */
  async sortedList(userID: string, pageNumber: number, showNumber: number): Promise<SortedListAnswer> {
    const p = await this.store.sorted(userID, (pageNumber - 1) * showNumber, showNumber);
    return { conversationTotal: p.total, unreadTotal: p.unreadTotal, conversationElems: p.items };
  }

  // ---- the write path ----

  /**
   * Commits through the store, announcing to `userID` the frames of the effects `effects`
   * derives from the change, and counts the versions and entries written.
   */
  private async apply(userID: string, edits: readonly Edit[], effects: (change: CommitResult | null) => WriteEffect[], key?: MutationKey): Promise<Commit> {
    const announce: Announce = (change) => framesTo(userID, effects(change), Date.now());
    const c = await this.store.commit(userID, edits, key, announce);
    if (c.change) {
      this.metrics.logVersions++;
      this.metrics.logEntries += c.change.insert.length + c.change.update.length + c.change.delete.length;
    }
    return c;
  }

  /** Commits, counts and notifies `conversation.changed` (the write of every admin tool). */
  async commit(userID: string, edits: readonly Edit[]): Promise<CommitResult | null> {
    const { change } = await this.apply(userID, edits, (ch) => (ch ? [{ kind: 'changed', userID, change: ch }] : []));
    return change;
  }

  /** The store's key of a write's identity, with the hash of what it does. */
  private key(identity: WriteIdentity, content: unknown): MutationKey {
    return keyOf(identity, contentHash(content), (this.options.now ?? Date.now)(), this.options.clientRetentionMs ?? DEFAULT_CLIENT_RETENTION_MS);
  }

  /**
   * One user write: commits (remembering its identity) with the frames of its effects,
   * runs what follows a change, counts, and tells the hook. A repeat applies nothing and
   * notifies nobody. Answers with the write's version (SPEC §3.2).
   */
  private async userWrite(
    userID: string,
    m: UserMutation,
    identity: WriteIdentity | undefined,
    edits: readonly Edit[],
    effects: (change: CommitResult) => WriteEffect[],
    then?: (change: CommitResult) => Promise<unknown>,
  ): Promise<Cursor> {
    const key = identity && this.key(identity, m);
    const c = await this.apply(userID, edits, (ch) => (ch ? effects(ch) : []), key);
    if (c.change && then) await then(c.change);
    if (identity) {
      this.metrics.mutations[c.repeat ? 'repeated' : 'applied']++;
      const ids = 'mutationID' in identity ? { mutationID: identity.mutationID } : { mutationID: `${identity.clientID}/${identity.mutationNumber}`, ...identity };
      this.options.onMutation?.({ userID, ...ids, kind: m.kind, repeat: c.repeat });
    }
    return c.answer;
  }

  /** Any user write, by what it does. */
  write(userID: string, m: UserMutation, identity?: WriteIdentity): Promise<Cursor> {
    if (m.kind === 'set') return this.setConversations(userID, m.conversation, identity);
    if (m.kind === 'read') return this.markAsRead(userID, m.conversationID, m.hasReadSeq, identity);
    return this.deleteConversations(userID, m.conversationIDs, identity, m.maxSeqs);
  }

  /**
   * A client's mutation whose content was refused (`error`, 1001): processed all the same,
   * so the client's number advances and a repeat of it gets the same refusal. Throws
   * `error`, unless the number is an older repeat (answered with the head, as any repeat).
   */
  async refuse(userID: string, identity: WriteIdentity, raw: unknown, error: Error): Promise<Cursor> {
    const c = await this.store.commit(userID, [refusedEdit(error)], this.key(identity, { refused: raw }));
    if (c.repeat) return c.answer;
    throw error;
  }

  // ---- user writes (SPEC §3.2) ----

  /**
   * Updates the given settings; a single chat's privacy also reaches the peer's record.
   * Both parties hear `conversation.private` when `isPrivateChat` itself changed: the owner
   * with its own commit, the peer with the peer's (which runs even when the peer holds no
   * record of the chat, to announce it).
   */
  async setConversations(userID: string, s: ConversationSettings, identity?: WriteIdentity): Promise<Cursor> {
    let old: Conversation | undefined;
    const edit = settingsEdit(s, (o) => (old = o));
    const privacy = (after: Conversation) => (old && s.isPrivateChat !== undefined ? privacyChange(old, after) : null);
    return this.userWrite(
      userID,
      { kind: 'set', conversation: s },
      identity,
      [edit],
      (change) => {
        const p = privacy(change.update[0]!);
        const effects: WriteEffect[] = [{ kind: 'changed', userID, change }];
        if (p?.turned) effects.push({ kind: 'private', sendID: userID, recvID: p.peer, conversationID: s.conversationID, isPrivate: p.after.isPrivateChat });
        return effects;
      },
      async (change) => {
        const p = privacy(change.update[0]!);
        if (p) await this.followPrivacy(userID, p);
      },
    );
  }

  /** The peer's record of a single chat follows its privacy (when the peer has one). */
  private async followPrivacy(userID: string, p: PrivacyChange): Promise<void> {
    const { peer, after, turned } = p;
    const conversationID = after.conversationID;
    await this.apply(peer, [privacyEdit(conversationID, after)], (change) => [
      ...(change ? [{ kind: 'changed' as const, userID: peer, change }] : []),
      ...(turned ? [{ kind: 'private' as const, sendID: userID, recvID: peer, conversationID, isPrivate: after.isPrivateChat }] : []),
    ]);
  }

  /** Raises hasReadSeq (clamped to maxSeq); a read that raises nothing changes nothing. */
  markAsRead(userID: string, conversationID: string, hasReadSeq: number, identity?: WriteIdentity): Promise<Cursor> {
    const m: UserMutation = { kind: 'read', conversationID, hasReadSeq };
    return this.userWrite(userID, m, identity, [readEdit(conversationID, hasReadSeq)], (change) => [{ kind: 'read', userID, change }]);
  }

  /**
   * Removes records from the user's list; unknown IDs are ignored, and so is a record
   * with messages newer than `maxSeqs[i]` (what the device knew of `ids[i]`), when given.
   * The conversation itself stays: its seq and the user's membership are kept in the
   * directory first, so a message that revives it continues at the next seq.
   */
  async deleteConversations(userID: string, ids: readonly string[], identity?: WriteIdentity, maxSeqs?: readonly number[]): Promise<Cursor> {
    await this.keepConversations(userID, await this.store.get(userID, ids));
    const m: UserMutation = { kind: 'delete', conversationIDs: [...ids], ...(maxSeqs ? { maxSeqs: [...maxSeqs] } : {}) };
    const edits = ids.map((id, i) => removeEdit(id, maxSeqs?.[i]));
    return this.userWrite(userID, m, identity, edits, (change) => [{ kind: 'changed', userID, change }]);
  }

  /** Records the seq of each conversation and the user's membership in the directory. */
  private async keepConversations(userID: string, held: readonly Conversation[]): Promise<void> {
    const bySeq = new Map<number, string[]>();
    for (const c of held) bySeq.set(c.maxSeq, [...(bySeq.get(c.maxSeq) ?? []), c.conversationID]);
    for (const [seq, ids] of bySeq) await this.store.addMembers(ids, [userID], { seq });
  }

  // ---- admin (SPEC §3.4) ----

  /** Replaces or inserts raw records (owner forced to `userID`). */
  async upsert(userID: string, records: readonly Conversation[]): Promise<CommitResult | null> {
    return this.commit(
      userID,
      records.map((c) => ({ conversationID: c.conversationID, apply: () => ({ ...c, ownerUserID: userID }) })),
    );
  }

  /** Removes records by ID; the change, or `null` when none was there. */
  async remove(userID: string, ids: readonly string[]): Promise<CommitResult | null> {
    return this.commit(userID, ids.map((id) => removeEdit(id)));
  }

  /** Drops the log (a new `versionID`); connected clients hear of it and re-sync. */
  resetLog(userID: string): Promise<LogHead> {
    return this.store.resetLog(userID, (head) => framesTo(userID, [{ kind: 'reset', userID, head }], Date.now()));
  }

  /** Drops log entries up to `keepVersion` (clients older than that get full). */
  compact(userID: string, keepVersion: number): Promise<LogHead> {
    return this.store.compact(userID, keepVersion);
  }

  /** Bulk-creates `count` realistic conversations in one commit; peers join the seeded groups. */
  async seed(userID: string, count: number, peers: readonly string[]): Promise<SeedResult> {
    const plan = seedPlan(userID, count, peers);
    await this.store.setUserNames(plan.names);
    const r = await this.commit(
      userID,
      plan.records.map((c) => ({ conversationID: c.conversationID, apply: () => c })),
    );
    // peers join every seeded group (one shared member list); group names stay on the records
    if (peers.length > 0) await this.store.addMembers(plan.groups, [userID, ...peers]);
    const head = r ?? (await this.store.head(userID));
    return { count, versionID: head.id, version: head.version };
  }

  /** A new message in a conversation for every member (see `send-message.ts`). */
  sendMessage(conversationID: string, sendID: string, text: string): Promise<SentMessage> {
    return sendMessage({ directory: this.store, commit: (u, e) => this.commit(u, e) }, conversationID, sendID, text);
  }
}

/**
 * The one way into the store for the routes: sync reads (SPEC §2, §3.1), what users do
 * (§3.2) and the admin tools (§3.4). Every write commits through the store (records and
 * log together), counts, and hands what it did to the notification policy (§4).
 */
import { idHash, type Conversation, type Cursor, type FullIDsAnswer, type FullPage, type SortedListAnswer } from '../protocol/index.js';
import { decide, decideBatch, type Decision } from './decision.js';
import { privacyEdit, readEdit, removeEdit, settingsEdit } from './edits.js';
import type { Metrics } from './metrics.js';
import { framesFor, type Notifier, type WriteEffect } from './notifications.js';
import type { Commit, CommitResult, ConversationStore, Edit } from './ports.js';
import { seedPlan } from './seed.js';
import { sendMessage, type SentMessage } from './send-message.js';
import type { ConversationSettings } from './validate-request.js';
import type { LogHead } from './version-log.js';

/** The answer of `/admin/seed`. */
export interface SeedResult extends Cursor {
  count: number;
}

/** One user write that carried a mutation ID and succeeded. */
export interface MutationEvent {
  userID: string;
  mutationID: string;
  kind: 'set' | 'read' | 'delete';
  /** answered with the first answer: nothing was applied this time */
  repeat: boolean;
}

/** Options of `ConversationService`. */
export interface ServiceOptions {
  /** called once per user write that carries a mutationID and succeeds */
  onMutation?: (e: MutationEvent) => void;
}

/** Reads, user writes and admin tools over one store, with notifications and metrics. */
export class ConversationService {
  constructor(
    private readonly store: ConversationStore,
    private readonly notifier: Notifier,
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

  /** Every ID of the user, left out when `hash` equals theirs (SPEC §2.3). */
  async fullIDs(userID: string, hash: string | undefined): Promise<FullIDsAnswer> {
    const head = await this.store.head(userID);
    const ids = await this.store.ids(userID);
    const equal = hash !== undefined && hash === idHash(ids);
    return { versionID: head.id, version: head.version, equal, conversationIDs: equal ? [] : ids };
  }

  /** One page of the list in SPEC §1.2 order, pages counted from 1. */
  async sortedList(userID: string, pageNumber: number, showNumber: number): Promise<SortedListAnswer> {
    const p = await this.store.sorted(userID, (pageNumber - 1) * showNumber, showNumber);
    return { conversationTotal: p.total, unreadTotal: p.unreadTotal, conversationElems: p.items };
  }

  // ---- the write path ----

  /** Commits through the store and counts the versions and entries written. */
  private async apply(userID: string, edits: readonly Edit[], mutationID?: string): Promise<Commit> {
    const c = await this.store.commit(userID, edits, mutationID);
    if (c.change) {
      this.metrics.logVersions++;
      this.metrics.logEntries += c.change.insert.length + c.change.update.length + c.change.delete.length;
    }
    return c;
  }

  /** Sends the frames the notification policy derives from what a write did. */
  private publish(effects: readonly WriteEffect[]): void {
    for (const o of framesFor(effects, Date.now())) this.notifier.send(o.to, o.frame);
  }

  /** Commits, counts and notifies `conversation.changed` (the write of every admin tool). */
  async commit(userID: string, edits: readonly Edit[]): Promise<CommitResult | null> {
    const { change } = await this.apply(userID, edits);
    if (change) this.publish([{ kind: 'changed', userID, change }]);
    return change;
  }

  /**
   * One user write: commits (remembering `mutationID`), runs what follows a change and
   * publishes its effects, counts, and tells the hook. A repeated mutation ID applies
   * nothing and notifies nobody. Answers with the write's version (SPEC §3.2).
   */
  private async userWrite(
    userID: string,
    kind: MutationEvent['kind'],
    mutationID: string | undefined,
    edits: readonly Edit[],
    then: (change: CommitResult) => WriteEffect[] | Promise<WriteEffect[]>,
  ): Promise<Cursor> {
    const c = await this.apply(userID, edits, mutationID);
    if (c.change) this.publish(await then(c.change));
    if (mutationID !== undefined) {
      this.metrics.mutations[c.repeat ? 'repeated' : 'applied']++;
      this.options.onMutation?.({ userID, mutationID, kind, repeat: c.repeat });
    }
    return c.answer;
  }

  // ---- user writes (SPEC §3.2) ----

  /** Updates the given settings; a single chat's privacy also reaches the peer's record. */
  async setConversations(userID: string, s: ConversationSettings, mutationID?: string): Promise<Cursor> {
    let old: Conversation | undefined;
    const edit = settingsEdit(s, (o) => (old = o));
    return this.userWrite(userID, 'set', mutationID, [edit], async (change) => {
      const effects: WriteEffect[] = [{ kind: 'changed', userID, change }];
      if (old && s.isPrivateChat !== undefined) effects.push(...(await this.followPrivacy(userID, old, change.update[0]!)));
      return effects;
    });
  }

  /**
   * The peer's record of a single chat follows its privacy (when the peer has one); both
   * parties hear when `isPrivateChat` itself changed.
   */
  private async followPrivacy(userID: string, old: Conversation, after: Conversation): Promise<WriteEffect[]> {
    if (old.conversationType !== 1 || old.userID === '') return [];
    if (after.isPrivateChat === old.isPrivateChat && after.burnDuration === old.burnDuration) return [];
    const peer = old.userID;
    const conversationID = old.conversationID;
    const effects: WriteEffect[] = [];
    const p = await this.apply(peer, [privacyEdit(conversationID, after)]);
    if (p.change) effects.push({ kind: 'changed', userID: peer, change: p.change });
    if (after.isPrivateChat !== old.isPrivateChat) {
      effects.push({ kind: 'private', sendID: userID, recvID: peer, conversationID, isPrivate: after.isPrivateChat });
    }
    return effects;
  }

  /** Raises hasReadSeq (clamped to maxSeq); a read that raises nothing changes nothing. */
  markAsRead(userID: string, conversationID: string, hasReadSeq: number, mutationID?: string): Promise<Cursor> {
    return this.userWrite(userID, 'read', mutationID, [readEdit(conversationID, hasReadSeq)], (change) => [{ kind: 'read', userID, change }]);
  }

  /** Removes records from the user's list; unknown IDs are ignored. */
  deleteConversations(userID: string, ids: readonly string[], mutationID?: string): Promise<Cursor> {
    return this.userWrite(userID, 'delete', mutationID, ids.map(removeEdit), (change) => [{ kind: 'changed', userID, change }]);
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
    return this.commit(userID, ids.map(removeEdit));
  }

  /** Drops the log (a new `versionID`); connected clients hear of it and re-sync. */
  async resetLog(userID: string): Promise<LogHead> {
    const head = await this.store.resetLog(userID);
    this.publish([{ kind: 'reset', userID, head }]);
    return head;
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

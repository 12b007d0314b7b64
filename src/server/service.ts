/**
 * The one way into the store for the routes: sync reads (SPEC §2, §3.1), what users do
 * (§3.2) and the admin tools (§3.4). Every write commits through the store (records and
 * log together), counts, and hands what it did to the notification policy (§4).
 */
import { idHash, type Conversation, type Cursor, type FullIDsAnswer, type FullPage, type SortedListAnswer } from '../protocol/index.js';
import { notFound } from './api-error.js';
import { decide, decideBatch, type Decision } from './decision.js';
import type { Metrics } from './metrics.js';
import { framesFor, type Notifier, type WriteEffect } from './notifications.js';
import type { CommitResult, ConversationStore, Edit } from './ports.js';
import { seedPlan } from './seed.js';
import { sendMessage, type SentMessage } from './send-message.js';
import type { ConversationSettings } from './validate-request.js';
import type { LogHead } from './version-log.js';

/** The answer of `/admin/seed`. */
export interface SeedResult extends Cursor {
  count: number;
}

/** Reads, user writes and admin tools over one store, with notifications and metrics. */
export class ConversationService {
  constructor(
    private readonly store: ConversationStore,
    private readonly notifier: Notifier,
    private readonly metrics: Metrics,
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

  /** One page of the snapshot, ascending by ID after `after`; the cursor is read before the page. */
  async fullPage(userID: string, after: string | null, limit: number): Promise<FullPage> {
    // the cursor is read before the page: it is never newer than the data
    const head = await this.store.head(userID);
    const page = await this.store.page(userID, after, limit);
    const last = page.items[page.items.length - 1];
    return {
      versionID: head.id,
      version: head.version,
      conversations: page.items,
      nextCursor: page.more && last ? last.conversationID : null,
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
  private async apply(userID: string, edits: readonly Edit[]): Promise<CommitResult | null> {
    const r = await this.store.commit(userID, edits);
    if (r) {
      this.metrics.logVersions++;
      this.metrics.logEntries += r.insert.length + r.update.length + r.delete.length;
    }
    return r;
  }

  /** Sends the frames the notification policy derives from what a write did. */
  private publish(effects: readonly WriteEffect[]): void {
    for (const o of framesFor(effects, Date.now())) this.notifier.send(o.to, o.frame);
  }

  /** Commits, counts and notifies `conversation.changed` (the write of every admin tool). */
  async commit(userID: string, edits: readonly Edit[]): Promise<CommitResult | null> {
    const r = await this.apply(userID, edits);
    if (r) this.publish([{ kind: 'changed', userID, change: r }]);
    return r;
  }

  // ---- user writes (SPEC §3.2) ----

  /** Updates the given settings; a single chat's privacy also reaches the peer's record. */
  async setConversations(userID: string, s: ConversationSettings): Promise<void> {
    const id = s.conversationID;
    let before: Conversation | undefined;
    const r = await this.apply(userID, [
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
    if (!r) return;
    const effects: WriteEffect[] = [{ kind: 'changed', userID, change: r }];
    const old = before;
    const after = r.update[0]!;
    if (old && s.isPrivateChat !== undefined && old.conversationType === 1 && old.userID !== '') {
      effects.push(...(await this.followPrivacy(userID, old, after)));
    }
    this.publish(effects);
  }

  /**
   * The peer's record of a single chat follows its privacy (when the peer has one); both
   * parties hear when `isPrivateChat` itself changed.
   */
  private async followPrivacy(userID: string, old: Conversation, after: Conversation): Promise<WriteEffect[]> {
    if (after.isPrivateChat === old.isPrivateChat && after.burnDuration === old.burnDuration) return [];
    const peer = old.userID;
    const conversationID = old.conversationID;
    const effects: WriteEffect[] = [];
    const p = await this.apply(peer, [
      {
        conversationID,
        apply: (c) => (c ? { ...c, isPrivateChat: after.isPrivateChat, burnDuration: after.burnDuration } : undefined),
      },
    ]);
    if (p) effects.push({ kind: 'changed', userID: peer, change: p });
    if (after.isPrivateChat !== old.isPrivateChat) {
      effects.push({ kind: 'private', sendID: userID, recvID: peer, conversationID, isPrivate: after.isPrivateChat });
    }
    return effects;
  }

  /** Raises hasReadSeq (clamped to maxSeq); a read that raises nothing changes nothing. */
  async markAsRead(userID: string, conversationID: string, hasReadSeq: number): Promise<void> {
    const r = await this.apply(userID, [
      {
        conversationID,
        apply(old) {
          if (!old) throw notFound(`conversation ${conversationID}`);
          const target = Math.min(hasReadSeq, old.maxSeq);
          return target > old.hasReadSeq ? { ...old, hasReadSeq: target } : old;
        },
      },
    ]);
    if (r) this.publish([{ kind: 'read', userID, change: r }]);
  }

  /** Removes records from the user's list; unknown IDs are ignored. */
  async deleteConversations(userID: string, ids: readonly string[]): Promise<void> {
    await this.commit(userID, ids.map(remove));
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
    return this.commit(userID, ids.map(remove));
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

/** The edit that deletes a record (or keeps it absent). */
function remove(conversationID: string): Edit {
  return { conversationID, apply: () => undefined };
}

/**
 * The seam between the sync engine and a storage library (SPEC §5.2). Three adapters
 * implement it: idb (default), dexie, memory. One contract suite
 * (`test/storage-contract/`) runs against all three.
 *
 * idb and dexie are one generation store (`gen-store.ts`) over a driver each
 * (`driver.ts`); memory is an independent model of the same contract.
 *
 * Rules every adapter keeps:
 * - records of one answer and the cursor are written in one transaction;
 * - a full sync is staged beside the live list and swapped in one small step;
 * - client-only fields (drafts) survive every write made by a sync;
 * - `maxSeq` / `hasReadSeq` never go down: the larger of stored and incoming wins.
 */
import type { Conversation, Cursor, ErrorCode, LocalConversation } from '../protocol/index.js';
import type { NewWrite, OutboxEntry } from './outbox.js';
import type { Totals } from './totals.js';

export type { Totals } from './totals.js';

export type { ConversationSettings, NewWrite, OutboxEntry, WriteKind } from './outbox.js';

/** What became of one send of a queued write. */
export type WriteOutcome =
  /** the server applied it (or had): the version its change produced */
  | { ack: Cursor }
  /** the server refused it for good: the write goes and its effect is rolled back */
  | { refused: { code: ErrorCode; message: string } }
  /** it failed and is tried again */
  | { retry: { code: ErrorCode; message: string } };

/** An opaque position in the sorted list, from `Page.next`. */
export type PageCursor = string;

export interface Page {
  items: LocalConversation[];
  /** Pass as `after` to read the next page; `null` at the end. */
  next: PageCursor | null;
}

/** What changed locally, record by record: the payload of `changes$`. */
export interface LocalDiff {
  added: LocalConversation[];
  updated: LocalConversation[];
  removed: string[];
}

/** Progress of a full sync that was staged and not yet committed (to resume it). */
export interface StagedFull {
  /** The cursor read with page one of the snapshot. */
  cursor: Cursor;
  /** The snapshot cursor to ask for next; `null` when every page is staged. */
  nextCursor: string | null;
  staged: number;
}

export interface StorageOptions {
  /** Database name. Default `convsync:<userID>`. */
  name?: string;
  /**
   * Test seam for fault injection: called before every record write a sync makes;
   * throwing aborts that write's transaction.
   */
  beforeWrite?: (conversationID: string) => void;
}

export interface StorageAdapter {
  /** Opens (creating or upgrading) the database of this user. */
  open(userID: string): Promise<void>;
  close(): Promise<void>;
  /**
   * Deletes the database (of `userID`, or of the user it was opened for); the adapter is
   * closed afterwards. Needs no `open()` first.
   */
  destroy(userID?: string): Promise<void>;

  /** The database this adapter keeps `userID`'s list in (tabs of one database coordinate). */
  databaseName(userID: string): string;

  getCursor(): Promise<Cursor | null>;
  get(conversationID: string): Promise<LocalConversation | undefined>;
  /** The records of `ids` in one read, in the same order (`undefined` where missing). */
  getMany(ids: readonly string[]): Promise<Array<LocalConversation | undefined>>;
  /** The whole live list in SPEC §1.2 order. */
  getAll(): Promise<LocalConversation[]>;
  /** One page in SPEC §1.2 order, read from the sort index (never the whole store). */
  getPage(limit: number, after?: PageCursor): Promise<Page>;
  /** Every conversationID of the live list as the server has it (for the idHash drift check). */
  allIDs(): Promise<string[]>;
  /** How many conversations the list shows and their unread sum (SPEC §1.3), without reading the list. */
  getTotals(): Promise<Totals>;

  /**
   * Applies an incremental answer or a pushed delta and moves the cursor, in one
   * transaction. Upserts merge with what is stored (drafts kept, seqs by max);
   * records equal to what is stored are not rewritten and not reported; deleting an
   * unknown ID is a no-op. With `expected`, the write happens only when the stored
   * cursor is `expected` (the one the change was computed from); else it rejects with
   * `CONFLICT` and writes nothing. `cursor` is the server's current log (it just said so):
   * queued writes it accepted at or before that version, or on another log, are dropped
   * from the outbox in the same transaction (their effect is in the records now).
   */
  applyDelta(upsert: Conversation[], remove: string[], cursor: Cursor, expected?: Cursor | null): Promise<LocalDiff>;

  /**
   * Raises `hasReadSeq` of one record (never lowers it). When `cursor` is given it is
   * stored in the same transaction. Returns the record after the change, or
   * `undefined` when there is no such record (then nothing is written at all).
   */
  raiseRead(conversationID: string, hasReadSeq: number, cursor: Cursor | null, expected?: Cursor | null): Promise<LocalConversation | undefined>;

  /** Sets the draft of one record (live and staged copies). `undefined` when unknown. */
  setDraft(conversationID: string, text: string, time: number): Promise<LocalConversation | undefined>;

  /**
   * Queues a local write and shows it at once, in one transaction: the entry joins the
   * outbox and every read and diff shows the record with it on top (stored records stay
   * what the server said). `null` when the conversation is not in the list (as shown).
   */
  enqueue(write: NewWrite, mutationID: string, now: number): Promise<{ entry: OutboxEntry; diff: LocalDiff } | null>;
  /** The queued writes, oldest first. */
  outbox(): Promise<OutboxEntry[]>;
  /** Counts a send before it goes out (a write tried once is never merged into); `undefined` when it is gone. */
  attempt(mutationID: string): Promise<OutboxEntry | undefined>;
  /**
   * Records what became of a send. An accepted write stays on top until the cursor
   * reaches the version it produced (or a full sync moves to another log); a refused one
   * goes at once. Resolves with the entry as it was (`undefined`: unknown) and the change
   * the user sees.
   */
  settle(mutationID: string, outcome: WriteOutcome): Promise<{ entry: OutboxEntry | undefined; diff: LocalDiff }>;

  /**
   * Starts staging a full snapshot, dropping any earlier staging. The staging belongs
   * to this adapter instance: `stagePage`, `commitFull` and `abortFull` of any other
   * instance (another tab) reject with `CONFLICT` until it claims it with `resumeFull`.
   */
  beginFull(cursor: Cursor): Promise<void>;
  /**
   * The full sync in progress, if one was interrupted. `null` also when no page was
   * staged yet (nothing to resume: start over with `beginFull`).
   */
  stagedFull(): Promise<StagedFull | null>;
  /** `stagedFull()`, and the staging passes to this instance (to resume what another tab began). */
  resumeFull(): Promise<StagedFull | null>;
  /**
   * Stages one snapshot page (one transaction: records and progress). Returns which
   * records are new or changed against the live list.
   */
  stagePage(records: Conversation[], nextCursor: string | null): Promise<Pick<LocalDiff, 'added' | 'updated'>>;
  /**
   * Swaps the staged list in as the live list and stores its cursor, in one small
   * transaction; the old list is removed afterwards. Returns the IDs that left.
   * Rejects (`STORAGE`) when nothing is staged or the last page (`nextCursor` null)
   * was not staged yet.
   */
  commitFull(): Promise<string[]>;
  abortFull(): Promise<void>;
}

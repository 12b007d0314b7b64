/**
 * Local writes waiting for the server (the outbox) and the overlay they make (docs/client.md
 * "Offline writes"): stored records stay what the server said; a pending write is applied on
 * top of them on every read and in every diff, until the local cursor reaches the version
 * the server answered for it. The rules live here, once, for every adapter.
 */
import { compareConversations, unreadCountOf, type Cursor, type ErrorCode, type LocalConversation } from '../protocol/index.js';
import { copyRecord, type SortKey } from './common.js';
import { sameRecord } from './merge.js';
import type { LocalDiff } from './types.js';

/** The settings a user changes (SPEC §3.2 `set_conversations`). */
export interface ConversationSettings {
  isPinned?: boolean;
  recvMsgOpt?: 0 | 1 | 2;
  isPrivateChat?: boolean;
  burnDuration?: number;
  attachedInfo?: string;
  ex?: string;
}

export type WriteKind = 'set' | 'read' | 'delete';

/** A write as the caller asks for it; storage fills in what the record knows. */
export type NewWrite =
  | { kind: 'set'; conversationID: string; settings: ConversationSettings }
  /** `hasReadSeq`: default the record's `maxSeq` now */
  | { kind: 'read'; conversationID: string; hasReadSeq?: number }
  | { kind: 'delete'; conversationID: string };

/** A queued write. */
export interface OutboxEntry {
  mutationID: string;
  kind: WriteKind;
  conversationID: string;
  /** ms since epoch of the call */
  createdAt: number;
  /** sends tried so far */
  attempts: number;
  /** why the last attempt failed (it is retried) */
  lastError?: { code: ErrorCode; message: string };
  settings?: ConversationSettings;
  /** `read`: the read position (the newest message seen at the call, or the caller's) */
  hasReadSeq?: number;
  /** `delete`: the newest message seen at the call; a newer one brings the conversation back */
  maxSeq?: number;
  /** the server accepted it: the version its change produced */
  ack?: Cursor;
  /** the order of the calls */
  seq: number;
  /** later calls merged into this one before it was ever sent (their IDs) */
  merged?: string[];
}

/** The record as the user sees it: `rec` with the pending writes of `entries` on top. */
export function overlay(rec: LocalConversation | undefined, entries: readonly OutboxEntry[]): LocalConversation | undefined {
  let r = rec;
  let touched = false;
  for (const e of entries) {
    if (!r || e.conversationID !== r.conversationID) continue;
    touched = true;
    if (e.kind === 'delete') {
      if (r.maxSeq <= (e.maxSeq ?? 0)) r = undefined;
    } else if (e.kind === 'set') r = { ...r, ...e.settings };
    else r = { ...r, hasReadSeq: Math.max(r.hasReadSeq, Math.min(e.hasReadSeq ?? 0, r.maxSeq)) };
  }
  if (!r || !touched) return r;
  return { ...r, unreadCount: unreadCountOf(r) };
}

/** Entries by conversation, in call order. */
export function byConversation(entries: readonly OutboxEntry[]): Map<string, OutboxEntry[]> {
  const m = new Map<string, OutboxEntry[]>();
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    const l = m.get(e.conversationID);
    if (l) l.push(e);
    else m.set(e.conversationID, [e]);
  }
  return m;
}

/**
 * Entries whose effect the stored records now carry: accepted at a version the cursor
 * has reached on the same log, or accepted on another log when `current` (the cursor's
 * log is the server's current one: a snapshot, an incremental answer or a pushed frame
 * just said so). A write accepted on a log that is gone was applied before the log was
 * reset, so every snapshot of the current log holds it.
 */
export function satisfied(entries: readonly OutboxEntry[], cursor: Cursor | null, current = false): OutboxEntry[] {
  if (!cursor) return [];
  return entries.filter((e) => e.ack && (e.ack.versionID === cursor.versionID ? e.ack.version <= cursor.version : current));
}

/**
 * The call merges into the last queued write of its conversation when that one is of the
 * same kind and was never sent (two pins → the last one; two reads → the higher).
 */
export function mergeTarget(entries: readonly OutboxEntry[], w: NewWrite): OutboxEntry | undefined {
  const last = [...entries].filter((e) => e.conversationID === w.conversationID).sort((a, b) => b.seq - a.seq)[0];
  if (!last || last.kind !== w.kind || w.kind === 'delete' || last.attempts > 0 || last.ack) return undefined;
  return last;
}

/** The entry `w` makes, or the merged one; `rec` is the view of its conversation now. */
export function entryFor(w: NewWrite, rec: LocalConversation, into: OutboxEntry | undefined, id: string, seq: number, now: number): OutboxEntry {
  if (into) {
    const merged = [...(into.merged ?? []), id];
    if (w.kind === 'set') return { ...into, settings: { ...into.settings, ...w.settings }, merged };
    return { ...into, hasReadSeq: Math.max(into.hasReadSeq ?? 0, w.kind === 'read' ? (w.hasReadSeq ?? rec.maxSeq) : 0), merged };
  }
  const base = { mutationID: id, kind: w.kind, conversationID: w.conversationID, createdAt: now, attempts: 0, seq };
  if (w.kind === 'set') return { ...base, settings: { ...w.settings } };
  if (w.kind === 'read') return { ...base, hasReadSeq: w.hasReadSeq ?? rec.maxSeq };
  return { ...base, maxSeq: rec.maxSeq };
}

/** The diff between two views of the same IDs (`undefined`: not shown). */
export function viewDiff(ids: Iterable<string>, before: (id: string) => LocalConversation | undefined, after: (id: string) => LocalConversation | undefined): LocalDiff {
  const diff: LocalDiff = { added: [], updated: [], removed: [] };
  for (const id of new Set(ids)) {
    const a = before(id);
    const b = after(id);
    if (!b) {
      if (a) diff.removed.push(id);
    } else if (!a) diff.added.push(copyRecord(b));
    else if (!sameRecord(a, b)) diff.updated.push(copyRecord(b));
  }
  return diff;
}

const ofID = (entries: readonly OutboxEntry[], id: string): OutboxEntry[] => entries.filter((e) => e.conversationID === id);

/**
 * Queuing `w` over `row` (the stored record) and the queued `entries`: the entry to store
 * (`merged`: it replaces an earlier one, not a new one) and the change the user sees;
 * `null` when the conversation is not shown.
 */
export function enqueueStep(
  entries: readonly OutboxEntry[],
  row: LocalConversation | undefined,
  w: NewWrite,
  mutationID: string,
  seq: number,
  now: number,
): { entry: OutboxEntry; merged: boolean; diff: LocalDiff } | null {
  const mine = ofID(entries, w.conversationID);
  const before = overlay(row, mine);
  if (!before) return null;
  const into = mergeTarget(entries, w);
  const entry = entryFor(w, before, into, mutationID, seq, now);
  const after = overlay(row, [...mine.filter((e) => e !== into), entry].sort((a, b) => a.seq - b.seq));
  return { entry, merged: into !== undefined, diff: viewDiff([w.conversationID], () => before, () => after) };
}

/**
 * What a send's outcome does to entry `e`: the entry to store instead (`put`) or its
 * removal (`remove`: refused, or accepted at a version the cursor already reached), and
 * the change the user sees of `row`.
 */
export function settleStep(
  entries: readonly OutboxEntry[],
  e: OutboxEntry,
  outcome: { ack: Cursor } | { refused: OutboxEntry['lastError'] } | { retry: OutboxEntry['lastError'] },
  cursor: Cursor | null,
  row: LocalConversation | undefined,
): { put?: OutboxEntry; remove?: OutboxEntry; diff: LocalDiff } {
  let step: { put?: OutboxEntry; remove?: OutboxEntry };
  if ('retry' in outcome) step = { put: outcome.retry ? { ...e, lastError: outcome.retry } : e };
  else if ('refused' in outcome || satisfied([{ ...e, ack: outcome.ack }], cursor).length > 0) step = { remove: e };
  else {
    const { lastError: _e, ...rest } = e;
    step = { put: { ...rest, ack: outcome.ack } };
  }
  const mine = ofID(entries, e.conversationID);
  const left = step.remove ? mine.filter((x) => x !== e) : mine;
  return { ...step, diff: viewDiff([e.conversationID], () => overlay(row, mine), () => overlay(row, left)) };
}

/**
 * The first `n` views after sort key `key` (SPEC §1.2 order), from `page(k)` (the first k
 * stored rows after `key`) and `rows(ids)`: O(n + pending) rows read whatever the list size.
 */
export async function viewPage(
  n: number,
  key: SortKey | undefined,
  entries: readonly OutboxEntry[],
  page: (k: number) => Promise<LocalConversation[]>,
  rows: (ids: string[]) => Promise<Array<LocalConversation | undefined>>,
): Promise<LocalConversation[]> {
  if (entries.length === 0) return page(n);
  const by = byConversation(entries);
  const ids = [...by.keys()];
  const probe = key && { isPinned: key[0] === 1, latestMsgSendTime: key[1], conversationID: key[2] };
  const plain = (await page(n + ids.length)).filter((r) => !by.has(r.conversationID));
  const views = (await rows(ids))
    .map((r, i) => overlay(r, by.get(ids[i]!)!))
    .filter((v): v is LocalConversation => v !== undefined && (!probe || compareConversations(v, probe) > 0));
  return [...plain, ...views].sort(compareConversations).slice(0, n);
}

/** A new mutation ID: unique, printable ASCII (what the server accepts). */
export function newMutationID(): string {
  const uuid = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto?.randomUUID?.();
  return uuid ?? `m-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

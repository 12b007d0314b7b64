/**
 * In-memory adapter (SPEC §5.2): Node without IndexedDB, tests. An independent model of
 * the storage contract (the generation store is compared with it by the contract suite);
 * it shares only the rules: merges (`merge.ts`, `plan.ts`) and the outbox (`outbox.ts`).
 *
 * Every call builds its change aside (running `beforeWrite` for each record write) and
 * commits it only at the end, so a throw leaves nothing changed. Returned records are copies.
 */
import { compareConversations, ConvSyncError, type Conversation, type Cursor, type LocalConversation } from '../protocol/index.js';
import { checkCursor, checkSwap, copyRecord, dbName, decodePage, encodePage, hook, newWriterID, notComplete, ownStaging } from './common.js';
import { databases, newDB, newOrder, orderPage, put, removeRow, type MemDB } from './memory-db.js';
import { withDraft, withRead } from './merge.js';
import { byConversation, enqueueStep, overlay, satisfied, settleStep, viewDiff, viewPage, type OutboxEntry } from './outbox.js';
import { planDelta, planStage } from './plan.js';
import { totalsOf, viewTotals } from './totals.js';
import type { LocalDiff, Page, PageCursor, StorageAdapter, StorageOptions } from './types.js';

export function memoryStorage(opts: StorageOptions = {}): StorageAdapter {
  let db: MemDB | null = null;
  let name: string | null = null;
  const writer = newWriterID();

  const need = (): MemDB => {
    if (!db) throw new ConvSyncError('STORAGE', 'storage is not open');
    if (db.deleted) throw new ConvSyncError('DB_DELETED', `database ${name} was deleted (by another tab?)`);
    return db;
  };
  const ofID = (d: MemDB, id: string): OutboxEntry[] => d.outbox.filter((e) => e.conversationID === id);
  const view = (d: MemDB, id: string): LocalConversation | undefined => {
    const v = overlay(d.live.get(id), ofID(d, id));
    return v && copyRecord(v);
  };

  return {
    async open(userID) {
      name = dbName(opts, userID);
      let d = databases.get(name);
      if (!d) databases.set(name, (d = newDB()));
      db = d;
    },

    async close() {
      db = null;
    },

    async destroy(userID?: string) {
      const n = name ?? (userID === undefined ? null : dbName(opts, userID));
      const d = n === null ? undefined : databases.get(n);
      if (d) d.deleted = true;
      if (n !== null) databases.delete(n);
      db = null;
    },

    databaseName: (userID) => `memory:${dbName(opts, userID)}`,

    async getCursor() {
      const c = need().cursor;
      return c ? { ...c } : null;
    },

    async get(id) {
      return view(need(), id);
    },

    async getMany(ids) {
      const d = need();
      return ids.map((id) => view(d, id));
    },

    async getAll() {
      const d = need();
      if (d.outbox.length === 0) return d.order.toArray().map(copyRecord);
      const by = byConversation(d.outbox);
      return d.order
        .toArray()
        .map((r) => overlay(r, by.get(r.conversationID) ?? []))
        .filter((r): r is LocalConversation => r !== undefined)
        .sort(compareConversations)
        .map(copyRecord);
    },

    async getPage(limit: number, after?: PageCursor): Promise<Page> {
      const d = need();
      const key = after === undefined ? undefined : decodePage(after);
      const n = Math.max(0, Math.floor(limit));
      const found = await viewPage(n + 1, key, d.outbox, async (k) => orderPage(d, k, key), async (ids) => ids.map((id) => d.live.get(id)));
      const items = found.slice(0, n).map(copyRecord);
      const last = items[items.length - 1];
      return { items, next: last && found.length > n ? encodePage(last) : null };
    },

    async allIDs() {
      return [...need().live.keys()];
    },

    async getTotals() {
      const d = need();
      return viewTotals(d.totals, d.outbox, async (ids) => ids.map((id) => d.live.get(id)));
    },

    async applyDelta(upsert: Conversation[], remove: string[], cursor: Cursor, expected?: Cursor | null): Promise<LocalDiff> {
      const d = need();
      checkCursor(d.cursor, expected);
      // Planned aside (the hook may throw), committed below where nothing can throw.
      const { writes } = planDelta(d.live, upsert, remove, (id) => hook(opts, id));
      const done = satisfied(d.outbox, cursor, true);
      const before = new Map([...writes.keys(), ...done.map((e) => e.conversationID)].map((id) => [id, view(d, id)]));
      for (const [id, r] of writes) {
        const old = d.live.get(id);
        if (r) put(d, copyRecord(r)); // the caller keeps its objects; the store keeps its own
        else if (old) removeRow(d, old);
      }
      d.outbox = d.outbox.filter((e) => !done.includes(e));
      d.cursor = { ...cursor };
      return viewDiff(before.keys(), (id) => before.get(id), (id) => view(d, id));
    },

    async raiseRead(id, seq, cursor, expected) {
      const d = need();
      if (cursor) checkCursor(d.cursor, expected);
      const cur = d.live.get(id);
      if (!cur) return undefined;
      const next = withRead(cur, seq);
      const staged = d.staging?.records.get(id);
      const nextStaged = staged && withRead(staged, seq);
      if (next) hook(opts, id);
      if (nextStaged) hook(opts, id);
      if (next) put(d, next);
      if (nextStaged) d.staging!.records.set(id, nextStaged);
      if (cursor) d.cursor = { ...cursor };
      return view(d, id);
    },

    async setDraft(id, text, time) {
      const d = need();
      const cur = d.live.get(id);
      if (!cur) return undefined;
      put(d, withDraft(cur, text, time));
      const staged = d.staging?.records.get(id);
      if (staged) d.staging!.records.set(id, withDraft(staged, text, time));
      return view(d, id);
    },

    async enqueue(w, mutationID, now) {
      const d = need();
      const step = enqueueStep(d.outbox, d.live.get(w.conversationID), w, mutationID, d.outboxSeq, now);
      if (!step) return null;
      hook(opts, w.conversationID);
      if (step.merged) d.outbox = d.outbox.map((e) => (e.seq === step.entry.seq ? step.entry : e));
      else {
        d.outbox = [...d.outbox, step.entry];
        d.outboxSeq++;
      }
      return { entry: { ...step.entry }, diff: step.diff };
    },

    async outbox() {
      return need().outbox.map((e) => ({ ...e }));
    },

    async attempt(mutationID) {
      const d = need();
      const e = d.outbox.find((x) => x.mutationID === mutationID);
      if (!e) return undefined;
      hook(opts, e.conversationID);
      const next = { ...e, attempts: e.attempts + 1 };
      d.outbox = d.outbox.map((x) => (x === e ? next : x));
      return { ...next };
    },

    async settle(mutationID, outcome) {
      const d = need();
      const e = d.outbox.find((x) => x.mutationID === mutationID);
      if (!e) return { entry: undefined, diff: { added: [], updated: [], removed: [] } };
      hook(opts, e.conversationID);
      const step = settleStep(d.outbox, e, outcome, d.cursor, d.live.get(e.conversationID));
      d.outbox = step.remove ? d.outbox.filter((x) => x !== e) : d.outbox.map((x) => (x === e ? step.put! : x));
      return { entry: { ...e }, diff: step.diff };
    },

    async beginFull(cursor) {
      const d = need();
      d.staging = { cursor: { ...cursor }, nextCursor: null, staged: 0, records: new Map(), owner: writer, base: d.cursor && { ...d.cursor } };
    },

    async stagedFull() {
      const s = need().staging;
      if (!s || s.staged === 0) return null;
      return { cursor: { ...s.cursor }, nextCursor: s.nextCursor, staged: s.staged };
    },

    async resumeFull() {
      const d = need();
      const s = d.staging;
      if (!s || s.staged === 0) return null;
      s.owner = writer;
      s.base = d.cursor && { ...d.cursor };
      return { cursor: { ...s.cursor }, nextCursor: s.nextCursor, staged: s.staged };
    },

    async stagePage(records, nextCursor) {
      const d = need();
      const s = ownStaging(d.staging, writer);
      const plan = planStage(d.live, records, (id) => hook(opts, id));
      for (const r of plan.rows) s.records.set(r.conversationID, copyRecord(r));
      s.staged += records.length;
      s.nextCursor = nextCursor;
      if (d.outbox.length === 0) return { added: plan.added, updated: plan.updated };
      const by = byConversation(d.outbox);
      const diff = viewDiff(records.map((c) => c.conversationID), (id) => view(d, id), (id) => overlay(s.records.get(id), by.get(id) ?? []));
      return { added: diff.added, updated: diff.updated };
    },

    async commitFull() {
      const d = need();
      const s = ownStaging(d.staging, writer);
      if (s.nextCursor !== null) throw notComplete();
      checkSwap(d.cursor, s);
      const gone: string[] = [];
      for (const id of d.live.keys()) if (!s.records.has(id)) gone.push(id);
      for (const id of gone) hook(opts, id);
      const shown = gone.filter((id) => view(d, id) !== undefined);
      d.live = s.records;
      d.order = newOrder([...s.records.values()].sort(compareConversations));
      d.totals = totalsOf(s.records.values());
      d.cursor = { ...s.cursor };
      d.staging = null;
      const done = satisfied(d.outbox, d.cursor, true);
      d.outbox = d.outbox.filter((e) => !done.includes(e));
      return shown;
    },

    async abortFull() {
      const d = need();
      if (d.staging) ownStaging(d.staging, writer);
      d.staging = null;
    },
  };
}

/**
 * In-memory adapter (SPEC §5.2): Node without IndexedDB, tests. A database lives in a
 * module-level map under its name, so closing and reopening an adapter with the same
 * name in the same process finds the data again (a simulated reload); `destroy()`
 * removes it.
 *
 * Every call builds its change aside (running `beforeWrite` for each record write)
 * and commits it only at the end, so a throw leaves nothing changed. The sorted order
 * is a `SortedList` (short sorted runs): a page costs O(log n + limit), an upsert
 * O(log n) plus a splice within one run.
 */
import { compareConversations, ConvSyncError, type Conversation, type Cursor, type LocalConversation } from '../protocol/index.js';
import { checkCursor, checkSwap, copyRecord, dbName, decodePage, encodePage, hook, newWriterID, notComplete, ownStaging } from './common.js';
import { withDraft, withRead } from './merge.js';
import { planDelta, planStage } from './plan.js';
import { SortedList } from './sorted-list.js';
import type { LocalDiff, Page, PageCursor, StagedFull, StorageAdapter, StorageOptions } from './types.js';

interface Staging extends StagedFull {
  records: Map<string, LocalConversation>;
  owner: string;
  /** the stored cursor when the staging was begun or claimed */
  base: Cursor | null;
}

interface MemDB {
  live: Map<string, LocalConversation>;
  /** `live` values in SPEC §1.2 order. */
  order: SortedList<LocalConversation, Probe>;
  cursor: Cursor | null;
  staging: Staging | null;
  /** set when `destroy()` removed it: instances that still hold it stop */
  deleted: boolean;
}

const databases = new Map<string, MemDB>();

type Probe = Parameters<typeof compareConversations>[0];

const newOrder = (sorted: LocalConversation[] = []): SortedList<LocalConversation, Probe> =>
  new SortedList<LocalConversation, Probe>(compareConversations, sorted);

function removeFromOrder(order: SortedList<LocalConversation, Probe>, r: LocalConversation): void {
  order.remove(r, (x) => x.conversationID === r.conversationID);
}

function put(db: MemDB, r: LocalConversation): void {
  const old = db.live.get(r.conversationID);
  if (old) removeFromOrder(db.order, old);
  db.order.insert(r);
  db.live.set(r.conversationID, r);
}

export function memoryStorage(opts: StorageOptions = {}): StorageAdapter {
  let db: MemDB | null = null;
  let name: string | null = null;
  const writer = newWriterID();

  const need = (): MemDB => {
    if (!db) throw new ConvSyncError('STORAGE', 'storage is not open');
    if (db.deleted) throw new ConvSyncError('DB_DELETED', `database ${name} was deleted (by another tab?)`);
    return db;
  };

  return {
    async open(userID) {
      name = dbName(opts, userID);
      let d = databases.get(name);
      if (!d) {
        d = { live: new Map(), order: newOrder(), cursor: null, staging: null, deleted: false };
        databases.set(name, d);
      }
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

    async getMany(ids) {
      const d = need();
      return ids.map((id) => {
        const r = d.live.get(id);
        return r && copyRecord(r);
      });
    },

    async getCursor() {
      const c = need().cursor;
      return c ? { ...c } : null;
    },

    async get(id) {
      const r = need().live.get(id);
      return r && copyRecord(r);
    },

    async getAll() {
      return need().order.toArray().map(copyRecord);
    },

    async getPage(limit: number, after?: PageCursor): Promise<Page> {
      const { order } = need();
      let probe: Probe | null = null;
      let id: string | undefined;
      if (after !== undefined) {
        const [p, t, i] = decodePage(after);
        probe = { isPinned: p === 1, latestMsgSendTime: t, conversationID: i };
        id = i;
      }
      const n = Math.max(0, Math.floor(limit));
      const found = order.slice(probe, n + 1, (r) => r.conversationID === id);
      const items = found.slice(0, n).map(copyRecord);
      const last = items[items.length - 1];
      return { items, next: last && found.length > n ? encodePage(last) : null };
    },

    async allIDs() {
      return [...need().live.keys()];
    },

    async applyDelta(upsert: Conversation[], remove: string[], cursor: Cursor, expected?: Cursor | null): Promise<LocalDiff> {
      const d = need();
      checkCursor(d.cursor, expected);
      // Planned aside (the hook may throw), committed below where nothing can throw.
      const { writes, diff } = planDelta(d.live, upsert, remove, (id) => hook(opts, id));
      for (const [id, r] of writes) {
        const old = d.live.get(id);
        if (r) put(d, copyRecord(r)); // the caller keeps its objects; the store keeps its own
        else if (old) {
          removeFromOrder(d.order, old);
          d.live.delete(id);
        }
      }
      d.cursor = { ...cursor };
      return diff;
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
      return copyRecord(next ?? cur);
    },

    async setDraft(id, text, time) {
      const d = need();
      const cur = d.live.get(id);
      if (!cur) return undefined;
      const next = withDraft(cur, text, time);
      put(d, next);
      const staged = d.staging?.records.get(id);
      if (staged) d.staging!.records.set(id, withDraft(staged, text, time));
      return copyRecord(next);
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
      return { added: plan.added, updated: plan.updated };
    },

    async commitFull() {
      const d = need();
      const s = ownStaging(d.staging, writer);
      if (s.nextCursor !== null) throw notComplete();
      checkSwap(d.cursor, s);
      const removed: string[] = [];
      for (const id of d.live.keys()) if (!s.records.has(id)) removed.push(id);
      for (const id of removed) hook(opts, id);
      d.live = s.records;
      d.order = newOrder([...s.records.values()].sort(compareConversations));
      d.cursor = { ...s.cursor };
      d.staging = null;
      return removed;
    },

    async abortFull() {
      const d = need();
      if (d.staging) ownStaging(d.staging, writer);
      d.staging = null;
    },
  };
}

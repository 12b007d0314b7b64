/**
 * In-memory adapter (SPEC §5.2): Node without IndexedDB, tests. A database lives in a
 * module-level map under its name, so closing and reopening an adapter with the same
 * name in the same process finds the data again (a simulated reload); `destroy()`
 * removes it.
 *
 * Every call builds its change aside (running `beforeWrite` for each record write)
 * and commits it only at the end, so a throw leaves nothing changed. The sorted order
 * is an array kept sorted with binary search: a page costs O(log n + limit), an upsert
 * O(log n) plus one array splice.
 */
import { compareConversations, ConvSyncError, type Conversation, type Cursor, type LocalConversation } from '../protocol/index.js';
import { copyRecord, dbName, decodePage, encodePage, hook, notComplete, notStaged } from './common.js';
import { mergeIncoming, withDraft, withRead } from './merge.js';
import type { LocalDiff, Page, PageCursor, StagedFull, StorageAdapter, StorageOptions } from './types.js';

interface Staging extends StagedFull {
  records: Map<string, LocalConversation>;
}

interface MemDB {
  live: Map<string, LocalConversation>;
  /** `live` values in SPEC §1.2 order. */
  order: LocalConversation[];
  cursor: Cursor | null;
  staging: Staging | null;
}

const databases = new Map<string, MemDB>();

type Probe = Parameters<typeof compareConversations>[0];

/** Index of the first element of `order` that does not come before `probe`. */
function lowerBound(order: LocalConversation[], probe: Probe): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareConversations(order[mid]!, probe) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function removeFromOrder(order: LocalConversation[], r: LocalConversation): void {
  const i = lowerBound(order, r);
  if (order[i]?.conversationID === r.conversationID) order.splice(i, 1);
}

function insertIntoOrder(order: LocalConversation[], r: LocalConversation): void {
  order.splice(lowerBound(order, r), 0, r);
}

function put(db: MemDB, r: LocalConversation): void {
  const old = db.live.get(r.conversationID);
  if (old) removeFromOrder(db.order, old);
  insertIntoOrder(db.order, r);
  db.live.set(r.conversationID, r);
}

export function memoryStorage(opts: StorageOptions = {}): StorageAdapter {
  let db: MemDB | null = null;
  let name: string | null = null;

  const need = (): MemDB => {
    if (!db) throw new ConvSyncError('STORAGE', 'storage is not open');
    return db;
  };

  return {
    async open(userID) {
      name = dbName(opts, userID);
      let d = databases.get(name);
      if (!d) {
        d = { live: new Map(), order: [], cursor: null, staging: null };
        databases.set(name, d);
      }
      db = d;
    },

    async close() {
      db = null;
    },

    async destroy() {
      if (name !== null) databases.delete(name);
      db = null;
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
      return need().order.map(copyRecord);
    },

    async getPage(limit: number, after?: PageCursor): Promise<Page> {
      const { order } = need();
      let start = 0;
      if (after !== undefined) {
        const [p, t, id] = decodePage(after);
        const probe: Probe = { isPinned: p === 1, latestMsgSendTime: t, conversationID: id };
        start = lowerBound(order, probe);
        if (order[start]?.conversationID === id) start++;
      }
      const n = Math.max(0, Math.floor(limit));
      const items = order.slice(start, start + n).map(copyRecord);
      const last = items[items.length - 1];
      return { items, next: last && start + n < order.length ? encodePage(last) : null };
    },

    async allIDs() {
      return [...need().live.keys()];
    },

    async applyDelta(upsert: Conversation[], remove: string[], cursor: Cursor): Promise<LocalDiff> {
      const d = need();
      // Build aside: id -> new record, or null for a removal.
      const pending = new Map<string, LocalConversation | null>();
      for (const c of upsert) {
        const id = c.conversationID;
        const cur = pending.has(id) ? pending.get(id) ?? undefined : d.live.get(id);
        const merged = mergeIncoming(cur, c);
        if (!merged) continue;
        hook(opts, id);
        pending.set(id, copyRecord(merged));
      }
      for (const id of remove) {
        const cur = pending.has(id) ? pending.get(id) : d.live.get(id);
        if (!cur) continue;
        hook(opts, id);
        pending.set(id, null);
      }
      // Commit (nothing below can throw).
      const diff: LocalDiff = { added: [], updated: [], removed: [] };
      for (const [id, r] of pending) {
        const old = d.live.get(id);
        if (r === null) {
          if (!old) continue;
          removeFromOrder(d.order, old);
          d.live.delete(id);
          diff.removed.push(id);
        } else {
          put(d, r);
          (old ? diff.updated : diff.added).push(copyRecord(r));
        }
      }
      d.cursor = { ...cursor };
      return diff;
    },

    async raiseRead(id, seq, cursor) {
      const d = need();
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
      need().staging = { cursor: { ...cursor }, nextCursor: null, staged: 0, records: new Map() };
    },

    async stagedFull() {
      const s = need().staging;
      if (!s || s.staged === 0) return null;
      return { cursor: { ...s.cursor }, nextCursor: s.nextCursor, staged: s.staged };
    },

    async stagePage(records, nextCursor) {
      const d = need();
      const s = d.staging;
      if (!s) throw notStaged();
      const aside: LocalConversation[] = [];
      const out: Pick<LocalDiff, 'added' | 'updated'> = { added: [], updated: [] };
      for (const c of records) {
        const live = d.live.get(c.conversationID);
        const merged = mergeIncoming(live, c);
        hook(opts, c.conversationID);
        const r = merged ? copyRecord(merged) : live!;
        aside.push(r);
        if (!live) out.added.push(copyRecord(r));
        else if (merged) out.updated.push(copyRecord(r));
      }
      for (const r of aside) s.records.set(r.conversationID, r);
      s.staged += records.length;
      s.nextCursor = nextCursor;
      return out;
    },

    async commitFull() {
      const d = need();
      const s = d.staging;
      if (!s) throw notStaged();
      if (s.nextCursor !== null) throw notComplete();
      const removed: string[] = [];
      for (const id of d.live.keys()) if (!s.records.has(id)) removed.push(id);
      for (const id of removed) hook(opts, id);
      d.live = s.records;
      d.order = [...s.records.values()].sort(compareConversations);
      d.cursor = { ...s.cursor };
      d.staging = null;
      return removed;
    },

    async abortFull() {
      need().staging = null;
    },
  };
}

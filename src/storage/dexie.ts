/**
 * The Dexie adapter (SPEC §5.2), for apps that already use Dexie. Same design as the
 * idb adapter (docs/storage.md): records keyed `[gen+conversationID]`, the list order
 * from the compound index `[gen+pinned+sortTime+conversationID]` read in reverse, a
 * full sync staged in a new generation and swapped by flipping the active generation.
 *
 * Tables: `convsync_conversations` and `convsync_meta` (meta keys: `state`, or
 * `state:<userID>` in an app's shared instance, and `next`, the generation counter).
 *
 * **With your own Dexie instance** (`dexieStorage({ db })`):
 * - call `dexieStorage({ db })` after declaring your versions and **before** the
 *   database is opened: it adds convsync's two tables to your highest declared version
 *   (`db.version(db.verno).stores(...)`); on an open instance it throws unless the
 *   tables are already declared. When you add convsync to an existing database, bump
 *   your version number once (`db.version(n + 1).stores({})`), else Dexie warns and
 *   patches the schema itself.
 * - `open()` opens the database if needed; `close()` leaves your instance open;
 *   `destroy()` deletes only this user's convsync records and state, never your
 *   database. Several users can share the instance (generations are unique per database).
 * - `name`, `indexedDB` and `IDBKeyRange` are ignored (your instance has its own).
 */
// Type-only at the top: Dexie itself is loaded on open(), so an app that bundles
// `convsync` but never calls dexieStorage() ships no Dexie.
import type { Dexie, Table } from 'dexie';
import { ConvSyncError, type Conversation, type Cursor, type LocalConversation } from '../protocol/index.js';
import { CHUNK, dbName, decodePage, encodePage, hook, notComplete, notStaged, sortKeyOf } from './common.js';
import { isClosedError, noIndexedDB, toStorageError } from './errors.js';
import { withDraft, withRead } from './merge.js';
import { planDelta, planStage, readAllPaged } from './plan.js';
import type { LocalDiff, Page, PageCursor, StagedFull, StorageAdapter, StorageOptions } from './types.js';

export interface DexieStorageOptions extends StorageOptions {
  /** The app's own Dexie instance (see above). Default: a database of convsync's own, named like the others. */
  db?: Dexie;
  /** The IndexedDB factory for convsync's own database. Default: `globalThis.indexedDB`, read when opening. */
  indexedDB?: IDBFactory;
  /** Its key range class. Default: `globalThis.IDBKeyRange`. */
  IDBKeyRange?: typeof IDBKeyRange;
}

const CONV = 'convsync_conversations';
const META = 'convsync_meta';
const ORDER = '[gen+pinned+sortTime+conversationID]';
const SCHEMA = { [CONV]: '[gen+conversationID], ' + ORDER, [META]: '' };

interface Stored extends LocalConversation {
  gen: number;
  pinned: 0 | 1;
  sortTime: number;
}

interface State {
  schema: 1;
  active: number;
  cursor: Cursor | null;
  staging: (StagedFull & { gen: number }) | null;
  drop: number[];
}

function toStored(r: LocalConversation, gen: number): Stored {
  const [pinned, sortTime] = sortKeyOf(r);
  return { ...r, gen, pinned, sortTime };
}

function fromStored(s: Stored): LocalConversation {
  const { gen: _g, pinned: _p, sortTime: _t, ...r } = s;
  return r;
}

export function dexieStorage(opts: DexieStorageOptions = {}): StorageAdapter {
  const appDb = opts.db;
  if (appDb && !appDb.isOpen()) appDb.version(Math.max(appDb.verno, 1)).stores(SCHEMA);
  let db: Dexie | null = appDb ?? null;
  let key = '';
  let userClosed = true;

  const gen = (g: number): [unknown[], unknown[]] => [[g], [g, []]];

  async function run<T>(mode: 'r' | 'rw', fn: (conv: Table<Stored, [number, string]>, meta: Table<unknown, string>, st: State) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (userClosed || !db) throw toStorageError(null, 'storage is not open');
        const d = db;
        const conv = d.table<Stored, [number, string]>(CONV);
        const meta = d.table<unknown, string>(META);
        return await d.transaction(mode, [conv, meta], async () => {
          const st = (await meta.get(key)) as State | undefined;
          if (!st) throw new ConvSyncError('STORAGE', 'convsync state is missing');
          return fn(conv, meta, st);
        });
      } catch (e) {
        if (attempt === 0 && !userClosed && db && isClosedError(e)) {
          await db.open().catch(() => undefined);
          continue;
        }
        throw toStorageError(e);
      }
    }
  }

  const saveState = (meta: Table<unknown, string>, st: State): Promise<unknown> => meta.put(st, key);
  const dropGens = async (conv: Table<Stored, [number, string]>, st: State): Promise<void> => {
    for (const g of st.drop) await conv.where(':id').between(...gen(g)).delete();
    st.drop = [];
  };

  /** One page in list order from the sort index; `getAll` reads page by page (see CHUNK). */
  const readPage = (limit: number, after?: PageCursor): Promise<Page> =>
    run('r', async (conv, _m, st): Promise<Page> => {
      const n = Math.floor(limit);
      const g = st.active;
      const upper = after === undefined ? [g, []] : [g, ...decodePage(after)];
      if (!(n > 0)) return { items: [], next: null };
      const found = await conv.where(ORDER).between([g], upper, true, false).reverse().limit(n + 1).toArray();
      const items = found.slice(0, n).map(fromStored);
      const last = items[items.length - 1];
      return { items, next: found.length > n && last ? encodePage(last) : null };
    });

  /** IDs of generation `from` that generation `to` lacks, walked in chunks of keys. */
  async function missingIDs(from: number, to: number): Promise<string[]> {
    const missing: string[] = [];
    for (let after: string | null = null; ; ) {
      const lower: unknown[] = after === null ? [from] : [from, after];
      const [keys, there] = await run('r', async (conv) => {
        const keys = await conv.where(':id').between(lower, [from, []], after === null, true).limit(CHUNK).primaryKeys();
        if (keys.length === 0) return [keys, new Set<string>()] as const;
        const span = await conv.where(':id').between([to, keys[0]![1]], [to, keys[keys.length - 1]![1]], true, true).primaryKeys();
        return [keys, new Set(span.map((k) => k[1]))] as const;
      });
      for (const [, id] of keys) if (!there.has(id)) missing.push(id);
      if (keys.length < CHUNK) return missing;
      after = keys[keys.length - 1]![1];
    }
  }

  return {
    async open(userID) {
      try {
        if (!db) {
          const f = opts.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
          const kr = opts.IDBKeyRange ?? (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange;
          if (!f || !kr) throw noIndexedDB();
          const { default: DexieClass } = await import('dexie');
          db = new DexieClass(dbName(opts, userID), { indexedDB: f, IDBKeyRange: kr });
          db.version(1).stores(SCHEMA);
        }
        if (!db.isOpen()) await db.open();
        if (!db.tables.some((t) => t.name === CONV)) {
          throw new ConvSyncError('STORAGE', `the Dexie database has no ${CONV} table: call dexieStorage({ db }) before opening it`);
        }
        key = appDb ? `state:${userID}` : 'state';
        const d = db;
        await d.transaction('rw', [CONV, META], async () => {
          const conv = d.table<Stored, [number, string]>(CONV);
          const meta = d.table<unknown, string>(META);
          const st = (await meta.get(key)) as State | undefined;
          if (st) {
            if (st.drop.length > 0) {
              await dropGens(conv, st);
              await saveState(meta, st);
            }
            return;
          }
          const next = ((await meta.get('next')) as number | undefined) ?? 1;
          await meta.put(next + 1, 'next');
          await saveState(meta, { schema: 1, active: next, cursor: null, staging: null, drop: [] });
        });
        userClosed = false;
      } catch (e) {
        throw toStorageError(e);
      }
    },

    async close() {
      userClosed = true;
      if (!appDb) {
        db?.close();
        db = null;
      }
    },

    async destroy() {
      if (appDb) {
        if (key && !userClosed) {
          await run('rw', async (conv, meta, st) => {
            st.drop.push(st.active);
            if (st.staging) st.drop.push(st.staging.gen);
            await dropGens(conv, st);
            await meta.delete(key);
          });
        }
        userClosed = true;
        return;
      }
      userClosed = true;
      const d = db;
      db = null;
      if (d) await d.delete().catch((e: unknown) => Promise.reject(toStorageError(e)));
    },

    getCursor: () => run('r', async (_c, _m, st) => st.cursor),

    get: (id) =>
      run('r', async (conv, _m, st) => {
        const s = await conv.get([st.active, id]);
        return s && fromStored(s);
      }),

    getAll: () => readAllPaged(readPage, CHUNK),

    getPage: (limit, after) => readPage(limit, after),

    allIDs: () =>
      run('r', async (conv, _m, st) => (await conv.where(':id').between(...gen(st.active)).primaryKeys()).map((k) => k[1])),

    applyDelta: (upsert: Conversation[], remove: string[], cursor: Cursor) =>
      run('rw', async (conv, meta, st): Promise<LocalDiff> => {
        const g = st.active;
        const wanted = [...new Set([...upsert.map((c) => c.conversationID), ...remove])];
        const stored = new Map<string, LocalConversation>();
        for (const s of await conv.bulkGet(wanted.map((id): [number, string] => [g, id]))) if (s) stored.set(s.conversationID, fromStored(s));
        const { writes, diff } = planDelta(stored, upsert, remove, (id) => hook(opts, id));
        const puts: Stored[] = [];
        const dels: Array<[number, string]> = [];
        for (const [id, r] of writes) r ? puts.push(toStored(r, g)) : dels.push([g, id]);
        await conv.bulkPut(puts);
        await conv.bulkDelete(dels);
        st.cursor = cursor;
        await saveState(meta, st);
        return diff;
      }),

    raiseRead: (id, seq, cursor) =>
      run('rw', async (conv, meta, st) => {
        const live = await conv.get([st.active, id]);
        if (!live) return undefined;
        const cur = fromStored(live);
        const s = st.staging && (await conv.get([st.staging.gen, id]));
        const next = withRead(cur, seq);
        const nextStaged = s && withRead(fromStored(s), seq);
        if (next) hook(opts, id);
        if (nextStaged) hook(opts, id);
        if (next) await conv.put(toStored(next, st.active));
        if (nextStaged && st.staging) await conv.put(toStored(nextStaged, st.staging.gen));
        if (cursor) {
          st.cursor = cursor;
          await saveState(meta, st);
        }
        return next ?? cur;
      }),

    setDraft: (id, text, time) =>
      run('rw', async (conv, _m, st) => {
        const live = await conv.get([st.active, id]);
        if (!live) return undefined;
        const s = st.staging && (await conv.get([st.staging.gen, id]));
        const next = withDraft(fromStored(live), text, time);
        await conv.put(toStored(next, st.active));
        if (s && st.staging) await conv.put(toStored(withDraft(fromStored(s), text, time), st.staging.gen));
        return next;
      }),

    beginFull: (cursor) =>
      run('rw', async (conv, meta, st) => {
        if (st.staging) st.drop.push(st.staging.gen);
        await dropGens(conv, st);
        const g = ((await meta.get('next')) as number | undefined) ?? st.active + 1;
        await meta.put(g + 1, 'next');
        st.staging = { gen: g, cursor, nextCursor: null, staged: 0 };
        await saveState(meta, st);
      }),

    stagedFull: () =>
      run('r', async (_c, _m, st) => {
        const s = st.staging;
        return s && s.staged > 0 ? { cursor: s.cursor, nextCursor: s.nextCursor, staged: s.staged } : null;
      }),

    stagePage: (records, nextCursor) =>
      run('rw', async (conv, meta, st) => {
        const s = st.staging;
        if (!s) throw notStaged();
        const live = new Map<string, LocalConversation>();
        if (records.length > 0) {
          let lo = records[0]!.conversationID;
          let hi = lo;
          for (const c of records) {
            if (c.conversationID < lo) lo = c.conversationID;
            if (c.conversationID > hi) hi = c.conversationID;
          }
          for (const r of await conv.where(':id').between([st.active, lo], [st.active, hi], true, true).toArray()) {
            live.set(r.conversationID, fromStored(r));
          }
        }
        const plan = planStage(live, records, (id) => hook(opts, id));
        await conv.bulkPut(plan.rows.map((r) => toStored(r, s.gen)));
        s.staged += records.length;
        s.nextCursor = nextCursor;
        await saveState(meta, st);
        return { added: plan.added, updated: plan.updated };
      }),

    async commitFull() {
      // The IDs that leave are found before the swap, in chunks (see idb.ts).
      const before = await run('r', async (_c, _m, st) => st);
      const s0 = before.staging;
      if (!s0) throw notStaged();
      if (s0.nextCursor !== null) throw notComplete();
      const gone = await missingIDs(before.active, s0.gen);
      const removed = await run('rw', async (_conv, meta, st) => {
        const s = st.staging;
        if (!s || s.gen !== s0.gen || st.active !== before.active) throw notStaged();
        for (const id of gone) hook(opts, id);
        st.drop.push(st.active);
        st.active = s.gen;
        st.cursor = s.cursor;
        st.staging = null;
        await saveState(meta, st);
        return gone;
      });
      await run('rw', async (conv, meta, st) => {
        await dropGens(conv, st);
        await saveState(meta, st);
      }).catch(() => undefined);
      return removed;
    },

    abortFull: () =>
      run('rw', async (conv, meta, st) => {
        if (!st.staging) return;
        st.drop.push(st.staging.gen);
        st.staging = null;
        await dropGens(conv, st);
        await saveState(meta, st);
      }),
  };
}

/**
 * The default adapter: IndexedDB through the `idb` library (SPEC §5.2). See
 * docs/storage.md for the design.
 *
 * Schema: `idb-schema.ts`.
 *
 * A full sync fills a new generation page by page, flips the active generation and
 * the cursor in one transaction, then drops the old generation with one key-range
 * delete.
 */
import { unwrap, wrap, type IDBPDatabase } from 'idb';
import { type Conversation, type Cursor, type LocalConversation } from '../protocol/index.js';
import { CHUNK, dbName, decodePage, encodePage, hook, notComplete, notStaged } from './common.js';
import { CONV, META, ORDER, STATE, fromStored, toStored, type State, type Stored, type Tx, type WithGetAllRecords } from './idb-schema.js';
import { dbBlocked, isClosedError, noIndexedDB, toStorageError } from './errors.js';
import { withDraft, withRead } from './merge.js';
import { planDelta, planStage, readAllPaged } from './plan.js';
import type { LocalDiff, Page, PageCursor, StorageAdapter, StorageOptions } from './types.js';

/**
 * IndexedDB is read from the globals (`indexedDB`, `IDBKeyRange`) when `open()` runs,
 * never at import. The `idb` library checks values against the global `IDB*` classes,
 * so there is no factory injection here: in Node, install `fake-indexeddb/auto` (or use
 * `memoryStorage()` / `dexieStorage({ indexedDB, IDBKeyRange })`).
 */
export function idbStorage(opts: StorageOptions = {}): StorageAdapter {
  let name: string | null = null;
  let db: IDBPDatabase | null = null;
  let KR: typeof IDBKeyRange | undefined;
  let userClosed = true;

  const factory = (): IDBFactory => {
    const f = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    KR = (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange;
    if (!f || !KR) throw noIndexedDB();
    return f;
  };

  const gen = (g: number): IDBKeyRange => KR!.bound([g], [g, []]);

  async function connect(): Promise<IDBPDatabase> {
    const n = name!;
    const req = factory().open(n, 1);
    req.onupgradeneeded = () => {
      const raw = req.result;
      if (!raw.objectStoreNames.contains(CONV)) {
        raw.createObjectStore(CONV, { keyPath: ['gen', 'conversationID'] }).createIndex(ORDER, ['gen', 'pinned', 'sortTime', 'conversationID']);
        raw.createObjectStore(META);
      }
    };
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      let blocked = false;
      req.onblocked = () => {
        blocked = true;
        reject(dbBlocked(n));
      };
      req.onsuccess = () => (blocked ? req.result.close() : resolve(req.result));
      req.onerror = () => reject(toStorageError(req.error, `opening ${n}`));
    });
    const d = wrap(raw);
    const drop = (): void => {
      if (db === d) db = null;
    };
    // Let other tabs upgrade or delete; the next call reopens.
    raw.onversionchange = () => {
      raw.close();
      drop();
    };
    raw.onclose = drop;
    db = d;
    return d;
  }

  /** Runs `fn` in one transaction over both stores; a closed connection is reopened once. */
  async function run<T>(mode: IDBTransactionMode, fn: (tx: Tx, st: State) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let d: IDBPDatabase | null = null;
      try {
        if (userClosed) throw toStorageError(null, 'storage is not open');
        d = db ?? (await connect());
        const tx = d.transaction([CONV, META], mode);
        try {
          const st: State = ((await tx.objectStore(META).get(STATE)) as State | undefined) ?? {
            schema: 1, active: 1, next: 2, cursor: null, staging: null, drop: [],
          };
          const out = await fn(tx, st);
          await tx.done;
          return out;
        } catch (e) {
          tx.done.catch(() => undefined);
          try {
            tx.abort();
          } catch {
            /* already finished */
          }
          throw e;
        }
      } catch (e) {
        const closed = !userClosed && (isClosedError(e) || (d !== null && db !== d));
        if (closed && attempt === 0) {
          if (db === d) db = null;
          continue;
        }
        throw toStorageError(e);
      }
    }
  }

  const conv = (tx: Tx) => tx.objectStore(CONV);
  const rawConv = (tx: Tx): IDBObjectStore => unwrap(conv(tx));
  const saveState = (tx: Tx, st: State): void => void unwrap(tx.objectStore(META)).put(st, STATE);
  const dropGens = (tx: Tx, st: State): void => {
    for (const g of st.drop) rawConv(tx).delete(gen(g));
    st.drop = [];
  };

  /**
   * Applies `change` to record `id` of the live list and, while a full sync is staged,
   * to its staged copy too, writing each copy `change` returns (`undefined`: no change).
   * Resolves with the live record before and after, or `undefined` when `id` is not live.
   */
  async function updateCopies(
    tx: Tx,
    st: State,
    id: string,
    change: (r: LocalConversation) => LocalConversation | undefined,
    hooked: boolean,
  ): Promise<[LocalConversation, LocalConversation | undefined] | undefined> {
    const gens = st.staging ? [st.active, st.staging.gen] : [st.active];
    const found = await Promise.all(gens.map((g) => conv(tx).get([g, id]) as Promise<Stored | undefined>));
    if (!found[0]) return undefined;
    const changed = found.map((s, i) => {
      const next = s && change(fromStored(s));
      if (next) {
        if (hooked) hook(opts, id);
        rawConv(tx).put(toStored(next, gens[i]!));
      }
      return next;
    });
    return [fromStored(found[0]), changed[0]];
  }

  const readPage = (limit: number, after?: PageCursor): Promise<Page> =>
    run('readonly', async (tx, st): Promise<Page> => {
      const n = Math.floor(limit);
      const g = st.active;
      const range = after === undefined ? gen(g) : KR!.bound([g], [g, ...decodePage(after)], false, true);
      if (!(n > 0)) return { items: [], next: null };
      const index = conv(tx).index(ORDER);
      const raw = unwrap(index) as IDBIndex & Partial<WithGetAllRecords>;
      let found: Stored[];
      if (typeof raw.getAllRecords === 'function') {
        const req = raw.getAllRecords({ query: range, count: n + 1, direction: 'prev' });
        found = (await wrap(req)).map((r) => r.value);
      } else {
        found = [];
        let c = await index.openCursor(range, 'prev');
        while (c && found.length <= n) {
          found.push(c.value as Stored);
          c = await c.continue();
        }
      }
      const items = found.slice(0, n).map(fromStored);
      const last = items[items.length - 1];
      return { items, next: found.length > n && last ? encodePage(last) : null };
    });

  /**
   * IDs of generation `from` that generation `to` lacks, walked in chunks of keys:
   * one read of 2 × 100k keys blocked the thread for ~0.2 s in Chromium.
   */
  async function missingIDs(from: number, to: number): Promise<string[]> {
    const missing: string[] = [];
    for (let after: string | null = null; ; ) {
      const lower: unknown[] = after === null ? [from] : [from, after];
      const [keys, there] = await run('readonly', async (tx) => {
        const keys = (await conv(tx).getAllKeys(KR!.bound(lower, [from, []], after !== null), CHUNK)) as Array<[number, string]>;
        if (keys.length === 0) return [keys, new Set<string>()] as const;
        const span = KR!.bound([to, keys[0]![1]], [to, keys[keys.length - 1]![1]]);
        const there = (await conv(tx).getAllKeys(span)) as Array<[number, string]>;
        return [keys, new Set(there.map((k) => k[1]))] as const;
      });
      for (const [, id] of keys) if (!there.has(id)) missing.push(id);
      if (keys.length < CHUNK) return missing;
      after = keys[keys.length - 1]![1];
    }
  }

  return {
    async open(userID) {
      name = dbName(opts, userID);
      userClosed = false;
      if (db) return;
      await run('readwrite', async (tx, st) => {
        if (st.drop.length === 0) return;
        dropGens(tx, st);
        saveState(tx, st);
      });
    },

    async close() {
      userClosed = true;
      db?.close();
      db = null;
    },

    async destroy() {
      userClosed = true;
      db?.close();
      db = null;
      if (name === null) return;
      const n = name;
      let f: IDBFactory;
      try {
        f = factory();
      } catch (e) {
        throw toStorageError(e);
      }
      await new Promise<void>((resolve, reject) => {
        const req = f.deleteDatabase(n);
        req.onblocked = () => reject(dbBlocked(n));
        req.onsuccess = () => resolve();
        req.onerror = () => reject(toStorageError(req.error, `deleting ${n}`));
      });
    },

    getCursor: () => run('readonly', async (_tx, st) => st.cursor),

    get: (id) =>
      run('readonly', async (tx, st) => {
        const s = (await conv(tx).get([st.active, id])) as Stored | undefined;
        return s && fromStored(s);
      }),

    getAll: () => readAllPaged(readPage, CHUNK),

    getPage: (limit, after) => readPage(limit, after),

    allIDs: () =>
      run('readonly', async (tx, st) => {
        const keys = (await conv(tx).getAllKeys(gen(st.active))) as Array<[number, string]>;
        return keys.map((k) => k[1]);
      }),

    applyDelta: (upsert: Conversation[], remove: string[], cursor: Cursor) =>
      run('readwrite', async (tx, st): Promise<LocalDiff> => {
        const g = st.active;
        const store = conv(tx);
        const wanted = [...new Set([...upsert.map((c) => c.conversationID), ...remove])];
        const found = await Promise.all(wanted.map((id) => store.get([g, id]) as Promise<Stored | undefined>));
        const stored = new Map<string, LocalConversation>();
        found.forEach((s) => s && stored.set(s.conversationID, fromStored(s)));
        const { writes, diff } = planDelta(stored, upsert, remove, (id) => hook(opts, id));
        const raw = rawConv(tx);
        for (const [id, r] of writes) r ? raw.put(toStored(r, g)) : raw.delete([g, id]);
        st.cursor = cursor;
        saveState(tx, st);
        return diff;
      }),

    raiseRead: (id, seq, cursor) =>
      run('readwrite', async (tx, st) => {
        const r = await updateCopies(tx, st, id, (rec) => withRead(rec, seq), true);
        if (r && cursor) {
          st.cursor = cursor;
          saveState(tx, st);
        }
        return r && (r[1] ?? r[0]);
      }),

    setDraft: (id, text, time) =>
      run('readwrite', async (tx, st) => {
        const r = await updateCopies(tx, st, id, (rec) => withDraft(rec, text, time), false);
        return r?.[1];
      }),

    beginFull: (cursor) =>
      run('readwrite', async (tx, st) => {
        if (st.staging) st.drop.push(st.staging.gen);
        dropGens(tx, st);
        st.staging = { gen: st.next++, cursor, nextCursor: null, staged: 0 };
        saveState(tx, st);
      }),

    stagedFull: () =>
      run('readonly', async (_tx, st) => {
        const s = st.staging;
        return s && s.staged > 0 ? { cursor: s.cursor, nextCursor: s.nextCursor, staged: s.staged } : null;
      }),

    stagePage: (records, nextCursor) =>
      run('readwrite', async (tx, st) => {
        const s = st.staging;
        if (!s) throw notStaged();
        const live = new Map<string, LocalConversation>();
        if (records.length > 0) {
          // One range read of the live records between the page's lowest and highest ID:
          // snapshot pages come in ID order, so this is about the page's own records.
          const ids = records.map((c) => c.conversationID).sort();
          const [lo, hi] = [ids[0]!, ids[ids.length - 1]!];
          const got = (await conv(tx).getAll(KR!.bound([st.active, lo], [st.active, hi]))) as Stored[];
          for (const r of got) live.set(r.conversationID, fromStored(r));
        }
        const plan = planStage(live, records, (id) => hook(opts, id));
        const raw = rawConv(tx);
        for (const r of plan.rows) raw.put(toStored(r, s.gen));
        s.staged += records.length;
        s.nextCursor = nextCursor;
        saveState(tx, st);
        return { added: plan.added, updated: plan.updated };
      }),

    async commitFull() {
      // The IDs that leave are found before the swap, outside its transaction: every
      // write goes through the engine's queue, so neither generation changes meanwhile.
      const before = await run('readonly', async (_tx, st) => st);
      const s0 = before.staging;
      if (!s0) throw notStaged();
      if (s0.nextCursor !== null) throw notComplete();
      const gone = await missingIDs(before.active, s0.gen);
      const removed = await run('readwrite', async (tx, st) => {
        const s = st.staging;
        if (!s || s.gen !== s0.gen || st.active !== before.active) throw notStaged();
        for (const id of gone) hook(opts, id);
        st.drop.push(st.active);
        st.active = s.gen;
        st.cursor = s.cursor;
        st.staging = null;
        saveState(tx, st);
        return gone;
      });
      // The old generation goes after the flip, in its own transaction; if this fails,
      // `drop` keeps it listed and the next open or beginFull deletes it.
      await run('readwrite', async (tx, st) => {
        dropGens(tx, st);
        saveState(tx, st);
      }).catch(() => undefined);
      return removed;
    },

    abortFull: () =>
      run('readwrite', async (tx, st) => {
        if (!st.staging) return;
        st.drop.push(st.staging.gen);
        st.staging = null;
        dropGens(tx, st);
        saveState(tx, st);
      }),
  };
}

/**
 * The default adapter: IndexedDB through the `idb` library (SPEC §5.2), the generation
 * store (`gen-store.ts`) over this file's driver. Design: docs/storage.md.
 *
 * Schema (database version 2; version 1 had no outbox):
 * - `conversations`, key path `[gen, conversationID]`: the record plus `gen`, `pinned`
 *   (0|1: IndexedDB cannot index booleans) and `sortTime`. Index `order` on
 *   `[gen, pinned, sortTime, conversationID]`, read backwards for SPEC §1.2 order.
 * - `meta`, out-of-line keys: the state (`state`) and the generation counter (`next`).
 * - `outbox`, key path `mutationID`: the queued local writes.
 */
import { unwrap, wrap, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { LocalConversation } from '../protocol/index.js';
import { dbName, fromStored, PUT_SLICE, toStored, type SortKey, type Stored } from './common.js';
import type { Driver, DriverTx } from './driver.js';
import { dbBlocked, dbDeleted, dbUpgraded, isClosedError, noIndexedDB, toStorageError } from './errors.js';
import type { ConvSyncError } from '../protocol/index.js';
import { createGenStore } from './gen-store.js';
import type { OutboxEntry } from './outbox.js';
import type { StorageAdapter, StorageOptions } from './types.js';

const CONV = 'conversations';
const META = 'meta';
const ORDER = 'order';
const OUTBOX = 'outbox';
const VERSION = 2;


type Tx = IDBPTransaction<unknown, string[], IDBTransactionMode>;

/** `IDBIndex.getAllRecords` (Chromium 141+, fake-indexeddb 6.2); not in TS's DOM lib yet. */
interface WithGetAllRecords {
  getAllRecords(o: { query: IDBKeyRange; count: number; direction: IDBCursorDirection }): IDBRequest<Array<{ value: Stored }>>;
}


/**
 * IndexedDB is read from the globals (`indexedDB`, `IDBKeyRange`) when `open()` runs,
 * never at import. The `idb` library checks values against the global `IDB*` classes,
 * so there is no factory injection here: in Node, install `fake-indexeddb/auto` (or use
 * `memoryStorage()` / `dexieStorage({ indexedDB, IDBKeyRange })`).
 */
export function idbStorage(opts: StorageOptions = {}): StorageAdapter {
  return createGenStore((userID) => idbDriver(dbName(opts, userID)), opts);
}

function idbDriver(name: string): Driver {
  let db: IDBPDatabase | null = null;
  let KR: typeof IDBKeyRange;
  /** Once opened, a lost connection may be reopened, but the database is never created again. */
  let opened = false;
  /** Set when another connection deleted or upgraded the database: nothing reopens it. */
  let gone: ConvSyncError | null = null;

  const factory = (): IDBFactory => {
    const f = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    const kr = (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange;
    if (!f || !kr) throw noIndexedDB();
    KR = kr;
    return f;
  };

  const whole = (g: number): IDBKeyRange => KR.bound([g], [g, []]);

  async function connect(): Promise<IDBPDatabase> {
    if (gone) throw gone;
    const req = factory().open(name, VERSION);
    req.onupgradeneeded = (e) => {
      if (opened && e.oldVersion === 0) {
        // it was deleted meanwhile: aborting the upgrade leaves no database behind
        gone = dbDeleted(name);
        req.transaction?.abort();
        return;
      }
      const raw = req.result;
      if (!raw.objectStoreNames.contains(CONV)) {
        raw.createObjectStore(CONV, { keyPath: ['gen', 'conversationID'] }).createIndex(ORDER, ['gen', 'pinned', 'sortTime', 'conversationID']);
        raw.createObjectStore(META);
      }
      if (!raw.objectStoreNames.contains(OUTBOX)) raw.createObjectStore(OUTBOX, { keyPath: 'mutationID' });
    };
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      let blocked = false;
      req.onblocked = () => {
        blocked = true;
        reject(dbBlocked(name));
      };
      req.onsuccess = () => (blocked ? req.result.close() : resolve(req.result));
      req.onerror = () => reject(gone ?? toStorageError(req.error, `opening ${name}`));
    });
    const d = wrap(raw);
    const drop = (): void => {
      if (db === d) db = null;
    };
    // Another tab deletes (a logout) or upgrades the database: let it, and stop here.
    raw.onversionchange = (e) => {
      raw.close();
      gone = e.newVersion === null ? dbDeleted(name) : dbUpgraded(name, e.newVersion);
      drop();
    };
    raw.onclose = drop;
    db = d;
    opened = true;
    return d;
  }

  function txOf(tx: Tx): DriverTx {
    const conv = tx.objectStore(CONV);
    const rawConv = unwrap(conv);
    const meta = tx.objectStore(META);
    const outbox = tx.objectStore(OUTBOX);
    const done = Promise.resolve();
    return {
      getMeta: async <T>(key: string) => (await meta.get(key)) as T | undefined,
      putMeta: (key, value) => (unwrap(meta).put(value, key), done),
      deleteMeta: (key) => (unwrap(meta).delete(key), done),
      getRows: async (gen, ids) => {
        const found = await Promise.all(ids.map((id) => conv.get([gen, id]) as Promise<Stored | undefined>));
        return found.map((s) => s && fromStored(s));
      },
      rowsBetween: async (gen, lo, hi) => ((await conv.getAll(KR.bound([gen, lo], [gen, hi]))) as Stored[]).map(fromStored),
      putRows: async (gen, rows) => {
        // In slices, so writing a page never blocks the page for long: the next slice is
        // issued from the success of the first put of the slice before (the transaction is
        // active there), which hands the thread back between slices while the database
        // always has the rest of a slice to write (awaiting a slice's last put left it idle).
        let first: Promise<unknown> | null = null;
        for (let i = 0; i < rows.length; i += PUT_SLICE) {
          if (first) await first;
          first = wrap(rawConv.put(toStored(rows[i]!, gen)));
          first.catch(() => {}); // a failure aborts the transaction, which reports it
          for (let j = i + 1; j < Math.min(rows.length, i + PUT_SLICE); j++) rawConv.put(toStored(rows[j]!, gen));
        }
      },
      deleteRows: (gen, ids) => {
        for (const id of ids) rawConv.delete([gen, id]);
        return done;
      },
      dropGen: (gen) => (rawConv.delete(whole(gen)), done),
      ids: async (gen, after, limit) => {
        const range = after === null ? whole(gen) : KR.bound([gen, after], [gen, []], true);
        return ((await conv.getAllKeys(range, limit)) as Array<[number, string]>).map((k) => k[1]);
      },
      idsBetween: async (gen, lo, hi) => ((await conv.getAllKeys(KR.bound([gen, lo], [gen, hi]))) as Array<[number, string]>).map((k) => k[1]),
      page: async (gen, limit, after?: SortKey) => {
        const range = after === undefined ? whole(gen) : KR.bound([gen], [gen, ...after], false, true);
        const index = conv.index(ORDER);
        const raw = unwrap(index) as IDBIndex & Partial<WithGetAllRecords>;
        if (typeof raw.getAllRecords === 'function') {
          const req = raw.getAllRecords({ query: range, count: limit, direction: 'prev' });
          return (await wrap(req)).map((r) => fromStored(r.value));
        }
        const found: LocalConversation[] = [];
        for (let c = await index.openCursor(range, 'prev'); c && found.length < limit; c = await c.continue()) {
          found.push(fromStored(c.value as Stored));
        }
        return found;
      },
      getOutbox: async () => (await outbox.getAll()) as OutboxEntry[],
      putOutbox: (entries) => {
        for (const e of entries) unwrap(outbox).put(e);
        return done;
      },
      deleteOutbox: (ids) => {
        for (const id of ids) unwrap(outbox).delete(id);
        return done;
      },
    };
  }

  return {
    name,
    stateKey: 'state',
    shared: false,
    async open() {
      if (!db) await connect();
    },
    close() {
      db?.close();
      db = null;
    },
    deleteDatabase() {
      return new Promise<void>((resolve, reject) => {
        const req = factory().deleteDatabase(name);
        req.onblocked = () => reject(dbBlocked(name));
        req.onsuccess = () => resolve();
        req.onerror = () => reject(toStorageError(req.error, `deleting ${name}`));
      });
    },

    /** Runs `fn` in one transaction over both stores; a closed connection is reopened once. */
    async run(mode, fn) {
      for (let attempt = 0; ; attempt++) {
        let d: IDBPDatabase | null = null;
        try {
          d = db ?? (await connect());
          const tx = d.transaction([CONV, META, OUTBOX], mode === 'rw' ? 'readwrite' : 'readonly');
          try {
            const out = await fn(txOf(tx));
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
          if (gone) throw gone;
          if (attempt === 0 && (isClosedError(e) || (d !== null && db !== d))) {
            if (db === d) db = null;
            continue;
          }
          throw toStorageError(e);
        }
      }
    },
  };
}

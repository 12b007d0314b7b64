/**
 * The Dexie adapter (SPEC §5.2), for apps that already use Dexie: the generation store
 * (`gen-store.ts`) over this file's driver. Same schema as the idb adapter
 * (docs/storage.md) with Dexie names: rows keyed `[gen+conversationID]`, list order
 * from the compound index `[gen+pinned+sortTime+conversationID]` read in reverse.
 *
 * Tables: `convsync_conversations`, `convsync_meta` (meta keys: `state`, or
 * `state:<userID>` in an app's shared instance, and `next`, the generation counter) and
 * `convsync_outbox` (queued local writes, by `mutationID`, with the user's state key).
 *
 * **With your own Dexie instance** (`dexieStorage({ db })`):
 * - call `dexieStorage({ db })` after declaring your versions and **before** the
 *   database is opened: it adds convsync's three tables to your highest declared version
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
import { ConvSyncError } from '../protocol/index.js';
import { dbName, fromStored, PUT_SLICE, toStored, type Stored } from './common.js';
import type { Driver, DriverTx } from './driver.js';
import { dbDeleted, dbUpgraded, isClosedError, noIndexedDB, toStorageError } from './errors.js';
import { createGenStore } from './gen-store.js';
import type { OutboxEntry } from './outbox.js';
import type { StorageAdapter, StorageOptions } from './types.js';

/**
 * What convsync needs of an app's Dexie instance, written out so that the typings of
 * `convsync` load without `dexie` installed. Any `Dexie` instance is one.
 */
export interface DexieInstance {
  readonly name: string;
  readonly verno: number;
  isOpen(): boolean;
  version(n: number): { stores(schema: Record<string, string | null>): unknown };
}

export interface DexieStorageOptions extends StorageOptions {
  /** The app's own Dexie instance (see above). Default: a database of convsync's own, named like the others. */
  db?: DexieInstance;
  /** The IndexedDB factory for convsync's own database. Default: `globalThis.indexedDB`, read when opening. */
  indexedDB?: IDBFactory;
  /** Its key range class. Default: `globalThis.IDBKeyRange`. */
  IDBKeyRange?: typeof IDBKeyRange;
}

const CONV = 'convsync_conversations';
const META = 'convsync_meta';
const ORDER = '[gen+pinned+sortTime+conversationID]';
const OUTBOX = 'convsync_outbox';
const SCHEMA = { [CONV]: '[gen+conversationID], ' + ORDER, [META]: '', [OUTBOX]: 'mutationID, user' };



export function dexieStorage(opts: DexieStorageOptions = {}): StorageAdapter {
  const appDb = opts.db as Dexie | undefined;
  if (appDb && !appDb.isOpen()) appDb.version(Math.max(appDb.verno, 1)).stores(SCHEMA);
  let own: Dexie | null = null;
  return createGenStore((userID) => dexieDriver(appDb ? { app: appDb, userID } : { own: () => own, set: (d) => (own = d), name: dbName(opts, userID), opts }), opts);
}

/** convsync's own database (not opened yet); Dexie is imported here, on first use. */
async function ownDexie(name: string, opts: DexieStorageOptions): Promise<Dexie> {
  const f = opts.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  const kr = opts.IDBKeyRange ?? (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange;
  if (!f || !kr) throw noIndexedDB();
  const { default: DexieClass } = await import('dexie').catch((e: unknown) => {
    throw new ConvSyncError('STORAGE', 'dexieStorage() needs the dexie package, an optional peer of convsync: npm install dexie', { cause: e });
  });
  const db = new DexieClass(name, { indexedDB: f, IDBKeyRange: kr });
  db.version(1).stores({ [CONV]: SCHEMA[CONV], [META]: '' });
  db.version(2).stores(SCHEMA);
  return db;
}

type Source = { app: Dexie; userID: string } | { own: () => Dexie | null; set(d: Dexie | null): void; name: string; opts: DexieStorageOptions };

function dexieDriver(src: Source): Driver {
  /** Set when another connection deleted or upgraded convsync's own database: nothing reopens it. */
  let gone: ConvSyncError | null = null;
  const current = (): Dexie | null => ('app' in src ? src.app : src.own());
  const whole = (g: number): [unknown[], unknown[]] => [[g], [g, []]];

  const user = 'app' in src ? `state:${src.userID}` : 'state';

  function txOf(conv: Table<Stored, [number, string]>, meta: Table<unknown, string>, outbox: Table<OutboxEntry & { user: string }, string>): DriverTx {
    return {
      getMeta: async <T>(key: string) => (await meta.get(key)) as T | undefined,
      putMeta: async (key, value) => void (await meta.put(value, key)),
      deleteMeta: (key) => meta.delete(key),
      getRows: async (gen, ids) => (await conv.bulkGet(ids.map((id): [number, string] => [gen, id]))).map((s) => s && fromStored(s)),
      rowsBetween: async (gen, lo, hi) => (await conv.where(':id').between([gen, lo], [gen, hi], true, true).toArray()).map(fromStored),
      putRows: async (gen, rows) => {
        // in slices, so writing a page never blocks the page for long (see PUT_SLICE)
        for (let i = 0; i < rows.length; i += PUT_SLICE) await conv.bulkPut(rows.slice(i, i + PUT_SLICE).map((r) => toStored(r, gen)));
      },
      deleteRows: (gen, ids) => conv.bulkDelete(ids.map((id): [number, string] => [gen, id])),
      dropGen: async (gen) => void (await conv.where(':id').between(...whole(gen)).delete()),
      ids: async (gen, after, limit) => {
        const lower = after === null ? [gen] : [gen, after];
        return (await conv.where(':id').between(lower, [gen, []], after === null, true).limit(limit).primaryKeys()).map((k) => k[1]);
      },
      idsBetween: async (gen, lo, hi) => (await conv.where(':id').between([gen, lo], [gen, hi], true, true).primaryKeys()).map((k) => k[1]),
      page: async (gen, limit, after) => {
        const upper = after === undefined ? [gen, []] : [gen, ...after];
        return (await conv.where(ORDER).between([gen], upper, true, false).reverse().limit(limit).toArray()).map(fromStored);
      },
      getOutbox: async () => (await outbox.where('user').equals(user).toArray()).map(({ user: _u, ...e }) => e),
      putOutbox: async (entries) => void (await outbox.bulkPut(entries.map((e) => ({ ...e, user })))),
      deleteOutbox: (ids) => outbox.bulkDelete([...ids]),
    };
  }

  return {
    name: 'app' in src ? src.app.name : src.name,
    stateKey: user,
    shared: 'app' in src,
    async open() {
      let db = current();
      if (!db && !('app' in src)) {
        const own = (db = await ownDexie(src.name, src.opts));
        // Another tab deletes (a logout) or upgrades the database: let it, and stop here.
        own.on('versionchange', (e: IDBVersionChangeEvent) => {
          gone = e.newVersion === null ? dbDeleted(src.name) : dbUpgraded(src.name, e.newVersion);
          own.close();
          return false;
        });
        src.set(own);
      }
      if (!db!.isOpen()) await db!.open();
      if (!db!.tables.some((t) => t.name === CONV)) {
        throw new ConvSyncError('STORAGE', `the Dexie database has no ${CONV} table: call dexieStorage({ db }) before opening it`);
      }
    },
    close() {
      if ('app' in src) return;
      src.own()?.close();
      src.set(null);
    },
    async deleteDatabase() {
      if ('app' in src) return;
      const d = src.own() ?? (await ownDexie(src.name, src.opts));
      src.set(null);
      await d.delete().catch((e: unknown) => Promise.reject(toStorageError(e)));
    },
    async run(mode, fn) {
      for (let attempt = 0; ; attempt++) {
        const db = current();
        try {
          if (gone) throw gone;
          if (!db) throw toStorageError(null, 'storage is not open');
          // the transaction's own tables: their calls belong to it even after a native
          // `await`, which loses Dexie's implicit transaction zone
          return await db.transaction(mode, [CONV, META, OUTBOX], (t) =>
            fn(txOf(t.table<Stored, [number, string]>(CONV), t.table<unknown, string>(META), t.table<OutboxEntry & { user: string }, string>(OUTBOX))),
          );
        } catch (e) {
          if (attempt === 0 && db && !gone && isClosedError(e)) {
            await db.open().catch(() => undefined);
            continue;
          }
          throw toStorageError(e);
        }
      }
    },
  };
}

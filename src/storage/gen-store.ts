/**
 * The whole storage contract (`StorageAdapter`), written once over a `Driver`
 * (docs/storage.md). Rows live in generations: a full sync fills a new generation page
 * by page, then flips the active generation and the cursor in one small transaction,
 * and the old generation is dropped with one key-range delete. The idb and dexie
 * adapters are this store over their drivers.
 *
 * State (one meta value per user, under `driver.stateKey`): the active generation, the
 * cursor, the staging progress, and generations waiting to be dropped. The generation
 * counter is one meta value per database (`next`), so users sharing an app's database
 * never share a generation.
 */
import { ConvSyncError, type Conversation, type Cursor, type LocalConversation } from '../protocol/index.js';
import { CHUNK, checkCursor, checkSwap, decodePage, encodePage, hook, newWriterID, notComplete, notStaged, ownStaging } from './common.js';
import type { Driver, DriverTx } from './driver.js';
import { toStorageError } from './errors.js';
import { withDraft, withRead } from './merge.js';
import { planDelta, planStage, readAllPaged } from './plan.js';
import type { LocalDiff, Page, PageCursor, StagedFull, StorageAdapter, StorageOptions } from './types.js';

export interface State {
  schema: 1;
  /** Generation of the live list. */
  active: number;
  cursor: Cursor | null;
  /** `owner`: the adapter instance (tab) that stages it. */
  staging: (StagedFull & { gen: number; owner?: string; base?: Cursor | null }) | null;
  /** Generations to delete (an old list after a swap, an abandoned staging). */
  drop: number[];
  /** The generation counter of databases written before it moved to its own meta value. */
  next?: number;
}

const NEXT = 'next';

/** Builds the adapter; `driverFor(userID)` makes the driver of that user's database. */
export function createGenStore(driverFor: (userID: string) => Driver, opts: StorageOptions): StorageAdapter {
  let driver: Driver | null = null;
  let isOpen = false;
  /** This instance as a writer: a staging it begins is its own. */
  const writer = newWriterID();

  const need = (): Driver => {
    if (!isOpen || !driver) throw new ConvSyncError('STORAGE', 'storage is not open');
    return driver;
  };

  async function newGen(tx: DriverTx, st: State | undefined): Promise<number> {
    const g = (await tx.getMeta<number>(NEXT)) ?? st?.next ?? (st ? Math.max(st.active, st.staging?.gen ?? 0) + 1 : 1);
    await tx.putMeta(NEXT, g + 1);
    return g;
  }

  /** Runs `fn` in one transaction with the state read in it. */
  async function run<T>(mode: 'r' | 'rw', fn: (tx: DriverTx, st: State) => Promise<T>): Promise<T> {
    const d = need();
    return d.run(mode, async (tx) => {
      const st = await tx.getMeta<State>(d.stateKey);
      // an app's shared database: this user's data was destroyed by another connection
      if (!st) throw new ConvSyncError('DB_DELETED', `convsync's data of this user in ${d.name} was deleted (a logout in another tab?)`);
      return fn(tx, st);
    });
  }

  const save = (tx: DriverTx, st: State): Promise<void> => tx.putMeta(need().stateKey, st);

  async function dropPending(tx: DriverTx, st: State): Promise<void> {
    for (const g of st.drop) await tx.dropGen(g);
    st.drop = [];
  }

  /**
   * Applies `change` to record `id` of the live list and, while a full sync is staged,
   * to its staged copy too, writing each copy `change` returns (`undefined`: no change).
   * Resolves with the live record before and after, or `undefined` when `id` is not live.
   */
  async function updateCopies(
    tx: DriverTx,
    st: State,
    id: string,
    change: (r: LocalConversation) => LocalConversation | undefined,
    hooked: boolean,
  ): Promise<[LocalConversation, LocalConversation | undefined] | undefined> {
    const gens = st.staging ? [st.active, st.staging.gen] : [st.active];
    const found = await Promise.all(gens.map(async (g) => (await tx.getRows(g, [id]))[0]));
    if (!found[0]) return undefined;
    const changed = found.map((r) => r && change(r));
    for (let i = 0; i < gens.length; i++) {
      const next = changed[i];
      if (!next) continue;
      if (hooked) hook(opts, id);
      await tx.putRows(gens[i]!, [next]);
    }
    return [found[0], changed[0]];
  }

  const readPage = (limit: number, after?: PageCursor): Promise<Page> =>
    run('r', async (tx, st): Promise<Page> => {
      const key = after === undefined ? undefined : decodePage(after);
      const n = Math.floor(limit);
      if (!(n > 0)) return { items: [], next: null };
      const found = await tx.page(st.active, n + 1, key);
      const items = found.slice(0, n);
      const last = items[items.length - 1];
      return { items, next: found.length > n && last ? encodePage(last) : null };
    });

  /** IDs of generation `from` that generation `to` lacks, walked in chunks of keys. */
  async function missingIDs(from: number, to: number): Promise<string[]> {
    const missing: string[] = [];
    for (let after: string | null = null; ; ) {
      const a = after;
      const [keys, there] = await run('r', async (tx) => {
        const keys = await tx.ids(from, a, CHUNK);
        if (keys.length === 0) return [keys, new Set<string>()] as const;
        return [keys, new Set(await tx.idsBetween(to, keys[0]!, keys[keys.length - 1]!))] as const;
      });
      for (const id of keys) if (!there.has(id)) missing.push(id);
      if (keys.length < CHUNK) return missing;
      after = keys[keys.length - 1]!;
    }
  }

  return {
    async open(userID) {
      if (isOpen) return;
      const d = (driver = driverFor(userID));
      try {
        await d.open();
        await d.run('rw', async (tx) => {
          const st = await tx.getMeta<State>(d.stateKey);
          if (!st) {
            await tx.putMeta(d.stateKey, { schema: 1, active: await newGen(tx, undefined), cursor: null, staging: null, drop: [] } satisfies State);
          } else if (st.drop.length > 0) {
            await dropPending(tx, st);
            await tx.putMeta(d.stateKey, st);
          }
        });
      } catch (e) {
        d.close();
        throw toStorageError(e);
      }
      isOpen = true;
    },

    async close() {
      isOpen = false;
      driver?.close();
    },

    async destroy(userID?: string) {
      const d = driver ?? (userID === undefined ? null : (driver = driverFor(userID)));
      const wasOpen = isOpen;
      isOpen = false;
      if (!d) return;
      if (!d.shared) {
        d.close();
        return d.deleteDatabase();
      }
      // an app's own database: only this user's rows and state go
      if (!wasOpen) await d.open();
      await d.run('rw', async (tx) => {
        const st = await tx.getMeta<State>(d.stateKey);
        if (!st) return;
        for (const g of [st.active, st.staging?.gen, ...st.drop]) if (g !== undefined) await tx.dropGen(g);
        await tx.deleteMeta(d.stateKey);
      });
      d.close();
    },

    databaseName: (userID) => {
      const d = driverFor(userID);
      return d.shared ? `${d.name}#${userID}` : d.name;
    },

    getCursor: () => run('r', async (_tx, st) => st.cursor),

    getMany: (ids) => run('r', async (tx, st) => tx.getRows(st.active, ids)),

    get: (id) => run('r', async (tx, st) => (await tx.getRows(st.active, [id]))[0]),

    getAll: () => readAllPaged(readPage, CHUNK),

    getPage: (limit, after) => readPage(limit, after),

    allIDs: async () => {
      const all: string[] = [];
      for (let after: string | null = null; ; ) {
        const a: string | null = after;
        const ids: string[] = await run('r', async (tx, st) => tx.ids(st.active, a, CHUNK));
        all.push(...ids);
        if (ids.length < CHUNK) return all;
        after = ids[ids.length - 1]!;
      }
    },

    applyDelta: (upsert: Conversation[], remove: string[], cursor: Cursor, expected?: Cursor | null) =>
      run('rw', async (tx, st): Promise<LocalDiff> => {
        checkCursor(st.cursor, expected);
        const g = st.active;
        const wanted = [...new Set([...upsert.map((c) => c.conversationID), ...remove])];
        const stored = new Map<string, LocalConversation>();
        for (const r of await tx.getRows(g, wanted)) if (r) stored.set(r.conversationID, r);
        const { writes, diff } = planDelta(stored, upsert, remove, (id) => hook(opts, id));
        const puts: LocalConversation[] = [];
        const dels: string[] = [];
        for (const [id, r] of writes) r ? puts.push(r) : dels.push(id);
        await tx.putRows(g, puts);
        await tx.deleteRows(g, dels);
        st.cursor = cursor;
        await save(tx, st);
        return diff;
      }),

    raiseRead: (id, seq, cursor, expected) =>
      run('rw', async (tx, st) => {
        if (cursor) checkCursor(st.cursor, expected);
        const r = await updateCopies(tx, st, id, (rec) => withRead(rec, seq), true);
        if (r && cursor) {
          st.cursor = cursor;
          await save(tx, st);
        }
        return r && (r[1] ?? r[0]);
      }),

    setDraft: (id, text, time) =>
      run('rw', async (tx, st) => (await updateCopies(tx, st, id, (rec) => withDraft(rec, text, time), false))?.[1]),

    beginFull: (cursor) =>
      run('rw', async (tx, st) => {
        if (st.staging) st.drop.push(st.staging.gen);
        await dropPending(tx, st);
        st.staging = { gen: await newGen(tx, st), cursor, nextCursor: null, staged: 0, owner: writer, base: st.cursor };
        await save(tx, st);
      }),

    stagedFull: () =>
      run('r', async (_tx, st) => {
        const s = st.staging;
        return s && s.staged > 0 ? { cursor: s.cursor, nextCursor: s.nextCursor, staged: s.staged } : null;
      }),

    resumeFull: () =>
      run('rw', async (tx, st) => {
        const s = st.staging;
        if (!s || s.staged === 0) return null;
        s.owner = writer;
        s.base = st.cursor;
        await save(tx, st);
        return { cursor: s.cursor, nextCursor: s.nextCursor, staged: s.staged };
      }),

    stagePage: (records, nextCursor) =>
      run('rw', async (tx, st) => {
        const s = ownStaging(st.staging, writer);
        const live = new Map<string, LocalConversation>();
        if (records.length > 0) {
          // One range read of the live records between the page's lowest and highest ID:
          // snapshot pages come in ID order, so this is about the page's own records.
          let [lo, hi] = [records[0]!.conversationID, records[0]!.conversationID];
          for (const { conversationID: id } of records) [lo, hi] = [id < lo ? id : lo, id > hi ? id : hi];
          for (const r of await tx.rowsBetween(st.active, lo, hi)) live.set(r.conversationID, r);
        }
        const plan = planStage(live, records, (id) => hook(opts, id));
        await tx.putRows(s.gen, plan.rows);
        s.staged += records.length;
        s.nextCursor = nextCursor;
        await save(tx, st);
        return { added: plan.added, updated: plan.updated };
      }),

    async commitFull() {
      // The IDs that leave are found before the swap, outside its transaction: every
      // write goes through the engine's queue, so neither generation changes meanwhile.
      const before = await run('r', async (_tx, st) => st);
      const s0 = ownStaging(before.staging, writer);
      if (s0.nextCursor !== null) throw notComplete();
      const gone = await missingIDs(before.active, s0.gen);
      const removed = await run('rw', async (tx, st) => {
        const s = ownStaging(st.staging, writer);
        if (s.gen !== s0.gen || st.active !== before.active) throw notStaged();
        checkSwap(st.cursor, s);
        for (const id of gone) hook(opts, id);
        st.drop.push(st.active);
        st.active = s.gen;
        st.cursor = s.cursor;
        st.staging = null;
        await save(tx, st);
        return gone;
      });
      // The old generation goes after the flip, in its own transaction; if this fails,
      // `drop` keeps it listed and the next open or beginFull deletes it.
      await run('rw', async (tx, st) => {
        await dropPending(tx, st);
        await save(tx, st);
      }).catch(() => undefined);
      return removed;
    },

    abortFull: () =>
      run('rw', async (tx, st) => {
        if (!st.staging) return;
        ownStaging(st.staging, writer);
        st.drop.push(st.staging.gen);
        st.staging = null;
        await dropPending(tx, st);
        await save(tx, st);
      }),
  };
}

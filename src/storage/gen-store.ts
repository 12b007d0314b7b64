/**
 * The whole storage contract (`StorageAdapter`), written once over a `Driver`
 * (docs/storage.md): reads (`gen-reads.ts`), writes and the outbox (`gen-writes.ts`) and
 * the staged full sync (`gen-staging.ts`) over one state record (`gen-state.ts`). The idb
 * and dexie adapters are this store over their drivers.
 */
import { newWriterID } from './common.js';
import type { Driver } from './driver.js';
import { toStorageError } from './errors.js';
import { genReads } from './gen-reads.js';
import { genStaging } from './gen-staging.js';
import { dropPending, newContext, newGen, type State } from './gen-state.js';
import { genWrites } from './gen-writes.js';
import type { StorageAdapter, StorageOptions } from './types.js';

/** Builds the adapter; `driverFor(userID)` makes the driver of that user's database. */
export function createGenStore(driverFor: (userID: string) => Driver, opts: StorageOptions): StorageAdapter {
  let driver: Driver | null = null;
  let isOpen = false;
  const c = newContext(opts, newWriterID(), () => driver, () => isOpen);

  return {
    async open(userID) {
      if (isOpen) return;
      const d = (driver = driverFor(userID));
      try {
        await d.open();
        await d.run('rw', async (tx) => {
          const st = await tx.getMeta<State>(d.stateKey);
          if (!st) {
            await tx.putMeta(d.stateKey, { schema: 1, active: await newGen(tx, undefined), cursor: null, staging: null, drop: [], pending: 0, outboxSeq: 0 } satisfies State);
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
      // an app's own database: only this user's rows, outbox and state go
      if (!wasOpen) await d.open();
      await d.run('rw', async (tx) => {
        const st = await tx.getMeta<State>(d.stateKey);
        if (!st) return;
        for (const g of [st.active, st.staging?.gen, ...st.drop]) if (g !== undefined) await tx.dropGen(g);
        await tx.deleteOutbox((await tx.getOutbox()).map((e) => e.mutationID));
        await tx.deleteMeta(d.stateKey);
      });
      d.close();
    },

    databaseName: (userID) => {
      const d = driverFor(userID);
      return d.shared ? `${d.name}#${userID}` : d.name;
    },

    getCursor: () => c.run('r', async (_tx, st) => st.cursor),
    ...genReads(c),
    ...genWrites(c),
    ...genStaging(c),
  };
}

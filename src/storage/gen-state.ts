/**
 * What the parts of the generation store share: the state record, one transaction with
 * the state read in it, the generation counter and the outbox of this user.
 */
import { ConvSyncError, type Cursor } from '../protocol/index.js';
import type { Driver, DriverTx } from './driver.js';
import type { OutboxEntry } from './outbox.js';
import type { Totals } from './totals.js';
import type { StagedFull, StorageOptions } from './types.js';

export interface State {
  schema: 1;
  /** Generation of the live list. */
  active: number;
  cursor: Cursor | null;
  /**
   * `owner`: the adapter instance (tab) that stages it; `base`: the cursor when it was begun
   * or claimed; `totals`: of the staged records.
   */
  staging: (StagedFull & { gen: number; owner?: string; base?: Cursor | null; totals?: Totals }) | null;
  /** The totals of the live records (absent in databases written before: counted once). */
  totals?: Totals;
  /** Generations to delete (an old list after a swap, an abandoned staging). */
  drop: number[];
  /** Queued local writes (absent in databases written before the outbox: none). */
  pending?: number;
  /** The order number of the next queued write. */
  outboxSeq?: number;
  /** The generation counter of databases written before it moved to its own meta value. */
  next?: number;
}

export interface GenContext {
  opts: StorageOptions;
  /** This adapter instance as a writer: a staging it begins is its own. */
  writer: string;
  driver(): Driver;
  /** Runs `fn` in one transaction with the state read in it. */
  run<T>(mode: 'r' | 'rw', fn: (tx: DriverTx, st: State) => Promise<T>): Promise<T>;
  save(tx: DriverTx, st: State): Promise<void>;
}

const NEXT = 'next';

export async function newGen(tx: DriverTx, st: State | undefined): Promise<number> {
  const g = (await tx.getMeta<number>(NEXT)) ?? st?.next ?? (st ? Math.max(st.active, st.staging?.gen ?? 0) + 1 : 1);
  await tx.putMeta(NEXT, g + 1);
  return g;
}

export async function dropPending(tx: DriverTx, st: State): Promise<void> {
  for (const g of st.drop) await tx.dropGen(g);
  st.drop = [];
}

/** This user's queued writes, in call order (not read at all when there are none). */
export async function pendingOf(tx: DriverTx, st: State): Promise<OutboxEntry[]> {
  if (!st.pending) return [];
  return (await tx.getOutbox()).sort((a, b) => a.seq - b.seq);
}

export function newContext(opts: StorageOptions, writer: string, current: () => Driver | null, isOpen: () => boolean): GenContext {
  const driver = (): Driver => {
    const d = current();
    if (!isOpen() || !d) throw new ConvSyncError('STORAGE', 'storage is not open');
    return d;
  };
  return {
    opts,
    writer,
    driver,
    run(mode, fn) {
      const d = driver();
      return d.run(mode, async (tx) => {
        const st = await tx.getMeta<State>(d.stateKey);
        // an app's shared database: this user's data was destroyed by another connection
        if (!st) throw new ConvSyncError('DB_DELETED', `convsync's data of this user in ${d.name} was deleted (a logout in another tab?)`);
        return fn(tx, st);
      });
    },
    save: (tx, st) => tx.putMeta(driver().stateKey, st),
  };
}

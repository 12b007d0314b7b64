/**
 * Reads of the generation store: every record comes back as the user sees it, the
 * pending writes on top (`outbox.ts`). A page stays O(limit + pending writes): it reads
 * `limit + 1 + k` rows from the sort index (k: conversations with pending writes), drops
 * those k, and merges their overlaid records in where they now sort.
 */
import type { LocalConversation } from '../protocol/index.js';
import { CHUNK, decodePage, encodePage, type SortKey } from './common.js';
import type { DriverTx } from './driver.js';
import { pendingOf, type GenContext, type State } from './gen-state.js';
import { byConversation, overlay, viewPage } from './outbox.js';
import { noTotals, totalsOf, viewTotals, type Totals } from './totals.js';
import { readAllPaged } from './plan.js';
import type { Page, PageCursor, StorageAdapter } from './types.js';

/** The views of `ids` in the live generation, in the same order. */
export async function viewsOf(tx: DriverTx, st: State, ids: readonly string[]): Promise<Array<LocalConversation | undefined>> {
  const rows = await tx.getRows(st.active, ids);
  const entries = await pendingOf(tx, st);
  if (entries.length === 0) return rows;
  const by = byConversation(entries);
  return rows.map((r, i) => overlay(r, by.get(ids[i]!) ?? []));
}

const pageRows = async (tx: DriverTx, st: State, n: number, key: SortKey | undefined): Promise<LocalConversation[]> =>
  viewPage(n, key, await pendingOf(tx, st), (k) => tx.page(st.active, k, key), (ids) => tx.getRows(st.active, ids));

export function genReads(c: GenContext): Pick<StorageAdapter, 'get' | 'getMany' | 'getPage' | 'getAll' | 'allIDs' | 'getTotals'> {
  /** The totals of the live records, counted once for a database written before they were kept. */
  async function truthTotals(): Promise<Totals> {
    const known = await c.run('r', async (_tx, st) => st.totals);
    if (known) return known;
    let t = noTotals();
    for (let after: PageCursor | undefined; ; ) {
      const a: PageCursor | undefined = after;
      const page: LocalConversation[] = await c.run('r', async (tx, st) => tx.page(st.active, CHUNK, a === undefined ? undefined : decodePage(a)));
      t = { count: t.count + page.length, unread: t.unread + totalsOf(page).unread };
      if (page.length < CHUNK) break;
      after = encodePage(page[page.length - 1]!);
    }
    const counted = t;
    await c.run('rw', async (tx, st) => {
      if (st.totals) return;
      st.totals = counted;
      await c.save(tx, st);
    });
    return counted;
  }

  const readPage = (limit: number, afterCursor?: PageCursor): Promise<Page> =>
    c.run('r', async (tx, st): Promise<Page> => {
      const key = afterCursor === undefined ? undefined : decodePage(afterCursor);
      const n = Math.floor(limit);
      if (!(n > 0)) return { items: [], next: null };
      const found = await pageRows(tx, st, n + 1, key);
      const items = found.slice(0, n);
      const last = items[items.length - 1];
      return { items, next: found.length > n && last ? encodePage(last) : null };
    });

  return {
    get: (id) => c.run('r', async (tx, st) => (await viewsOf(tx, st, [id]))[0]),
    getMany: (ids) => c.run('r', (tx, st) => viewsOf(tx, st, ids)),
    getTotals: async () => {
      const truth = await truthTotals();
      return c.run('r', async (tx, st) => viewTotals(st.totals ?? truth, await pendingOf(tx, st), (ids) => tx.getRows(st.active, ids)));
    },
    getPage: (limit, afterCursor) => readPage(limit, afterCursor),
    getAll: () => readAllPaged(readPage, CHUNK),
    /** The IDs the server knows (no overlay: the drift check compares them with the server's). */
    allIDs: async () => {
      const all: string[] = [];
      for (let afterID: string | null = null; ; ) {
        const a: string | null = afterID;
        const ids: string[] = await c.run('r', async (tx, st) => tx.ids(st.active, a, CHUNK));
        all.push(...ids);
        if (ids.length < CHUNK) return all;
        afterID = ids[ids.length - 1]!;
      }
    },
  };
}

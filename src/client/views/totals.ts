/**
 * `totalUnread$` from the totals storage keeps (SPEC §1.3): read once when the first
 * subscriber arrives (O(pending writes), not the list), then taken from each commit.
 */
import { Observable, type Subscriber } from 'rxjs';
import type { Totals } from '../../storage/types.js';

export interface TotalsSource {
  readonly totalUnread$: Observable<number>;
  /** The totals after a commit. */
  set(t: Totals): void;
  /** Reads them again (a reload, a start). */
  reload(): void;
  /** Someone listens (the replica then reads the totals after each commit). */
  active(): boolean;
  /** The database was deleted: nothing unread. */
  reset(): void;
}

export function createTotals(read: () => Promise<Totals>): TotalsSource {
  const subs = new Set<Subscriber<number>>();
  let value: number | null = null;
  let gen = 0;
  const set = (t: Totals): void => {
    if (t.unread === value) return;
    value = t.unread;
    for (const s of [...subs]) s.next(t.unread);
  };
  const reload = (): void => {
    if (subs.size === 0) return;
    const g = ++gen;
    read().then(
      (t) => g === gen && set(t),
      () => {},
    );
  };
  return {
    totalUnread$: new Observable<number>((s) => {
      subs.add(s);
      if (subs.size === 1) reload();
      else if (value !== null) s.next(value);
      return () => {
        subs.delete(s);
        if (subs.size === 0) {
          value = null;
          gen++;
        }
      };
    }),
    set: (t) => subs.size > 0 && set(t),
    reload,
    active: () => subs.size > 0,
    reset: () => subs.size > 0 && set({ count: 0, unread: 0 }),
  };
}

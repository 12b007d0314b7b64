/**
 * The one commit event: what the replica emits after every write that changed the list
 * (or the outbox), in commit order. The views, `changes$`, the pending list and the
 * other tabs all read it. One kind per meaning, no flags:
 *
 * - `change`: the list changed by `diff`;
 * - `outbox`: the outbox changed (a write queued, tried, accepted or refused), with what it did to the list;
 * - `reload`: `diff` misses part of the change (a resumed full sync, or one nobody reads the diff of): read the list again;
 * - `round-end`: sync round `round` ended (`changes$` reports a round's commits once, merged).
 */
import type { Cursor, ErrorCode } from '../../protocol/index.js';
import type { LocalDiff, Totals } from '../../storage/types.js';
import type { ChangeMode } from './types.js';

/** What every commit that wrote something says. */
interface Written {
  diff: LocalDiff;
  mode: ChangeMode;
  /** The sync round that made it. */
  round?: number;
  /** the list's totals after the commit (read when someone shows them) */
  totals?: Totals;
}

export type Commit =
  | (Written & { kind: 'change' | 'reload' })
  /** `settled`: writes the server answered for good, with every mutation ID they stand for */
  | (Written & { kind: 'outbox'; settled?: Settled[] })
  | { kind: 'round-end'; round: number; mode: ChangeMode };

/** The end of a queued write (and of the calls merged into it). */
export interface Settled {
  mutationIDs: string[];
  ack?: Cursor;
  error?: { code: ErrorCode; message: string; errCode?: number };
}

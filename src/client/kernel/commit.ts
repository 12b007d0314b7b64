/**
 * The one commit event: what the replica emits after every write that changed the list
 * (or the outbox), in commit order. The views, `changes$` and the other tabs all read it.
 */
import type { Cursor, ErrorCode } from '../../protocol/index.js';
import type { LocalDiff, Totals } from '../../storage/types.js';
import type { ChangeMode } from './types.js';

export interface Commit {
  diff: LocalDiff;
  mode: ChangeMode;
  /** The sync round that made it (`changes$` reports a round's commits once, merged). */
  round?: number;
  /** The end of round `round`: no write of its own, `diff` is empty. */
  end?: boolean;
  /** `diff` misses part of the change (a resumed full sync, or one nobody reads the diff of): read the list again. */
  reload?: boolean;
  /** the list's totals after the commit (read when someone shows them) */
  totals?: Totals;
  /** the outbox changed (a write queued, tried, accepted or refused) */
  outbox?: boolean;
  /** writes the server answered for good: every mutation ID they stand for, with the outcome */
  settled?: Settled[];
}

/** The end of a queued write (and of the calls merged into it). */
export interface Settled {
  mutationIDs: string[];
  ack?: Cursor;
  error?: { code: ErrorCode; message: string; errCode?: number };
}

/** A naive version log and random operations on a log, for the property tests of the log and the stores. */
import fc from 'fast-check';
import type { LogStateValue } from '../../src/server/index.js';

export type Op =
  | { kind: 'write'; changes: Array<{ id: number; value: number | null }> }
  | { kind: 'compact'; keep: number }
  | { kind: 'reset' };

const POOL = 8;
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('write' as const), changes: fc.array(fc.record({ id: fc.nat(POOL - 1), value: fc.option(fc.nat(3), { nil: null }) }), { minLength: 1, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('compact' as const), keep: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const) }) },
);

/** The naive log: a plain map eID → last entry; reads filter and sort everything. */
export class NaiveLog {
  version = 1;
  deleted = 0;
  entries = new Map<string, { state: LogStateValue; version: number }>();
  incr(changes: Array<{ eID: string; state: LogStateValue }>) {
    if (changes.length === 0) return;
    this.version++;
    for (const c of changes) this.entries.set(c.eID, { state: c.state, version: this.version });
  }
  compact(keep: number) {
    const k = Math.min(Math.max(keep, this.deleted), this.version);
    for (const [id, e] of this.entries) if (e.version <= k) this.entries.delete(id);
    this.deleted = k;
  }
  since(v: number) {
    return [...this.entries]
      .filter(([, e]) => e.version > v)
      .sort((a, b) => a[1].version - b[1].version || (a[0] < b[0] ? -1 : 1))
      .map(([eID, e]) => ({ eID, state: e.state, version: e.version }));
  }
}


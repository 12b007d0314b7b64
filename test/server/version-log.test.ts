import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LogState, VersionLog, newLogID, type LogEntry, type LogStateValue } from '../../src/server/index.js';
import { NaiveLog, opArb } from './naive-log.js';

describe('VersionLog', () => {
  it('creates with a fresh 24-hex id, version 1, deleted 0', () => {
    const log = new VersionLog();
    expect(log.id).toMatch(/^[0-9a-f]{24}$/);
    expect(log.id).not.toBe('0'.repeat(24));
    expect(log.headInfo()).toEqual({ id: log.id, version: 1, deleted: 0 });
    expect(new VersionLog().id).not.toBe(log.id);
    expect(newLogID()).toMatch(/^[0-9a-f]{24}$/);
  });

  it('bumps once per batch, keeps one entry per eID (latest wins), reads changes in version order', () => {
    const log = new VersionLog();
    expect(log.incr([{ eID: 'a', state: LogState.INSERT }, { eID: 'b', state: LogState.INSERT }])).toBe(2);
    expect(log.incr([{ eID: 'a', state: LogState.UPDATE }])).toBe(3);
    expect(log.incr([{ eID: 'c', state: LogState.INSERT }, { eID: 'c', state: LogState.DELETE }])).toBe(4);
    expect(log.incr([])).toBe(4);
    const all = log.changesSince(0, 100);
    expect(all.logLen).toBe(3);
    expect(all.entries.map((e) => [e.eID, e.state, e.version])).toEqual([
      ['b', 1, 2],
      ['a', 3, 3],
      ['c', 2, 4],
    ]);
    const since2 = log.changesSince(2, 100);
    expect(since2.entries.map((e) => e.eID)).toEqual(['a', 'c']);
    expect(log.changesSince(4, 100)).toMatchObject({ logLen: 0, entries: [] });
  });

  it('reports logLen and leaves entries out when the window overflows', () => {
    const log = new VersionLog();
    for (let i = 0; i < 10; i++) log.incr([{ eID: `e${i}`, state: LogState.INSERT }]);
    expect(log.changesSince(1, 10)).toMatchObject({ logLen: 10 });
    expect(log.changesSince(1, 10).entries).toHaveLength(10);
    const over = log.changesSince(1, 9);
    expect(over.logLen).toBe(10);
    expect(over.entries).toEqual([]);
  });

  it('compacts: drops entries ≤ keepVersion, sets the watermark, never lowers it or passes the version', () => {
    const log = new VersionLog();
    for (let i = 0; i < 5; i++) log.incr([{ eID: `e${i}`, state: LogState.INSERT }]); // versions 2..6
    log.compact(4);
    expect(log.deleted).toBe(4);
    expect(log.changesSince(0, 100).entries.map((e) => e.version)).toEqual([5, 6]);
    log.compact(2);
    expect(log.deleted).toBe(4);
    log.compact(99);
    expect(log.deleted).toBe(6);
    expect(log.size).toBe(0);
    expect(log.incr([{ eID: 'x', state: LogState.UPDATE }])).toBe(7);
    expect(log.changesSince(6, 10).entries.map((e) => e.eID)).toEqual(['x']);
  });

  it('rebuilds dead slots without changing answers', () => {
    const log = new VersionLog(undefined, undefined, 4);
    for (let i = 0; i < 200; i++) log.incr([{ eID: `e${i % 3}`, state: LogState.UPDATE }]);
    expect(log.size).toBe(3);
    expect(log.slotCount).toBeLessThan(20);
    expect(log.changesSince(0, 10).entries.map((e) => [e.eID, e.version])).toEqual([
      ['e2', 199],
      ['e0', 200],
      ['e1', 201],
    ]);
    expect(log.changesSince(199, 10).entries.map((e) => e.eID)).toEqual(['e0', 'e1']);
  });

  it('reads k changes of a large log without walking it (dead slots skipped)', () => {
    const log = new VersionLog();
    const batch = Array.from({ length: 50_000 }, (_, i) => ({ eID: `e${i}`, state: LogState.INSERT as LogStateValue }));
    log.incr(batch);
    for (let i = 0; i < 1000; i++) log.incr([{ eID: 'hot', state: LogState.UPDATE }]);
    const r = log.changesSince(log.version - 1, 200);
    expect(r.logLen).toBe(1);
    expect(r.entries.map((e) => e.eID)).toEqual(['hot']);
    expect(log.changesSince(1, 200).logLen).toBe(50_001);
  });
});

// ---- property tests against a naive model (test/server/naive-log.ts) ----

const strip = (es: LogEntry[]) =>
  es.map(({ eID, state, version }) => ({ eID, state, version })).sort((a, b) => a.version - b.version || (a.eID < b.eID ? -1 : 1));

describe('VersionLog vs a naive log (property)', () => {
  it('answers changesSince exactly like the naive model, overflow included', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), fc.nat(6), (ops, limit) => {
        let log = new VersionLog(undefined, undefined, 2);
        let naive = new NaiveLog();
        for (const op of ops) {
          if (op.kind === 'write') {
            const ch = op.changes.map((c) => ({ eID: `e${c.id}`, state: (c.value === null ? 2 : 3) as LogStateValue }));
            // the naive model applies "last change of an eID in a batch wins" too
            const last = new Map(ch.map((c) => [c.eID, c]));
            log.incr(ch);
            naive.incr([...last.values()]);
          } else if (op.kind === 'compact') {
            log.compact(op.keep);
            naive.compact(op.keep);
          } else {
            log = new VersionLog(undefined, undefined, 2);
            naive = new NaiveLog();
          }
          expect(log.version).toBe(naive.version);
          expect(log.deleted).toBe(naive.deleted);
          for (let v = 0; v <= log.version + 1; v++) {
            const want = naive.since(v);
            const got = log.changesSince(v, limit);
            expect(got.logLen).toBe(want.length);
            expect(strip(got.entries)).toEqual(want.length > limit ? [] : want);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

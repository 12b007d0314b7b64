import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SortedList } from '../src/storage/sorted-list.js';

const cmp = (a: number, b: number): number => a - b;

describe('SortedList', () => {
  it('matches a sorted array under random inserts, removals and slices', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 400 })), { maxLength: 3000 }),
        fc.integer({ min: 0, max: 400 }),
        (initial, ops, probe) => {
          const model = [...initial].sort(cmp);
          const list = new SortedList<number>(cmp, [...model]);
          for (const [add, v] of ops) {
            if (add) {
              list.insert(v);
              model.push(v);
              model.sort(cmp);
            } else {
              list.remove(v, (x) => x === v);
              const i = model.indexOf(v);
              if (i >= 0) model.splice(i, 1);
            }
          }
          expect(list.toArray()).toEqual(model);
          expect(list.size).toBe(model.length);
          const from = model.findIndex((x) => x >= probe);
          const start = from < 0 ? model.length : from;
          expect(list.slice(probe, 7)).toEqual(model.slice(start, start + 7));
          const skip = model[start] === probe ? 1 : 0;
          expect(list.slice(probe, 7, (x) => x === probe)).toEqual(model.slice(start + skip, start + skip + 7));
          expect(list.slice(null, 5)).toEqual(model.slice(0, 5));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps runs short, so a change moves at most one run', () => {
    const list = new SortedList<number>(cmp);
    for (let i = 0; i < 5000; i++) list.insert((i * 7919) % 5000);
    const runs = (list as unknown as { buckets: number[][] }).buckets;
    expect(Math.max(...runs.map((b) => b.length))).toBeLessThanOrEqual(512);
    expect(list.toArray()).toEqual([...Array(5000).keys()]);
  });
});

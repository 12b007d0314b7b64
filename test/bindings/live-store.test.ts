/**
 * The store every binding adapts (src/bindings/store.ts), on its own: the source runs
 * while there are subscribers and stops with the last one, a value equal by `Object.is`
 * notifies nobody, the snapshot outlives the source, `peek` reads a source nobody follows.
 */
import { BehaviorSubject, Subject } from 'rxjs';
import { expect, it } from 'vitest';
import { liveStore, observableStore } from '../../src/bindings/store.js';

/** A source that counts its starts and stops and hands out its `set`. */
function counted<T>(initial: T) {
  const c = { starts: 0, stops: 0, set: (_: T): void => {} };
  const store = liveStore(initial, (set) => {
    c.starts++;
    c.set = set;
    return () => void c.stops++;
  });
  return { store, c };
}

it('one source for many subscribers; it stops with the last unsubscribe, not before; an unsubscribe twice does nothing', () => {
  const { store, c } = counted(0);
  expect(c.starts).toBe(0);
  const calls: string[] = [];
  const offA = store.subscribe(() => calls.push('a'));
  const offB = store.subscribe(() => calls.push('b'));
  expect([c.starts, c.stops]).toEqual([1, 0]);
  c.set(1);
  expect(calls).toEqual(['a', 'b']);
  offA();
  offA();
  expect(c.stops).toBe(0);
  c.set(2);
  expect(calls).toEqual(['a', 'b', 'b']);
  offB();
  expect([c.starts, c.stops]).toEqual([1, 1]);
  // the snapshot stays; a new subscriber starts the source again
  expect(store.getSnapshot()).toBe(2);
  store.subscribe(() => {})();
  expect([c.starts, c.stops]).toEqual([2, 2]);
});

it('the same callback subscribed twice is two subscriptions', () => {
  const { store, c } = counted(0);
  let n = 0;
  const cb = (): void => void n++;
  const off1 = store.subscribe(cb);
  const off2 = store.subscribe(cb);
  c.set(1);
  expect(n).toBe(2);
  off1();
  c.set(2);
  expect(n).toBe(3);
  expect(c.stops).toBe(0);
  off2();
  expect(c.stops).toBe(1);
});

it('a value that is the same (Object.is) notifies nobody; NaN equals NaN, -0 is not 0', () => {
  const { store, c } = counted<number>(0);
  let n = 0;
  store.subscribe(() => void n++);
  c.set(0);
  expect(n).toBe(0);
  c.set(NaN);
  c.set(NaN);
  expect(n).toBe(1);
  c.set(-0);
  c.set(0);
  expect(n).toBe(3);
  expect(store.initial).toBe(0);
});

it('observableStore: follows the source while subscribed; settle keeps the previous value; without peek the snapshot waits for a subscriber', () => {
  const src = new Subject<{ v: number }>();
  const store = observableStore(() => src, { v: 0 }, { settle: (p, n) => (p.v === n.v ? p : n) });
  expect(src.observed).toBe(false);
  expect(store.getSnapshot()).toBe(store.initial);
  const off = store.subscribe(() => {});
  expect(src.observed).toBe(true);
  const one = { v: 1 };
  src.next(one);
  src.next({ v: 1 });
  expect(store.getSnapshot()).toBe(one);
  off();
  expect(src.observed).toBe(false);
  src.next({ v: 2 });
  expect(store.getSnapshot()).toBe(one);
});

it('observableStore with peek: the current value of a BehaviorSubject nobody follows, without staying subscribed', () => {
  const src = new BehaviorSubject(5);
  const store = observableStore(() => src, 0, { peek: true });
  expect(store.initial).toBe(0);
  expect(store.getSnapshot()).toBe(5);
  expect(src.observed).toBe(false);
  src.next(6);
  expect(store.getSnapshot()).toBe(6);
});

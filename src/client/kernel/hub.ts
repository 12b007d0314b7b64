/**
 * A tiny multicast source on rxjs `Observable` alone (Subject and operators would cost
 * more than this whole file in the browser bundle). With an initial value it behaves
 * like a BehaviorSubject: a new subscriber gets the current value at once.
 */
import { Observable, type Subscriber } from 'rxjs';

export interface Hub<T> {
  readonly obs: Observable<T>;
  next(v: T): void;
  /** the last value (only meaningful with an initial value) */
  value(): T;
  /** someone is subscribed */
  observed(): boolean;
}

export function createHub<T>(...initial: [T] | []): Hub<T> {
  const subs = new Set<Subscriber<T>>();
  const has = initial.length > 0;
  let cur = initial[0] as T;
  return {
    obs: new Observable<T>((s) => {
      subs.add(s);
      if (has) s.next(cur);
      return () => subs.delete(s);
    }),
    next(v) {
      cur = v;
      for (const s of [...subs]) s.next(v);
    },
    value: () => cur,
    observed: () => subs.size > 0,
  };
}

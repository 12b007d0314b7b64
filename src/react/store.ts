/**
 * The one bridge between rxjs and `useSyncExternalStore`: a store that subscribes to its
 * source only when React subscribes, and keeps the last value as its snapshot. `settle`
 * decides what a new value becomes: the previous snapshot itself when nothing changed
 * (so React does not render), or the new value sharing the unchanged parts.
 */
import type { Observable } from 'rxjs';

export interface Store<T> {
  subscribe(onChange: () => void): () => void;
  getSnapshot(): T;
}

export function observableStore<T>(source: () => Observable<T>, initial: T, settle: (prev: T, next: T) => T = (_, n) => n): Store<T> {
  let value = initial;
  return {
    subscribe(onChange) {
      const sub = source().subscribe((v) => {
        const next = settle(value, v);
        if (Object.is(next, value)) return;
        value = next;
        onChange();
      });
      return () => sub.unsubscribe();
    },
    getSnapshot: () => value,
  };
}

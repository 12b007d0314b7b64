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

export interface StoreOptions<T> {
  settle?: (prev: T, next: T) => T;
  /**
   * The source gives its current value at once to a new subscriber (a BehaviorSubject:
   * `status$`, `pendingWrites$`) and subscribing costs nothing: while React is not
   * subscribed, the snapshot is read that way, so a first render shows the client as it
   * is, not the initial value. Never on the server (React uses the server snapshot there).
   */
  peek?: boolean;
}

export function observableStore<T>(source: () => Observable<T>, initial: T, { settle = (_, n) => n, peek = false }: StoreOptions<T> = {}): Store<T> {
  let value = initial;
  let subscribers = 0;
  return {
    subscribe(onChange) {
      subscribers++;
      const sub = source().subscribe((v) => {
        const next = settle(value, v);
        if (Object.is(next, value)) return;
        value = next;
        onChange();
      });
      return () => {
        subscribers--;
        sub.unsubscribe();
      };
    },
    getSnapshot() {
      if (peek && subscribers === 0) source().subscribe((v) => (value = settle(value, v))).unsubscribe();
      return value;
    },
  };
}

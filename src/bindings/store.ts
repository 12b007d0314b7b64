/**
 * The one store every binding adapts (React's `useSyncExternalStore`, Vue refs, Svelte
 * stores): its source runs while it has subscribers, however many, and stops with the
 * last one; the last value is its snapshot. `initial` is the value before any source
 * ran: what a server renders, without touching the client.
 */
import type { Observable } from 'rxjs';

export interface Store<T> {
  subscribe(onChange: () => void): () => void;
  getSnapshot(): T;
  readonly initial: T;
}

/** `start(set, get)` runs the source and returns its stop; `set` notifies only when the value is a new one (`Object.is`). */
export type Start<T> = (set: (next: T) => void, get: () => T) => () => void;

/**
 * `peek`, while nobody is subscribed, gives the value a subscriber would see now (without
 * notifying anyone), so a first render shows the source as it is, not `initial`.
 */
export function liveStore<T>(initial: T, start: Start<T>, peek?: (prev: T) => T): Store<T> {
  let value = initial;
  let stop: (() => void) | null = null;
  const listeners = new Set<() => void>();
  const get = (): T => value;
  const set = (next: T): void => {
    if (Object.is(next, value)) return;
    value = next;
    for (const l of [...listeners]) l();
  };
  return {
    initial,
    subscribe(onChange) {
      // one entry per subscription, even for the same callback twice
      const entry = (): void => onChange();
      listeners.add(entry);
      stop ??= start(set, get);
      return () => {
        if (!listeners.delete(entry) || listeners.size > 0 || !stop) return;
        const s = stop;
        stop = null;
        s();
      };
    },
    getSnapshot() {
      if (peek && listeners.size === 0) value = peek(value);
      return value;
    },
  };
}

export interface StoreOptions<T> {
  /** What a new value becomes: the previous snapshot when nothing changed, or the new value sharing the unchanged parts. */
  settle?: (prev: T, next: T) => T;
  /**
   * The source gives its current value at once to a new subscriber (a BehaviorSubject:
   * `status$`, `pendingWrites$`) and subscribing costs nothing: the snapshot is read that
   * way while nobody is subscribed.
   */
  peek?: boolean;
}

/** A store over an rxjs source, subscribed to only while the store has subscribers. */
export function observableStore<T>(source: () => Observable<T>, initial: T, { settle = (_, n) => n, peek = false }: StoreOptions<T> = {}): Store<T> {
  return liveStore(
    initial,
    (set, get) => {
      const sub = source().subscribe((v) => set(settle(get(), v)));
      return () => sub.unsubscribe();
    },
    peek
      ? (prev) => {
          let now = prev;
          source().subscribe((v) => (now = settle(now, v))).unsubscribe();
          return now;
        }
      : undefined,
  );
}

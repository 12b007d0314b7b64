/**
 * The tab coordinator port: a named lock that one tab holds at a time, and a channel
 * to the other tabs of the same name. `webTabs()` is Web Locks + BroadcastChannel;
 * `memoryTabs()` (tabs-memory.ts) is the same in one process, for Node tests;
 * `soloTab()` is the single tab of a runtime that has neither.
 */

/** What a lock holder hears: it leads from `lead()` until `lose()`. */
export interface LockHolder {
  lead(): void;
  /** The lock was taken away (stolen by a tab that found this one unresponsive). */
  lose(): void;
}

export interface TabCoordinator {
  /** `false` for a runtime without tabs: the one client always leads. */
  readonly shared: boolean;
  /**
   * Waits for the lock `name` and holds it until `release()`; with `steal`, takes it
   * at once from whoever holds it (who hears `lose()`).
   */
  lock(name: string, holder: LockHolder, steal?: boolean): () => void;
  /** A channel to the other tabs that opened `name`; a tab does not hear its own posts. */
  channel(name: string, onMessage: (msg: unknown) => void): { post(msg: unknown): void; close(): void };
}

interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal; steal?: boolean }, cb: () => Promise<void>): Promise<void>;
}

type ChannelCtor = new (name: string) => { postMessage(m: unknown): void; close(): void; onmessage: ((e: { data: unknown }) => void) | null };

/**
 * Web Locks and BroadcastChannel, or `null` where either is missing (Node, old
 * browsers): the client then runs as a single tab.
 */
export function webTabs(): TabCoordinator | null {
  const g = globalThis as { navigator?: { locks?: LockManagerLike }; BroadcastChannel?: ChannelCtor };
  const locks = g.navigator?.locks;
  const Channel = g.BroadcastChannel;
  if (!locks || typeof locks.request !== 'function' || !Channel) return null;
  return {
    shared: true,
    lock(name, holder, steal = false) {
      const abort = new AbortController();
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let leading = false;
      let released = false;
      const options = steal ? { steal: true } : { signal: abort.signal };
      locks
        .request(name, options, () => {
          leading = true;
          holder.lead();
          return held;
        })
        // stolen (AbortError while held) or aborted while waiting
        .catch(() => undefined)
        .then(() => {
          if (leading && !released) holder.lose();
        });
      return () => {
        released = true;
        abort.abort();
        release();
      };
    },
    channel(name, onMessage) {
      const ch = new Channel(name);
      ch.onmessage = (e) => onMessage(e.data);
      return { post: (m) => ch.postMessage(m), close: () => ch.close() };
    },
  };
}

/** The only tab: it holds every lock at once, and nobody hears its posts. */
export function soloTab(): TabCoordinator {
  return {
    shared: false,
    lock(_name, holder) {
      let released = false;
      void Promise.resolve().then(() => released || holder.lead());
      return () => void (released = true);
    },
    channel: () => ({ post() {}, close() {} }),
  };
}

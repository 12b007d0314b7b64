/**
 * The tab coordinator in one process: several clients of one user in Node (over one
 * fake-indexeddb, say) behave as tabs of one browser. A tab can be crashed (its lock is
 * released, its messages stop) or frozen (it keeps its lock; nothing reaches it or
 * leaves it until it thaws), to test a leader that disappears or stops answering.
 */
import type { LockHolder, TabCoordinator } from './coordinator.js';

export interface MemoryTab extends TabCoordinator {
  /** As a tab that was closed or crashed: its locks are released, nothing reaches it any more. */
  crash(): void;
  /** As a tab the browser froze: it keeps its locks; messages to and from it wait. */
  freeze(): void;
  thaw(): void;
}

export interface MemoryTabs {
  /** A new tab. */
  tab(): MemoryTab;
}

interface Waiter {
  holder: LockHolder;
  tab: TabState;
  granted: boolean;
  released: boolean;
}

interface TabState {
  dead: boolean;
  frozen: boolean;
  /** what happened to this tab while frozen, delivered at thaw */
  held: Array<() => void>;
}

/** A set of tabs that share locks and channels. */
export function memoryTabs(): MemoryTabs {
  const queues = new Map<string, Waiter[]>();
  const listeners = new Map<string, Set<{ tab: TabState; fn: (m: unknown) => void }>>();
  const later = (tab: TabState, fn: () => void): void => {
    setTimeout(() => {
      if (tab.dead) return;
      if (tab.frozen) tab.held.push(fn);
      else fn();
    }, 0);
  };

  function grant(name: string): void {
    const q = queues.get(name) ?? [];
    const first = q[0];
    if (!first || first.granted) return;
    first.granted = true;
    later(first.tab, () => first.holder.lead());
  }

  function remove(name: string, w: Waiter): void {
    const q = queues.get(name) ?? [];
    const i = q.indexOf(w);
    if (i >= 0) q.splice(i, 1);
    if (i === 0) grant(name);
  }

  return {
    tab(): MemoryTab {
      const state: TabState = { dead: false, frozen: false, held: [] };
      const mine = new Set<() => void>();
      return {
        shared: true,
        lock(name, holder, steal = false) {
          const q = queues.get(name) ?? [];
          queues.set(name, q);
          const w: Waiter = { holder, tab: state, granted: false, released: false };
          if (steal && q[0]?.granted) {
            const old = q.shift()!;
            later(old.tab, () => old.holder.lose());
          }
          if (steal) q.unshift(w);
          else q.push(w);
          grant(name);
          const release = (): void => {
            if (w.released) return;
            w.released = true;
            mine.delete(release);
            remove(name, w);
          };
          mine.add(release);
          return release;
        },
        channel(name, onMessage) {
          const set = listeners.get(name) ?? new Set();
          listeners.set(name, set);
          const me = { tab: state, fn: onMessage };
          set.add(me);
          return {
            post(m) {
              if (state.dead) return;
              const send = (): void => {
                for (const l of [...set]) if (l !== me) later(l.tab, () => l.fn(structuredClone(m)));
              };
              if (state.frozen) state.held.push(send);
              else send();
            },
            close: () => void set.delete(me),
          };
        },
        crash() {
          state.dead = true;
          for (const release of [...mine]) release();
          for (const set of listeners.values()) for (const l of [...set]) if (l.tab === state) set.delete(l);
        },
        freeze() {
          state.frozen = true;
        },
        thaw() {
          state.frozen = false;
          for (const fn of state.held.splice(0)) fn();
        },
      };
    },
  };
}

/**
 * One leader per user and origin (docs/tabs.md). Every tab bids for one lock; the
 * holder leads. A tab that closes or crashes releases the lock and the next bidder leads
 * at once. A leader that stops answering (frozen) keeps its lock, so the followers watch
 * it: the leader says it is alive every `heartbeatMs`; a follower that has heard nothing
 * from it for `suspectMs` asks (`ping`); no answer within `heartbeatMs` more and it
 * steals the lock. A hidden leader whose timers are throttled still answers a ping at
 * once (messages are not throttled), so only a leader that cannot run is replaced.
 */
import type { Clock } from '../kernel/clock.js';
import type { TabCoordinator } from './coordinator.js';

export interface LeadershipConfig {
  tabs: TabCoordinator;
  /** the lock's name (one per user and database) */
  name: string;
  clock: Clock;
  random: () => number;
  heartbeatMs: number;
  suspectMs: number;
  /** sends a message to the other tabs */
  post(msg: LeaderMessage): void;
  lead(): void;
  lose(): void;
  /**
   * This tab did not run for longer than `suspectMs` (frozen, suspended, stuck): it may
   * have missed what the other tabs said.
   */
  woke(): void;
}

export type LeaderMessage = { t: 'alive' } | { t: 'ping' };

export interface Leadership {
  readonly leading: boolean;
  /** Every message from the other tabs passes here (any message of the leader is a sign of life). */
  heard(msg: { t: string; leader?: boolean }): void;
  /** Stops bidding; a leader releases the lock (the next tab leads). */
  release(): void;
}

export function createLeadership(c: LeadershipConfig): Leadership {
  let leading = false;
  let stopped = false;
  let lastHeard = c.clock.now();
  let pingAt: number | null = null;
  let timer: unknown = null;
  let lastTick = c.clock.now();
  let stealTimer: unknown = null;
  let release: () => void = () => {};

  const holder = {
    lead() {
      if (stopped) return;
      leading = true;
      c.post({ t: 'alive' });
      c.lead();
    },
    lose() {
      if (!leading) return;
      leading = false;
      lastHeard = c.clock.now();
      c.lose();
      // bid again: when the tab that took over goes, this one may lead again
      if (!stopped) release = c.tabs.lock(c.name, holder);
    },
  };

  function steal(): void {
    stealTimer = null;
    pingAt = null;
    lastHeard = c.clock.now();
    release();
    release = c.tabs.lock(c.name, holder, true);
  }

  function tick(): void {
    timer = c.clock.setTimeout(tick, c.heartbeatMs);
    const now = c.clock.now();
    const slept = now - lastTick > c.suspectMs + c.heartbeatMs;
    lastTick = now;
    if (slept) {
      // not the leader's silence but ours: listen afresh before suspecting anyone
      lastHeard = now;
      pingAt = null;
      c.woke();
    }
    if (leading) return c.post({ t: 'alive' });
    if (pingAt === null) {
      if (now - lastHeard >= c.suspectMs) {
        pingAt = now;
        c.post({ t: 'ping' });
      }
    } else if (now - pingAt >= c.heartbeatMs && stealTimer === null) {
      // no answer: take the lock, after a little jitter so that two followers rarely both do
      stealTimer = c.clock.setTimeout(steal, c.random() * c.heartbeatMs * 0.5);
    }
  }

  release = c.tabs.lock(c.name, holder);
  if (c.tabs.shared) timer = c.clock.setTimeout(tick, c.heartbeatMs);

  return {
    get leading() {
      return leading;
    },
    heard(msg) {
      if (msg.t === 'ping') {
        if (leading) c.post({ t: 'alive' });
        return;
      }
      if (msg.t === 'alive' || msg.leader) {
        lastHeard = c.clock.now();
        pingAt = null;
        c.clock.clearTimeout(stealTimer);
        stealTimer = null;
      }
    },
    release() {
      stopped = true;
      c.clock.clearTimeout(timer);
      c.clock.clearTimeout(stealTimer);
      const was = leading;
      leading = false;
      release();
      if (was) c.lose();
    },
  };
}

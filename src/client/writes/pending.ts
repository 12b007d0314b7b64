/**
 * `pendingWrites$`: the queued writes as the app sees them, read from storage whenever
 * the outbox changes (here or in another tab), so every tab shows the same queue.
 */
import type { Observable } from 'rxjs';
import type { OutboxEntry } from '../../storage/types.js';
import { createHub } from '../kernel/hub.js';

/** A write that the server has not confirmed yet (or whose version the list has not reached). */
export interface PendingWrite extends Pick<OutboxEntry, 'mutationID' | 'kind' | 'conversationID' | 'createdAt' | 'attempts' | 'lastError'> {
  /** the server accepted it; it leaves the queue once the list reaches its version */
  accepted: boolean;
}

export interface PendingList {
  readonly pending$: Observable<PendingWrite[]>;
  /** The outbox changed: read it again (`load` may fail while storage closes; the next change reads it). */
  reload(): void;
  count(): number;
  /** Not started or stopped: nothing is queued here. */
  reset(): void;
}

const toPending = (e: OutboxEntry): PendingWrite => ({
  mutationID: e.mutationID,
  kind: e.kind,
  conversationID: e.conversationID,
  createdAt: e.createdAt,
  attempts: e.attempts,
  ...(e.lastError ? { lastError: { code: e.lastError.code, message: e.lastError.message } } : {}),
  accepted: e.ack !== undefined,
});

export function createPendingList(load: () => Promise<OutboxEntry[]>, onCount: (n: number) => void): PendingList {
  const hub = createHub<PendingWrite[]>([]);
  let gen = 0;
  return {
    pending$: hub.obs,
    reload() {
      const g = ++gen;
      load().then(
        (entries) => {
          if (g !== gen) return;
          const before = hub.value().length;
          hub.next(entries.map(toPending));
          if (entries.length !== before) onCount(entries.length);
        },
        () => {},
      );
    },
    count: () => hub.value().length,
    reset() {
      gen++;
      if (hub.value().length > 0) hub.next([]);
    },
  };
}

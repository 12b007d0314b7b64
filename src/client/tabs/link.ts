/**
 * What the tabs of one user tell each other (docs/tabs.md): every tab announces its own
 * commits (the IDs they touched) and `changes$` events; the leader also its status and
 * progress, and the answers to followers' `sync()`. A tab that hears a commit reads
 * those IDs from storage (storage is the truth, so the order of announcements does not
 * matter); `clear()` in any tab stops them all.
 */
import { ConvSyncError, type Cursor, type ErrorCode, type LocalConversation, type SyncMode } from '../../protocol/index.js';
import type { Totals } from '../../storage/types.js';
import { createLeadership, type Leadership, type LeadershipConfig, type LeaderMessage } from './leadership.js';
import type { SyncStatus } from '../kernel/status.js';
import type { ChangeSet, ClientMetrics, Progress } from '../kernel/types.js';
import type { Settled } from '../kernel/commit.js';
import { readTabMessage } from './codec.js';

export interface WireError {
  code: ErrorCode;
  message: string;
  status?: number | undefined;
  errCode?: number | undefined;
  operationID?: string | undefined;
}

export type WireStatus = Omit<SyncStatus, 'error'> & { error?: WireError };

/** A message between tabs; `from` is the sending tab, `leader` whether it leads. */
export type TabMessage = { from: string; leader: boolean } & (
  | LeaderMessage
  /** `ids: null`: too many to name (a full sync): read the whole list again */
  | { t: 'commit'; ids: string[] | null; cursor: Cursor | null; outbox: boolean; settled: Settled[] }
  | { t: 'changes'; changes: ChangeSet }
  | { t: 'status'; status: WireStatus }
  | { t: 'progress'; progress: Progress }
  | { t: 'sync'; id: string }
  | { t: 'synced'; id: string; to: string; mode?: SyncMode; error?: WireError }
  | { t: 'clear' }
  /** a tab that just started: the leader answers with its status */
  | { t: 'hello' }
  /** the leader shows a cold device's first page: so do the followers */
  | { t: 'preview'; rows: LocalConversation[]; totals: Totals }
);

export interface TabLinkHooks {
  lead(): void;
  lose(): void;
  /** another tab committed a change to these IDs (`null`: to the whole list), maybe to the outbox */
  commit(ids: string[] | null, cursor: Cursor | null, outbox: boolean, settled: Settled[]): void;
  changes(c: ChangeSet): void;
  status(s: SyncStatus): void;
  progress(p: Progress): void;
  /** a follower asks the leader (this tab) for a sync */
  sync(): Promise<SyncMode>;
  /** `clear()` in another tab: stop, show nothing, write nothing */
  cleared(): void;
  /** a tab started: the leader (this tab) tells it its status */
  hello(): void;
  /** this tab may have missed messages (it was frozen, or replaced as the leader): read the list again */
  missed(): void;
  preview(rows: LocalConversation[], totals: Totals): void;
}

export interface TabLink {
  readonly leadership: Leadership;
  commit(ids: string[] | null, cursor: Cursor | null, outbox: boolean, settled: Settled[]): void;
  changes(c: ChangeSet): void;
  /** the leader's status and progress, for the followers */
  status(s: SyncStatus): void;
  progress(p: Progress): void;
  preview(rows: LocalConversation[], totals: Totals): void;
  /** A follower's `sync()`: the leader runs it and answers (asked again when another tab leads). */
  requestSync(): Promise<SyncMode>;
  clearAll(): void;
  close(): void;
}

const toWire = (e: ConvSyncError): WireError => ({ code: e.code, message: e.message, status: e.status, errCode: e.errCode, operationID: e.operationID });
function fromWire(w: WireError): ConvSyncError {
  const init = { ...(w.status === undefined ? {} : { status: w.status }), ...(w.errCode === undefined ? {} : { errCode: w.errCode }), ...(w.operationID === undefined ? {} : { operationID: w.operationID }) };
  return new ConvSyncError(w.code, w.message, init);
}

export type TabLinkConfig = Pick<LeadershipConfig, 'tabs' | 'name' | 'clock' | 'random' | 'heartbeatMs' | 'suspectMs'> & {
  /** counts the malformed messages dropped */
  metrics: Pick<ClientMetrics, 'tabMessagesDropped'>;
};

export function createTabLink(c: TabLinkConfig, h: TabLinkHooks): TabLink {
  const me = Math.random().toString(36).slice(2);
  let leaderID: string | null = null;
  let leading = false;
  const pending = new Map<string, { resolve(m: SyncMode): void; reject(e: unknown): void }>();
  let seq = 0;
  const channel = c.tabs.channel(c.name, (raw) => {
    const m = readTabMessage(raw);
    if (m) receive(m);
    else c.metrics.tabMessagesDropped++;
  });
  const post = (m: Record<string, unknown> & { t: string }): void => channel.post({ ...m, from: me, leader: leading || m.t === 'alive' });
  const ask = (id: string): void => post({ t: 'sync', id });
  post({ t: 'hello' });

  const leadership = createLeadership({
    ...c,
    post,
    lead() {
      leaderID = me;
      leading = true;
      h.lead();
      // what was asked of the tab that led before runs here now
      for (const [id, p] of pending) {
        pending.delete(id);
        h.sync().then(p.resolve, p.reject);
      }
    },
    lose() {
      leading = false;
      h.lose();
      h.missed();
    },
    woke: h.missed,
  });

  function receive(m: TabMessage): void {
    leadership.heard(m);
    if (m.leader && leaderID !== m.from) {
      leaderID = m.from;
      for (const id of pending.keys()) ask(id);
    }
    switch (m.t) {
      case 'commit':
        // only the leader writes cursors: a follower's commit says nothing about it
        return h.commit(m.ids, m.leader ? m.cursor : null, m.outbox, m.settled);
      case 'changes':
        return h.changes(m.changes);
      case 'status':
        if (m.leader) h.status({ ...m.status, ...(m.status.error ? { error: fromWire(m.status.error) } : {}) } as SyncStatus);
        return;
      case 'progress':
        return h.progress(m.progress);
      case 'sync':
        if (!leadership.leading) return;
        h.sync().then(
          (mode) => post({ t: 'synced', id: m.id, to: m.from, mode }),
          (e: unknown) => post({ t: 'synced', id: m.id, to: m.from, error: toWire(e as ConvSyncError) }),
        );
        return;
      case 'synced': {
        const p = m.to === me ? pending.get(m.id) : undefined;
        if (!p) return;
        pending.delete(m.id);
        if (m.error) p.reject(fromWire(m.error));
        else p.resolve(m.mode!);
        return;
      }
      case 'clear':
        return h.cleared();
      case 'hello':
        if (leadership.leading) h.hello();
        return;
      case 'preview':
        if (m.leader) h.preview(m.rows, m.totals);
        return;
    }
  }

  return {
    leadership,
    commit: (ids, cursor, outbox, settled) => post({ t: 'commit', ids, cursor, outbox, settled }),
    changes: (changes) => post({ t: 'changes', changes }),
    status(s) {
      const { error, ...rest } = s;
      post({ t: 'status', status: { ...rest, ...(error ? { error: toWire(error) } : {}) } });
    },
    progress: (progress) => post({ t: 'progress', progress }),
    preview: (rows, totals) => post({ t: 'preview', rows, totals }),
    requestSync() {
      if (leadership.leading) return h.sync();
      const id = `${me}:${++seq}`;
      return new Promise<SyncMode>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ask(id);
      });
    },
    clearAll: () => post({ t: 'clear' }),
    close() {
      leadership.release();
      channel.close();
      for (const p of pending.values()) p.reject(new ConvSyncError('STOPPED', 'the client is stopped'));
      pending.clear();
    },
  };
}

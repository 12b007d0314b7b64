/**
 * A device's log: one line per sync (its mode, the `+added ~updated −removed` of
 * `changes$`, its duration from the `syncing → idle` transition of `status$`), per change
 * applied in place (pushed frames, local edits, roll-backs), and per thing the page does
 * (writes and their answers, reloads, network changes, failures).
 */
import type { ChangeSet, SyncStatus } from '../../src/index.js';
import { clock, formatCount, h } from './format.js';

const LOG_MAX = 200;

interface Accumulated {
  startedAt: number;
  added: number;
  updated: number;
  removed: number;
}

const counts = (a: number, u: number, r: number): string => `+${formatCount(a)} ~${formatCount(u)} −${formatCount(r)}`;

export class SyncLog {
  readonly el: HTMLOListElement;
  private acc: Accumulated | null = null;
  private last: SyncStatus | null = null;

  constructor(name: string) {
    this.el = h('ol', { class: 'log', 'data-testid': 'log', 'aria-label': `Device ${name} sync log` });
  }

  /** `kind` is the line's `data-kind` (the tests look lines up by it). */
  line(kind: string, text: string, cls = ''): void {
    const li = h('li', { 'data-testid': 'log-entry', 'data-kind': kind, class: cls }, h('time', {}, clock()), ' ', text);
    this.el.prepend(li);
    while (this.el.childElementCount > LOG_MAX) this.el.lastElementChild?.remove();
  }

  /** A new SDK instance: whatever the old one was doing is over. */
  reset(): void {
    this.acc = null;
    this.last = null;
  }

  status(s: SyncStatus): void {
    const syncing = s.state === 'syncing';
    const was = this.last?.state;
    const wasSyncing = was === 'syncing';
    this.last = s;
    if (syncing && !wasSyncing) {
      this.acc = { startedAt: performance.now(), added: 0, updated: 0, removed: 0 };
    } else if (!syncing && wasSyncing && this.acc) {
      const a = this.acc;
      this.acc = null;
      const mode = s.state === 'idle' ? (s.lastMode ?? '?') : s.state;
      this.line(mode, `${mode} · ${counts(a.added, a.updated, a.removed)} · ${(performance.now() - a.startedAt).toFixed(0)} ms`);
    }
    if (s.state === 'stopped' && was !== 'stopped' && s.error?.code === 'DB_DELETED') {
      this.line('stopped', 'stopped: this device’s database was cleared in another tab (a logout). Reload device to start again.', 'error');
    }
  }

  change(c: ChangeSet): void {
    const n = counts(c.added.length, c.updated.length, c.removed.length);
    switch (c.mode) {
      case 'pushed':
        // applied in place, no request: a pushed delta or unread frame
        return this.line('pushed', `pushed · ${n}`);
      case 'local':
        // a draft, or a write shown before the server has it (or its answer settling)
        return this.line('local', `local edit · ${n}`);
      case 'rollback':
        return this.line('rollback', `rollback · ${n}: a write the server refused is undone`, 'error');
      default:
        if (this.acc) {
          this.acc.added += c.added.length;
          this.acc.updated += c.updated.length;
          this.acc.removed += c.removed.length;
        } else this.line(c.mode, `${c.mode} · ${n}`);
    }
  }
}

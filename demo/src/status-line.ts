/**
 * A device's status line: `status$` (state, socket, synced, preview, pending writes, last
 * mode, error), `leader$` (does this tab lead this device?), and the cursor and counters
 * of `cursor()` / `metrics()`. Everything it shows is mirrored in data attributes of the
 * device's panel, for the tests.
 */
import type { ConversationSync, SyncStatus } from '../../src/index.js';
import { errorText, formatBytes, formatCount, h } from './format.js';

function flag(testid: string): HTMLElement {
  return h('span', { class: 'flag', 'data-testid': testid }, '—');
}

export class StatusLine {
  readonly el: HTMLElement;
  readonly errorEl: HTMLElement;
  private readonly stateEl = h('span', { 'data-testid': 'status-state', class: 'state' }, '—');
  private readonly leaderEl = flag('status-leader');
  private readonly connectedEl = flag('status-connected');
  private readonly syncedEl = flag('status-synced');
  private readonly previewEl = flag('status-preview');
  private readonly pendingEl = flag('status-pending');
  private readonly modeEl = h('span', { 'data-testid': 'status-mode' }, '—');
  private readonly cursorEl = h('code', { 'data-testid': 'cursor' }, '—');
  private readonly metricsEl = h('span', { 'data-testid': 'metrics' }, '—');

  constructor(private readonly root: HTMLElement) {
    this.errorEl = h('p', { class: 'error', 'data-testid': 'status-error', role: 'status' });
    this.el = h(
      'p',
      { class: 'status', 'data-testid': 'status', 'aria-live': 'polite' },
      this.stateEl,
      ' · ',
      this.leaderEl,
      ' · ',
      this.connectedEl,
      ' · ',
      this.syncedEl,
      this.previewEl,
      ' · ',
      this.pendingEl,
      ' · last ',
      this.modeEl,
      ' · cursor ',
      this.cursorEl,
      ' · ',
      this.metricsEl,
    );
    this.previewEl.hidden = true;
  }

  status(s: SyncStatus): void {
    const d = this.root.dataset;
    this.stateEl.textContent = s.state;
    this.stateEl.dataset['state'] = s.state;
    d['state'] = s.state;
    this.set(this.connectedEl, 'connected', s.connected, s.connected ? 'socket live' : 'no socket');
    this.set(this.syncedEl, 'hasSynced', s.hasSynced, s.hasSynced ? 'synced' : 'never synced');
    this.set(this.previewEl, 'preview', s.preview, 'preview of the server’s first page');
    this.previewEl.hidden = !s.preview;
    this.pendingEl.textContent = `${formatCount(s.pendingWrites)} pending write${s.pendingWrites === 1 ? '' : 's'}`;
    this.pendingEl.dataset['count'] = String(s.pendingWrites);
    this.pendingEl.classList.toggle('on', s.pendingWrites > 0);
    d['pending'] = String(s.pendingWrites);
    this.modeEl.textContent = s.lastMode ?? '—';
    this.errorEl.textContent = s.error === undefined ? '' : errorText(s.error);
  }

  leader(lead: boolean): void {
    this.set(this.leaderEl, 'leader', lead, lead ? 'this tab leads' : 'follows another tab');
    this.leaderEl.title = lead
      ? 'This tab holds the socket and runs the syncs of this device for all its tabs'
      : 'Another tab of this device holds the socket and syncs; this one shows what it writes to the shared database';
  }

  /** The tab's own counters (a follower makes no requests: the leader does them). */
  metrics(sync: ConversationSync): void {
    const m = sync.metrics();
    this.metricsEl.textContent = `${formatCount(m.requests)} requests · ${formatBytes(m.bytesReceived)} · ${formatCount(m.notifications)} notifications (${formatCount(m.pushedDeltasApplied + m.unreadApplied)} applied in place) · ${formatCount(m.socketReconnects)} socket reconnects`;
    const cur = sync.cursor();
    this.cursorEl.textContent = cur ? `${cur.versionID.slice(0, 6)}…@${cur.version}` : '—';
    this.cursorEl.title = cur ? `versionID ${cur.versionID}, version ${cur.version}` : 'no cursor yet';
  }

  private set(el: HTMLElement, key: string, on: boolean, text: string): void {
    el.textContent = text;
    el.dataset['on'] = String(on);
    this.root.dataset[key] = String(on);
  }
}

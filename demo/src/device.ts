/**
 * One simulated device: a real SDK instance (see client.ts) on its own IndexedDB database
 * and its own network (net.ts), and its panel. This file runs the instance's life
 * (boot, reload, clear, network) and wires its streams to the parts of the panel:
 *
 *   watchPage      → ListView (rows, conversation count, unread total)
 *   pendingWrites$ → ListView (a marker per row)
 *   status$        → StatusLine, SyncLog (one line per sync), ProgressBar (hidden when idle)
 *   leader$        → StatusLine, the network note
 *   changes$       → SyncLog
 *   progress$      → ProgressBar
 *
 * The same device opened in another tab uses the same database: the SDK makes the two
 * tabs share one sync, and this tab's `leader$` says whether it holds the socket.
 */
import type { ConversationSync, SyncStatus } from '../../src/index.js';
import { Actions } from './actions.js';
import type { DemoApi } from './api.js';
import { createClient, databaseName } from './client.js';
import { errorText, formatCount, h } from './format.js';
import { ListView } from './list-view.js';
import { NetworkGate } from './net.js';
import { ProgressBar } from './progress-bar.js';
import type { Selection } from './selection.js';
import { StatusLine } from './status-line.js';
import { SyncLog } from './sync-log.js';
import type { LiveWindow } from '../../src/index.js';

/** Rows read at first and added by each "Show more". */
const PAGE = 200;

interface Unsub {
  unsubscribe(): void;
}

export class Device {
  readonly root: HTMLElement;
  readonly gate = new NetworkGate();
  private sync: ConversationSync | null = null;
  private window: LiveWindow | null = null;
  private generation = 0;
  private subs: Unsub[] = [];
  private metricsTimer: ReturnType<typeof setInterval> | undefined;
  private limit = PAGE;
  private leading = false;
  private readonly list: ListView;
  private readonly log: SyncLog;
  private readonly statusLine: StatusLine;
  private readonly progress: ProgressBar;
  private readonly actions: Actions;
  private readonly onlineBtn: HTMLButtonElement;
  private readonly netNote: HTMLElement;

  constructor(
    readonly name: string,
    private readonly api: DemoApi,
    private readonly wsURL: string,
    selection: Selection,
  ) {
    const btn = (testid: string, label: string, onClick: () => void, title?: string) => {
      const b = h('button', { type: 'button', 'data-testid': testid, title }, label);
      b.addEventListener('click', onClick);
      return b;
    };
    this.root = h('section', { class: 'device', 'data-testid': `device-${name}`, 'aria-labelledby': `dev-${name}-title` });
    this.list = new ListView(name, this.root, selection, PAGE, () => {
      this.limit += PAGE;
      this.window?.setLimit(this.limit); // reads only the rows after those on screen
    });
    this.log = new SyncLog(name);
    this.statusLine = new StatusLine(this.root);
    this.progress = new ProgressBar(name);
    this.actions = new Actions(name, selection, () => this.sync, this.list, this.log);
    this.onlineBtn = btn('toggle-online', 'Go offline', () => this.toggleOnline());
    this.onlineBtn.setAttribute('aria-pressed', 'false');
    this.netNote = h('p', { class: 'net-note', 'data-testid': 'net-note', hidden: true });

    this.root.append(
      h('header', { class: 'device-head' }, h('h2', { id: `dev-${name}-title` }, `Device ${name}`), h('span', { class: 'unread-total' }, 'Unread ', this.list.unreadEl)),
      h(
        'div',
        { class: 'toolbar', role: 'group', 'aria-label': `Device ${name} controls` },
        this.onlineBtn,
        btn('reload', 'Reload device', () => void this.reload(), 'A fresh SDK instance on the same database'),
        btn('sync-now', 'Sync now', () => void this.syncNow()),
        btn('clear', 'Clear local data', () => void this.clearLocal(), 'Delete this device’s database (in every tab) and start over'),
      ),
      this.netNote,
      this.statusLine.el,
      this.statusLine.errorEl,
      this.progress.el,
      this.actions.el,
      h('p', { class: 'list-head' }, this.list.countEl),
      this.list.listEl,
      this.list.moreBtn,
      h('details', { class: 'log-box', open: true }, h('summary', {}, `Sync log (device ${name})`), this.log.el),
    );
    this.gate.onChange(() => this.paintNet());
    this.paintNet();
  }

  get dbName(): string {
    return databaseName(this.api.userID, this.name);
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * A fresh SDK instance on this device's database. Every stream is subscribed before
   * `start()`: the window's first frame (rows and counts together) comes from storage as
   * soon as the database is open, whatever the network does; the sync runs behind it.
   */
  async boot(reason: 'load' | 'reload' | 'clear', t0 = performance.now()): Promise<void> {
    const gen = ++this.generation;
    const alive = () => gen === this.generation;
    const sync = createClient(this.api, this.wsURL, this.dbName, this.gate);
    const win = sync.watchPage({ limit: this.limit });
    this.sync = sync;
    this.window = win;
    this.log.reset();
    let tOpen: number | undefined;
    let painted = false;
    this.subs.push(
      sync.status$.subscribe((s) => alive() && this.onStatus(s)),
      sync.leader$.subscribe((l) => alive() && this.onLeader(l)),
      sync.changes$.subscribe((c) => alive() && this.log.change(c)),
      sync.progress$.subscribe((p) => alive() && this.progress.set(p)),
      sync.pendingWrites$.subscribe((p) => alive() && this.list.setPending(p)),
      win.subscribe({
        next: (view) => {
          if (!alive()) return;
          this.list.show(view);
          this.actions.paint();
          if (painted) return;
          painted = true;
          const open = tOpen === undefined ? '' : ` (database open ${(tOpen - t0).toFixed(0)} ms)`;
          this.log.line(
            reason,
            `${reason}: first frame, ${formatCount(view.items.length)} rows of ${formatCount(view.total)}, ${formatCount(view.unreadTotal)} unread, painted ${(performance.now() - t0).toFixed(0)} ms after the start${open}`,
            'cache',
          );
        },
        error: (e: unknown) => alive() && this.log.line('live', `live list failed: ${errorText(e)}`, 'error'),
      }),
    );
    this.metricsTimer = setInterval(() => alive() && this.statusLine.metrics(sync), 500);
    try {
      // Resolves once the database is open; the first sync runs in the background.
      await sync.start();
      tOpen = performance.now();
    } catch (e) {
      if (alive()) this.log.line('start', `start failed: ${errorText(e)}`, 'error');
    }
  }

  /** Unsubscribes the old instance's streams; what it painted stays until the next frame. */
  private detach(): ConversationSync | null {
    this.generation++;
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    clearInterval(this.metricsTimer);
    const sync = this.sync;
    this.sync = null;
    this.window = null;
    this.leading = false; // the next instance bids again
    this.progress.set(null);
    return sync;
  }

  async reload(): Promise<void> {
    const t0 = performance.now();
    const sync = this.detach();
    try {
      await sync?.stop();
    } catch (e) {
      this.log.line('stop', `stop failed: ${errorText(e)}`, 'error');
    }
    this.log.line('reload', `reload: old instance stopped in ${(performance.now() - t0).toFixed(0)} ms; new SDK instance on the same database`);
    await this.boot('reload', t0);
  }

  /** `clear()`: deletes the database, which stops this device in every other tab too (a logout). */
  async clearLocal(): Promise<void> {
    const sync = this.detach();
    try {
      await sync?.clear();
      this.log.line('clear', 'clear: local database deleted (every tab of this device stops)');
    } catch (e) {
      this.log.line('clear', `clear failed: ${errorText(e)}`, 'error');
    }
    await this.boot('clear');
  }

  async syncNow(): Promise<void> {
    try {
      await this.sync?.sync(); // in a follower: asks the leader tab
    } catch (e) {
      this.log.line('sync', `sync failed: ${errorText(e)}`, 'error');
    }
  }

  /**
   * Cuts or restores this tab's network for this device. Nothing else is needed to go
   * offline: the SDK sees its requests fail and its socket drop. Coming back, the page
   * calls `sync()`, as an app would from its own network handler (the SDK's `online`
   * listener is per window, and two simulated devices share this one).
   */
  toggleOnline(): void {
    const online = !this.gate.online;
    this.gate.setOnline(online);
    this.log.line('net', online ? 'network: online' : 'network: offline (requests fail, socket closed)');
    if (online) void this.syncNow();
  }

  // ---------------------------------------------------------------- events

  private onStatus(s: SyncStatus): void {
    this.statusLine.status(s);
    this.log.status(s);
    if (s.state !== 'syncing') this.progress.set(null);
    if (this.sync) this.statusLine.metrics(this.sync);
  }

  private onLeader(lead: boolean): void {
    if (lead !== this.leading) {
      this.log.line('leader', lead ? 'this tab now leads this device: it holds the socket and syncs for every tab' : 'this tab no longer leads this device');
    }
    this.leading = lead;
    this.statusLine.leader(lead);
    this.paintNet();
  }

  /** The toggle, and what "offline" means here, which depends on whether this tab leads. */
  private paintNet(): void {
    const on = this.gate.online;
    this.onlineBtn.textContent = on ? 'Go offline' : 'Go online';
    this.onlineBtn.setAttribute('aria-pressed', on ? 'false' : 'true');
    this.root.dataset['online'] = on ? 'true' : 'false';
    this.root.classList.toggle('offline', !on);
    this.netNote.hidden = on;
    this.netNote.textContent = on
      ? ''
      : this.leading
        ? 'Offline. This tab leads this device, so its sync stops in every tab of it; writes wait, marked pending.'
        : 'Offline in this tab only. Another tab leads this device and keeps syncing and sending its writes, so this tab stays live; if it comes to lead while offline, the device goes offline.';
  }
}

/**
 * One simulated device: a real SDK instance (`createConversationSync` + `idbStorage`
 * with its own database name), its own network (see net.ts), and its panel.
 *
 * The list is read with `getPage` (the first `limit` rows, 200 by default, more on
 * request) and refreshed when `changes$` reports a change: the pattern the SPEC
 * recommends for huge lists, so a 100,000-conversation list costs one 200-row read
 * per change, never the whole set.
 */
import {
  compareConversations,
  createConversationSync,
  idbStorage,
  type ChangeSet,
  type ConversationSync,
  type LocalConversation,
  type Progress,
  type SyncStatus,
} from '../../src/index.js';
import { post, type DemoApi } from './api.js';
import { NetworkGate } from './net.js';
import { clock, errorText, formatBytes, formatCount, formatTime, h, hueOf, initialOf } from './format.js';

type Sync = ConversationSync;

interface Unsub {
  unsubscribe(): void;
}

/** Page-wide state shared by both devices: which conversation is selected. */
export class Selection {
  private id: string | null = null;
  private readonly listeners = new Set<(id: string | null) => void>();
  get current(): string | null {
    return this.id;
  }
  set(id: string | null): void {
    if (id === this.id) return;
    this.id = id;
    for (const fn of this.listeners) fn(id);
  }
  onChange(fn: (id: string | null) => void): void {
    this.listeners.add(fn);
  }
}

const PAGE = 200;

// Inline icons (no emoji: not every machine has an emoji font).
const PIN_SVG =
  '<svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><path fill="currentColor" d="M10.6 1.2 14.8 5.4 13.4 6.1 11.2 8.3 11.6 11.6 10.2 13 7.6 10.4 3.4 14.6 2.4 14.6 2.4 13.6 6.6 9.4 4 6.8 5.4 5.4 8.7 5.8 10.9 3.6Z"/></svg>';
const MUTED_SVG =
  '<svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><path fill="currentColor" d="M8 1.5a4 4 0 0 0-4 4v3L2.5 11v1h11v-1L12 8.5v-3a4 4 0 0 0-4-4Zm-1.7 11.5a1.8 1.8 0 0 0 3.4 0Z"/><path stroke="currentColor" stroke-width="1.6" d="M2 2l12 12"/></svg>';

function insertionIndex(list: readonly LocalConversation[], r: LocalConversation): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareConversations(list[mid]!, r) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function icon(svg: string, cls: string, testid: string, title: string): HTMLElement {
  const el = h('span', { class: cls, 'data-testid': testid, title, role: 'img', 'aria-label': title });
  el.innerHTML = svg;
  return el;
}
const LOG_MAX = 200;

interface Accumulated {
  startedAt: number;
  added: number;
  updated: number;
  removed: number;
}

export class Device {
  readonly root: HTMLElement;
  readonly gate = new NetworkGate();
  private sync: Sync | null = null;
  private generation = 0;
  private subs: Unsub[] = [];
  private metricsTimer: ReturnType<typeof setInterval> | undefined;
  private limit = PAGE;
  private items: LocalConversation[] = [];
  private hasMore = false;
  private refreshing = false;
  private dirty = false;
  private status: SyncStatus | null = null;
  private acc: Accumulated | null = null;
  private focusedID: string | null = null;
  private count: number | null = null;
  /** Size of the snapshot a full sync is paging through (asked once per full sync). */
  private total: number | null = null;
  private totalAsked = false;

  // elements
  private readonly listEl: HTMLUListElement;
  private readonly moreBtn: HTMLButtonElement;
  private readonly logEl: HTMLOListElement;
  private readonly stateEl: HTMLElement;
  private readonly modeEl: HTMLElement;
  private readonly cursorEl: HTMLElement;
  private readonly metricsEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly unreadEl: HTMLElement;
  private readonly countEl: HTMLElement;
  private readonly progressEl: HTMLElement;
  private readonly progressBar: HTMLElement;
  private readonly progressText: HTMLElement;
  private readonly onlineBtn: HTMLButtonElement;
  private readonly pinBtn: HTMLButtonElement;
  private readonly muteBtn: HTMLButtonElement;
  private readonly draftInput: HTMLInputElement;
  private readonly selectedEl: HTMLElement;

  constructor(
    readonly name: string,
    private readonly api: DemoApi,
    private readonly wsURL: string,
    private readonly selection: Selection,
  ) {
    const id = (s: string) => `dev-${name}-${s}`;
    const btn = (testid: string, label: string, onClick: () => void, title?: string) => {
      const b = h('button', { type: 'button', 'data-testid': testid, title }, label);
      b.addEventListener('click', onClick);
      return b;
    };

    this.onlineBtn = btn('toggle-online', 'Go offline', () => this.toggleOnline());
    this.onlineBtn.setAttribute('aria-pressed', 'false');
    this.pinBtn = btn('pin', 'Pin', () => void this.act('pin'));
    this.muteBtn = btn('mute', 'Mute', () => void this.act('mute'));
    this.draftInput = h('input', { id: id('draft'), type: 'text', 'data-testid': 'draft-input', placeholder: 'Draft text', autocomplete: 'off' });
    this.draftInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void this.setDraft();
    });

    this.stateEl = h('span', { 'data-testid': 'status-state', class: 'state' }, '—');
    this.modeEl = h('span', { 'data-testid': 'status-mode' }, '—');
    this.cursorEl = h('code', { 'data-testid': 'cursor' }, '—');
    this.metricsEl = h('span', { 'data-testid': 'metrics' }, '—');
    this.errorEl = h('p', { class: 'error', 'data-testid': 'status-error', role: 'status' });
    this.unreadEl = h('strong', { 'data-testid': 'total-unread' }, '0');
    this.countEl = h('span', { 'data-testid': 'row-count' }, '');
    this.progressBar = h('div', { class: 'bar' });
    this.progressText = h('span', { class: 'progress-text', 'data-testid': 'progress-text' });
    this.progressEl = h(
      'div',
      {
        class: 'progress',
        'data-testid': 'progress',
        role: 'progressbar',
        'aria-label': `Device ${name} full sync progress`,
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': 0,
        'data-active': 'false',
        'data-value': '0',
        hidden: true,
      },
      this.progressBar,
      this.progressText,
    );
    this.selectedEl = h('span', { class: 'selected-name', 'data-testid': 'selected' }, 'none');

    this.listEl = h('ul', {
      class: 'list',
      role: 'listbox',
      'aria-label': `Device ${name} conversations`,
      'data-testid': 'list',
    });
    this.listEl.addEventListener('keydown', (e) => this.onListKey(e));
    this.listEl.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('[data-id]');
      if (row?.dataset['id']) {
        this.focusedID = row.dataset['id'];
        this.selection.set(row.dataset['id']);
        row.focus();
      }
    });
    this.listEl.addEventListener('focusin', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('[data-id]');
      if (row?.dataset['id']) this.focusedID = row.dataset['id'];
    });
    this.moreBtn = btn('show-more', `Show ${PAGE} more`, () => {
      this.limit += PAGE;
      this.scheduleRefresh();
    });
    this.moreBtn.hidden = true;
    this.logEl = h('ol', { class: 'log', 'data-testid': 'log', 'aria-label': `Device ${name} sync log` });

    this.root = h(
      'section',
      { class: 'device', 'data-testid': `device-${name}`, 'aria-labelledby': id('title') },
      h(
        'header',
        { class: 'device-head' },
        h('h2', { id: id('title') }, `Device ${name}`),
        h('span', { class: 'unread-total' }, 'Unread ', this.unreadEl),
      ),
      h(
        'div',
        { class: 'toolbar', role: 'group', 'aria-label': `Device ${name} controls` },
        this.onlineBtn,
        btn('reload', 'Reload device', () => void this.reload(), 'A fresh SDK instance on the same database'),
        btn('sync-now', 'Sync now', () => void this.syncNow()),
        btn('clear', 'Clear local data', () => void this.clearLocal(), 'Delete this device’s database and start over'),
      ),
      h(
        'p',
        { class: 'status', 'data-testid': 'status', 'aria-live': 'polite' },
        this.stateEl,
        ' · last ',
        this.modeEl,
        ' · cursor ',
        this.cursorEl,
        ' · ',
        this.metricsEl,
      ),
      this.errorEl,
      this.progressEl,
      h(
        'div',
        { class: 'actions', role: 'group', 'aria-label': `Actions on the selected conversation, from device ${name}` },
        h('span', { class: 'selected' }, 'Selected: ', this.selectedEl),
        this.pinBtn,
        this.muteBtn,
        btn('mark-read', 'Mark read', () => void this.act('read')),
        btn('delete', 'Delete', () => void this.act('delete')),
        h('label', { for: id('draft'), class: 'sr-only' }, 'Draft'),
        this.draftInput,
        btn('set-draft', 'Set draft', () => void this.setDraft()),
      ),
      h('p', { class: 'list-head' }, this.countEl),
      this.listEl,
      this.moreBtn,
      h('details', { class: 'log-box', open: true }, h('summary', {}, `Sync log (device ${name})`), this.logEl),
    );

    this.selection.onChange(() => this.paintSelection());
    this.gate.onChange(() => this.paintOnline());
  }

  // ---------------------------------------------------------------- lifecycle

  /** Creates a fresh SDK instance on this device's database and starts it. */
  async boot(reason: 'load' | 'reload' | 'clear', t0 = performance.now()): Promise<void> {
    const gen = ++this.generation;
    const api = this.api;
    const gate = this.gate;
    let tokenCalls = 0;
    const sync = createConversationSync({
      userID: api.userID,
      apiURL: api.base,
      wsURL: this.wsURL,
      // The first call gets the token the page fetched on load; later calls (after a
      // 401) ask the admin API for a fresh one, through this device's network.
      token: async () => {
        if (tokenCalls++ === 0) return api.token;
        const d = await post<{ token: string }>(api.base, '/admin/token', { userID: api.userID }, { fetch: gate.fetch });
        return d.token;
      },
      storage: idbStorage({ name: this.dbName }),
      fetch: gate.fetch,
      WebSocket: gate.WebSocket,
    });
    this.sync = sync;
    this.acc = null;
    this.total = null;
    this.subscribe(sync, gen);
    try {
      // Opens the database: the cached list is readable once this resolves; the
      // first sync runs in the background.
      await sync.start();
    } catch (e) {
      if (gen === this.generation) this.logLine('start', `start failed: ${errorText(e)}`, 'error');
      return;
    }
    if (gen !== this.generation) return;
    const tOpen = performance.now();
    // Paint what is cached at once: one page read, whatever the network does. The
    // live totals (which hold the whole list in memory) are subscribed after it.
    try {
      await this.refreshNow(gen);
      const tPaint = performance.now();
      if (gen === this.generation && reason !== 'load') {
        this.logLine(
          reason,
          `${reason}: ${formatCount(this.items.length)} cached rows painted ${(tPaint - t0).toFixed(0)} ms after the click (database open ${(tOpen - t0).toFixed(0)} ms, first page ${(tPaint - tOpen).toFixed(0)} ms)`,
          'cache',
        );
      }
    } catch (e) {
      this.logLine(reason, `${reason}: cache read failed: ${errorText(e)}`, 'error');
    }
    if (gen === this.generation) this.subscribeLive(sync, gen);
  }

  get dbName(): string {
    return `convsync-demo:${this.api.userID}:${this.name}`;
  }

  /** status$, changes$ and progress$ are plain streams: subscribed before start(). */
  private subscribe(sync: Sync, gen: number): void {
    const alive = () => gen === this.generation;
    this.subs.push(
      sync.status$.subscribe((s) => {
        if (alive()) this.onStatus(s);
      }),
      sync.changes$.subscribe((c) => {
        if (alive()) this.onChange(c);
      }),
      sync.progress$.subscribe((p) => {
        if (alive()) this.onProgress(p);
      }),
    );
    this.metricsTimer = setInterval(() => {
      if (alive()) this.paintMetrics();
    }, 500);
  }

  /**
   * totalUnread$ (and the count, from conversations$) hold the list in memory inside
   * the SDK; they are subscribed once the database is open. The rows themselves
   * are read with getPage.
   */
  private subscribeLive(sync: Sync, gen: number): void {
    const alive = () => gen === this.generation;
    const onError = (e: unknown) => {
      if (alive()) this.logLine('live', `live list failed: ${errorText(e)}`, 'error');
    };
    this.subs.push(
      sync.totalUnread$.subscribe({
        next: (n) => {
          if (alive()) this.unreadEl.textContent = formatCount(n);
        },
        error: onError,
      }),
      sync.conversations$.subscribe({
        next: (list) => {
          if (!alive()) return;
          this.count = list.length;
          this.paintCount();
        },
        error: onError,
      }),
    );
  }

  private async teardown(): Promise<void> {
    this.generation++;
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    clearInterval(this.metricsTimer);
    const sync = this.sync;
    this.sync = null;
    if (sync) {
      try {
        await sync.stop();
      } catch (e) {
        this.logLine('stop', `stop failed: ${errorText(e)}`, 'error');
      }
    }
    this.setProgress(null);
  }

  async reload(): Promise<void> {
    const t0 = performance.now();
    await this.teardown();
    this.logLine('reload', `reload: old instance stopped in ${(performance.now() - t0).toFixed(0)} ms; new SDK instance on the same database`);
    await this.boot('reload', t0);
  }

  async clearLocal(): Promise<void> {
    const sync = this.sync;
    this.generation++;
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    clearInterval(this.metricsTimer);
    this.sync = null;
    try {
      if (sync) await sync.clear();
      this.logLine('clear', 'clear: local database deleted');
    } catch (e) {
      this.logLine('clear', `clear failed: ${errorText(e)}`, 'error');
    }
    this.items = [];
    this.render();
    await this.boot('clear');
  }

  async syncNow(): Promise<void> {
    try {
      await this.sync?.sync();
    } catch (e) {
      this.logLine('sync', `sync failed: ${errorText(e)}`, 'error');
    }
  }

  toggleOnline(): void {
    const online = !this.gate.online;
    this.gate.setOnline(online);
    this.logLine('net', online ? 'network: online' : 'network: offline (requests fail, socket closed)');
    // Nothing else is needed to go offline: the SDK sees its requests fail and its
    // socket drop. Coming back, an app would call sync() from its own network
    // handler (the SDK listens to the window's `online` event, which two simulated
    // devices in one page cannot use); the socket reconnects with the SDK's backoff.
    if (online) void this.syncNow();
  }

  // ---------------------------------------------------------------- events

  private onStatus(s: SyncStatus): void {
    const prev = this.status;
    this.status = s;
    const syncing = s.state === 'syncing';
    const wasSyncing = prev?.state === 'syncing';
    if (syncing && !wasSyncing) {
      this.acc = { startedAt: performance.now(), added: 0, updated: 0, removed: 0 };
    } else if (!syncing && wasSyncing && this.acc) {
      const a = this.acc;
      this.acc = null;
      const ms = performance.now() - a.startedAt;
      const mode = s.state === 'idle' ? (s.lastMode ?? '?') : s.state;
      this.logSync(mode, a.added, a.updated, a.removed, ms);
    }
    this.stateEl.textContent = s.state;
    this.stateEl.dataset['state'] = s.state;
    this.modeEl.textContent = s.lastMode ?? '—';
    this.errorEl.textContent = s.error === undefined ? '' : errorText(s.error);
    if (!syncing) this.setProgress(null);
    this.paintMetrics();
  }

  private onChange(c: ChangeSet): void {
    if (c.mode === 'pushed' || c.mode === 'local') {
      // Applied in place, no request: a pushed delta / unread frame, or a draft.
      this.logLine(c.mode, `${c.mode === 'pushed' ? 'pushed' : 'local edit'} · +${c.added.length} ~${c.updated.length} −${c.removed.length}`);
    } else if (this.acc) {
      this.acc.added += c.added.length;
      this.acc.updated += c.updated.length;
      this.acc.removed += c.removed.length;
    } else {
      this.logSync(c.mode, c.added.length, c.updated.length, c.removed.length, null);
    }
    if (this.refreshing || !this.fold(c)) this.scheduleRefresh();
  }

  /**
   * Folds a small change set into the rows on screen, without reading storage (a
   * read per pushed delta would hold up the SDK's next write during a burst).
   * Returns false when the rows must be read again: a full sync, a big change, or a
   * gap at the end of the window that only storage can fill.
   */
  private fold(c: ChangeSet): boolean {
    const changed = [...c.added, ...c.updated];
    if (c.mode === 'full' || changed.length + c.removed.length > 100) return false;
    const touched = new Set([...c.removed, ...changed.map((r) => r.conversationID)]);
    const kept = this.items.filter((r) => !touched.has(r.conversationID));
    // With more rows beyond the window, a changed record that sorts after the last
    // untouched row may belong further down: leave it to storage.
    const boundary = this.hasMore ? kept[kept.length - 1] : undefined;
    const next = kept.slice();
    for (const r of changed) {
      if (boundary && compareConversations(r, boundary) > 0) continue;
      next.splice(insertionIndex(next, r), 0, r);
    }
    let complete = true;
    if (next.length > this.limit) {
      next.length = this.limit;
      this.hasMore = true;
    } else if (this.hasMore && next.length < this.limit) complete = false;
    this.items = next;
    this.render();
    return complete;
  }

  /**
   * progress$ reports records staged so far, without a total. To draw a determinate
   * bar the demo asks the server for the list's size once per full sync (one small
   * `get_sorted_conversation_list` request through this device's network, not
   * counted in the SDK's metrics); until it answers the bar is indeterminate.
   */
  private onProgress(p: Progress): void {
    if (p.done) {
      this.setProgress(null);
      this.totalAsked = false;
      this.total = null;
      return;
    }
    if (!this.totalAsked) {
      this.totalAsked = true;
      const gen = this.generation;
      this.api
        .listSize(this.gate.fetch)
        .then((n) => {
          if (gen !== this.generation || !this.totalAsked) return;
          this.total = n;
          if (this.lastProgress) this.setProgress(this.lastProgress);
        })
        .catch(() => undefined);
    }
    this.setProgress({ loaded: p.staged, total: this.total });
  }

  private lastProgress: { loaded: number; total: number | null } | null = null;

  private setProgress(p: { loaded: number; total: number | null } | null): void {
    const el = this.progressEl;
    if (p) p = { loaded: p.loaded, total: this.total ?? p.total };
    this.lastProgress = p;
    if (!p) {
      el.hidden = true;
      el.dataset['active'] = 'false';
      return;
    }
    el.hidden = false;
    el.dataset['active'] = 'true';
    if (p.total && p.total > 0) {
      const f = Math.min(1, p.loaded / p.total);
      el.dataset['value'] = f.toFixed(4);
      el.setAttribute('aria-valuenow', String(Math.round(f * 100)));
      el.removeAttribute('aria-valuetext');
      this.progressBar.style.width = `${(f * 100).toFixed(1)}%`;
      this.progressBar.classList.remove('indeterminate');
      this.progressText.textContent = `Full sync ${formatCount(p.loaded)} / ${formatCount(p.total)}`;
    } else {
      el.dataset['value'] = '';
      el.removeAttribute('aria-valuenow');
      el.setAttribute('aria-valuetext', `${p.loaded} received`);
      this.progressBar.style.width = '100%';
      this.progressBar.classList.add('indeterminate');
      this.progressText.textContent = `Full sync ${formatCount(p.loaded)} received`;
    }
    el.dataset['loaded'] = String(p.loaded);
  }

  // ---------------------------------------------------------------- list

  private scheduleRefresh(): void {
    if (this.refreshing) {
      this.dirty = true;
      return;
    }
    void this.refreshNow(this.generation).catch(() => undefined);
  }

  private async refreshNow(gen: number): Promise<void> {
    if (this.refreshing) {
      this.dirty = true;
      return;
    }
    this.refreshing = true;
    try {
      let rounds = 0;
      do {
        this.dirty = false;
        const sync = this.sync;
        if (!sync || gen !== this.generation) return;
        const page = await sync.getPage({ limit: this.limit });
        if (gen !== this.generation) return;
        this.items = page.items;
        this.hasMore = page.next !== null;
        this.render();
        rounds++;
        // More changes arrived meanwhile: read again, but give the SDK's writes room
        // first (a read holds up the next write transaction).
        if (this.dirty) await new Promise((r) => setTimeout(r, 100));
      } while (this.dirty && rounds < 1000);
    } finally {
      this.refreshing = false;
    }
  }

  private render(): void {
    const hadFocus = this.listEl.contains(document.activeElement);
    const frag = document.createDocumentFragment();
    const now = Date.now();
    const sel = this.selection.current;
    let focusRow: HTMLElement | null = null;
    for (const c of this.items) {
      const row = this.renderRow(c, now, sel);
      if (c.conversationID === this.focusedID) focusRow = row;
      frag.append(row);
    }
    this.listEl.replaceChildren(frag);
    const first = this.listEl.firstElementChild as HTMLElement | null;
    (focusRow ?? first)?.setAttribute('tabindex', '0');
    if (hadFocus) (focusRow ?? first)?.focus({ preventScroll: true });
    this.moreBtn.hidden = !this.hasMore;
    this.paintCount();
    this.root.dataset['rows'] = String(this.items.length);
    this.root.dataset['first'] = this.items[0]?.conversationID ?? '';
    this.paintSelection();
  }

  private renderRow(c: LocalConversation, now: number, sel: string | null): HTMLElement {
    const unread = c.unreadCount;
    const muted = c.recvMsgOpt !== 0;
    const hasDraft = c.draftText !== '';
    const preview = hasDraft ? c.draftText : (c.latestMsg?.text ?? '');
    const sender = !hasDraft && c.latestMsg && c.conversationType === 3 ? `${c.latestMsg.senderNickname || c.latestMsg.sendID}: ` : '';
    const time = Math.max(c.latestMsgSendTime, c.draftTextTime);
    const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' }, initialOf(c.showName || c.conversationID));
    avatar.style.setProperty('--hue', String(hueOf(c.conversationID)));
    const label = `${c.showName}${c.isPinned ? ', pinned' : ''}${muted ? ', muted' : ''}${unread ? `, ${unread} unread` : ''}${hasDraft ? ', draft' : ''}`;
    return h(
      'li',
      {
        role: 'option',
        class: `row${c.isPinned ? ' pinned' : ''}${muted ? ' muted' : ''}`,
        'data-testid': 'row',
        'data-id': c.conversationID,
        'aria-selected': c.conversationID === sel ? 'true' : 'false',
        'aria-label': label,
        tabindex: '-1',
      },
      avatar,
      h(
        'span',
        { class: 'row-main' },
        h(
          'span',
          { class: 'line1' },
          h('span', { class: 'name', 'data-testid': 'row-name' }, c.showName || c.conversationID),
          c.isPinned ? icon(PIN_SVG, 'pin', 'row-pin', 'Pinned') : null,
          muted ? icon(MUTED_SVG, 'mute', 'row-muted', 'Muted') : null,
          h('time', { class: 'time', 'data-testid': 'row-time', datetime: new Date(time || 0).toISOString() }, formatTime(time, now)),
        ),
        h(
          'span',
          { class: 'line2' },
          h(
            'span',
            { class: 'preview', 'data-testid': 'row-preview' },
            hasDraft ? h('span', { class: 'draft', 'data-testid': 'row-draft' }, '[Draft] ') : null,
            sender + preview,
          ),
          unread > 0
            ? h('span', { class: `badge${muted ? ' quiet' : ''}`, 'data-testid': 'row-unread' }, unread > 99 ? '99+' : String(unread))
            : null,
        ),
      ),
    );
  }

  private onListKey(e: KeyboardEvent): void {
    const rows = Array.from(this.listEl.children) as HTMLElement[];
    if (rows.length === 0) return;
    const cur = (e.target as Element).closest<HTMLElement>('[data-id]');
    let i = cur ? rows.indexOf(cur) : -1;
    switch (e.key) {
      case 'ArrowDown':
        i = Math.min(rows.length - 1, i + 1);
        break;
      case 'ArrowUp':
        i = Math.max(0, i - 1);
        break;
      case 'Home':
        i = 0;
        break;
      case 'End':
        i = rows.length - 1;
        break;
      case 'Enter':
      case ' ':
        if (cur?.dataset['id']) this.selection.set(cur.dataset['id']);
        e.preventDefault();
        return;
      default:
        return;
    }
    e.preventDefault();
    const next = rows[i];
    if (!next) return;
    for (const r of rows) r.setAttribute('tabindex', '-1');
    next.setAttribute('tabindex', '0');
    next.focus();
    this.focusedID = next.dataset['id'] ?? null;
  }

  private paintCount(): void {
    const shown = this.items.length;
    const n = this.count ?? (this.hasMore ? null : shown);
    const plural = (k: number) => `${formatCount(k)} conversation${k === 1 ? '' : 's'}`;
    this.countEl.textContent =
      shown === 0 && (n === 0 || n === null)
        ? 'No conversations on this device yet.'
        : n !== null && n > shown
          ? `${plural(n)} · showing the first ${formatCount(shown)}`
          : plural(n ?? shown);
    if (n !== null) this.root.dataset['count'] = String(n);
  }

  private paintSelection(): void {
    const sel = this.selection.current;
    for (const row of Array.from(this.listEl.children) as HTMLElement[]) {
      row.setAttribute('aria-selected', row.dataset['id'] === sel ? 'true' : 'false');
    }
    const c = sel === null ? undefined : this.items.find((x) => x.conversationID === sel);
    this.selectedEl.textContent = sel === null ? 'none' : (c?.showName ?? sel);
    this.pinBtn.textContent = c?.isPinned ? 'Unpin' : 'Pin';
    this.muteBtn.textContent = c && c.recvMsgOpt !== 0 ? 'Unmute' : 'Mute';
  }

  private paintOnline(): void {
    const on = this.gate.online;
    this.onlineBtn.textContent = on ? 'Go offline' : 'Go online';
    this.onlineBtn.setAttribute('aria-pressed', on ? 'false' : 'true');
    this.root.dataset['online'] = on ? 'true' : 'false';
    this.root.classList.toggle('offline', !on);
  }

  private paintMetrics(): void {
    const sync = this.sync;
    if (!sync) return;
    const m = sync.metrics();
    this.metricsEl.textContent = `${formatCount(m.requests)} requests · ${formatBytes(m.bytesReceived)} · ${formatCount(m.notifications)} notifications (${formatCount(m.pushedDeltasApplied + m.unreadApplied)} applied in place) · ${formatCount(m.socketReconnects)} socket reconnects`;
    const cur = sync.cursor();
    this.cursorEl.textContent = cur ? `${cur.versionID.slice(0, 6)}…@${cur.version}` : '—';
    this.cursorEl.title = cur ? `versionID ${cur.versionID}, version ${cur.version}` : 'no cursor yet';
  }

  // ---------------------------------------------------------------- log

  private logSync(mode: string, added: number, updated: number, removed: number, ms: number | null): void {
    const text = `${mode} · +${formatCount(added)} ~${formatCount(updated)} −${formatCount(removed)}${ms === null ? '' : ` · ${ms.toFixed(0)} ms`}`;
    this.logLine(mode, text);
  }

  private logLine(kind: string, text: string, cls = ''): void {
    const li = h('li', { 'data-testid': 'log-entry', 'data-kind': kind, class: cls }, h('time', {}, clock()), ' ', text);
    this.logEl.prepend(li);
    while (this.logEl.childElementCount > LOG_MAX) this.logEl.lastElementChild?.remove();
  }

  // ---------------------------------------------------------------- actions

  private async selected(): Promise<LocalConversation | undefined> {
    const id = this.selection.current;
    if (id === null || !this.sync) return undefined;
    return (await this.sync.get(id)) ?? undefined;
  }

  /** A user action on the selected conversation, sent to the server through this device's network. */
  private async act(kind: 'pin' | 'mute' | 'read' | 'delete'): Promise<void> {
    const c = await this.selected();
    if (!c) {
      this.logLine('action', 'select a conversation first', 'error');
      return;
    }
    const f = this.gate.fetch;
    const id = c.conversationID;
    try {
      switch (kind) {
        case 'pin':
          await this.api.setConversation(f, { conversationID: id, isPinned: !c.isPinned });
          this.logLine('action', `${c.isPinned ? 'unpin' : 'pin'} ${c.showName} → server`);
          break;
        case 'mute':
          await this.api.setConversation(f, { conversationID: id, recvMsgOpt: c.recvMsgOpt === 0 ? 2 : 0 });
          this.logLine('action', `${c.recvMsgOpt === 0 ? 'mute' : 'unmute'} ${c.showName} → server`);
          break;
        case 'read':
          await this.api.markAsRead(f, id, c.maxSeq);
          this.logLine('action', `mark read ${c.showName} (seq ${c.maxSeq}) → server`);
          break;
        case 'delete':
          await this.api.deleteConversations(f, [id]);
          this.logLine('action', `delete ${c.showName} → server`);
          this.selection.set(null);
          break;
      }
    } catch (e) {
      this.logLine('action', `${kind} failed: ${errorText(e)}`, 'error');
    }
  }

  private async setDraft(): Promise<void> {
    const c = await this.selected();
    if (!c || !this.sync) {
      this.logLine('action', 'select a conversation first', 'error');
      return;
    }
    const text = this.draftInput.value;
    try {
      await this.sync.setDraft(c.conversationID, text);
      this.logLine('draft', text ? `draft set on ${c.showName} (local only)` : `draft cleared on ${c.showName}`);
      this.scheduleRefresh();
    } catch (e) {
      this.logLine('draft', `setDraft failed: ${errorText(e)}`, 'error');
    }
  }
}

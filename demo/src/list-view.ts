/**
 * A device's list on screen: it paints what `watchPage` emits (the first rows and the
 * whole list's totals) with the pending-write markers of `pendingWrites$`, and handles
 * the selection, the keyboard and "Show more". It never reads storage itself.
 */
import type { LocalConversation, PendingWrite } from '../../src/index.js';
import { formatCount, h } from './format.js';
import { renderRow } from './row.js';
import type { Selection } from './selection.js';
import type { PageView } from '../../src/index.js';

export class ListView {
  readonly listEl: HTMLUListElement;
  readonly moreBtn: HTMLButtonElement;
  readonly countEl: HTMLElement;
  readonly unreadEl: HTMLElement;
  private view: PageView | null = null;
  private pending = new Map<string, PendingWrite[]>();
  private focusedID: string | null = null;
  private frames = 0;

  constructor(
    name: string,
    /** the device's panel: carries the data attributes the tests read */
    private readonly root: HTMLElement,
    private readonly selection: Selection,
    page: number,
    onMore: () => void,
  ) {
    this.unreadEl = h('strong', { 'data-testid': 'total-unread' }, '0');
    this.countEl = h('span', { 'data-testid': 'row-count' }, 'Opening the local database…');
    this.listEl = h('ul', { class: 'list', role: 'listbox', 'aria-label': `Device ${name} conversations`, 'data-testid': 'list' });
    this.listEl.addEventListener('keydown', (e) => this.onKey(e));
    this.listEl.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('[data-id]');
      if (!row?.dataset['id']) return;
      this.focusedID = row.dataset['id'];
      this.selection.set(row.dataset['id']);
      row.focus();
    });
    this.listEl.addEventListener('focusin', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('[data-id]');
      if (row?.dataset['id']) this.focusedID = row.dataset['id'];
    });
    this.moreBtn = h('button', { type: 'button', 'data-testid': 'show-more', hidden: true }, `Show ${page} more`);
    this.moreBtn.addEventListener('click', onMore);
    this.selection.onChange(() => this.paintSelection());
  }

  /** A frame of the live window: rows and counts are painted together, from one emission. */
  show(view: PageView): void {
    this.view = view;
    this.frames++;
    this.render();
  }

  /** The writes the server has not confirmed: a marker on each row they touch. */
  setPending(list: readonly PendingWrite[]): void {
    const m = new Map<string, PendingWrite[]>();
    for (const w of list) m.set(w.conversationID, [...(m.get(w.conversationID) ?? []), w]);
    if (m.size === 0 && this.pending.size === 0) return;
    this.pending = m;
    if (this.view) this.render();
  }

  /** The row on screen, if the selected conversation is in the window. */
  find(id: string | null): LocalConversation | undefined {
    return id === null ? undefined : this.view?.items.find((c) => c.conversationID === id);
  }

  get rows(): number {
    return this.view?.items.length ?? 0;
  }

  private render(): void {
    const view = this.view;
    if (!view) return;
    const hadFocus = this.listEl.contains(document.activeElement);
    const frag = document.createDocumentFragment();
    const now = Date.now();
    const sel = this.selection.current;
    let focusRow: HTMLElement | null = null;
    for (const c of view.items) {
      const row = renderRow(c, now, c.conversationID === sel, this.pending.get(c.conversationID));
      if (c.conversationID === this.focusedID) focusRow = row;
      frag.append(row);
    }
    this.listEl.replaceChildren(frag);
    const first = this.listEl.firstElementChild as HTMLElement | null;
    (focusRow ?? first)?.setAttribute('tabindex', '0');
    if (hadFocus) (focusRow ?? first)?.focus({ preventScroll: true });
    this.moreBtn.hidden = view.total <= view.items.length;
    this.paintCounts(view);
    const d = this.root.dataset;
    d['rows'] = String(view.items.length);
    d['first'] = view.items[0]?.conversationID ?? '';
    d['count'] = String(view.total);
    d['unread'] = String(view.unreadTotal);
    // one per emission of the window (tests record the counts of each frame)
    d['frame'] = String(this.frames);
  }

  private paintCounts(view: PageView): void {
    const shown = view.items.length;
    const n = view.total;
    const plural = (k: number) => `${formatCount(k)} conversation${k === 1 ? '' : 's'}`;
    this.countEl.textContent =
      n === 0 ? 'No conversations on this device yet.' : n > shown ? `${plural(n)} · showing the first ${formatCount(shown)}` : plural(n);
    this.unreadEl.textContent = formatCount(view.unreadTotal);
  }

  paintSelection(): void {
    const sel = this.selection.current;
    for (const row of Array.from(this.listEl.children) as HTMLElement[]) {
      row.setAttribute('aria-selected', row.dataset['id'] === sel ? 'true' : 'false');
    }
  }

  private onKey(e: KeyboardEvent): void {
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
}

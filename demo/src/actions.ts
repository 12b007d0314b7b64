/**
 * What a user does on the selected conversation from one device, through the SDK's
 * write methods: `setConversation` (pin, mute), `markAsRead`, `deleteConversation`, and
 * the local-only `setDraft`. A write is shown at once (offline too), marked pending on its
 * row until the server has it, and its answer goes to the device's log; a refused one is
 * rolled back by the SDK (the log shows the `rollback` change and the refusal).
 */
import type { ConversationSync, LocalConversation, WriteResult } from '../../src/index.js';
import { errorText, h } from './format.js';
import type { ListView } from './list-view.js';
import type { Selection } from './selection.js';
import type { SyncLog } from './sync-log.js';

type Kind = 'pin' | 'mute' | 'read' | 'delete';

export class Actions {
  readonly el: HTMLElement;
  private readonly selectedEl = h('span', { class: 'selected-name', 'data-testid': 'selected' }, 'none');
  private readonly pinBtn: HTMLButtonElement;
  private readonly muteBtn: HTMLButtonElement;
  private readonly draftInput: HTMLInputElement;

  constructor(
    name: string,
    private readonly selection: Selection,
    /** the device's SDK instance now (`null` between two) */
    private readonly sync: () => ConversationSync | null,
    private readonly list: ListView,
    private readonly log: SyncLog,
  ) {
    const btn = (testid: string, label: string, onClick: () => void) => {
      const b = h('button', { type: 'button', 'data-testid': testid }, label);
      b.addEventListener('click', onClick);
      return b;
    };
    const draftID = `dev-${name}-draft`;
    this.pinBtn = btn('pin', 'Pin', () => void this.act('pin'));
    this.muteBtn = btn('mute', 'Mute', () => void this.act('mute'));
    this.draftInput = h('input', { id: draftID, type: 'text', 'data-testid': 'draft-input', placeholder: 'Draft text', autocomplete: 'off' });
    this.draftInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void this.setDraft();
    });
    this.el = h(
      'div',
      { class: 'actions', role: 'group', 'aria-label': `Actions on the selected conversation, from device ${name}` },
      h('span', { class: 'selected' }, 'Selected: ', this.selectedEl),
      this.pinBtn,
      this.muteBtn,
      btn('mark-read', 'Mark read', () => void this.act('read')),
      btn('delete', 'Delete', () => void this.act('delete')),
      h('label', { for: draftID, class: 'sr-only' }, 'Draft'),
      this.draftInput,
      btn('set-draft', 'Set draft', () => void this.setDraft()),
    );
    this.selection.onChange(() => this.paint());
  }

  /** The labels follow the selected row as this device shows it (its pending writes included). */
  paint(): void {
    const sel = this.selection.current;
    const c = this.list.find(sel);
    this.selectedEl.textContent = sel === null ? 'none' : (c?.showName ?? sel);
    this.pinBtn.textContent = c?.isPinned ? 'Unpin' : 'Pin';
    this.muteBtn.textContent = c && c.recvMsgOpt !== 0 ? 'Unmute' : 'Mute';
  }

  /** The selected conversation as this device holds it (`get` shows pending writes on top). */
  private async selected(): Promise<[ConversationSync, LocalConversation] | null> {
    const sync = this.sync();
    const id = this.selection.current;
    const c = id === null || !sync ? undefined : await sync.get(id).catch(() => undefined);
    if (!sync || !c) {
      this.log.line('action', id === null ? 'select a conversation first' : `${id} is not on this device`, 'error');
      return null;
    }
    return [sync, c];
  }

  private async act(kind: Kind): Promise<void> {
    const sel = await this.selected();
    if (!sel) return;
    const [sync, c] = sel;
    const id = c.conversationID;
    let what: string;
    let write: Promise<WriteResult>;
    switch (kind) {
      case 'pin':
        what = `${c.isPinned ? 'unpin' : 'pin'} ${c.showName}`;
        write = sync.setConversation(id, { isPinned: !c.isPinned });
        break;
      case 'mute':
        // 2: receive without notifying (the badge turns grey and leaves the total)
        what = `${c.recvMsgOpt === 0 ? 'mute' : 'unmute'} ${c.showName}`;
        write = sync.setConversation(id, { recvMsgOpt: c.recvMsgOpt === 0 ? 2 : 0 });
        break;
      case 'read':
        what = `mark read ${c.showName}`;
        write = sync.markAsRead(id);
        break;
      case 'delete':
        what = `delete ${c.showName}`;
        write = sync.deleteConversation(id);
        break;
    }
    try {
      const r = await write;
      if (kind === 'delete') this.selection.set(null);
      this.log.line('write', `${what}: shown at once, queued as ${r.mutationID.slice(0, 8)}…`);
      r.acknowledged.then(
        (cur) => this.log.line('ack', `${what}: accepted by the server (version ${cur.version})`),
        (e: unknown) => {
          if ((e as { code?: unknown }).code === 'STOPPED') return this.log.line('write', `${what}: still queued, sent after the next start`);
          const code = (e as { errCode?: unknown }).errCode;
          this.log.line('refused', `${what}: refused by the server (${code === undefined ? '' : `errCode ${String(code)}, `}${errorText(e)}), rolled back`, 'error');
        },
      );
    } catch (e) {
      this.log.line('action', `${what} failed: ${errorText(e)}`, 'error');
    }
    this.paint();
  }

  private async setDraft(): Promise<void> {
    const sel = await this.selected();
    if (!sel) return;
    const [sync, c] = sel;
    const text = this.draftInput.value;
    try {
      await sync.setDraft(c.conversationID, text);
      this.log.line('draft', text ? `draft set on ${c.showName} (local only)` : `draft cleared on ${c.showName}`);
    } catch (e) {
      this.log.line('draft', `setDraft failed: ${errorText(e)}`, 'error');
    }
  }
}

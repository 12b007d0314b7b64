/** One row of a device's list: avatar, name, markers, time, preview, unread badge. */
import type { LocalConversation, PendingWrite } from '../../src/index.js';
import { formatTime, h, hueOf, initialOf } from './format.js';

// Inline icons (no emoji: not every machine has an emoji font).
const PIN_SVG =
  '<svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><path fill="currentColor" d="M10.6 1.2 14.8 5.4 13.4 6.1 11.2 8.3 11.6 11.6 10.2 13 7.6 10.4 3.4 14.6 2.4 14.6 2.4 13.6 6.6 9.4 4 6.8 5.4 5.4 8.7 5.8 10.9 3.6Z"/></svg>';
const MUTED_SVG =
  '<svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><path fill="currentColor" d="M8 1.5a4 4 0 0 0-4 4v3L2.5 11v1h11v-1L12 8.5v-3a4 4 0 0 0-4-4Zm-1.7 11.5a1.8 1.8 0 0 0 3.4 0Z"/><path stroke="currentColor" stroke-width="1.6" d="M2 2l12 12"/></svg>';

function icon(svg: string, cls: string, testid: string, title: string): HTMLElement {
  const el = h('span', { class: cls, 'data-testid': testid, title, role: 'img', 'aria-label': title });
  el.innerHTML = svg;
  return el;
}

const KIND: Record<PendingWrite['kind'], string> = { set: 'settings', read: 'read', delete: 'delete' };

/**
 * The marker of a row with local writes the list does not hold from the server yet:
 * "pending" while one is unsent (or failing), "accepted" once the server took them all
 * and the list is waiting for the sync that carries them.
 */
function pendingMarker(writes: readonly PendingWrite[]): HTMLElement {
  const accepted = writes.every((w) => w.accepted);
  const failing = writes.find((w) => w.lastError)?.lastError;
  const what = writes.map((w) => KIND[w.kind]).join(', ');
  const title = accepted
    ? `${what}: accepted by the server, shown until the list reaches its version`
    : `${what}: applied here, not yet accepted by the server${failing ? ` (last try: ${failing.code})` : ''}`;
  return h(
    'span',
    { class: `pending${accepted ? ' accepted' : ''}`, 'data-testid': 'row-pending', 'data-accepted': String(accepted), title },
    accepted ? 'accepted' : 'pending',
  );
}

export function renderRow(c: LocalConversation, now: number, selected: boolean, pending: readonly PendingWrite[] | undefined): HTMLElement {
  const unread = c.unreadCount;
  const muted = c.recvMsgOpt !== 0;
  const hasDraft = c.draftText !== '';
  const preview = hasDraft ? c.draftText : (c.latestMsg?.text ?? '');
  const sender = !hasDraft && c.latestMsg && c.conversationType === 3 ? `${c.latestMsg.senderNickname || c.latestMsg.sendID}: ` : '';
  const time = Math.max(c.latestMsgSendTime, c.draftTextTime);
  const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' }, initialOf(c.showName || c.conversationID));
  avatar.style.setProperty('--hue', String(hueOf(c.conversationID)));
  const label = [
    c.showName,
    c.isPinned && 'pinned',
    muted && 'muted',
    unread > 0 && `${unread} unread`,
    hasDraft && 'draft',
    pending && 'change pending',
  ]
    .filter(Boolean)
    .join(', ');
  return h(
    'li',
    {
      role: 'option',
      class: `row${c.isPinned ? ' pinned' : ''}${muted ? ' muted' : ''}`,
      'data-testid': 'row',
      'data-id': c.conversationID,
      'aria-selected': selected ? 'true' : 'false',
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
        pending ? pendingMarker(pending) : null,
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
        unread > 0 ? h('span', { class: `badge${muted ? ' quiet' : ''}`, 'data-testid': 'row-unread' }, unread > 99 ? '99+' : String(unread)) : null,
      ),
    ),
  );
}

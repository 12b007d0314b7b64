import { memo, useEffect, useRef } from 'react';
import type { ConversationSync, LocalConversation } from 'convsync';
import { useConversationPage, useSyncStatus, useTotalUnread } from 'convsync/react';

const PAGE = 20;

/** The list: a status line, the totals, the rows, and 20 more rows each time the end scrolls into view. */
export function ConversationList({ sync }: { sync: ConversationSync }) {
  const { items, total, loading, hasMore, setLimit } = useConversationPage(sync, { limit: PAGE });
  const unread = useTotalUnread(sync);
  const status = useSyncStatus(sync);
  const end = useRef<HTMLLIElement>(null);

  useEffect(() => {
    if (!end.current) return;
    const seen = new IntersectionObserver(([e]) => e?.isIntersecting && setLimit(items.length + PAGE));
    seen.observe(end.current);
    return () => seen.disconnect();
  }, [hasMore, items.length, setLimit]);

  return (
    <section>
      <p data-testid="status">
        {status.state}
        {status.connected ? ' · live' : ''}
        {status.pendingWrites > 0 ? ` · ${status.pendingWrites} to send` : ''}
      </p>
      <h1>
        <span data-testid="total">{total}</span> conversations · <span data-testid="unread">{unread}</span> unread
      </h1>
      {loading && <p>Loading…</p>}
      <ul className="list" data-testid="list">
        {items.map((c) => (
          <Row key={c.conversationID} sync={sync} c={c} />
        ))}
        {hasMore && <li ref={end}>Loading more…</li>}
      </ul>
    </section>
  );
}

/** One row. `memo`: it renders again only when its record changes (the hook keeps unchanged rows' objects). */
const Row = memo(function Row({ sync, c }: { sync: ConversationSync; c: LocalConversation }) {
  const id = c.conversationID;
  return (
    <li data-testid="row" data-id={id}>
      <span className="name">
        {c.isPinned && '📌 '}
        {c.showName}
      </span>
      <span className="text">{c.latestMsg?.text}</span>
      {c.unreadCount > 0 && <span className="badge">{c.unreadCount}</span>}
      <button onClick={() => void sync.setConversation(id, { isPinned: !c.isPinned })}>{c.isPinned ? 'Unpin' : 'Pin'}</button>
      <button disabled={c.unreadCount === 0} onClick={() => void sync.markAsRead(id)}>
        Mark read
      </button>
    </li>
  );
});

/**
 * The example page: one client for the user named in `?user=`, served by the reference
 * server (`convsync-server --admin --static dist`), rendered under StrictMode.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createConversationSync } from 'convsync';
import { ConversationList } from './conversation-list.js';

const userID = new URLSearchParams(location.search).get('user') ?? 'alice';
const origin = location.origin;

// Example only: the reference server's admin API issues the token. In your app, your backend does.
async function token(): Promise<string> {
  const r = await fetch(`${origin}/admin/token`, { method: 'POST', body: JSON.stringify({ userID }) });
  return ((await r.json()) as { data: { token: string } }).data.token;
}

const sync = createConversationSync({ userID, apiURL: origin, wsURL: `${origin.replace(/^http/, 'ws')}/ws`, token });
sync.start().catch((e: unknown) => console.error('start failed', e));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConversationList sync={sync} />
  </StrictMode>,
);

/**
 * The server's HTTP API as the demo page uses it: the admin API (SPEC §3.4) for the
 * server controls, and the user write API (SPEC §3.2) for what a user does on a
 * device. The SDK itself only reads: it has no write calls, so these go straight to
 * the server and come back to every device through the ordinary sync.
 */

export class ApiError extends Error {
  constructor(
    message: string,
    readonly errCode: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface Envelope {
  errCode: number;
  errMsg: string;
  errDlt?: string;
  data?: unknown;
}

let seq = 0;
function operationID(): string {
  seq += 1;
  return `demo-${Date.now().toString(36)}-${seq}`;
}

export interface PostOptions {
  token?: string;
  /** The device's gated fetch, when the call is made "from" a device. */
  fetch?: typeof fetch;
}

export async function post<T>(base: string, path: string, body: unknown, opts: PostOptions = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', operationID: operationID() };
  if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
  const f = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const res = await f(new URL(path, base), { method: 'POST', headers, body: JSON.stringify(body) });
  let env: Envelope;
  try {
    env = (await res.json()) as Envelope;
  } catch {
    throw new ApiError(`${path}: HTTP ${res.status}, not JSON`, res.status);
  }
  if (env.errCode !== 0) throw new ApiError(`${path}: ${env.errMsg || 'error'} (${env.errCode})`, env.errCode);
  return env.data as T;
}

/** The admin and user calls of the demo, bound to one user. */
export class DemoApi {
  constructor(
    readonly base: string,
    readonly userID: string,
    readonly token: string,
  ) {}

  static async connect(base: string, userID: string): Promise<DemoApi> {
    const { token } = await post<{ token: string }>(base, '/admin/token', { userID });
    return new DemoApi(base, userID, token);
  }

  /** Asks the admin API for a fresh token (the SDK's token function calls this after a 401). */
  async refreshToken(): Promise<string> {
    const { token } = await post<{ token: string }>(this.base, '/admin/token', { userID: this.userID });
    return token;
  }

  // ---- admin (SPEC §3.4) ----
  seed(count: number): Promise<unknown> {
    return post(this.base, '/admin/seed', { userID: this.userID, count });
  }
  sendMessage(conversationID: string, sendID: string, text: string): Promise<unknown> {
    return post(this.base, '/admin/send_message', { conversationID, sendID, text });
  }
  resetLog(): Promise<unknown> {
    return post(this.base, '/admin/reset_log', { userID: this.userID });
  }
  compact(keepVersion: number): Promise<unknown> {
    return post(this.base, '/admin/compact', { userID: this.userID, keepVersion });
  }

  // ---- user reads used by the server controls ----
  /** The server's current cursor and every conversation ID of the user. */
  fullIDs(): Promise<{ versionID: string; version: number; conversationIDs: string[] | null }> {
    return post(this.base, '/conversation/get_full_conversation_ids', { userID: this.userID }, { token: this.token });
  }

  /** How many conversations the server holds for the user (one tiny sorted page). */
  async listSize(f: typeof fetch): Promise<number> {
    const d = await post<{ conversationTotal: number }>(
      this.base,
      '/conversation/get_sorted_conversation_list',
      { userID: this.userID, pagination: { pageNumber: 1, showNumber: 1 } },
      { token: this.token, fetch: f },
    );
    return d.conversationTotal;
  }

  // ---- user writes (SPEC §3.2), sent through a device's network ----
  setConversation(f: typeof fetch, conversation: Record<string, unknown>): Promise<unknown> {
    return post(this.base, '/conversation/set_conversations', { userID: this.userID, conversation }, { token: this.token, fetch: f });
  }
  markAsRead(f: typeof fetch, conversationID: string, hasReadSeq: number): Promise<unknown> {
    return post(
      this.base,
      '/conversation/mark_as_read',
      { userID: this.userID, conversationID, hasReadSeq },
      { token: this.token, fetch: f },
    );
  }
  deleteConversations(f: typeof fetch, conversationIDs: string[]): Promise<unknown> {
    return post(
      this.base,
      '/conversation/delete_conversations',
      { userID: this.userID, conversationIDs },
      { token: this.token, fetch: f },
    );
  }
}

/**
 * Who "sends" a message into a conversation: the other party of a single chat
 * (`si_<a>_<b>`, the two user IDs sorted), a made-up member elsewhere.
 */
export function senderFor(conversationID: string, ownerUserID: string): string {
  if (conversationID.startsWith('si_')) {
    const rest = conversationID.slice(3);
    if (rest.startsWith(`${ownerUserID}_`)) return rest.slice(ownerUserID.length + 1);
    if (rest.endsWith(`_${ownerUserID}`)) return rest.slice(0, rest.length - ownerUserID.length - 1);
  }
  return 'demo-peer';
}

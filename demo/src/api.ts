/**
 * The server's HTTP API as the page itself uses it: a token, the admin API (SPEC §3.4)
 * for the server controls, and one user read (the IDs, for "random" targets). What a
 * user does on a device (pin, mute, mark read, delete) goes through that device's SDK
 * instance instead: its write methods.
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
  /** A device's gated fetch, when the call is made "from" a device (its token refresh). */
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

/** The page's own calls (admin, and the one user read), bound to one user. */
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

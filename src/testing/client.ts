/**
 * What a check uses to talk to the server under test: HTTP calls in the SPEC §3 envelope,
 * the admin endpoints the kit needs (`/admin/token`, `/admin/upsert`, `/admin/compact`,
 * `/admin/reset_log`), users of its own for every check, and sockets closed after it.
 */
import { defaultConversation, readIncremental, type Conversation, type Cursor, type IncrementalAnswer } from '../protocol/index.js';
import { eq } from './expect.js';
import { KitSocket } from './socket.js';
import { KitFailure } from './types.js';

/** An answer: HTTP status and the parsed envelope. */
export interface Answer {
  status: number;
  body: { errCode: number; errMsg: string; errDlt: string; data: any };
}

/** The kit's connection to one server, with what a check opened (closed by `cleanup`). */
export class KitClient {
  private readonly tokens = new Map<string, string>();
  private readonly sockets: KitSocket[] = [];
  private users = 0;

  constructor(
    readonly url: string,
    readonly wsURL: string,
    readonly syncLimit: number,
    /** unique per run, so the kit can run against a server that holds other data */
    private readonly runID: string,
  ) {}

  /** A user ID no other check (or run) uses. */
  user(tag = 'u'): string {
    return `kit${this.runID}_${tag}${++this.users}`;
  }

  /** POSTs JSON (a string is sent as it is) and parses the envelope. */
  async post(path: string, body: unknown, token?: string, headers: Record<string, string> = {}): Promise<Answer> {
    const h: Record<string, string> = { 'Content-Type': 'application/json', ...headers };
    if (token !== undefined) h['Authorization'] = `Bearer ${token}`;
    let res: Response;
    try {
      res = await fetch(this.url + path, { method: 'POST', headers: h, body: typeof body === 'string' ? body : JSON.stringify(body) });
    } catch (e) {
      throw new KitFailure(`${path}: request failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      throw new KitFailure(`${path}: answer is not JSON (${res.status}): ${text.slice(0, 200)}`);
    }
  }

  /** `data` of a successful answer; a failure names the path and the error. */
  private dataOf(path: string, a: Answer): any {
    if (a.status !== 200 || a.body?.errCode !== 0) throw new KitFailure(`${path}: HTTP ${a.status} errCode ${a.body?.errCode} ${a.body?.errMsg ?? ''}`);
    return a.body.data;
  }

  /** POSTs an admin endpoint and answers `data`. */
  async admin(path: string, body: unknown): Promise<any> {
    return this.dataOf(path, await this.post(path, body));
  }

  /** A token of `userID` from `/admin/token` (cached unless `ttlSeconds` is given). */
  async token(userID: string, ttlSeconds?: number): Promise<string> {
    const cached = ttlSeconds === undefined ? this.tokens.get(userID) : undefined;
    if (cached) return cached;
    const d = await this.admin('/admin/token', ttlSeconds === undefined ? { userID } : { userID, ttlSeconds });
    if (typeof d?.token !== 'string') throw new KitFailure(`/admin/token: no token in ${JSON.stringify(d)}`);
    if (ttlSeconds === undefined) this.tokens.set(userID, d.token);
    return d.token;
  }

  /** POSTs as `userID` and answers `data`. */
  async call(userID: string, path: string, body: Record<string, unknown>): Promise<any> {
    return this.dataOf(path, await this.post(path, { userID, ...body }, await this.token(userID)));
  }

  /** Expects an error answer with this errCode and HTTP status. */
  async refused(path: string, body: unknown, token: string | undefined, errCode: number, status: number, what: string): Promise<Answer> {
    const a = await this.post(path, body, token);
    eq([a.status, a.body?.errCode], [status, errCode], `${what} (HTTP status, errCode)`);
    eq(a.body.data, null, `${what}: data of an error`);
    return a;
  }

  /** Incremental sync answer for a cursor, validated by the protocol's reader. */
  async sync(userID: string, c: Cursor): Promise<IncrementalAnswer> {
    return readIncremental(await this.call(userID, '/conversation/get_incremental_conversations', { ...c }));
  }

  /** The user's current cursor (the one a full answer carries). */
  async head(userID: string): Promise<Cursor> {
    const a = await this.sync(userID, { versionID: '', version: 0 });
    return { versionID: a.versionID, version: a.version };
  }

  /** Writes raw records through `/admin/upsert`; answers the head after it. */
  async upsert(userID: string, records: Conversation[]): Promise<Cursor> {
    const d = await this.admin('/admin/upsert', { userID, conversations: records });
    return { versionID: d.versionID, version: d.version };
  }

  /** A record of `userID` with the given fields. */
  record(userID: string, conversationID: string, fields: Partial<Conversation> = {}): Conversation {
    return defaultConversation(conversationID, userID, { showName: `kit ${conversationID}`, latestMsgSendTime: 1_700_000_000_000, ...fields });
  }

  /** Opens a socket (authenticated as `userID` when given), closed after the check. */
  async socket(userID?: string): Promise<KitSocket> {
    const s = await KitSocket.open(this.wsURL, userID === undefined ? undefined : await this.token(userID));
    this.sockets.push(s);
    return s;
  }

  /** Closes what the last check opened. */
  cleanup(): void {
    for (const s of this.sockets.splice(0)) s.close();
  }
}

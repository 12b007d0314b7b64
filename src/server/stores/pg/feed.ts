/**
 * Frames across server instances over PostgreSQL `LISTEN/NOTIFY` (no other service).
 *
 * A commit records the frames it announces in `convsync_frames` under the user's head row
 * lock, numbered by a per-user sequence (`frame_seq`), and sends `NOTIFY convsync_frames`
 * with `{"u": userID, "s": lastSeq}` only — a reference, far below NOTIFY's 8000 bytes. The
 * lock makes the sequence gap-free and committed in order: when seq n is visible, so is
 * every seq below it.
 *
 * Each instance follows the users that have sockets on it, remembering the last seq it
 * delivered to them. A notification (or its own commit) for a followed user delivers the
 * frames after that seq in order — from the committing instance's memory when it has them,
 * otherwise read from the table — through one promise chain per user, so frames reach the
 * sockets in version order per user, each once. The listening connection has its own
 * client; when it drops, the feed reconnects with backoff and then reads, for every
 * followed user, what was committed meanwhile: nothing is lost as long as the frames are
 * still kept (`framesKeepMs`, 10 minutes by default).
 */
import type { Client, Notification, Pool } from 'pg';
import type { ServerFrame } from '../../../protocol/index.js';
import type { Logger } from '../../logger.js';
import type { Unsubscribe } from '../../ports.js';
import { CHANNEL, type SeqFrame } from './commit.js';

interface Followed {
  /** open sockets of the user here */
  refs: number;
  /** last seq delivered */
  delivered: number;
  /** frames committed here, not yet delivered, by seq */
  local: Map<number, ServerFrame>;
  /** deliveries run one after another */
  chain: Promise<void>;
}

/** Options of the feed. */
export interface PgFeedOptions {
  /** a new client for the listening connection */
  connect: () => Client;
  logger: Logger;
  /** first reconnect delay of the listening connection, doubled up to 5 s; default 100 ms */
  retryMs?: number;
}

/** Counters of the listening connection (tests and logs). */
export interface FeedStats {
  /** times the listening connection was established */
  connects: number;
  /** catch-up reads after a reconnect */
  catchUps: number;
  /** backend pid of the listening connection, `null` while down */
  listenerPid: number | null;
}

/** The cross-instance feed of one PostgreSQL store. */
export class PgFeed {
  private readonly listeners = new Set<(userID: string, frame: ServerFrame) => void>();
  private readonly followed = new Map<string, Followed>();
  private readonly pending = new Map<string, Promise<Followed>>();
  private client: Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private delay: number;
  readonly stats: FeedStats = { connects: 0, catchUps: 0, listenerPid: null };

  constructor(
    private readonly pool: Pool,
    private readonly o: PgFeedOptions,
  ) {
    this.delay = o.retryMs ?? 100;
  }

  /** Connects the listening connection (the first time: failures are thrown). */
  async start(): Promise<void> {
    await this.listen();
  }

  subscribe(deliver: (userID: string, frame: ServerFrame) => void): Unsubscribe {
    const l = (u: string, f: ServerFrame) => deliver(u, f);
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }

  /** Starts following `userID` from its current frame seq (shared by its sockets here). */
  async follow(userID: string): Promise<void> {
    const f = this.followed.get(userID);
    if (f) {
      f.refs++;
      return;
    }
    let p = this.pending.get(userID);
    if (!p) {
      p = this.pool
        .query<{ frame_seq: number }>('SELECT frame_seq FROM convsync_heads WHERE user_id = $1', [userID])
        .then((r) => {
          const g: Followed = { refs: 0, delivered: r.rows[0]?.frame_seq ?? 0, local: new Map(), chain: Promise.resolve() };
          this.followed.set(userID, g);
          return g;
        })
        .finally(() => this.pending.delete(userID));
      this.pending.set(userID, p);
    }
    (await p).refs++;
  }

  unfollow(userID: string): void {
    const f = this.followed.get(userID);
    if (f && --f.refs <= 0) this.followed.delete(userID);
  }

  /** Frames this instance just committed: delivered at once when nothing comes before them. */
  committed(userID: string, frames: readonly SeqFrame[]): void {
    const f = this.followed.get(userID);
    if (!f || frames.length === 0) return;
    for (const x of frames) if (x.seq > f.delivered) f.local.set(x.seq, x.frame);
    this.upTo(userID, f, frames[frames.length - 1]!.seq);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    this.stats.listenerPid = null;
    if (c) await c.end().catch(() => {});
    await Promise.all([...this.followed.values()].map((f) => f.chain));
  }

  // ---- delivery ----

  /** Delivers the frames of `userID` up to `seq` (all when Infinity), in order, on its chain. */
  private upTo(userID: string, f: Followed, seq: number): void {
    f.chain = f.chain
      .then(async () => {
        if (seq <= f.delivered) return;
        let frames: SeqFrame[] = [];
        const upper = Number.isFinite(seq) ? seq : Number.MAX_SAFE_INTEGER;
        let s = f.delivered + 1;
        for (; s <= upper && f.local.has(s); s++) frames.push({ seq: s, frame: f.local.get(s)! });
        if (s <= upper) frames = await this.read(userID, f.delivered, upper, f);
        for (const x of frames) {
          if (x.seq <= f.delivered) continue;
          f.delivered = x.seq;
          f.local.delete(x.seq);
          if (this.followed.get(userID) === f) for (const l of this.listeners) l(userID, x.frame);
        }
      })
      .catch((e: unknown) => this.o.logger.error('feed delivery failed', { userID, error: e instanceof Error ? e.message : String(e) }));
  }

  /** Frames of `userID` with `after < seq ≤ upTo`, from memory where held, else from the table. */
  private async read(userID: string, after: number, upTo: number, f: Followed): Promise<SeqFrame[]> {
    const r = await this.pool.query<{ seq: number; frame: string }>(
      'SELECT seq, frame FROM convsync_frames WHERE user_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq',
      [userID, after, upTo],
    );
    return r.rows.map((x) => ({ seq: x.seq, frame: f.local.get(x.seq) ?? (JSON.parse(x.frame) as ServerFrame) }));
  }

  private onNotification(n: Notification): void {
    if (n.channel !== CHANNEL || !n.payload) return;
    let p: { u?: unknown; s?: unknown };
    try {
      p = JSON.parse(n.payload) as typeof p;
    } catch {
      return;
    }
    if (typeof p.u !== 'string' || typeof p.s !== 'number') return;
    const f = this.followed.get(p.u);
    if (f) this.upTo(p.u, f, p.s);
  }

  // ---- the listening connection ----

  private async listen(): Promise<void> {
    const c = this.o.connect();
    c.on('notification', (n) => this.onNotification(n));
    c.on('error', (e) => this.lost(c, e));
    c.on('end', () => this.lost(c, new Error('listening connection ended')));
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
    if (this.closed) {
      await c.end().catch(() => {});
      return;
    }
    this.client = c;
    this.stats.connects++;
    this.stats.listenerPid = (c as unknown as { processID?: number }).processID ?? null;
    this.delay = this.o.retryMs ?? 100;
  }

  /** The listening connection broke: reconnect with backoff, then catch up every followed user. */
  private lost(c: Client, e: Error): void {
    if (this.client !== c || this.closed) return;
    this.client = null;
    this.stats.listenerPid = null;
    c.end().catch(() => {});
    this.o.logger.error('listening connection lost', { error: e.message });
    this.reconnect();
  }

  private reconnect(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.listen().then(
        () => {
          if (this.closed) return;
          this.stats.catchUps++;
          for (const [userID, f] of this.followed) this.upTo(userID, f, Infinity);
        },
        (err: unknown) => {
          this.o.logger.error('listening connection failed', { error: err instanceof Error ? err.message : String(err) });
          this.delay = Math.min(this.delay * 2, 5000);
          this.reconnect();
        },
      );
    }, this.delay);
    this.retry.unref();
  }
}

/** A minimal client of the sync protocol (SPEC §3.1) over HTTP, keeping records in a Map: the load test's simulated clients. */
import { readFullPage, readIncremental, type Conversation, type Cursor, type FullPage } from '../../src/protocol/index.js';
import { post } from '../helpers/server.js';

export class SimClient {
  recs = new Map<string, Conversation>();
  cursor: Cursor | null = null;
  fulls = 0;
  constructor(
    readonly userID: string,
    private readonly url: string,
    private readonly token: string,
    private readonly latencies: number[],
  ) {}

  private async call<T>(path: string, body: unknown, read: (d: unknown) => T): Promise<T> {
    const t0 = performance.now();
    const r = await post(this.url, path, body, this.token);
    this.latencies.push(performance.now() - t0);
    if (r.body.errCode !== 0) throw new Error(`${path}: ${r.body.errCode} ${r.body.errMsg}`);
    return read(r.body.data);
  }

  async full(): Promise<void> {
    this.fulls++;
    const next = new Map<string, Conversation>();
    let cursor: Cursor | null = null;
    let after: string | null = null;
    for (let page = 0; page < 1000; page++) {
      const p: FullPage = await this.call('/conversation/get_full_conversations', { userID: this.userID, cursor: after, limit: 25 }, readFullPage);
      cursor ??= { versionID: p.versionID, version: p.version };
      for (const c of p.conversations) next.set(c.conversationID, c);
      if (p.nextCursor === null) break;
      after = p.nextCursor;
    }
    this.recs = next;
    this.cursor = cursor;
    await this.incremental(false); // catches what changed while paging
  }

  /** one incremental step; returns its mode */
  async incremental(viaBatch: boolean): Promise<'full' | 'incremental' | 'equal'> {
    const c = this.cursor ?? { versionID: '', version: 0 };
    const a = viaBatch
      ? await this.call('/conversation/get_incremental_conversations_batch', { targets: [{ userID: this.userID, ...c }] }, (d) =>
          readIncremental((d as { results: Record<string, unknown> }).results[this.userID]),
        )
      : await this.call('/conversation/get_incremental_conversations', { userID: this.userID, ...c }, readIncremental);
    if (a.full) {
      await this.full();
      return 'full';
    }
    if (a.versionID === c.versionID && a.version === c.version) return 'equal';
    for (const id of a.delete) this.recs.delete(id);
    for (const r of [...a.insert, ...a.update]) this.recs.set(r.conversationID, r);
    this.cursor = { versionID: a.versionID, version: a.version };
    return 'incremental';
  }
}

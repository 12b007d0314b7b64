/**
 * Full sync (SPEC §3.1, §5.2): page through the snapshot, stage each page beside the
 * live list, then swap it in with its cursor in one step. The list on screen is never
 * empty or half. An interrupted staging is resumed from its stored progress.
 */
import { ConvSyncError, readFullPage, type Cursor, type FullPage } from '../protocol/index.js';
import type { StagedFull } from '../storage/types.js';
import { yieldToLoop } from './clock.js';
import type { Replica } from './replica.js';
import type { Transport } from './transport.js';
import type { Progress } from './types.js';

export interface FullSyncDeps {
  replica: Replica;
  transport: Transport;
  /** the sync round the swap belongs to */
  round: number;
  pageSize: number;
  onProgress(p: Progress): void;
}

export const badAnswer = (msg: string): ConvSyncError => new ConvSyncError('BAD_ANSWER', msg);

/** Runs a full sync, resuming `resume` when given; at most 3 attempts when the log is reset meanwhile. */
export async function runFullSync(d: FullSyncDeps, resume: StagedFull | null): Promise<void> {
  const { replica } = d;
  const page = (next: string | null): Promise<FullPage> =>
    d.transport.post('get_full_conversations', { limit: d.pageSize, ...(next === null ? {} : { cursor: next }) }, readFullPage);
  for (let attempt = 0; attempt < 3; attempt++) {
    let count = 0;
    const stage = async (p: FullPage): Promise<void> => {
      await replica.stagePage(p.conversations, p.nextCursor);
      count += p.conversations.length;
      d.onProgress({ staged: count, done: false });
    };
    let first: Cursor;
    let next: string | null;
    const resumed = resume !== null;
    if (resume) {
      ({ cursor: first, nextCursor: next, staged: count } = resume);
      resume = null;
    } else {
      const p = await page(null);
      first = { versionID: p.versionID, version: p.version };
      await replica.beginFull(first);
      await stage(p);
      next = p.nextCursor;
    }
    let restart = false;
    for (let i = 0; next !== null; i++) {
      if (i > 1e6) throw badAnswer('the snapshot never ends');
      await yieldToLoop();
      const p = await page(next);
      // the log was reset while paging: this snapshot is mixed, start again
      restart = p.versionID !== first.versionID;
      if (restart) break;
      if (p.nextCursor === next) throw badAnswer('nextCursor does not advance');
      await stage(p);
      next = p.nextCursor;
    }
    if (restart) {
      await replica.abortFull();
      continue;
    }
    await replica.commitFull(d.round, resumed).catch(async (e: unknown) => {
      // another tab moved the cursor meanwhile: this snapshot is not needed any more
      if ((e as ConvSyncError).code === 'CONFLICT') await replica.abortFull().catch(() => {});
      throw e;
    });
    d.onProgress({ staged: count, done: true });
    return;
  }
  throw new ConvSyncError('SERVER', 'the server log keeps changing during a full sync');
}

/**
 * Full sync (SPEC §3.1, §5.2): page through the snapshot, stage each page beside the
 * live list, then swap it in with its cursor in one step. The list on screen is never
 * empty or half. An interrupted staging is resumed from its stored progress.
 */
import { ConvSyncError, type Cursor, type FullPage, type LocalConversation } from '../protocol/index.js';
import type { LocalDiff, StagedFull, StorageAdapter } from '../storage/types.js';
import { yieldToLoop } from './clock.js';
import type { DiffAcc } from './diff.js';
import type { Progress } from './types.js';

export interface FullSyncDeps {
  storage: StorageAdapter;
  /** The snapshot page after `next` (`null`: the first page). */
  page(next: string | null): Promise<FullPage>;
  /** Runs a storage step in the engine's write queue. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  onProgress(p: Progress): void;
  /** In the write queue, right after the swap; `resumed`: the diff misses the pages staged before a restart. */
  committed(cursor: Cursor, diff: LocalDiff, resumed: boolean): void;
  /** After a failed swap: re-read the stored cursor. */
  recheck(): Promise<void>;
}

export interface FullSync {
  run(resume: StagedFull | null, acc: DiffAcc): Promise<void>;
  /** A draft set while a snapshot is staged: the diff reports the record with it. */
  patchDraft(rec: LocalConversation): void;
}

export const badAnswer = (msg: string): ConvSyncError => new ConvSyncError('BAD_ANSWER', msg);

export function createFullSync(d: FullSyncDeps): FullSync {
  const st = d.storage;
  /** Records staged by the run in progress, by ID. */
  let staging: Map<string, LocalConversation> | null = null;

  async function run(resume: StagedFull | null, acc: DiffAcc): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const mine = (staging = new Map<string, LocalConversation>());
      const added: LocalConversation[] = [];
      const updated: LocalConversation[] = [];
      let count = 0;
      const stage = async (p: FullPage): Promise<void> => {
        const diff = await d.exclusive(() => st.stagePage(p.conversations, p.nextCursor));
        for (const r of diff.added) added.push(r), mine.set(r.conversationID, r);
        for (const r of diff.updated) updated.push(r), mine.set(r.conversationID, r);
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
        const p = await d.page(null);
        const f = (first = { versionID: p.versionID, version: p.version });
        await d.exclusive(() => st.beginFull(f));
        await stage(p);
        next = p.nextCursor;
      }
      let restart = false;
      for (let i = 0; next !== null && !restart; i++) {
        if (i > 1e6) throw badAnswer('the snapshot never ends');
        await yieldToLoop();
        const p = await d.page(next);
        // the log was reset while paging: this snapshot is mixed, start again
        restart = p.versionID !== first.versionID;
        if (restart) break;
        if (p.nextCursor === next) throw badAnswer('nextCursor does not advance');
        await stage(p);
        next = p.nextCursor;
      }
      if (restart) {
        await d.exclusive(() => st.abortFull());
        continue;
      }
      const f = first;
      await d.exclusive(async () => {
        let removed: string[];
        try {
          removed = await st.commitFull();
        } catch (e) {
          await d.recheck();
          throw e;
        }
        // drafts set while staging were patched into `mine`
        const pick = (r: LocalConversation): LocalConversation => mine.get(r.conversationID) ?? r;
        const diff: LocalDiff = { added: added.map(pick), updated: updated.map(pick), removed };
        staging = null;
        d.committed(f, diff, resumed);
        acc.add(diff);
      });
      d.onProgress({ staged: count, done: true });
      return;
    }
    throw new ConvSyncError('SERVER', 'the server log keeps changing during a full sync');
  }

  return {
    run,
    patchDraft(rec) {
      const s = staging?.get(rec.conversationID);
      if (s) staging!.set(rec.conversationID, { ...s, draftText: rec.draftText, draftTextTime: rec.draftTextTime });
    },
  };
}

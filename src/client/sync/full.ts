/**
 * Full sync (SPEC §3.1, §5.2): page through the snapshot, stage each page beside the
 * live list, then swap it in with its cursor in one step. The list on screen is never
 * empty or half. An interrupted staging is resumed from its stored progress.
 */
import { ConvSyncError, readFullPage, readSortedList, type Cursor, type FullPage, type LocalConversation } from '../../protocol/index.js';
import type { StagedFull, Totals } from '../../storage/types.js';
import { yieldToLoop } from '../kernel/clock.js';
import type { Replica } from '../kernel/replica.js';
import type { Transport } from '../remote/transport.js';
import type { Progress } from '../kernel/types.js';
import { stagedDiff, type StagedDiff } from './staged-diff.js';

export interface FullSyncDeps {
  replica: Replica;
  transport: Transport;
  /** the sync round the swap belongs to */
  round: number;
  pageSize: number;
  onProgress(p: Progress): void;
  /** rows of the server's first sorted page asked for on a cold device (0: none) */
  previewSize: number;
  /** the first page to show while the snapshot downloads; `null` once the list is in */
  onPreview(p: { rows: LocalConversation[]; totals: Totals } | null): void;
  /** someone reads the swap's diff (`changes$`): keep the staged pages' diff (asked when a full sync begins) */
  keepDiff(): boolean;
}

export const badAnswer = (msg: string): ConvSyncError => new ConvSyncError('BAD_ANSWER', msg);

/** `a` sorts after `b` by UTF-16 code units (JS, the reference server) or by code points (a database's byte order). */
function idAfter(a: string, b: string): boolean {
  if (a > b) return true;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x > y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return a.length > b.length && a.startsWith(b);
}

/**
 * Refuses a snapshot that would page forever or stage a record twice (SPEC §3.1: each page
 * holds the IDs after the cursor, ascending): IDs must ascend across pages, a cursor must
 * not come back, and only the last page may be empty.
 */
function snapshotGuard(): (p: FullPage) => void {
  const cursors = new Set<string>();
  let last: string | undefined;
  return (p) => {
    for (const c of p.conversations) {
      if (last !== undefined && !idAfter(c.conversationID, last)) throw badAnswer(`snapshot IDs do not ascend (${c.conversationID} after ${last})`);
      last = c.conversationID;
    }
    if (p.nextCursor === null) return;
    if (p.conversations.length === 0) throw badAnswer('an empty snapshot page that is not the last');
    if (cursors.has(p.nextCursor)) throw badAnswer('the snapshot cursor came back to an earlier page');
    cursors.add(p.nextCursor);
  };
}

/**
 * A cold device (nothing stored) asks for the server's first sorted page beside the
 * snapshot and shows it until the snapshot is swapped in (first paint in one request).
 */
function askPreview(d: FullSyncDeps, done: () => boolean): void {
  if (d.previewSize <= 0) return;
  d.transport
    .post('get_sorted_conversation_list', { pagination: { pageNumber: 1, showNumber: d.previewSize } }, readSortedList)
    .then((a) => {
      if (done()) return;
      const rows = a.conversationElems.map((c): LocalConversation => ({ ...c, draftText: '', draftTextTime: 0 }));
      d.onPreview({ rows, totals: { count: a.conversationTotal, unread: a.unreadTotal } });
    })
    .catch(() => {}); // only a preview: the snapshot is what counts
}

/** Runs a full sync, resuming `resume` when given; at most 3 attempts when the log is reset meanwhile. */
export async function runFullSync(d: FullSyncDeps, resume: StagedFull | null): Promise<void> {
  const { replica } = d;
  let swapped = false;
  if (resume === null && replica.cursor === null) askPreview(d, () => swapped);
  const page = (next: string | null): Promise<FullPage> =>
    d.transport.post('get_full_conversations', { limit: d.pageSize, ...(next === null ? {} : { cursor: next }) }, readFullPage);
  for (let attempt = 0; attempt < 3; attempt++) {
    const resumed = resume !== null;
    // a resumed staging keeps its diff: its first pages are missing from it anyway (the swap says reload)
    const diff = stagedDiff(resumed || d.keepDiff());
    const untouch = replica.onTouch(diff.touch);
    try {
      if (await attemptFull(d, page, resume, diff)) {
        swapped = true;
        return;
      }
    } finally {
      untouch();
    }
    resume = null;
  }
  throw new ConvSyncError('SERVER', 'the server log keeps changing during a full sync');
}

/** One pass over the snapshot; `false` when the log was reset meanwhile (staged pages dropped). */
async function attemptFull(d: FullSyncDeps, page: (next: string | null) => Promise<FullPage>, resume: StagedFull | null, diff: StagedDiff): Promise<boolean> {
  const { replica } = d;
  let count = 0;
  let total: number | undefined;
  const progress = (done: boolean): void => d.onProgress({ staged: count, ...(total === undefined ? {} : { total }), done });
  const check = snapshotGuard();
  const stage = async (p: FullPage): Promise<void> => {
    diff.page(await replica.stagePage(p.conversations, p.nextCursor));
    count += p.conversations.length;
    progress(false);
  };
  let first: Cursor;
  let next: string | null;
  const resumed = resume !== null;
  if (resume) {
    ({ cursor: first, nextCursor: next, staged: count } = resume);
  } else {
    const p = await page(null);
    total = p.total;
    first = { versionID: p.versionID, version: p.version };
    check(p);
    await replica.beginFull(first);
    await stage(p);
    next = p.nextCursor;
  }
  let restart = false;
  // the next page downloads while this one is written
  let ahead: Promise<FullPage> | null = next === null ? null : page(next);
  ahead?.catch(() => {}); // a failure surfaces when awaited
  for (let i = 0; next !== null; i++) {
    if (i > 1e6) throw badAnswer('the snapshot never ends');
    await yieldToLoop();
    const p = await ahead!;
    // the log was reset while paging: this snapshot is mixed, start again
    restart = p.versionID !== first.versionID;
    if (restart) break;
    if (p.nextCursor === next) throw badAnswer('nextCursor does not advance');
    check(p);
    ahead = p.nextCursor === null ? null : page(p.nextCursor);
    ahead?.catch(() => {}); // a failure surfaces when awaited
    await stage(p);
    next = p.nextCursor;
  }
  if (restart) {
    await replica.abortFull();
    return false;
  }
  await replica.commitFull(d.round, (removed, s) => diff.swap(removed, s, resumed)).catch(async (e: unknown) => {
    // another tab moved the cursor meanwhile: this snapshot is not needed any more
    if ((e as ConvSyncError).code === 'CONFLICT') await replica.abortFull().catch(() => {});
    throw e;
  });
  d.onPreview(null);
  progress(true);
  return true;
}

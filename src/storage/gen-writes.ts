/**
 * Writes of the generation store to the live list and the outbox, each one transaction.
 * Every diff is a diff of what the user sees (pending writes on top); a cursor that moves
 * drops the pending writes it now carries, in the same transaction, so nothing flickers.
 */
import type { Conversation, Cursor, LocalConversation } from '../protocol/index.js';
import { checkCursor, hook } from './common.js';
import type { DriverTx } from './driver.js';
import { pendingOf, type GenContext, type State } from './gen-state.js';
import { withDraft, withRead } from './merge.js';
import { byConversation, enqueueStep, overlay, satisfied, settleStep, viewDiff, type OutboxEntry } from './outbox.js';
import { planDelta } from './plan.js';
import { moved, noTotals } from './totals.js';
import type { LocalDiff, StorageAdapter, WriteOutcome } from './types.js';

const ofID = (entries: readonly OutboxEntry[], id: string): OutboxEntry[] => entries.filter((e) => e.conversationID === id);

export function genWrites(c: GenContext): Pick<StorageAdapter, 'applyDelta' | 'raiseRead' | 'setDraft' | 'enqueue' | 'outbox' | 'attempt' | 'settle'> {
  /**
   * Applies `change` to record `id` of the live list and, while a full sync is staged,
   * to its staged copy too, writing each copy `change` returns (`undefined`: no change).
   * Resolves with the live record before and after, or `undefined` when `id` is not live.
   */
  async function updateCopies(
    tx: DriverTx,
    st: State,
    id: string,
    change: (r: LocalConversation) => LocalConversation | undefined,
    hooked: boolean,
  ): Promise<[LocalConversation, LocalConversation | undefined] | undefined> {
    const gens = st.staging ? [st.active, st.staging.gen] : [st.active];
    const found = await Promise.all(gens.map(async (g) => (await tx.getRows(g, [id]))[0]));
    if (!found[0]) return undefined;
    const changed = found.map((r) => r && change(r));
    for (let i = 0; i < gens.length; i++) {
      const next = changed[i];
      if (!next) continue;
      if (hooked) hook(c.opts, id);
      await tx.putRows(gens[i]!, [next]);
      if (i === 0) st.totals = moved(st.totals ?? noTotals(), found[0], next);
      else if (st.staging?.totals) st.staging.totals = moved(st.staging.totals, found[1], next);
    }
    return [found[0], changed[0]];
  }

  /** Removes queued writes (and counts them off the state). */
  async function drop(tx: DriverTx, st: State, gone: readonly OutboxEntry[]): Promise<void> {
    if (gone.length === 0) return;
    await tx.deleteOutbox(gone.map((e) => e.mutationID));
    st.pending = Math.max(0, (st.pending ?? 0) - gone.length);
  }

  return {
    applyDelta: (upsert: Conversation[], remove: string[], cursor: Cursor, expected?: Cursor | null) =>
      c.run('rw', async (tx, st): Promise<LocalDiff> => {
        checkCursor(st.cursor, expected);
        const entries = await pendingOf(tx, st);
        const done = satisfied(entries, cursor, true);
        const g = st.active;
        const wanted = [...new Set([...upsert.map((x) => x.conversationID), ...remove, ...done.map((e) => e.conversationID)])];
        const stored = new Map<string, LocalConversation>();
        for (const r of await tx.getRows(g, wanted)) if (r) stored.set(r.conversationID, r);
        const { writes } = planDelta(stored, upsert, remove, (id) => hook(c.opts, id));
        const puts: LocalConversation[] = [];
        const dels: string[] = [];
        for (const [id, r] of writes) r ? puts.push(r) : dels.push(id);
        await tx.putRows(g, puts);
        await tx.deleteRows(g, dels);
        for (const [id, r] of writes) st.totals = moved(st.totals ?? noTotals(), stored.get(id), r ?? undefined);
        await drop(tx, st, done);
        st.cursor = cursor;
        await c.save(tx, st);
        const [before, after] = [byConversation(entries), byConversation(entries.filter((e) => !done.includes(e)))];
        const now = (id: string): LocalConversation | undefined => (writes.has(id) ? (writes.get(id) ?? undefined) : stored.get(id));
        return viewDiff(wanted, (id) => overlay(stored.get(id), before.get(id) ?? []), (id) => overlay(now(id), after.get(id) ?? []));
      }),

    raiseRead: (id, seq, cursor, expected) =>
      c.run('rw', async (tx, st) => {
        if (cursor) checkCursor(st.cursor, expected);
        const r = await updateCopies(tx, st, id, (rec) => withRead(rec, seq), true);
        if (r && cursor) st.cursor = cursor;
        if (r) await c.save(tx, st);
        return r && overlay(r[1] ?? r[0], ofID(await pendingOf(tx, st), id));
      }),

    setDraft: (id, text, time) =>
      c.run('rw', async (tx, st) => {
        const r = await updateCopies(tx, st, id, (rec) => withDraft(rec, text, time), false);
        return r?.[1] && overlay(r[1], ofID(await pendingOf(tx, st), id));
      }),

    enqueue: (w, mutationID, now) =>
      c.run('rw', async (tx, st) => {
        const [row] = await tx.getRows(st.active, [w.conversationID]);
        const step = enqueueStep(await pendingOf(tx, st), row, w, mutationID, st.outboxSeq ?? 0, now);
        if (!step) return null;
        hook(c.opts, w.conversationID);
        await tx.putOutbox([step.entry]);
        if (!step.merged) {
          st.outboxSeq = (st.outboxSeq ?? 0) + 1;
          st.pending = (st.pending ?? 0) + 1;
          await c.save(tx, st);
        }
        return { entry: step.entry, diff: step.diff };
      }),

    outbox: () => c.run('r', (tx, st) => pendingOf(tx, st)),

    attempt: (mutationID) =>
      c.run('rw', async (tx, st) => {
        const e = (await pendingOf(tx, st)).find((x) => x.mutationID === mutationID);
        if (!e) return undefined;
        const next = { ...e, attempts: e.attempts + 1 };
        hook(c.opts, e.conversationID);
        await tx.putOutbox([next]);
        return next;
      }),

    settle: (mutationID, outcome: WriteOutcome) =>
      c.run('rw', async (tx, st) => {
        const entries = await pendingOf(tx, st);
        const e = entries.find((x) => x.mutationID === mutationID);
        if (!e) return { entry: undefined, diff: { added: [], updated: [], removed: [] } };
        hook(c.opts, e.conversationID);
        const [row] = await tx.getRows(st.active, [e.conversationID]);
        const step = settleStep(entries, e, outcome, st.cursor, row);
        if (step.put) await tx.putOutbox([step.put]);
        if (step.remove) {
          await drop(tx, st, [step.remove]);
          await c.save(tx, st);
        }
        return { entry: e, diff: step.diff };
      }),
  };
}

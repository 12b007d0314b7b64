/**
 * A full sync in the generation store: a new generation filled page by page beside the
 * live one, swapped in by flipping the active generation and the cursor in one small
 * transaction; the old generation is then dropped with one key-range delete. The staging
 * belongs to the adapter instance that began it (or claimed it with `resumeFull`).
 */
import type { LocalConversation } from '../protocol/index.js';
import { CHUNK, checkSwap, hook, notComplete, notStaged, ownStaging } from './common.js';
import { dropPending, newGen, pendingOf, type GenContext } from './gen-state.js';
import { byConversation, overlay, satisfied, viewDiff } from './outbox.js';
import { planStage } from './plan.js';
import { noTotals, totalsOf } from './totals.js';
import type { StorageAdapter } from './types.js';

export function genStaging(c: GenContext): Pick<StorageAdapter, 'beginFull' | 'stagedFull' | 'resumeFull' | 'stagePage' | 'commitFull' | 'abortFull'> {
  /** IDs of generation `from` that generation `to` lacks, walked in chunks of keys. */
  async function missingIDs(from: number, to: number): Promise<string[]> {
    const missing: string[] = [];
    for (let after: string | null = null; ; ) {
      const a: string | null = after;
      const [keys, there] = await c.run('r', async (tx) => {
        const keys = await tx.ids(from, a, CHUNK);
        if (keys.length === 0) return [keys, new Set<string>()] as const;
        return [keys, new Set(await tx.idsBetween(to, keys[0]!, keys[keys.length - 1]!))] as const;
      });
      for (const id of keys) if (!there.has(id)) missing.push(id);
      if (keys.length < CHUNK) return missing;
      after = keys[keys.length - 1]!;
    }
  }

  return {
    beginFull: (cursor) =>
      c.run('rw', async (tx, st) => {
        if (st.staging) st.drop.push(st.staging.gen);
        await dropPending(tx, st);
        st.staging = { gen: await newGen(tx, st), cursor, nextCursor: null, staged: 0, owner: c.writer, base: st.cursor, totals: noTotals() };
        await c.save(tx, st);
      }),

    stagedFull: () =>
      c.run('r', async (_tx, st) => {
        const s = st.staging;
        return s && s.staged > 0 ? { cursor: s.cursor, nextCursor: s.nextCursor, staged: s.staged } : null;
      }),

    resumeFull: () =>
      c.run('rw', async (tx, st) => {
        const s = st.staging;
        if (!s || s.staged === 0) return null;
        s.owner = c.writer;
        s.base = st.cursor;
        await c.save(tx, st);
        return { cursor: s.cursor, nextCursor: s.nextCursor, staged: s.staged };
      }),

    stagePage: (records, nextCursor) =>
      c.run('rw', async (tx, st) => {
        const s = ownStaging(st.staging, c.writer);
        const live = new Map<string, LocalConversation>();
        if (records.length > 0) {
          // One range read of the live records between the page's lowest and highest ID:
          // snapshot pages come in ID order, so this is about the page's own records.
          let [lo, hi] = [records[0]!.conversationID, records[0]!.conversationID];
          for (const { conversationID: id } of records) [lo, hi] = [id < lo ? id : lo, id > hi ? id : hi];
          for (const r of await tx.rowsBetween(st.active, lo, hi)) live.set(r.conversationID, r);
        }
        const plan = planStage(live, records, (id) => hook(c.opts, id));
        await tx.putRows(s.gen, plan.rows);
        // (a staging begun by a version that kept no totals leaves them to be counted)
        const t = totalsOf(plan.rows);
        if (s.totals) s.totals = { count: s.totals.count + t.count, unread: s.totals.unread + t.unread };
        s.staged += records.length;
        s.nextCursor = nextCursor;
        await c.save(tx, st);
        const entries = await pendingOf(tx, st);
        if (entries.length === 0) return { added: plan.added, updated: plan.updated };
        // with pending writes: what the user will see after the swap, against what they see now
        const by = byConversation(entries);
        const staged = new Map(plan.rows.map((r) => [r.conversationID, r]));
        const d = viewDiff(staged.keys(), (id) => overlay(live.get(id), by.get(id) ?? []), (id) => overlay(staged.get(id), by.get(id) ?? []));
        return { added: d.added, updated: d.updated };
      }),

    async commitFull() {
      // The IDs that leave are found before the swap, outside its transaction: every
      // write goes through the engine's queue, so neither generation changes meanwhile.
      const before = await c.run('r', async (_tx, st) => st);
      const s0 = ownStaging(before.staging, c.writer);
      if (s0.nextCursor !== null) throw notComplete();
      const gone = await missingIDs(before.active, s0.gen);
      const removed = await c.run('rw', async (tx, st) => {
        const s = ownStaging(st.staging, c.writer);
        if (s.gen !== s0.gen || st.active !== before.active) throw notStaged();
        checkSwap(st.cursor, s);
        for (const id of gone) hook(c.opts, id);
        const entries = await pendingOf(tx, st);
        const by = byConversation(entries);
        // a conversation a pending delete hides is not on screen: its going is no change
        const hidden = new Set<string>();
        const ids = gone.filter((id) => by.has(id));
        (await tx.getRows(st.active, ids)).forEach((r, i) => !overlay(r, by.get(ids[i]!)!) && hidden.add(ids[i]!));
        const done = satisfied(entries, s.cursor, true);
        if (done.length > 0) {
          await tx.deleteOutbox(done.map((e) => e.mutationID));
          st.pending = Math.max(0, (st.pending ?? 0) - done.length);
        }
        st.drop.push(st.active);
        st.active = s.gen;
        st.cursor = s.cursor;
        if (s.totals) st.totals = s.totals;
        else delete st.totals; // staged by a version without totals: counted when asked
        st.staging = null;
        await c.save(tx, st);
        return gone.filter((id) => !hidden.has(id));
      });
      // The old generation goes after the flip, in its own transaction; if this fails,
      // `drop` keeps it listed and the next open or beginFull deletes it.
      await c
        .run('rw', async (tx, st) => {
          await dropPending(tx, st);
          await c.save(tx, st);
        })
        .catch(() => undefined);
      return removed;
    },

    abortFull: () =>
      c.run('rw', async (tx, st) => {
        if (!st.staging) return;
        ownStaging(st.staging, c.writer);
        st.drop.push(st.staging.gen);
        st.staging = null;
        await dropPending(tx, st);
        await c.save(tx, st);
      }),
  };
}

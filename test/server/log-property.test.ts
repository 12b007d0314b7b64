/**
 * Property tests of the version log through the store ports, against naive models, on
 * the memory store and on PostgreSQL: `changesSince` answers exactly like a naive log
 * (overflow included), and every sync answer applied to what a client saw gives the
 * server's state (or is full, and only when it must be).
 */
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogState, MemoryConversationStore, decide, type ConversationStore, type LogEntry, type LogStateValue } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { pgStore } from '../helpers/postgres.js';
import { NaiveLog, opArb, type Op } from './naive-log.js';

const strip = (es: LogEntry[]) => es.map(({ eID, state, version }) => ({ eID, state, version }));

/** Applies one random operation to the store (a fresh user per run). */
async function apply(store: ConversationStore, u: string, op: Op): Promise<void> {
  if (op.kind === 'write') {
    await store.commit(
      u,
      op.changes.map((c) => ({
        conversationID: `sg_${c.id}`,
        apply: () => (c.value === null ? undefined : makeConversation(`sg_${c.id}`, { ex: String(c.value), ownerUserID: u })),
      })),
    );
  } else if (op.kind === 'compact') await store.compact(u, op.keep);
  else await store.resetLog(u);
}

/** The same operation on the naive log, which also tracks the records (a write that changes nothing records nothing). */
function model(naive: NaiveLog, recs: Map<string, string>, op: Op): NaiveLog {
  if (op.kind === 'compact') naive.compact(op.keep);
  if (op.kind === 'reset') return new NaiveLog();
  if (op.kind !== 'write') return naive;
  const last = new Map(op.changes.map((c) => [`sg_${c.id}`, c.value === null ? null : String(c.value)]));
  const changes: Array<{ eID: string; state: LogStateValue }> = [];
  for (const [id, v] of last) {
    const old = recs.get(id);
    if (v === null && old !== undefined) changes.push({ eID: id, state: LogState.DELETE });
    else if (v !== null && old === undefined) changes.push({ eID: id, state: LogState.INSERT });
    else if (v !== null && old !== v) changes.push({ eID: id, state: LogState.UPDATE });
    if (v === null) recs.delete(id);
    else recs.set(id, v);
  }
  naive.incr(changes);
  return naive;
}

function properties(name: string, open: () => Promise<{ store: ConversationStore; close(): Promise<void> }>, runs: number, maxOps: number): void {
  describe(`the log through the ports of the ${name} store (property)`, () => {
    let store: ConversationStore;
    let close: () => Promise<void>;
    beforeAll(async () => ({ store, close } = await open()));
    afterAll(() => close());
    const user = () => `p_${randomBytes(5).toString('hex')}`;

    it('changesSince answers like a naive log, overflow included', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { maxLength: maxOps }), fc.nat(6), async (ops, limit) => {
          const u = user();
          let naive = new NaiveLog();
          const recs = new Map<string, string>();
          for (const op of ops) {
            await apply(store, u, op);
            naive = model(naive, recs, op);
            const head = await store.head(u);
            expect([head.version, head.deleted]).toEqual([naive.version, naive.deleted]);
            for (let v = 0; v <= naive.version + 1; v++) {
              const want = naive.since(v);
              const got = await store.changesSince(u, v, limit);
              expect(got.logLen).toBe(want.length);
              expect(strip(got.entries).sort((a, b) => a.version - b.version || (a.eID < b.eID ? -1 : 1))).toEqual(want.length > limit ? [] : want);
            }
          }
        }),
        { numRuns: runs },
      );
    }, 120_000);

    it('for every reachable cursor: old state + answer = server state, or the answer is full', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { maxLength: maxOps }), fc.integer({ min: 1, max: 6 }), async (ops, limit) => {
          const u = user();
          const seen = new Map<string, Map<string, string>>();
          const current = async () => new Map((await store.page(u, null, 1000)).items.map((c) => [c.conversationID, c.ex]));
          const remember = async () => {
            const h = await store.head(u);
            seen.set(`${h.id}:${h.version}`, await current());
          };
          await remember();
          for (const op of ops) {
            await apply(store, u, op);
            await remember();
            const head = await store.head(u);
            const now = await current();
            for (const [key, old] of seen) {
              const [versionID, v] = key.split(':') as [string, string];
              const d = await decide(store, u, { versionID, version: Number(v) }, limit);
              const a = d.answer;
              expect({ versionID: a.versionID, version: a.version }).toEqual({ versionID: head.id, version: head.version });
              if (a.full) {
                expect(a.delete.length + a.insert.length + a.update.length).toBe(0);
                // full only when it must be: another log identity, compacted past the client, or overflow
                if (versionID === head.id && Number(v) >= head.deleted) expect(d.reason).toBe('overflow');
                continue;
              }
              const next = new Map(old);
              for (const id of a.delete) next.delete(id);
              for (const c of [...a.insert, ...a.update]) next.set(c.conversationID, c.ex);
              expect(next).toEqual(now);
            }
          }
        }),
        { numRuns: runs },
      );
    }, 120_000);
  });
}

properties('memory', async () => ({ store: new MemoryConversationStore(), close: async () => {} }), 100, 30);
properties(
  'postgres',
  async () => {
    const store = await pgStore();
    return { store, close: () => store.close() };
  },
  40,
  25,
);

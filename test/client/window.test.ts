/**
 * `watchPage` windows (issue 12) against a fresh read of storage: random lists, random
 * commits (new, changed, moved, removed records, pins queued as local writes), windows
 * of random sizes that grow and shrink. After every step the window shows storage's first
 * rows and its totals.
 */
import fc from 'fast-check';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createReplica } from '../../src/client/kernel/replica.js';
import { createViews } from '../../src/client/views/views.js';
import type { PageView } from '../../src/client/views/window.js';
import type { Cursor } from '../../src/protocol/index.js';
import { memoryStorage } from '../../src/storage/memory.js';
import { makeConversation } from '../helpers/fixtures.js';
import { FakeClock } from './fakes.js';

const V = 'e'.repeat(24);
let db = 0;

type Step =
  | { t: 'upsert'; ids: number[]; time: number; pinned: boolean; seq: number }
  | { t: 'remove'; ids: number[] }
  | { t: 'pin'; id: number; on: boolean }
  | { t: 'limit'; n: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ t: fc.constant('upsert' as const), ids: fc.array(fc.nat(30), { minLength: 1, maxLength: 4 }), time: fc.nat(40), pinned: fc.boolean(), seq: fc.nat(5) }),
  fc.record({ t: fc.constant('remove' as const), ids: fc.array(fc.nat(30), { minLength: 1, maxLength: 3 }) }),
  fc.record({ t: fc.constant('pin' as const), id: fc.nat(30), on: fc.boolean() }),
  fc.record({ t: fc.constant('limit' as const), n: fc.integer({ min: 1, max: 12 }) }),
);

const id = (i: number): string => `sg_${String(i).padStart(2, '0')}`;
const key = (v: PageView): string => JSON.stringify([v.items.map((r) => [r.conversationID, r.isPinned, r.hasReadSeq]), v.total, v.unreadTotal]);

describe('watchPage', () => {
  it('shows storage’s first rows and totals after any sequence of commits, at any size', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(30), { maxLength: 25 }), fc.integer({ min: 1, max: 10 }), fc.array(stepArb, { maxLength: 14 }), async (init, limit0, steps) => {
        const storage = memoryStorage({ name: `window-${++db}` });
        await storage.open('u1');
        let version = 1;
        const next = (): Cursor => ({ versionID: V, version: ++version });
        await storage.applyDelta([...new Set(init)].map((i) => makeConversation(id(i), { latestMsgSendTime: i, maxSeq: i % 4 })), [], { versionID: V, version });
        const replica = createReplica(storage, new FakeClock(), { totals: () => true });
        await replica.init();
        const views = createViews((fn) => replica.settled(fn));
        replica.onCommit(views.fold);
        const page = views.watchPage({ limit: limit0 });
        let limit = limit0;
        const seen: PageView[] = [];
        const sub = page.subscribe((v) => seen.push(v));
        const check = async (what: string): Promise<void> => {
          const want = await replica.settled(async (s) => {
            const p = await s.getPage(limit);
            const t = await s.getTotals();
            return { items: p.items, total: t.count, unreadTotal: t.unread };
          });
          const got = await firstValueFrom(page.pipe(filter((v) => key(v) === key(want)), timeout({ first: 2000 }))).catch(() => seen.at(-1));
          expect(got && key(got), what).toBe(key(want));
        };
        await check('loaded');
        for (const [i, s] of steps.entries()) {
          if (s.t === 'upsert') {
            const recs = [...new Set(s.ids)].map((n) => makeConversation(id(n), { latestMsgSendTime: s.time, isPinned: s.pinned, maxSeq: s.seq + n }));
            await replica.apply(() => ({ upsert: recs, remove: [], next: next() }), 'incremental');
          } else if (s.t === 'remove') {
            await replica.apply(() => ({ upsert: [], remove: s.ids.map(id), next: next() }), 'incremental');
          } else if (s.t === 'pin') {
            await replica.enqueue({ kind: 'set', conversationID: id(s.id), settings: { isPinned: s.on } }, `m${i}`);
          } else {
            limit = s.n;
            page.setLimit(s.n);
          }
          await check(`after step ${i} ${JSON.stringify(s)}`);
        }
        sub.unsubscribe();
        await storage.destroy();
      }),
      { numRuns: 300, endOnFailure: true },
    );
  });
});

describe('watchPage over a preview', () => {
  it('a storage read that began before the preview (nothing stored) does not blank it; the first commit replaces it with storage', async () => {
    const storage = memoryStorage({ name: `window-${++db}` });
    await storage.open('u1');
    const replica = createReplica(storage, new FakeClock(), { totals: () => true });
    await replica.init();
    let release!: () => void;
    const gate = new Promise<void>((ok) => (release = ok));
    // the first read of the window is held until the preview has arrived
    const views = createViews((fn) => gate.then(() => replica.settled(fn)));
    replica.onCommit(views.fold);
    const seen: PageView[] = [];
    views.watchPage({ limit: 3 }).subscribe((v) => seen.push(v));
    const preview = [1, 2, 3, 4].map((i) => ({ ...makeConversation(id(i), { latestMsgSendTime: i }), draftText: '', draftTextTime: 0, unreadCount: 0 }));
    views.preview(preview, { count: 9, unread: 0 });
    release();
    await gate;
    await replica.settled(async () => {});
    await new Promise((ok) => setTimeout(ok, 0));
    expect(seen.map((v) => [v.items.map((r) => r.conversationID), v.total])).toEqual([[[id(4), id(3), id(2)], 9]]);
    // the snapshot lands: a small commit, not the preview's rows
    const stored = [5, 6].map((i) => makeConversation(id(i), { latestMsgSendTime: i }));
    await replica.apply(() => ({ upsert: stored, remove: [], next: { versionID: V, version: 2 } }), 'full');
    const last = await firstValueFrom(views.watchPage({ limit: 3 }).pipe(timeout({ first: 2000 })));
    expect(last.items.map((r) => r.conversationID)).toEqual([id(6), id(5)]);
    await new Promise((ok) => setTimeout(ok, 0));
    expect(seen.at(-1)?.items.map((r) => r.conversationID)).toEqual([id(6), id(5)]);
    expect(seen.at(-1)?.total).toBe(2);
  });
});

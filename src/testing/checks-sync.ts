/** Checks of the sync reads: the decision (SPEC §2.1), batch (§2.2), idHash (§2.3), paging and the sorted list (§3.1). */
import { compareConversations, idHash, readFullIDs, readFullPage, readIncremental, readSortedList } from '../protocol/index.js';
import { eq, has, ok } from './expect.js';
import type { Check } from './types.js';

const ids = (cs: Array<{ conversationID: string }>) => cs.map((c) => c.conversationID).sort();

export const syncChecks: Check[] = [
  {
    name: 'decision.invalid-cursor',
    title: 'an invalid cursor (empty, zeros, wrong length, uppercase, version ≤ 0) answers full with the current cursor and empty lists',
    async run(k) {
      const u = k.user();
      const head = await k.upsert(u, [k.record(u, 'sg_a')]);
      for (const [versionID, version] of [['', 1], ['0'.repeat(24), 1], ['a'.repeat(23), 1], ['A'.repeat(24), 1], [head.versionID, 0], [head.versionID, -1]] as const) {
        const a = await k.sync(u, { versionID, version });
        eq(a, { ...head, full: true, delete: [], insert: [], update: [] }, `cursor ${versionID || '""'}/${version}`);
      }
    },
  },
  {
    name: 'decision.equal',
    title: 'a client at the current version gets equal: not full, nothing to apply; a fresh user has a log at version 1',
    async run(k) {
      const u = k.user();
      const fresh = await k.head(u);
      eq(fresh.version, 1, 'version of a fresh log');
      ok(/^[0-9a-f]{24}$/.test(fresh.versionID) && fresh.versionID !== '0'.repeat(24), `versionID ${fresh.versionID} is 24 lowercase hex chars, not all zeros`);
      const head = await k.upsert(u, [k.record(u, 'sg_a')]);
      eq(head.version, 2, 'version after one write');
      eq(await k.sync(u, head), { ...head, full: false, delete: [], insert: [], update: [] }, 'answer at the head');
    },
  },
  {
    name: 'decision.incremental',
    title: 'changes since a version come as insert, update and delete, with fresh records, one version per write',
    async run(k) {
      const u = k.user();
      const h0 = await k.upsert(u, [k.record(u, 'sg_a'), k.record(u, 'sg_b'), k.record(u, 'sg_c')]);
      await k.upsert(u, [k.record(u, 'sg_a', { ex: 'A2' }), k.record(u, 'sg_d')]);
      await k.admin('/admin/delete', { userID: u, conversationIDs: ['sg_b'] });
      const h = await k.upsert(u, [k.record(u, 'sg_a', { ex: 'A3' })]);
      eq(h.version, h0.version + 3, 'versions: one per write');
      const a = await k.sync(u, h0);
      has(a, { versionID: h.versionID, version: h.version, full: false }, 'answer');
      eq(ids(a.insert), ['sg_d'], 'insert');
      eq(ids(a.update), ['sg_a'], 'update');
      eq(a.update[0]!.ex, 'A3', 'the updated record is the newest');
      eq([...a.delete].sort(), ['sg_b'], 'delete');
      const same = await k.upsert(u, [k.record(u, 'sg_a', { ex: 'A3' })]);
      eq(same, h, 'a write that changes nothing records no version');
    },
  },
  {
    name: 'decision.full-cases',
    title: 'full for another versionID, a client ahead of the server, and a window larger than syncLimit',
    async run(k) {
      const u = k.user();
      const h = await k.upsert(u, [k.record(u, 'sg_a')]);
      eq((await k.sync(u, { versionID: 'b'.repeat(24), version: h.version })).full, true, 'another versionID');
      eq((await k.sync(u, { ...h, version: h.version + 1 })).full, true, 'client ahead');
      const many = Array.from({ length: k.syncLimit + 1 }, (_, i) => k.record(u, `sg_m${i}`));
      await k.upsert(u, many);
      const over = await k.sync(u, h);
      eq([over.full, over.insert.length], [true, 0], `${k.syncLimit + 1} changes past syncLimit ${k.syncLimit}: full, lists empty`);
      const h2 = await k.upsert(u, many.slice(0, k.syncLimit).map((c) => ({ ...c, ex: 'x' })));
      const at = await k.sync(u, { ...h2, version: h2.version - 1 });
      eq([at.full, at.update.length], [false, k.syncLimit], `exactly syncLimit changes: incremental`);
    },
  },
  {
    name: 'decision.compacted',
    title: 'after /admin/compact a client older than the watermark gets full, one at the watermark incremental',
    async run(k) {
      const u = k.user();
      const v1 = await k.head(u);
      await k.upsert(u, [k.record(u, 'sg_a')]);
      const v3 = await k.upsert(u, [k.record(u, 'sg_b')]);
      await k.upsert(u, [k.record(u, 'sg_c')]);
      const c = await k.admin('/admin/compact', { userID: u, keepVersion: v3.version });
      has(c, { deleted: v3.version }, '/admin/compact answer');
      eq((await k.sync(u, v1)).full, true, 'older than the watermark');
      const at = await k.sync(u, v3);
      eq([at.full, ids(at.insert)], [false, ['sg_c']], 'at the watermark');
    },
  },
  {
    name: 'decision.reset',
    title: 'after /admin/reset_log the log has a new versionID at version 1; old cursors get full, records stay',
    async run(k) {
      const u = k.user();
      const h = await k.upsert(u, [k.record(u, 'sg_a')]);
      const r = await k.admin('/admin/reset_log', { userID: u });
      ok(r.versionID !== h.versionID, 'a new versionID');
      eq(r.version, 1, 'version of the new log');
      const a = await k.sync(u, h);
      has(a, { full: true, versionID: r.versionID, version: 1 }, 'old cursor');
      const page = readFullPage(await k.call(u, '/conversation/get_full_conversations', {}));
      eq(ids(page.conversations), ['sg_a'], 'records after a reset');
    },
  },
  {
    name: 'paging.full',
    title: 'get_full_conversations pages ascending by ID after the cursor, total on the first page, nextCursor null at the end',
    async run(k) {
      const u = k.user();
      const all = Array.from({ length: 25 }, (_, i) => `sg_${String(i).padStart(2, '0')}`);
      const h = await k.upsert(u, [...all].reverse().map((id) => k.record(u, id)));
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 5; page++) {
        const p = readFullPage(await k.call(u, '/conversation/get_full_conversations', { limit: 10, ...(cursor ? { cursor } : {}) }));
        if (page === 0) has(p, { versionID: h.versionID, version: h.version, total: 25 }, 'first page');
        else eq(p.total, undefined, `total on page ${page + 1}`);
        seen.push(...p.conversations.map((c) => c.conversationID));
        cursor = p.nextCursor;
        if (cursor === null) break;
      }
      eq(seen, all, 'IDs over all pages');
      eq(readFullPage(await k.call(u, '/conversation/get_full_conversations', { limit: 25 })).nextCursor, null, 'nextCursor of an exact page');
      const empty = readFullPage(await k.call(k.user(), '/conversation/get_full_conversations', {}));
      has(empty, { conversations: [], nextCursor: null, total: 0 }, 'a user without records');
    },
  },
  {
    name: 'ids.idHash',
    title: 'get_full_conversation_ids leaves the IDs out when the FNV-1a idHash is equal',
    async run(k) {
      const u = k.user();
      await k.upsert(u, [k.record(u, 'sg_b'), k.record(u, 'sg_a')]);
      has(readFullIDs(await k.call(u, '/conversation/get_full_conversation_ids', {})), { equal: false, conversationIDs: ['sg_a', 'sg_b'] }, 'without idHash');
      has(readFullIDs(await k.call(u, '/conversation/get_full_conversation_ids', { idHash: idHash(['sg_a', 'sg_b']) })), { equal: true, conversationIDs: [] }, 'same idHash');
      has(readFullIDs(await k.call(u, '/conversation/get_full_conversation_ids', { idHash: idHash(['sg_a']) })), { equal: false, conversationIDs: ['sg_a', 'sg_b'] }, 'other idHash');
    },
  },
  {
    name: 'batch',
    title: 'the batch endpoint answers every target as the single one would; another user’s target is 1002',
    async run(k) {
      const u = k.user();
      const h = await k.upsert(u, [k.record(u, 'sg_a')]);
      await k.upsert(u, [k.record(u, 'sg_b')]);
      const token = await k.token(u);
      const d = await k.call(u, '/conversation/get_incremental_conversations_batch', { targets: [{ userID: u, ...h }] });
      const a = readIncremental(d.results?.[u]);
      eq([a.full, ids(a.insert)], [false, ['sg_b']], 'batch answer');
      await k.refused('/conversation/get_incremental_conversations_batch', { targets: [{ userID: k.user(), versionID: '', version: 0 }] }, token, 1002, 403, 'another user');
    },
  },
  {
    name: 'sorted',
    title: 'get_sorted_conversation_list: pinned first, newest next, ties by ID; unread counts and totals (muted left out)',
    async run(k) {
      const u = k.user();
      const recs = [
        k.record(u, 'sg_a', { latestMsgSendTime: 100, maxSeq: 5, hasReadSeq: 2 }),
        k.record(u, 'sg_b', { latestMsgSendTime: 100, maxSeq: 1 }),
        k.record(u, 'sg_c', { latestMsgSendTime: 300, recvMsgOpt: 1, maxSeq: 9 }),
        k.record(u, 'sg_p', { latestMsgSendTime: 1, isPinned: true }),
        k.record(u, 'sg_z', { latestMsgSendTime: 200, hasReadSeq: 7, maxSeq: 3 }),
      ];
      await k.upsert(u, recs);
      const page = (n: number) => k.call(u, '/conversation/get_sorted_conversation_list', { pagination: { pageNumber: n, showNumber: 3 } }).then(readSortedList);
      const [p1, p2] = [await page(1), await page(2)];
      const order = [...recs].sort(compareConversations).map((c) => c.conversationID);
      eq([...p1.conversationElems, ...p2.conversationElems].map((c) => c.conversationID), order, 'order');
      has(p1, { conversationTotal: 5, unreadTotal: 4 }, 'totals');
      eq(p2.conversationElems.map((c) => c.unreadCount), [1, 3], 'unreadCount');
      eq((await page(9)).conversationElems, [], 'a page past the end');
    },
  },
];

import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryConversationStore, decide, decideBatch, type Decision } from '../../src/server/index.js';
import type { Conversation } from '../../src/protocol/index.js';
import { makeConversation } from '../helpers/fixtures.js';

let store: MemoryConversationStore;
const U = 'u1';

/** the change a commit made, `null` when none */
const put = (...cs: Conversation[]) => store.commit(U, cs.map((c) => ({ conversationID: c.conversationID, apply: () => c }))).then((r) => r.change);
const del = (...ids: string[]) => store.commit(U, ids.map((id) => ({ conversationID: id, apply: () => undefined }))).then((r) => r.change);
const head = () => store.head(U);
const ask = (versionID: string, version: number, limit = 200, user = U): Promise<Decision> => decide(store, user, { versionID, version }, limit);

beforeEach(() => {
  store = new MemoryConversationStore();
});

describe('decision (SPEC §2.1)', () => {
  it.each([
    ['empty versionID', '', 1],
    ['all zeros', '0'.repeat(24), 1],
    ['23 chars', 'a'.repeat(23), 1],
    ['25 chars', 'a'.repeat(25), 1],
    ['uppercase hex', 'A'.repeat(24), 1],
    ['not hex', 'g'.repeat(24), 1],
    ['version 0', 'CURRENT', 0],
    ['negative version', 'CURRENT', -3],
  ])('invalid cursor (%s) → full with the current cursor and empty lists', async (_n, id, version) => {
    await put(makeConversation('sg_a'));
    const h = await head();
    const d = await ask(id === 'CURRENT' ? h.id : id, version);
    expect(d.mode).toBe('full');
    expect(d.reason).toBe('invalid-cursor');
    expect(d.answer).toEqual({ versionID: h.id, version: h.version, full: true, delete: [], insert: [], update: [] });
  });

  it('another log id → full', async () => {
    await put(makeConversation('sg_a'));
    const d = await ask('b'.repeat(24), 2);
    expect(d).toMatchObject({ mode: 'full', reason: 'id-mismatch' });
  });

  it('same version → equal, nothing sent, no log read', async () => {
    await put(makeConversation('sg_a'));
    const h = await head();
    let reads = 0;
    const orig = store.changesSince.bind(store);
    store.changesSince = (...a) => {
      reads++;
      return orig(...a);
    };
    const d = await ask(h.id, h.version);
    expect(d.mode).toBe('equal');
    expect(d.answer).toEqual({ versionID: h.id, version: h.version, full: false, delete: [], insert: [], update: [] });
    expect(reads).toBe(0);
  });

  it('a fresh target has a log at version 1; a client at it is equal', async () => {
    const h = await head();
    expect(h.version).toBe(1);
    expect((await ask(h.id, 1)).mode).toBe('equal');
  });

  it('incremental with a mix of insert, update and delete; records read fresh', async () => {
    await put(makeConversation('sg_a'), makeConversation('sg_b'), makeConversation('sg_c'));
    const h0 = await head();
    await put(makeConversation('sg_a', { showName: 'A2' })); // update
    await del('sg_b'); // delete
    await put(makeConversation('sg_d')); // insert
    await put(makeConversation('sg_e')); // insert then delete → delete
    await del('sg_e');
    await put(makeConversation('sg_c', { ex: 'x' })); // update…
    await put(makeConversation('sg_c', { ex: 'y' })); // …the newest record is sent
    const d = await ask(h0.id, h0.version);
    const h = await head();
    expect(d.mode).toBe('incremental');
    expect(d.answer.full).toBe(false);
    expect(d.answer.version).toBe(h.version);
    expect(d.answer.insert.map((c) => c.conversationID)).toEqual(['sg_d']);
    expect(d.answer.update.map((c) => [c.conversationID, c.showName, c.ex])).toEqual([
      ['sg_a', 'A2', ''],
      ['sg_c', 'name sg_c', 'y'],
    ]);
    expect(d.answer.delete.sort()).toEqual(['sg_b', 'sg_e']);
  });

  it('a write that changes nothing records nothing', async () => {
    await put(makeConversation('sg_a'));
    const h = await head();
    expect(await put(makeConversation('sg_a'))).toBeNull();
    expect(await del('sg_zz')).toBeNull();
    expect(await head()).toEqual(h);
  });

  it('exactly syncLimit changes → incremental; one more → full (overflow)', async () => {
    const h0 = await head();
    for (let i = 0; i < 5; i++) await put(makeConversation(`sg_${i}`));
    const d5 = await ask(h0.id, h0.version, 5);
    expect(d5.mode).toBe('incremental');
    expect(d5.answer.insert).toHaveLength(5);
    await put(makeConversation('sg_5'));
    const d6 = await ask(h0.id, h0.version, 5);
    expect(d6).toMatchObject({ mode: 'full', reason: 'overflow' });
    expect(d6.answer.insert).toEqual([]);
    // many changes to the same record count once
    const h1 = await head();
    for (let i = 0; i < 20; i++) await put(makeConversation('sg_0', { ex: String(i) }));
    expect((await ask(h1.id, h1.version, 1)).mode).toBe('incremental');
  });

  it('one batch of many IDs is one version', async () => {
    const h0 = await head();
    await put(...Array.from({ length: 50 }, (_, i) => makeConversation(`sg_${i}`)));
    expect((await head()).version).toBe(h0.version + 1);
  });

  it('client ahead of the server (server restored from an older backup) → full', async () => {
    await put(makeConversation('sg_a'));
    const h = await head();
    expect(await ask(h.id, h.version + 1)).toMatchObject({ mode: 'full', reason: 'client-ahead' });
  });

  it('older than the compaction watermark → full; at the watermark → incremental', async () => {
    const h1 = await head(); // 1
    await put(makeConversation('sg_a')); // 2
    await put(makeConversation('sg_b')); // 3
    await put(makeConversation('sg_c')); // 4
    await store.compact(U, 3);
    expect((await head()).deleted).toBe(3);
    // OpenIM answers these with an empty non-full result and loses sg_a/sg_b; ours says full
    expect(await ask(h1.id, 1)).toMatchObject({ mode: 'full', reason: 'compacted' });
    expect(await ask(h1.id, 2)).toMatchObject({ mode: 'full', reason: 'compacted' });
    const at = await ask(h1.id, 3);
    expect(at.mode).toBe('incremental');
    expect(at.answer.insert.map((c) => c.conversationID)).toEqual(['sg_c']);
    expect((await ask(h1.id, 4)).mode).toBe('equal');
  });

  it('reset → new id; old cursors get full; the new log starts at 1', async () => {
    await put(makeConversation('sg_a'));
    const old = await head();
    const fresh = await store.resetLog(U);
    expect(fresh.id).not.toBe(old.id);
    expect(fresh).toEqual({ id: fresh.id, version: 1, deleted: 0 });
    expect(await ask(old.id, old.version)).toMatchObject({ mode: 'full', reason: 'id-mismatch' });
    expect(await store.get(U, ['sg_a'])).toHaveLength(1); // records stay
    expect((await ask(fresh.id, 1)).mode).toBe('equal');
  });

  it('re-checks the head after the log read (reset in between → full)', async () => {
    await put(makeConversation('sg_a'));
    const h = await head();
    await put(makeConversation('sg_b'));
    const orig = store.changesSince.bind(store);
    store.changesSince = async (u, v, l) => {
      await store.resetLog(u);
      return orig(u, v, l);
    };
    expect(await ask(h.id, h.version)).toMatchObject({ mode: 'full', reason: 'id-mismatch' });
  });

  it('a logged record missing from the store is reported deleted', async () => {
    const h = await head();
    await put(makeConversation('sg_a'));
    const orig = store.get.bind(store);
    store.get = async () => [];
    const d = await ask(h.id, h.version);
    store.get = orig;
    expect(d.answer.delete).toEqual(['sg_a']);
    expect(d.answer.insert).toEqual([]);
  });
});

describe('decision batch (SPEC §2.2)', () => {
  it('one head lookup for all, log reads only where needed, one answer per target', async () => {
    const users = ['a', 'b', 'c', 'd'];
    const cursors = new Map<string, { versionID: string; version: number }>();
    for (const u of users) {
      await store.commit(u, [{ conversationID: 'sg_x', apply: () => makeConversation('sg_x', { ownerUserID: u }) }]);
      const h = await store.head(u);
      cursors.set(u, { versionID: h.id, version: h.version });
    }
    await store.commit('b', [{ conversationID: 'sg_y', apply: () => makeConversation('sg_y', { ownerUserID: 'b' }) }]);
    await store.compact('d', 99);
    await store.commit('d', [{ conversationID: 'sg_y', apply: () => makeConversation('sg_y', { ownerUserID: 'd' }) }]);
    let headCalls = 0;
    const readFor: string[] = [];
    const heads = store.heads.bind(store);
    const changes = store.changesSince.bind(store);
    store.heads = (ids) => {
      headCalls++;
      return heads(ids);
    };
    store.changesSince = (u, v, l) => {
      readFor.push(u);
      return changes(u, v, l);
    };
    const out = await decideBatch(
      store,
      [
        { userID: 'a', ...cursors.get('a')! }, // equal
        { userID: 'b', ...cursors.get('b')! }, // incremental
        { userID: 'c', versionID: '', version: 0 }, // invalid → full
        { userID: 'd', versionID: cursors.get('d')!.versionID, version: 1 }, // behind the watermark → full
        { userID: 'e', versionID: 'f'.repeat(24), version: 3 }, // unknown target → id mismatch → full
      ],
      200,
    );
    expect(headCalls).toBe(1);
    expect(readFor).toEqual(['b']);
    expect(Object.fromEntries([...out].map(([u, d]) => [u, d.mode]))).toEqual({ a: 'equal', b: 'incremental', c: 'full', d: 'full', e: 'full' });
    expect(out.get('b')!.answer.insert.map((c) => c.conversationID)).toEqual(['sg_y']);
  });
});

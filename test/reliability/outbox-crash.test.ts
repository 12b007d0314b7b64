/**
 * Crash consistency of the outbox path (issue 11), every adapter: for each step that
 * writes the outbox (queue, count a send, accept, refuse, retry, a cursor that drops
 * accepted writes, a full sync that does), a run fails at each of its writes in turn.
 * After a reopen (a reload) the outbox and what the user sees are exactly as before the
 * step; the same step without a failure gives exactly the state after it.
 */
import 'fake-indexeddb/auto';
import { IDBKeyRange as FakeKeyRange, indexedDB as fakeIndexedDB } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cursor } from '../../src/protocol/index.js';
import { dexieStorage, idbStorage, memoryStorage, type StorageAdapter, type StorageOptions } from '../../src/storage/index.js';
import { makeConversation } from '../helpers/fixtures.js';

const adapters: Array<[string, (o: StorageOptions) => StorageAdapter]> = [
  ['memory', (o) => memoryStorage(o)],
  ['idb', (o) => idbStorage(o)],
  ['dexie', (o) => dexieStorage({ ...o, indexedDB: fakeIndexedDB, IDBKeyRange: FakeKeyRange })],
];
const C = (version: number, versionID = 'a'.repeat(24)): Cursor => ({ versionID, version });
const T = 1_700_000_000_000;
const rec = (id: string, over = {}) => makeConversation(id, { latestMsgSendTime: T + id.charCodeAt(3), maxSeq: 3, ...over });

/** A list of three with queued writes of every kind; `p2` accepted at version 3. */
async function seed(a: StorageAdapter): Promise<void> {
  await a.applyDelta([rec('sg_a'), rec('sg_b'), rec('sg_c')], [], C(1));
  await a.enqueue({ kind: 'set', conversationID: 'sg_a', settings: { isPinned: true } }, 'p1', T);
  await a.enqueue({ kind: 'read', conversationID: 'sg_b' }, 'p2', T);
  await a.enqueue({ kind: 'delete', conversationID: 'sg_c' }, 'p3', T);
  await a.attempt('p2');
  await a.settle('p2', { ack: C(3) });
}

const steps: Array<[string, (a: StorageAdapter) => Promise<unknown>]> = [
  ['queue a write', (a) => a.enqueue({ kind: 'set', conversationID: 'sg_b', settings: { ex: 'new' } }, 'p4', T)],
  ['merge into a queued write', (a) => a.enqueue({ kind: 'set', conversationID: 'sg_a', settings: { ex: 'merged' } }, 'p5', T)],
  ['count a send', (a) => a.attempt('p1')],
  ['accept', (a) => a.settle('p1', { ack: C(4) })],
  ['refuse (roll back)', (a) => a.settle('p1', { refused: { code: 'SERVER', message: 'no' } })],
  ['retry later', (a) => a.settle('p3', { retry: { code: 'NETWORK', message: 'down' } })],
  ['a sync reaches an accepted version', (a) => a.applyDelta([rec('sg_b', { hasReadSeq: 3 }), rec('sg_d')], ['sg_c'], C(3))],
  [
    'a full sync onto another log',
    async (a) => {
      await a.beginFull(C(2, 'b'.repeat(24)));
      await a.stagePage([rec('sg_a'), rec('sg_b', { hasReadSeq: 3 })], null);
      return a.commitFull();
    },
  ],
];

describe.each(adapters)('a crash at every write of the outbox path (%s)', (_kind, make) => {
  let n = 0;
  const names: string[] = [];
  afterEach(async () => {
    for (const name of names.splice(0)) await make({ name }).destroy('u1');
  });

  /** A seeded database; `fail(k)` arms a failure at the k-th write from then on. */
  async function fresh(): Promise<{ a: StorageAdapter; name: string; fail(k: number | null): void; writes(): number }> {
    const name = `outbox-crash-${++n}-${Date.now()}`;
    names.push(name);
    let count = 0;
    let at: number | null = null;
    const a = make({ name, beforeWrite: () => {
      if (at !== null && ++count === at) throw new Error('crash');
    } });
    await a.open('u1');
    await seed(a);
    return { a, name, fail: (k) => ((count = 0), (at = k)), writes: () => count };
  }

  async function snapshot(name: string) {
    const b = make({ name });
    await b.open('u1');
    const s = { cursor: await b.getCursor(), outbox: await b.outbox(), list: await b.getAll(), ids: (await b.allIDs()).sort() };
    await b.close();
    return s;
  }

  it.each(steps)('%s', async (_name, step) => {
    // a clean run: how many writes the step makes, and the state after it
    const clean = await fresh();
    const before = await snapshot(clean.name);
    clean.fail(Infinity);
    await step(clean.a);
    const writes = clean.writes();
    await clean.a.close();
    const after = await snapshot(clean.name);
    expect(writes, 'the step writes something').toBeGreaterThan(0);
    expect(after).not.toEqual(before);
    for (let k = 1; k <= writes; k++) {
      const run = await fresh();
      run.fail(k);
      await expect(step(run.a), `a failure at write ${k} of ${writes}`).rejects.toMatchObject({ code: 'STORAGE' });
      await run.a.close();
      expect(await snapshot(run.name), `after a failure at write ${k} of ${writes}`).toEqual(before);
    }
  });
});

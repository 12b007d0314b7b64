/**
 * The adapters under the storage contract (SPEC §5.2, src/storage/types.ts) and what every
 * contract file shares: the adapter list, cursors and records, and the per-test harness.
 * memory, idb and dexie (the last two on fake-indexeddb, one fresh database name per test).
 * idb reads the globals installed by `fake-indexeddb/auto`; dexie is handed the factory
 * explicitly (its injection path).
 */
import 'fake-indexeddb/auto';
import { IDBKeyRange as FakeKeyRange, indexedDB as fakeIndexedDB } from 'fake-indexeddb';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { ConvSyncError, type Conversation, type Cursor, type LocalConversation } from '../../src/protocol/index.js';
import { dexieStorage, idbStorage, memoryStorage, type StorageAdapter, type StorageOptions } from '../../src/storage/index.js';

export const idbEnv = { indexedDB: fakeIndexedDB, IDBKeyRange: FakeKeyRange };

export type MakeAdapter = (o: StorageOptions) => StorageAdapter;

export const adapters: Array<[string, MakeAdapter]> = [
  ['memory', (o) => memoryStorage(o)],
  ['idb', (o) => idbStorage(o)],
  ['dexie', (o) => dexieStorage({ ...o, ...idbEnv })],
  // The app's own Dexie instance: convsync's tables are added to the app's schema.
  ['dexie (app db)', (o) => dexieStorage({ ...o, db: appDexie(o.name ?? 'app') })],
];

export function appDexie(name: string): Dexie {
  const db = new Dexie(name, idbEnv);
  db.version(3).stores({ messages: '++id, conversationID' });
  return db;
}

export const C1: Cursor = { versionID: 'a'.repeat(24), version: 1 };
export const C2: Cursor = { versionID: 'a'.repeat(24), version: 2 };
export const C3: Cursor = { versionID: 'b'.repeat(24), version: 7 };
export const T = 1_700_000_000_000;

let seq = 0;

export function ids(list: Array<{ conversationID: string }>): string[] {
  return list.map((c) => c.conversationID);
}

/** The records as the contract promises them back: drafts empty, unread computed. */
export function local(c: Conversation, over: Partial<LocalConversation> = {}): LocalConversation {
  const r: LocalConversation = { ...c, draftText: '', draftTextTime: 0, unreadCount: 0, ...over };
  r.unreadCount = Math.max(0, r.maxSeq - r.hasReadSeq);
  return r;
}

/** What one test of the contract holds; reset before every test. */
export interface ContractState {
  /** this test's database name */
  name: string;
  /** every adapter the test opened, closed after it */
  open: StorageAdapter[];
  /** record writes seen by `beforeWrite` (reset by `failOnWrite`) */
  writes: number;
  /** Fault injection: `failAt = k` throws on the k-th record write from now on. */
  failAt: number | null;
}

/** One adapter's run of the contract, handed to the body of `describeContract`. */
export interface ContractRun {
  kind: string;
  make: MakeAdapter;
  state: ContractState;
  openAdapter(): Promise<StorageAdapter>;
  failOnWrite(k: number): void;
  expectInjected(p: Promise<unknown>): Promise<void>;
  /** Seeds a live list and a cursor through the public calls. */
  seeded(list: Conversation[], cursor?: Cursor): Promise<StorageAdapter>;
}

/** `describe('storage contract: <adapter>')` for every adapter, with a fresh database per test. */
export function describeContract(body: (run: ContractRun) => void): void {
  describe.each(adapters)('storage contract: %s', (kind, make) => {
    const state: ContractState = { name: '', open: [], writes: 0, failAt: null };
    const boom = new Error('injected');

    const opts = (): StorageOptions => ({
      name: state.name,
      beforeWrite: () => {
        state.writes++;
        if (state.failAt !== null && state.writes === state.failAt) throw boom;
      },
    });

    async function openAdapter(): Promise<StorageAdapter> {
      const a = make(opts());
      await a.open('u1');
      state.open.push(a);
      return a;
    }

    function failOnWrite(k: number): void {
      state.writes = 0;
      state.failAt = k;
    }

    async function expectInjected(p: Promise<unknown>): Promise<void> {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConvSyncError);
      expect((err as ConvSyncError).code).toBe('STORAGE');
      expect((err as ConvSyncError).cause).toBe(boom);
      state.failAt = null;
    }

    async function seeded(list: Conversation[], cursor: Cursor = C1): Promise<StorageAdapter> {
      const a = await openAdapter();
      await a.applyDelta(list, [], cursor);
      return a;
    }

    beforeEach(() => {
      state.name = `convsync-test-${kind}-${++seq}-${Date.now()}`;
      state.open = [];
      state.writes = 0;
      state.failAt = null;
    });

    afterEach(async () => {
      state.failAt = null;
      for (const a of state.open) await a.close().catch(() => undefined);
      const a = make({ name: state.name });
      await a.open('u1');
      await a.destroy();
    });

    body({ kind, make, state, openAdapter, failOnWrite, expectInjected, seeded });
  });
}

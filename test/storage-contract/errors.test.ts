/** Storage errors: DOMException mapping, no indexedDB, a connection closed under idb, a blocked delete. */
import 'fake-indexeddb/auto';
import { forceCloseDatabase, indexedDB as fakeIndexedDB } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { ConvSyncError } from '../../src/protocol/index.js';
import { dexieStorage, idbStorage } from '../../src/storage/index.js';
import { toStorageError } from '../../src/storage/errors.js';
import { makeConversation } from '../helpers/fixtures.js';
import { C1, C2 } from './adapters.js';

/** Runs `fn` with `globalThis[key]` replaced (or removed, for `undefined`), then restores it. */
async function withGlobal(key: string, value: unknown, fn: () => Promise<void>): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  const saved = Object.getOwnPropertyDescriptor(g, key);
  if (value === undefined) delete g[key];
  else Object.defineProperty(g, key, { value, configurable: true, writable: true });
  try {
    await fn();
  } finally {
    if (saved) Object.defineProperty(g, key, saved);
    else delete g[key];
  }
}

describe('storage errors', () => {
  it('maps DOMException names to codes', () => {
    const quota = new DOMException('full', 'QuotaExceededError');
    expect(toStorageError(quota)).toMatchObject({ code: 'QUOTA', cause: quota });
    expect(toStorageError(new DOMException('x', 'UnknownError'))).toMatchObject({ code: 'STORAGE' });
    const own = new ConvSyncError('DB_BLOCKED', 'b');
    expect(toStorageError(own)).toBe(own);
    expect(toStorageError(new Error('plain'))).toBeInstanceOf(ConvSyncError);
  });

  it.each([
    ['idb', () => idbStorage()],
    ['dexie', () => dexieStorage()],
  ])('%s: no indexedDB at all is NO_INDEXEDDB (read at open, not at import)', async (_k, make) => {
    await withGlobal('indexedDB', undefined, async () => {
      const a = make();
      await expect(a.open('u1')).rejects.toMatchObject({ code: 'NO_INDEXEDDB' });
    });
  });

  it('idb: a connection closed under the adapter is reopened once', async () => {
    const conns: IDBDatabase[] = [];
    const spy = {
      open(n: string, v?: number) {
        const req = fakeIndexedDB.open(n, v);
        req.addEventListener('success', () => conns.push(req.result));
        return req;
      },
      deleteDatabase: (n: string) => fakeIndexedDB.deleteDatabase(n),
      cmp: (x: unknown, y: unknown) => fakeIndexedDB.cmp(x, y),
      databases: () => fakeIndexedDB.databases(),
    } as unknown as IDBFactory;
    const name = `convsync-test-reopen-${Date.now()}`;
    const a = idbStorage({ name });
    await withGlobal('indexedDB', spy, async () => {
    await a.open('u1');
    await a.applyDelta([makeConversation('sg_1')], [], C1);
    expect(conns.length).toBe(1);
    forceCloseDatabase(conns[0]! as never); // as when the browser drops the connection
    expect(await a.allIDs()).toEqual(['sg_1']);
    conns[1]!.close(); // closed without an event: the transaction() call throws InvalidStateError
    await a.applyDelta([makeConversation('sg_2')], [], C2);
    expect((await a.allIDs()).sort()).toEqual(['sg_1', 'sg_2']);
    expect(conns.length).toBe(3);
    });
    await a.destroy();
  });

  it('idb: a delete blocked by another open connection is DB_BLOCKED', async () => {
    const name = `convsync-test-blocked-${Date.now()}`;
    const a = idbStorage({ name });
    await a.open('u1');
    // Another tab holds the database open and ignores versionchange.
    const other = await new Promise<IDBDatabase>((res, rej) => {
      const req = fakeIndexedDB.open(name);
      req.onsuccess = () => res(req.result);
      req.onerror = () => rej(req.error);
    });
    await expect(a.destroy()).rejects.toMatchObject({ code: 'DB_BLOCKED' });
    other.close();
  });
});

/** IndexedDB / Dexie failures as `ConvSyncError`s (SPEC §5.2, issue 3). */
import { ConvSyncError } from '../protocol/index.js';
import type { StorageAdapter } from './types.js';

function nameOf(e: unknown): string {
  const n = (e as { name?: unknown } | null)?.name;
  return typeof n === 'string' ? n : '';
}

/**
 * Maps a failure to a code: `QuotaExceededError` → `QUOTA`, Dexie's `MissingAPIError`
 * → `NO_INDEXEDDB`, anything else → `STORAGE` (the original is the `cause`).
 * A `ConvSyncError` passes through unchanged.
 */
export function toStorageError(e: unknown, what = 'storage operation failed'): ConvSyncError {
  if (e instanceof ConvSyncError) return e;
  const inner = (e as { inner?: unknown } | null)?.inner; // Dexie wraps the DOMException
  const n = nameOf(e);
  if (n === 'QuotaExceededError' || nameOf(inner) === 'QuotaExceededError' || n === 'NS_ERROR_DOM_QUOTA_REACHED') {
    return new ConvSyncError('QUOTA', 'storage quota exceeded', { cause: e });
  }
  if (n === 'MissingAPIError') return noIndexedDB(e);
  const msg = e instanceof Error && e.message ? `${what}: ${e.message}` : what;
  return new ConvSyncError('STORAGE', msg, { cause: e });
}

/** True for the errors of a connection that was closed under us (worth one reopen). */
export function isClosedError(e: unknown): boolean {
  const n = nameOf(e);
  return n === 'InvalidStateError' || n === 'DatabaseClosedError';
}

export function noIndexedDB(cause?: unknown): ConvSyncError {
  return new ConvSyncError('NO_INDEXEDDB', 'IndexedDB is not available here (use memoryStorage(), or pass indexedDB)', cause === undefined ? {} : { cause });
}

export function dbDeleted(name: string): ConvSyncError {
  return new ConvSyncError('DB_DELETED', `database ${name} was deleted by another connection (a logout in another tab?)`);
}

export function dbUpgraded(name: string, version: number): ConvSyncError {
  return new ConvSyncError('DB_UPGRADED', `database ${name} was upgraded to version ${version} by another connection (a newer app in another tab?): reload`);
}

export function dbBlocked(name: string): ConvSyncError {
  return new ConvSyncError('DB_BLOCKED', `database ${name} is held open by another connection (another tab?)`);
}

/** The adapter with every failure typed: a plain throw from any method becomes `STORAGE`. */
export function typedStorage(s: StorageAdapter): StorageAdapter {
  return new Proxy(s, {
    get(target, key) {
      const v: unknown = Reflect.get(target, key);
      if (typeof v !== 'function') return v;
      return (...a: unknown[]) =>
        Promise.resolve()
          .then(() => (v as (...a: unknown[]) => unknown).apply(target, a))
          .catch((e: unknown) => Promise.reject(toStorageError(e)));
    },
  });
}

/** The storage layer (SPEC §5.2): one interface, three adapters in separate modules. */
export type { LocalDiff, Page, PageCursor, StagedFull, StorageAdapter, StorageOptions } from './types.js';
export { memoryStorage } from './memory.js';
export { idbStorage } from './idb.js';
export { dexieStorage, type DexieInstance, type DexieStorageOptions } from './dexie.js';

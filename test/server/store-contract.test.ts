/** The store contract (store-contract.ts) against the memory store and PostgreSQL. */
import { MemoryConversationStore } from '../../src/server/index.js';
import { pgStore } from '../helpers/postgres.js';
import { storeContract } from './store-contract.js';

storeContract('memory', async () => ({ store: new MemoryConversationStore(), close: async () => {} }));

storeContract('postgres', async () => {
  const store = await pgStore();
  return { store, close: () => store.close() };
});

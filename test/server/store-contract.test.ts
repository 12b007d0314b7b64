/** The store contracts (store-contract.ts, store-contract-once.ts) against the memory store and PostgreSQL. */
import { MemoryConversationStore } from '../../src/server/index.js';
import { pgStore } from '../helpers/postgres.js';
import { storeContract, type StoreFactory } from './store-contract.js';
import { storeContractOnce } from './store-contract-once.js';

const memory: StoreFactory = async () => ({ store: new MemoryConversationStore(), close: async () => {} });
const postgres: StoreFactory = async () => {
  const store = await pgStore();
  return { store, close: () => store.close() };
};

for (const [name, factory] of [['memory', memory], ['postgres', postgres]] as const) {
  storeContract(name, factory);
  storeContractOnce(name, factory);
}

/** The stores a server test runs on (`describe.each(STORES)`): memory, and a fresh PostgreSQL database per server. */
import type { CreateServerOptions } from '../../src/server/index.js';
import { freshDatabase } from './postgres.js';
import type { TestServer } from './server.js';

/** `[name, store option or undefined for memory]` */
export const STORES = [
  ['memory', async (): Promise<string | undefined> => undefined],
  ['postgres', (): Promise<string | undefined> => freshDatabase('srv')],
] as const;

/** Starts a server with `start` on the store `storeOf` gives. */
export async function startOnStore(
  start: (o?: CreateServerOptions) => Promise<TestServer>,
  storeOf: () => Promise<string | undefined>,
  o: CreateServerOptions = {},
): Promise<TestServer> {
  const store = await storeOf();
  return start({ ...(store ? { store } : {}), ...o });
}

/** A seeded server per test (u1's conversations and a chat with u2), stopped after it with its clients; and a client's stored list and cursor. */
import type { LocalConversation } from '../../src/protocol/index.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { stopAfterEach, type Client } from './harness.js';

/** Stops every server and client pushed after each test; `server(count)` starts one seeded with `count` conversations. */
export function seededServers(): { servers: TestServer[]; clients: Client[]; server: (count?: number) => Promise<TestServer> } {
  const { servers, clients } = stopAfterEach();

  async function server(count = 12): Promise<TestServer> {
    const s = await startServer();
    servers.push(s);
    await s.admin('/admin/seed', { userID: 'u1', count, peers: ['u2'] });
    return s;
  }

  return { servers, clients, server };
}

export async function snapshot(c: Client): Promise<{ list: LocalConversation[]; cursor: unknown }> {
  return { list: (await c.storage.getAll()).map((x) => ({ ...x })), cursor: await c.storage.getCursor() };
}

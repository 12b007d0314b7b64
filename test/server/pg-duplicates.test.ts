/**
 * PostgreSQL, issue 18 item 4: the same write sent concurrently through two server
 * instances on one database never answers 500; every copy gets the first answer, and the
 * write is applied once. Both identities: a legacy mutationID and a client + number.
 */
import { describe, expect, it } from 'vitest';
import type { MutationEvent } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { freshDatabase } from '../helpers/postgres.js';
import { serversClosedAfterEach, type TestServer } from '../helpers/server.js';

const start = serversClosedAfterEach();
const SET = '/conversation/set_conversations';
/** rounds of concurrent copies: bounded in count (each round is a handful of requests) */
const ROUNDS = 40;
const COPIES = 3;

/** Two instances on one fresh database; `events` records the mutation hook of both. */
async function twoInstances(events: MutationEvent[]): Promise<[TestServer, TestServer]> {
  const url = await freshDatabase('dup');
  const onMutation = (e: MutationEvent) => events.push(e);
  return [await start({ store: url, onMutation }), await start({ store: url, onMutation })];
}

/** Sends `body` COPIES times through each instance at once; every answer, in order. */
async function sendCopies(a: TestServer, b: TestServer, body: object): Promise<Array<{ errCode: number; data?: unknown }>> {
  const token = a.token('u1');
  const sends = Array.from({ length: COPIES * 2 }, (_, i) => (i % 2 ? a : b).post(SET, { userID: 'u1', ...body }, token).then((r) => r.body));
  return Promise.all(sends);
}

describe('concurrent duplicates through two PostgreSQL instances', () => {
  it.each([
    ['a legacy mutationID', (i: number) => ({ mutationID: `dup-${i}` })],
    ['a client and a number', (i: number) => ({ clientID: 'device-1', mutationNumber: i + 1 })],
  ])('%s: every copy answers the first answer, applied once', async (_name, identity) => {
    const events: MutationEvent[] = [];
    const [a, b] = await twoInstances(events);
    await a.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
    const h0 = await a.server.state.store.head('u1');
    for (let i = 0; i < ROUNDS; i++) {
      const answers = await sendCopies(a, b, { ...identity(i), conversation: { conversationID: 'sg_a', ex: `round-${i}` } });
      for (const x of answers) expect(x).toEqual({ errCode: 0, errMsg: '', errDlt: '', data: { versionID: h0.id, version: h0.version + 1 + i } });
    }
    expect((await a.server.state.store.head('u1')).version).toBe(h0.version + ROUNDS);
    // each round: one copy applied, the others answered as repeats
    expect(events.filter((e) => !e.repeat)).toHaveLength(ROUNDS);
    expect(events.filter((e) => e.repeat)).toHaveLength(ROUNDS * (COPIES * 2 - 1));
  }, 120_000);
});

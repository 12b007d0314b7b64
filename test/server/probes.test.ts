/**
 * `/healthz`, `/readyz` and the 503 of a store that cannot reach its database, over a store
 * that says so itself (`StoreUnavailableError`): the path a custom store takes. The real
 * database crash is in pg-outage.test.ts.
 */
import { expect, it } from 'vitest';
import { MemoryConversationStore, StoreUnavailableError } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { serversClosedAfterEach } from '../helpers/server.js';

/** A memory store whose database can be "taken away". */
class FlakyStore extends MemoryConversationStore {
  away = false;
  async ready(): Promise<void> {
    if (this.away) throw new StoreUnavailableError('the test took the database away');
  }
  override async head(userID: string) {
    if (this.away) throw new StoreUnavailableError('the test took the database away');
    return super.head(userID);
  }
}

const start = serversClosedAfterEach();
let store: FlakyStore;

it('/healthz is 200 always; /readyz and the API answer 503 with Retry-After while the store is away, and serve again after', async () => {
  store = new FlakyStore();
  const s = await start({ store, admin: true });
  await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a')] });
  const get = async (path: string) => {
    const r = await fetch(s.server.url + path);
    return { status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() };
  };
  const sync = () => s.post('/conversation/get_incremental_conversations', { userID: 'u1', versionID: '', version: 0 }, s.token('u1'));

  expect(await get('/healthz')).toEqual({ status: 200, retryAfter: null, body: { status: 'ok' } });
  expect(await get('/readyz')).toEqual({ status: 200, retryAfter: null, body: { status: 'ok' } });
  expect((await sync()).body.errCode).toBe(0);

  store.away = true;
  expect((await get('/healthz')).status).toBe(200);
  expect(await get('/readyz')).toEqual({ status: 503, retryAfter: '1', body: { status: 'unavailable', error: 'the test took the database away' } });
  const r = await sync();
  expect([r.status, r.body.errCode, r.headers.get('retry-after')]).toEqual([503, 503, '1']);
  expect(r.body.errMsg).toMatch(/cannot reach its database/);

  store.away = false;
  expect((await get('/readyz')).status).toBe(200);
  expect((await sync()).body.errCode).toBe(0);
});

it('a store without a readiness check is always ready; an ordinary error stays a 500 without Retry-After', async () => {
  const s = await start({ store: new (class extends MemoryConversationStore {
    override async head(): Promise<never> {
      throw new Error('a bug');
    }
  })() });
  expect((await fetch(s.server.url + '/readyz')).status).toBe(200);
  const r = await s.post('/conversation/get_incremental_conversations', { userID: 'u1', versionID: '', version: 0 }, s.token('u1'));
  expect([r.status, r.body.errCode, r.headers.get('retry-after')]).toEqual([500, 500, null]);
});

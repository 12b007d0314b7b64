/**
 * get_full_conversation_ids answers the version of the IDs it lists: a commit that lands
 * between reading the log head and reading the IDs must not pair an older version with
 * newer IDs (a client at that older version would see a mismatch that is not there and
 * run a full sync for nothing).
 */
import { describe, expect, it } from 'vitest';
import { idHash } from '../../src/protocol/index.js';
import { createServer, MemoryConversationStore } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { wrap } from '../helpers/server.js';

/** A memory store whose next `n` ID reads each let a commit (a new record) in first. */
function racingStore(n: number): { store: MemoryConversationStore; arm: () => void; commits: () => number } {
  const store = new MemoryConversationStore();
  let left = 0;
  let made = 0;
  const ids = store.ids.bind(store);
  store.ids = async (userID: string) => {
    if (left > 0) {
      left--;
      made++;
      await store.commit(userID, [{ conversationID: `sg_new${made}`, apply: () => makeConversation(`sg_new${made}`) }]);
    }
    return ids(userID);
  };
  return { store, arm: () => void (left = n), commits: () => made };
}

describe('get_full_conversation_ids under concurrent commits', () => {
  it.each([1, 3])('the version answered is the version of the IDs (%i commits racing)', async (n) => {
    const r = racingStore(n);
    const s = wrap(await createServer({ host: '127.0.0.1', port: 0, admin: true, store: r.store }));
    try {
      await s.admin('/admin/upsert', { userID: 'u1', conversations: [makeConversation('sg_a'), makeConversation('sg_b')] });
      const before = await r.store.head('u1');
      const beforeIDs = await r.store.ids('u1');
      r.arm();
      const a = await s.call('u1', '/conversation/get_full_conversation_ids', { userID: 'u1', idHash: idHash(beforeIDs) });
      expect(r.commits()).toBe(n);
      const now = await r.store.head('u1');
      // the commits happened; the answer is their version with their IDs (not the old version with new IDs)
      expect(now.version).toBe(before.version + n);
      expect({ version: a.version, equal: a.equal, ids: a.conversationIDs }).toEqual({ version: now.version, equal: false, ids: await r.store.ids('u1') });
    } finally {
      await s.close();
    }
  });
});

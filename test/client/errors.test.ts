/** Bad arguments are typed errors, and `isConvSyncError` tells them apart. */
import { describe, expect, it } from 'vitest';
import { ConvSyncError, createConversationSync, isConvSyncError, memoryStorage } from '../../src/index.js';

const client = () => createConversationSync({ userID: 'u1', apiURL: 'http://127.0.0.1:9', token: 't', storage: memoryStorage({ name: `errors-${Math.random()}` }), tabs: false });

/** What `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('typed errors', () => {
  it('watchPage and setLimit with a bad limit throw ConvSyncError INVALID_ARGUMENT, not a bare RangeError', () => {
    const sync = client();
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      const e = thrown(() => sync.watchPage({ limit }));
      expect(e).toBeInstanceOf(ConvSyncError);
      expect(e).toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    const w = sync.watchPage({ limit: 5 });
    expect(thrown(() => w.setLimit(0))).toMatchObject({ name: 'ConvSyncError', code: 'INVALID_ARGUMENT' });
  });

  it('getPage with a bad limit rejects with the same error', async () => {
    await expect(client().getPage({ limit: 0 })).rejects.toMatchObject({ name: 'ConvSyncError', code: 'INVALID_ARGUMENT' });
  });

  it('isConvSyncError: a ConvSyncError, also of another copy of the package; nothing else', () => {
    expect(isConvSyncError(new ConvSyncError('NETWORK', 'down'))).toBe(true);
    const otherCopy = Object.assign(new Error('down'), { name: 'ConvSyncError', code: 'NETWORK' });
    expect(isConvSyncError(otherCopy)).toBe(true);
    for (const x of [new RangeError('limit'), new Error('x'), { name: 'ConvSyncError', code: 'NETWORK' }, null, undefined, 'ConvSyncError']) expect(isConvSyncError(x)).toBe(false);
  });
});

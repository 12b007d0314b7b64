/** dexie on the app's own Dexie instance: shared between users beside the app's tables; refused when opened without convsync's tables. */
import { describe, expect, it } from 'vitest';
import { dexieStorage } from '../../src/storage/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { appDexie, C1, C2, C3 } from './adapters.js';

describe('dexie with the app\'s own instance', () => {
  it('shares the instance between users and leaves the app\'s tables alone', async () => {
    const name = `convsync-test-app-${Date.now()}`;
    const db = appDexie(name);
    const u1 = dexieStorage({ db });
    const u2 = dexieStorage({ db });
    await u1.open('u1');
    await u2.open('u2');
    await db.table('messages').add({ conversationID: 'sg_1', text: 'app data' });
    await u1.applyDelta([makeConversation('sg_1')], [], C1);
    await u2.applyDelta([makeConversation('sg_2'), makeConversation('sg_3')], [], C2);
    await u2.beginFull(C3);
    await u2.stagePage([makeConversation('sg_3')], null);
    expect(await u2.commitFull()).toEqual(['sg_2']);
    expect(await u1.allIDs()).toEqual(['sg_1']);
    expect(await u2.allIDs()).toEqual(['sg_3']);
    await u1.destroy();
    expect(db.isOpen()).toBe(true);
    expect(await u2.allIDs()).toEqual(['sg_3']);
    expect(await db.table('messages').count()).toBe(1);
    await u2.close();
    expect(db.isOpen()).toBe(true);
    await db.delete();
  });

  it('refuses an instance opened without convsync\'s tables', async () => {
    const db = appDexie(`convsync-test-app-open-${Date.now()}`);
    await db.open();
    const a = dexieStorage({ db });
    await expect(a.open('u1')).rejects.toMatchObject({ code: 'STORAGE' });
    await db.delete();
  });
});

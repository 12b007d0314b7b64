/** What the server-rendering tests of every binding share: a never-started client whose every property read is recorded. */
import { firstValueFrom } from 'rxjs';
import { expect } from 'vitest';
import { createConversationSync, memoryStorage, type ConversationSync } from '../../src/index.js';

/** The client behind a Proxy that records every property read. */
export function watched(sync: ConversationSync): { sync: ConversationSync; reads: PropertyKey[] } {
  const reads: PropertyKey[] = [];
  const proxy = new Proxy(sync, {
    get(target, key, receiver) {
      reads.push(key);
      return Reflect.get(target, key, receiver);
    },
  });
  return { sync: proxy, reads };
}

/** A client for `userID` that is never started (its API address refuses connections). */
export const neverStarted = (userID: string): ConversationSync =>
  createConversationSync({ userID, apiURL: 'http://127.0.0.1:9', token: 'never-used', storage: memoryStorage({ name: `ssr-${userID}` }) });

/** Not started by rendering: still stopped, never synced, no request sent. */
export async function expectUntouched(real: ConversationSync): Promise<void> {
  expect((await firstValueFrom(real.status$)).state).toBe('stopped');
  expect(real.cursor()).toBeNull();
  expect(real.metrics().requests).toBe(0);
  await expect(real.get('si_alice_bob')).rejects.toMatchObject({ code: 'STOPPED' });
}

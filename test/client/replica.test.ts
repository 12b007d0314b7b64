/** The replica's full-sync commit: the staged diff is kept only while someone reads it. */
import { describe, expect, it } from 'vitest';
import type { Commit } from '../../src/client/kernel/commit.js';
import { createReplica } from '../../src/client/kernel/replica.js';
import { memoryStorage } from '../../src/storage/memory.js';
import { makeConversation } from '../helpers/fixtures.js';
import { FakeClock } from './fakes.js';

const V = 'f'.repeat(24);
let db = 0;

async function fullSync(readDiff: boolean): Promise<{ commit: Commit; list: string[] }> {
  const storage = memoryStorage({ name: `replica-${++db}` });
  await storage.open('u1');
  await storage.applyDelta([makeConversation('sg_old')], [], { versionID: V, version: 1 });
  const replica = createReplica(storage, new FakeClock(), { diff: () => readDiff });
  await replica.init();
  const commits: Commit[] = [];
  replica.onCommit((c) => commits.push(c));
  await replica.beginFull({ versionID: V, version: 5 });
  await replica.stagePage([makeConversation('sg_a'), makeConversation('sg_b')], 'p2');
  await replica.stagePage([makeConversation('sg_c')], null);
  await replica.commitFull(replica.beginRound(), false);
  expect(commits).toHaveLength(1);
  return { commit: commits[0]!, list: (await storage.allIDs()).sort() };
}

describe('a full sync swap', () => {
  it('reports the true diff when someone reads it', async () => {
    const { commit, list } = await fullSync(true);
    expect(list).toEqual(['sg_a', 'sg_b', 'sg_c']);
    expect(commit.reload).toBeUndefined();
    expect(commit.diff.added.map((r) => r.conversationID).sort()).toEqual(['sg_a', 'sg_b', 'sg_c']);
    expect(commit.diff.removed).toEqual(['sg_old']);
  });

  it('keeps no staged records when nobody reads the diff: the swap says reload, with the IDs that left', async () => {
    const { commit, list } = await fullSync(false);
    expect(list).toEqual(['sg_a', 'sg_b', 'sg_c']);
    expect(commit.reload).toBe(true);
    expect(commit.diff.added).toEqual([]);
    expect(commit.diff.updated).toEqual([]);
    expect(commit.diff.removed).toEqual(['sg_old']);
  });
});

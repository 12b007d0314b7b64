/** The full-sync swap through the replica: the staged diff (sync/staged-diff.ts) is kept only while someone reads it. */
import { describe, expect, it } from 'vitest';
import type { Commit } from '../../src/client/kernel/commit.js';
import { createReplica } from '../../src/client/kernel/replica.js';
import { stagedDiff } from '../../src/client/sync/staged-diff.js';
import type { Cursor } from '../../src/protocol/index.js';
import { memoryStorage } from '../../src/storage/memory.js';
import { makeConversation } from '../helpers/fixtures.js';
import { FakeClock } from './fakes.js';

const V = 'f'.repeat(24);
let db = 0;

type Written = Exclude<Commit, { kind: 'round-end' }>;

async function fullSync(readDiff: boolean): Promise<{ commit: Written; list: string[]; cursor: Cursor }> {
  const storage = memoryStorage({ name: `replica-${++db}` });
  await storage.open('u1');
  await storage.applyDelta([makeConversation('sg_old')], [], { versionID: V, version: 1 });
  const replica = createReplica(storage, new FakeClock());
  await replica.init();
  const commits: Commit[] = [];
  replica.onCommit((c) => commits.push(c));
  const diff = stagedDiff(readDiff);
  replica.onTouch(diff.touch);
  await replica.beginFull({ versionID: V, version: 5 });
  diff.page(await replica.stagePage([makeConversation('sg_a'), makeConversation('sg_b')], 'p2'));
  diff.page(await replica.stagePage([makeConversation('sg_c')], null));
  const cursor = await replica.commitFull(1, (removed, s) => diff.swap(removed, s, false));
  expect(commits).toHaveLength(1);
  const commit = commits[0]!;
  if (commit.kind === 'round-end') throw new Error('a swap is a write');
  return { commit, list: (await storage.allIDs()).sort(), cursor };
}

describe('a full sync swap', () => {
  it('reports the true diff when someone reads it', async () => {
    const { commit, list } = await fullSync(true);
    expect(list).toEqual(['sg_a', 'sg_b', 'sg_c']);
    expect(commit.kind).toBe('change');
    expect(commit.diff.added.map((r) => r.conversationID).sort()).toEqual(['sg_a', 'sg_b', 'sg_c']);
    expect(commit.diff.removed).toEqual(['sg_old']);
  });

  it('keeps no staged records when nobody reads the diff: the swap says reload, with the IDs that left', async () => {
    const { commit, list } = await fullSync(false);
    expect(list).toEqual(['sg_a', 'sg_b', 'sg_c']);
    expect(commit.kind).toBe('reload');
    expect(commit.diff.added).toEqual([]);
    expect(commit.diff.updated).toEqual([]);
    expect(commit.diff.removed).toEqual(['sg_old']);
  });

  it('resolves with the cursor it wrote, the one the replica mirrors', async () => {
    const { commit, cursor } = await fullSync(true);
    expect(cursor).toEqual({ versionID: V, version: 5 });
    expect(commit.mode).toBe('full');
  });
});

import { describe, expect, it } from 'vitest';
import { chainFrames } from '../../src/client/sync/pushed.js';
import type { ChangedFrame, Conversation } from '../../src/protocol/index.js';
import { makeConversation } from '../helpers/fixtures.js';

const V = 'd'.repeat(24);
const at = (version: number) => ({ versionID: V, version });
const frame = (version: number, delta?: { insert?: Conversation[]; update?: Conversation[]; delete?: string[] }, versionID = V): ChangedFrame => ({
  type: 'conversation.changed',
  userID: 'u1',
  conversationIDs: [],
  versionID,
  version,
  ...(delta ? { delta: { insert: [], update: [], delete: [], ...delta } } : {}),
});

describe('chainFrames', () => {
  it('chains consecutive versions in version order, skipping duplicates and old frames', () => {
    const a = makeConversation('sg_a', { maxSeq: 7 });
    const c = chainFrames([frame(7, { update: [{ ...a, maxSeq: 5, ex: 'later' }] }), frame(4), frame(6, { insert: [a] }), frame(6, { insert: [a] })], at(5), false);
    expect(c.next).toEqual(at(7));
    expect(c.applied).toBe(2);
    expect(c.gap).toBe(false);
    expect(c.upsert).toEqual([{ ...a, maxSeq: 7, ex: 'later' }]);
  });

  it('a delete drops an earlier upsert of the same ID', () => {
    const c = chainFrames([frame(6, { insert: [makeConversation('sg_x')] }), frame(7, { delete: ['sg_x'] })], at(5), false);
    expect(c.upsert).toEqual([]);
    expect(c.remove).toEqual(['sg_x']);
  });

  it.each([
    ['a version gap', [frame(7, { insert: [] })]],
    ['another log', [frame(6, { insert: [] }, 'e'.repeat(24))]],
    ['a frame without delta', [frame(6)]],
  ])('stops at %s and asks for a sync', (_name, frames) => {
    const c = chainFrames(frames, at(5), false);
    expect(c).toMatchObject({ next: null, applied: 0, gap: true });
  });

  it('keeps what chained before the stop', () => {
    const c = chainFrames([frame(6, { delete: ['sg_a'] }), frame(7, { insert: [makeConversation('sg_a')] })], at(5), false);
    expect(c).toMatchObject({ next: at(6), applied: 1, gap: true, remove: ['sg_a'] });
  });

  it('applies nothing while a sync runs, and nothing without a local cursor', () => {
    expect(chainFrames([frame(6, { insert: [] })], at(5), true)).toMatchObject({ next: null, gap: true });
    expect(chainFrames([frame(6, { insert: [] })], null, false)).toMatchObject({ next: null, gap: true });
    expect(chainFrames([frame(5, { insert: [] })], at(5), true)).toMatchObject({ next: null, gap: false });
  });
});

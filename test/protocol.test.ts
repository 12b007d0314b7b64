import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compareConversations,
  ConvSyncError,
  idHash,
  isValidCursor,
  readFullPage,
  readIncremental,
  readServerFrame,
  totalUnreadOf,
} from '../src/protocol/index.js';
import { makeConversation } from './helpers/fixtures.js';

/** Straightforward BigInt FNV-1a 64 as the reference for the two-halves version. */
function fnvReference(ids: string[]): string {
  if (ids.length === 0) return '0000000000000000';
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode([...ids].sort().join('\n'))) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

describe('idHash', () => {
  it('matches known FNV-1a 64 vectors', () => {
    expect(idHash([])).toBe('0000000000000000');
    expect(idHash(['a'])).toBe('af63dc4c8601ec8c');
    expect(idHash(['foobar'])).toBe('85944171f73967e8');
  });
  it('sorts the IDs first and equals the BigInt reference', () => {
    expect(idHash(['b', 'a'])).toBe(idHash(['a', 'b']));
    fc.assert(fc.property(fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 20 }), (ids) => idHash(ids) === fnvReference(ids)));
  });
});

describe('order', () => {
  it('puts pinned first, newest next, ties broken by ID descending', () => {
    const a = makeConversation('a', { latestMsgSendTime: 5 });
    const b = makeConversation('b', { latestMsgSendTime: 5 });
    const c = makeConversation('c', { latestMsgSendTime: 9 });
    const p = makeConversation('p', { latestMsgSendTime: 1, isPinned: true });
    const d = { ...makeConversation('d', { latestMsgSendTime: 1 }), draftTextTime: 10 };
    expect([a, b, c, p, d].sort(compareConversations).map((x) => x.conversationID)).toEqual(['p', 'd', 'c', 'b', 'a']);
  });
  it('counts unread only for recvMsgOpt 0', () => {
    const list = [
      makeConversation('a', { maxSeq: 10, hasReadSeq: 4 }),
      makeConversation('b', { maxSeq: 10, hasReadSeq: 12 }),
      makeConversation('c', { maxSeq: 10, recvMsgOpt: 1 }),
    ];
    expect(totalUnreadOf(list)).toBe(6);
  });
});

describe('validation', () => {
  const cursor = { versionID: 'a'.repeat(24), version: 3 };
  it('accepts cursors by the SPEC rule', () => {
    expect(isValidCursor('a'.repeat(24), 1)).toBe(true);
    expect(isValidCursor('0'.repeat(24), 1)).toBe(false);
    expect(isValidCursor('A'.repeat(24), 1)).toBe(false);
    expect(isValidCursor('a'.repeat(23), 1)).toBe(false);
    expect(isValidCursor('a'.repeat(24), 0)).toBe(false);
    expect(isValidCursor('a'.repeat(24), 1.5)).toBe(false);
  });
  it('reads null lists as empty and drops unknown keys', () => {
    const r = readIncremental({ ...cursor, full: false, delete: null, insert: [{ ...makeConversation('x'), extra: 1 }], update: null });
    expect(r.delete).toEqual([]);
    expect(r.update).toEqual([]);
    expect(r.insert[0]).not.toHaveProperty('extra');
  });
  it.each([
    ['not an object', 'nope'],
    ['missing cursor', { full: false, delete: [], insert: [], update: [] }],
    ['full with data', { ...cursor, full: true, delete: ['x'], insert: [], update: [] }],
    ['duplicate IDs', { ...cursor, full: false, delete: ['x'], insert: [makeConversation('x')], update: [] }],
    ['wrong field type', { ...cursor, full: false, delete: [], insert: [{ ...makeConversation('x'), maxSeq: '3' }], update: [] }],
    ['bad enum', { ...cursor, full: false, delete: [], insert: [{ ...makeConversation('x'), recvMsgOpt: 7 }], update: [] }],
  ])('rejects %s with BAD_ANSWER', (_name, data) => {
    expect(() => readIncremental(data)).toThrowError(expect.objectContaining({ code: 'BAD_ANSWER' }));
  });
  it('rejects a full page that repeats an ID', () => {
    const c = makeConversation('x');
    expect(() => readFullPage({ ...cursor, conversations: [c, c], nextCursor: null })).toThrow(ConvSyncError);
  });
  it('reads frames, ignores unknown types, rejects bad JSON', () => {
    expect(readServerFrame('{"type":"ping"}')).toEqual({ type: 'ping' });
    expect(readServerFrame('{"type":"future.thing","x":1}')).toBeNull();
    expect(() => readServerFrame('{oops')).toThrowError(expect.objectContaining({ code: 'BAD_FRAME' }));
    const f = readServerFrame(JSON.stringify({ type: 'conversation.changed', userID: 'u1', conversationIDs: ['a'], ...cursor }));
    expect(f).toMatchObject({ type: 'conversation.changed', version: 3 });
  });
});

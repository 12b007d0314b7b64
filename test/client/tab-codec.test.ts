/** Tab messages are checked like server frames: what a link sends passes; a malformed message is dropped and counted. */
import { describe, expect, it, vi } from 'vitest';
import { newMetrics } from '../../src/client/kernel/types.js';
import { readTabMessage } from '../../src/client/tabs/codec.js';
import { createTabLink, type TabLinkHooks } from '../../src/client/tabs/link.js';
import { memoryTabs } from '../../src/client/tabs/memory.js';
import { makeConversation } from '../helpers/fixtures.js';
import { FakeClock } from './fakes.js';

const V = 'a'.repeat(24);
const row = { ...makeConversation('sg_1'), draftText: 'hi', draftTextTime: 5, unreadCount: 0 };

type Hooks = { [K in keyof TabLinkHooks]: ReturnType<typeof vi.fn> } & Record<string, ReturnType<typeof vi.fn>> & { heardClear: Promise<void> };
function hooks(): Hooks {
  const names = ['lead', 'lose', 'commit', 'changes', 'status', 'progress', 'sync', 'hello', 'missed', 'preview'];
  let heard!: () => void;
  const heardClear = new Promise<void>((r) => (heard = r));
  return { ...Object.fromEntries(names.map((n) => [n, vi.fn()])), cleared: vi.fn(() => heard()), heardClear } as never;
}

/** Two links on one channel, and a raw poster on it (another script of the origin). */
function link() {
  const hub = memoryTabs();
  const clock = new FakeClock();
  const metrics = newMetrics();
  const h = hooks();
  const cfg = { name: 'n', clock, random: () => 0.5, heartbeatMs: 1e9, suspectMs: 1e9 };
  const b = createTabLink({ ...cfg, tabs: hub.tab(), metrics }, h as unknown as TabLinkHooks);
  const a = createTabLink({ ...cfg, tabs: hub.tab(), metrics: newMetrics() }, hooks() as unknown as TabLinkHooks);
  const raw = hub.tab().channel('n', () => {});
  return { a, b, h, metrics, raw, close: () => (a.close(), b.close(), raw.close()) };
}

describe('the tab message codec', () => {
  it('every message a link sends arrives as it was sent', async () => {
    const { a, h, close } = link();
    const settled = [{ mutationIDs: ['m1', 'm2'], ack: { versionID: V, version: 3 } }, { mutationIDs: ['m3'], error: { code: 'FORBIDDEN' as const, message: 'no', errCode: 1002 } }];
    a.commit(['sg_1'], { versionID: V, version: 3 }, true, settled);
    a.commit(null, null, false, []);
    a.changes({ mode: 'pushed', added: [row], updated: [], removed: ['sg_2'] });
    a.progress({ staged: 10, total: 20, done: false });
    a.preview([row], { count: 1, unread: 0 });
    a.clearAll(); // the last message: once it arrives, all before it did
    await h.heardClear;
    expect(h.commit.mock.calls).toEqual([
      [['sg_1'], null, true, settled], // a follower's commit says nothing about the cursor
      [null, null, false, []],
    ]);
    expect(h.changes.mock.calls).toEqual([[{ mode: 'pushed', added: [row], updated: [], removed: ['sg_2'] }]]);
    expect(h.progress.mock.calls).toEqual([[{ staged: 10, total: 20, done: false }]]);
    expect(h.preview).not.toHaveBeenCalled(); // only the leader's preview counts
    close();
  });

  it('checks a leader status and a sync answer, with their errors', () => {
    const m = readTabMessage({ from: 'x', leader: true, t: 'status', status: { state: 'error', connected: false, pendingWrites: 2, hasSynced: true, preview: false, lastSyncAt: 7, lastMode: 'full', error: { code: 'SERVER', message: 'boom', status: 500 } } });
    expect(m).toEqual({ from: 'x', leader: true, t: 'status', status: { state: 'error', connected: false, pendingWrites: 2, hasSynced: true, preview: false, lastSyncAt: 7, lastMode: 'full', error: { code: 'SERVER', message: 'boom', status: 500 } } });
    expect(readTabMessage({ from: 'x', leader: false, t: 'synced', id: 'x:1', to: 'y', error: { code: 'STOPPED', message: 'stopped' } })).toMatchObject({ t: 'synced', error: { code: 'STOPPED' } });
  });

  it('drops and counts a malformed message; nothing hears it', async () => {
    const { h, metrics, raw, close } = link();
    const bad: unknown[] = [
      null,
      'commit',
      { from: 'x', leader: false, t: 'commit', ids: 'sg_1', cursor: null, outbox: false, settled: [] },
      { from: 'x', leader: true, t: 'commit', ids: ['sg_1'], cursor: { versionID: 'nope', version: 1 }, outbox: false, settled: [] },
      { from: 'x', leader: false, t: 'changes', changes: { mode: 'pushed', added: [{ conversationID: 'sg_1' }], updated: [], removed: [] } },
      { from: 'x', leader: true, t: 'status', status: { state: 'exploded', connected: true, pendingWrites: 0, hasSynced: true, preview: false } },
      { from: 'x', leader: true, t: 'progress', progress: { staged: -1, done: false } },
      { from: 'x', leader: true, t: 'preview', rows: [row], totals: { count: '1', unread: 0 } },
      { from: 'x', leader: true, t: 'toString' },
      { from: 7, leader: true, t: 'clear' },
    ];
    for (const m of bad) raw.post(m);
    raw.post({ from: 'x', leader: false, t: 'clear' }); // a good one still arrives, after the bad ones
    await h.heardClear;
    expect(metrics.tabMessagesDropped).toBe(bad.length);
    for (const n of ['commit', 'changes', 'status', 'progress', 'preview']) expect(h[n], n).not.toHaveBeenCalled();
    expect(h.cleared).toHaveBeenCalledTimes(1);
    close();
  });
});

/** Socket and wiring unit tests on a fake WebSocket and fake time. */
import { afterEach, describe, expect, it } from 'vitest';
import { createConversationSync } from '../../src/client/create.js';
import { tokenSource } from '../../src/client/remote/http.js';
import { createSocket } from '../../src/client/remote/socket.js';
import type { ConvSyncError } from '../../src/protocol/index.js';
import { memoryStorage } from '../../src/storage/memory.js';
import { envelope, FakeClock, flush } from './fakes.js';

class FakeWS {
  static all: FakeWS[] = [];
  readyState = 0;
  sent: unknown[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeWS.all.push(this);
  }
  send(d: string): void {
    this.sent.push(JSON.parse(d));
  }
  close(): void {
    this.closed = true;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  recv(f: unknown): void {
    this.onmessage?.({ data: typeof f === 'string' ? f : JSON.stringify(f) });
  }
}

afterEach(() => {
  FakeWS.all = [];
});

function setup(tokens: string[] = ['t1', 't2', 't3']) {
  const clock = new FakeClock();
  const ev: string[] = [];
  const problems: ConvSyncError[] = [];
  const frames: unknown[] = [];
  let i = 0;
  const sock = createSocket(
    {
      url: 'ws://x/ws',
      userID: 'u1',
      WebSocket: FakeWS,
      token: tokenSource(async () => tokens[i++]!),
      clock,
      random: () => 0.5,
      pingIntervalMs: 25_000,
      authTimeoutMs: 10_000,
      maxBackoffMs: 30_000,
    },
    { up: () => ev.push('up'), down: () => ev.push('down'), problem: (e) => problems.push(e), frame: (f) => frames.push(f) },
  );
  return { clock, ev, problems, frames, sock };
}

const V = 'a'.repeat(24);

describe('socket', () => {
  it('authenticates first, pings every interval and reconnects after two unanswered pings', async () => {
    const { clock, ev, sock } = setup();
    sock.start();
    const ws = FakeWS.all[0]!;
    ws.open();
    await flush();
    expect(ws.sent).toEqual([{ type: 'auth', token: 't1' }]);
    ws.recv({ type: 'auth.ok', userID: 'u1' });
    expect(ev).toEqual(['up']);
    clock.advance(25_000);
    expect(ws.sent.at(-1)).toEqual({ type: 'ping' });
    ws.recv({ type: 'pong' }); // answered: counter resets
    clock.advance(25_000);
    clock.advance(25_000);
    expect(ws.sent.filter((f) => (f as { type: string }).type === 'ping')).toHaveLength(3);
    expect(ev).toEqual(['up']);
    clock.advance(25_000); // two pings without an answer
    expect(ev).toEqual(['up', 'down']);
    expect(ws.closed).toBe(true);
    clock.advance(1000); // backoff(0) with random 0.5 = 250 ms
    expect(FakeWS.all).toHaveLength(2);
    sock.stop();
  });

  it('answers server pings, validates frames, ignores other users, refreshes the token after 4401', async () => {
    const { ev, problems, frames, sock, clock } = setup();
    sock.start();
    let ws = FakeWS.all[0]!;
    ws.open();
    await flush();
    ws.onclose?.({ code: 4401 });
    clock.advance(1000);
    ws = FakeWS.all[1]!;
    ws.open();
    await flush();
    expect(ws.sent[0]).toEqual({ type: 'auth', token: 't2' });
    ws.recv({ type: 'auth.ok', userID: 'u1' });
    ws.recv({ type: 'ping' });
    expect(ws.sent.at(-1)).toEqual({ type: 'pong' });
    ws.recv('{oops');
    ws.recv({ type: 'conversation.changed', userID: 'u1', conversationIDs: [], versionID: V, version: 0 });
    ws.recv({ type: 'conversation.changed', userID: 'u2', conversationIDs: [], versionID: V, version: 3 });
    ws.recv({ type: 'conversation.private', sendID: 'u7', recvID: 'u8', conversationID: 'si_u7_u8', isPrivate: true });
    ws.recv({ type: 'some.future.frame' });
    ws.recv({ type: 'conversation.changed', userID: 'u1', conversationIDs: [], versionID: V, version: 3 });
    expect(problems.map((p) => p.code)).toEqual(['BAD_FRAME', 'BAD_FRAME']);
    expect(frames).toEqual([{ type: 'conversation.changed', userID: 'u1', conversationIDs: [], versionID: V, version: 3 }]);
    expect(ev).toEqual(['up']);
    sock.stop();
    expect(ev).toEqual(['up', 'down']);
    clock.advance(100_000);
    expect(FakeWS.all).toHaveLength(2); // stopped: no reconnect
  });

  it('an auth that never completes is dropped and retried', () => {
    const { clock, sock } = setup();
    sock.start();
    FakeWS.all[0]!.open();
    clock.advance(10_000);
    expect(FakeWS.all[0]!.closed).toBe(true);
    clock.advance(1000);
    expect(FakeWS.all).toHaveLength(2);
    sock.stop();
  });
});

describe('wiring', () => {
  it('registers the online listener at start, syncs on it, removes it at stop; nothing global at import', async () => {
    const g = globalThis as { addEventListener?: unknown; removeEventListener?: unknown };
    const listeners = new Map<string, () => void>();
    g.addEventListener = (t: string, f: () => void) => listeners.set(t, f);
    g.removeEventListener = (t: string, f: () => void) => listeners.get(t) === f && listeners.delete(t);
    try {
      let requests = 0;
      const sync = createConversationSync({
        userID: 'u1',
        apiURL: 'http://x',
        token: 't',
        storage: memoryStorage({ name: `wiring-${Date.now()}` }),
        clock: new FakeClock(),
        fetch: async (url) => {
          requests++;
          return url.endsWith('get_full_conversations')
            ? envelope({ versionID: V, version: 1, conversations: [], nextCursor: null })
            : envelope({ versionID: V, version: 1, full: false, insert: [], update: [], delete: [] });
        },
      });
      expect(listeners.size).toBe(0);
      await sync.start();
      await sync.sync();
      expect(listeners.has('online')).toBe(true);
      const before = requests;
      listeners.get('online')!();
      await sync.sync();
      expect(requests).toBeGreaterThan(before);
      await sync.stop();
      expect(listeners.size).toBe(0);
      await expect(sync.sync()).rejects.toMatchObject({ code: 'STOPPED' });
      await expect(sync.get('x')).rejects.toMatchObject({ code: 'STOPPED' });
    } finally {
      delete g.addEventListener;
      delete g.removeEventListener;
    }
  });
});

/**
 * Crash consistency (issue 5): for every record write an apply makes, a run where the
 * storage fails exactly at that write. Afterwards the stored cursor and the stored data
 * belong to the same version (the snapshot before the apply or the one after it, never
 * a mix), the engine's cursor and the live list agree with storage, and the next sync
 * converges to the server.
 *
 * How: one recording client syncs the scenario against the real server while a tape
 * keeps every answer. Each crash run replays the tape, so it starts from exactly the
 * same stored state and receives exactly the same answers; a clean replay first counts
 * the writes N (a counting `beforeWrite`) and takes the after-snapshot; then k = 1..N.
 */
import { isDeepStrictEqual } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/client/kernel/types.js';
import type { Conversation, Cursor, LocalConversation } from '../../src/protocol/index.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { conv, expectEqualToServer, makeClient, nextStatus, uniqueName, waitFor, type Client, type Kind } from '../client/harness.js';

const USER = 'u1';
const PAGE = 4;

let servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

// ---- the tape ----

type TapeMode = { t: 'record'; phase: string } | { t: 'replay'; phase: string } | { t: 'live' } | { t: 'down' };

class Tape {
  mode: TapeMode = { t: 'live' };
  private store = new Map<string, { status: number; text: string }>();

  private key(phase: string, path: string, body: unknown): string {
    return `${phase} ${path} ${JSON.stringify(body)}`;
  }

  attach(c: Client): void {
    c.craft.fn = async (path, body, real) => {
      const m = this.mode;
      if (m.t === 'live') return undefined;
      if (m.t === 'down') throw new TypeError('network down (test)');
      const k = this.key(m.phase, path, body);
      if (m.t === 'record') {
        const r = await real();
        const text = await r.text();
        this.store.set(k, { status: r.status, text });
        return new Response(text, { status: r.status, headers: { 'content-type': 'application/json' } });
      }
      const got = this.store.get(k);
      if (!got) throw new TypeError(`not on the tape: ${k}`);
      return new Response(got.text, { status: got.status, headers: { 'content-type': 'application/json' } });
    };
  }
}

// ---- scenarios ----

interface State {
  list: LocalConversation[];
  cursor: Cursor | null;
}

async function stateOf(c: Client): Promise<State> {
  return { list: await c.storage.getAll(), cursor: await c.storage.getCursor() };
}

const T0 = 1_700_000_000_000;
/** 12 records with distinct orders, seqs and a few pins. */
const initial = (): Conversation[] =>
  Array.from({ length: 12 }, (_, i) =>
    conv(`sg_c${String(i).padStart(2, '0')}`, USER, {
      latestMsgSendTime: T0 + ((i * 7) % 12) * 1000,
      isPinned: i % 5 === 0,
      maxSeq: 10 + i,
      hasReadSeq: 5 + (i % 3),
      recvMsgOpt: i % 4 === 3 ? 1 : 0,
    }),
  );

/** One version: 3 inserts, 4 updates, 3 deletes. */
async function bigChange(s: TestServer): Promise<void> {
  const svc = s.server.service;
  const ins = [12, 13, 14].map((i) => conv(`sg_c${i}`, USER, { latestMsgSendTime: T0 + i * 1000, maxSeq: 3 }));
  const upd: Array<[string, Partial<Conversation>]> = [
    ['sg_c01', { showName: 'renamed' }],
    ['sg_c02', { maxSeq: 40, latestMsgSendTime: T0 + 99_000 }],
    ['sg_c03', { isPinned: true }],
    ['sg_c04', { recvMsgOpt: 2, ex: 'x' }],
  ];
  const r = await svc.commit(USER, [
    ...ins.map((c) => ({ conversationID: c.conversationID, apply: () => c })),
    ...upd.map(([id, over]) => ({ conversationID: id, apply: (old: Conversation | undefined) => old && { ...old, ...over } })),
    ...['sg_c06', 'sg_c07', 'sg_c08'].map((id) => ({ conversationID: id, apply: () => undefined })),
  ]);
  expect(r?.insert.length).toBe(3);
  expect(r?.update.length).toBe(4);
  expect(r?.delete.length).toBe(3);
}

interface Scenario {
  name: string;
  /** the client needs a socket (pushed frames) */
  socket: boolean;
  /** the device holds nothing before the apply (cold start) */
  cold?: boolean;
  /** moves the server from S0 to S1; returns the frame to push, if the apply is a pushed one */
  change(s: TestServer): Promise<unknown>;
  /** the mode a clean apply reports on changes$ */
  mode: ChangeSet['mode'];
}

const scenarios: Scenario[] = [
  { name: 'incremental apply', socket: false, mode: 'incremental', change: bigChange },
  {
    name: 'full swap (stagePage + commitFull)',
    socket: false,
    mode: 'full',
    change: async (s) => {
      await bigChange(s);
      await s.server.service.resetLog(USER);
    },
  },
  { name: 'cold-start full sync', socket: false, cold: true, mode: 'full', change: async () => undefined },
  {
    name: 'pushed delta',
    socket: true,
    mode: 'pushed',
    change: async (s) => {
      const ws = await s.socket(s.token(USER));
      const frame = ws.next((f) => f.type === 'conversation.changed');
      await bigChange(s);
      const f = await frame;
      expect(f.delta).toBeDefined();
      return f;
    },
  },
  {
    name: 'pushed unread (raiseRead + cursor)',
    socket: true,
    mode: 'pushed',
    change: async (s) => {
      const ws = await s.socket(s.token(USER));
      const frame = ws.next((f) => f.type === 'conversation.unread');
      await s.server.service.markAsRead(USER, 'sg_c02', 12);
      return frame;
    },
  },
];

interface Prepared {
  s: TestServer;
  tape: Tape;
  frame: unknown;
}

/** Server at S0 → recording client syncs (phase p0) → server to S1 → recording client syncs (phase p1). */
async function prepare(kind: Kind, sc: Scenario): Promise<Prepared> {
  const s = await startServer();
  servers.push(s);
  await s.server.service.upsert(USER, initial());
  const tape = new Tape();
  // previewSize 0: no first-page preview request (it writes nothing, and would be off the tape)
  const r = makeClient(s, USER, { kind, socket: false, pageSize: PAGE, previewSize: 0, name: uniqueName('rec') });
  tape.attach(r);
  tape.mode = { t: 'record', phase: sc.cold ? 'p1' : 'p0' };
  await r.sync.start();
  await r.sync.sync();
  const frame = await sc.change(s);
  tape.mode = { t: 'record', phase: 'p1' };
  await r.sync.sync();
  await r.sync.clear();
  return { s, tape, frame };
}

interface Outcome {
  before: State;
  after: State;
  writes: number;
  error: string | null;
  c: Client;
}

/**
 * Brings a fresh device to S0 from the tape, then runs the apply with `beforeWrite`
 * failing at write `crashAt` (null: never) of the apply; returns the snapshots.
 */
async function runOnce(kind: Kind, sc: Scenario, p: Prepared, crashAt: number | null): Promise<Outcome> {
  const hook = { counting: false, n: 0 };
  const c = makeClient(p.s, USER, {
    kind,
    socket: sc.socket,
    pageSize: PAGE,
    previewSize: 0,
    name: uniqueName(`crash-${kind}`),
    maxBackoffMs: 60_000, // no retry interferes while the state is inspected
    beforeWrite: () => {
      if (!hook.counting) return;
      hook.n++;
      if (hook.n === crashAt) throw new Error(`injected crash at write ${crashAt}`);
    },
  });
  p.tape.attach(c);
  const lists: LocalConversation[][] = [];
  const sub = c.sync.conversations$.subscribe((l) => lists.push(l));
  const changes: ChangeSet[] = [];
  c.sync.changes$.subscribe((x) => changes.push(x));
  let error: string | null = null;
  try {
    if (sc.cold) {
      p.tape.mode = { t: 'down' };
      await c.sync.start();
      await c.sync.sync().catch(() => undefined);
    } else {
      p.tape.mode = { t: 'replay', phase: 'p0' };
      await c.sync.start();
      await c.sync.sync();
      if (sc.socket) {
        await waitFor(c.sync.status$, (st) => st.connected);
        await c.sync.sync();
      }
    }
    const before = await stateOf(c);
    hook.counting = true;
    if (p.frame !== undefined) {
      p.tape.mode = { t: 'down' };
      const tap = c.taps.last();
      const done = waitFor(c.sync.changes$, (x) => x.mode === 'pushed');
      const crashed = nextStatus(c, (st) => st.error?.code === 'STORAGE');
      crashed.catch(() => undefined); // only awaited when a crash is injected
      tap.inject(p.frame);
      if (crashAt === null) await done;
      else {
        await crashed;
        done.catch(() => undefined);
        error = 'STORAGE';
      }
    } else {
      p.tape.mode = { t: 'replay', phase: 'p1' };
      const mode = await c.sync.sync().then(
        (m) => m,
        (e: unknown) => ((error = (e as { code?: string }).code ?? String(e)), null),
      );
      p.tape.mode = { t: 'down' };
      if (crashAt === null) expect(mode).toBe(sc.mode === 'pushed' ? 'incremental' : sc.mode);
    }
    hook.counting = false;
    const after = await stateOf(c);
    // the engine's cursor and the live list agree with storage
    expect(c.sync.cursor()).toEqual(after.cursor);
    const live = await waitFor(c.sync.conversations$, (l) => isDeepStrictEqual(l, after.list), 5000).catch(() => lists.at(-1));
    expect(live).toEqual(after.list);
    if (crashAt === null) expect(changes.some((x) => x.mode === sc.mode)).toBe(true);
    return { before, after, writes: hook.n, error, c };
  } finally {
    sub.unsubscribe();
  }
}

describe.each(['memory', 'idb', 'dexie'] as const)('crash at every write of an apply (%s)', (kind) => {
  it.each(scenarios)('$name', async (sc) => {
    const p = await prepare(kind, sc);
    const clean = await runOnce(kind, sc, p, null);
    expect(clean.error).toBeNull();
    expect(clean.writes).toBeGreaterThan(0);
    expect(clean.after).not.toEqual(clean.before);
    p.tape.mode = { t: 'live' };
    await clean.c.sync.sync();
    await expectEqualToServer(clean.c, p.s, USER);
    await clean.c.sync.clear();

    const seen = { old: 0, new: 0 };
    for (let k = 1; k <= clean.writes; k++) {
      const r = await runOnce(kind, sc, p, k);
      try {
        expect(r.before, `k=${k}: the replay starts from the same state`).toEqual(clean.before);
        expect(r.error, `k=${k}: the write failed`).toBe('STORAGE');
        // one version or the other, whole: never a mix of cursor and data
        const old = isDeepStrictEqual(r.after, clean.before);
        const neu = isDeepStrictEqual(r.after, clean.after);
        expect(old || neu, `k=${k}: stored state is neither the old nor the new version`).toBe(true);
        seen[old ? 'old' : 'new']++;
        // the next sync converges
        p.tape.mode = { t: 'live' };
        await r.c.sync.sync();
        await expectEqualToServer(r.c, p.s, USER);
      } finally {
        await r.c.sync.clear();
      }
    }
    // a failed write aborts its whole transaction: the state is always the old one
    expect(seen).toEqual({ old: clean.writes, new: 0 });
    console.log(`[crash:${kind}] ${sc.name}: ${clean.writes} writes, each crashed once → old state kept, then converged`);
  }, 120_000);
});

/**
 * Model-based convergence of several tabs (issue 10): fast-check draws schedules of
 * server changes, tabs opening, closing, crashing and freezing, drafts set in any tab,
 * syncs asked of any tab and logouts (`clear()`), and runs them against the real server
 * over loopback with clients over one fake-indexeddb database and one in-process tab
 * coordinator. Once quiet, every live tab's `conversations$`, `totalUnread$` and storage
 * equal the server's, and the stored cursor never moved backwards.
 *
 * Default: 24 schedules (16 on idb, 8 on dexie). `CONVSYNC_TABS_SOAK=N` runs N per adapter.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replay, runSchedule, type ScheduleRun } from './schedule.js';
import { serverActs } from './server-acts.js';
import { compareConversations, totalUnreadOf, type Cursor } from '../../src/protocol/index.js';
import type { StorageAdapter } from '../../src/storage/types.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { expectEqualToServer, makeStorage, serverHead, serverList, uniqueName, until, waitFor, wire, type Client, type Kind } from '../client/harness.js';
import { tabsOf, USER, type Tab } from '../client/tabs-harness.js';
import { FOUND, type Cmd } from './tabs-commands.js';

const IDS = [...Array.from({ length: 8 }, (_, i) => `sg_t${i}`), 'si_u1_u2', 'si_u1_u3'] as const;
const idOf = (i: number): string => IDS[i % IDS.length]!;
const SOAK = Number(process.env.CONVSYNC_TABS_SOAK ?? 0);

const id = fc.nat(IDS.length - 1);
const tab = fc.nat(5);
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('message' as const), id }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('pin' as const), id, on: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('read' as const), id }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delete' as const), id }) },
  { weight: 1, arbitrary: fc.constant({ t: 'reset' as const }) },
  { weight: 3, arbitrary: fc.constant({ t: 'open' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('close' as const), i: tab }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('crash' as const), i: tab }) },
  { weight: 1, arbitrary: fc.constant({ t: 'freeze' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'thaw' as const }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('draft' as const), i: tab, id, text: fc.constantFrom('', 'hi', 'typing…') }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('sync' as const), i: tab }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('clear' as const), i: tab }) },
  { weight: 2, arbitrary: fc.constant({ t: 'pause' as const }) },
);
const scheduleArb = fc.array(cmdArb, { minLength: 5, maxLength: 24 });

/**
 * Records the stored cursor after every write any tab makes, in the order they land; once
 * `dead()`, every call fails (a crashed tab runs nothing more).
 */
function watched(s: StorageAdapter, seen: Cursor[], dead: () => boolean): StorageAdapter {
  const after = <T,>(p: Promise<T>): Promise<T> =>
    p.then(async (v) => {
      const c = await s.getCursor().catch(() => null);
      if (c) seen.push(c);
      return v;
    });
  return new Proxy(s, {
    get(target, key) {
      const v = Reflect.get(target, key) as unknown;
      if (typeof v !== 'function') return v;
      const f0 = v as (...a: unknown[]) => Promise<unknown>;
      const f = (...a: unknown[]) => (dead() ? Promise.reject(new Error('the tab crashed')) : f0.apply(target, a));
      return ['applyDelta', 'raiseRead', 'commitFull'].includes(key as string) ? (...a: unknown[]) => after(f(...a)) : f;
    },
  });
}

/** No move back: within one log the version never drops, and a log left is never returned to. */
function expectForwardOnly(seen: Cursor[]): void {
  const left = new Set<string>();
  for (let i = 1; i < seen.length; i++) {
    const [a, b] = [seen[i - 1]!, seen[i]!];
    if (a.versionID === b.versionID) expect(b.version, `cursor ${i}`).toBeGreaterThanOrEqual(a.version);
    else {
      left.add(a.versionID);
      expect(left.has(b.versionID), `cursor ${i} returns to a log it left`).toBe(false);
    }
  }
}

class Run implements ScheduleRun<Cmd> {
  s!: TestServer;
  acts!: ReturnType<typeof serverActs>;
  open!: () => Tab & { dead: { now: boolean } };
  live: Array<Tab & { dead?: { now: boolean } }> = [];
  deaths: Array<{ now: boolean }> = [];
  frozen: { t: Tab; held: string[] } | null = null;
  clients: Client[] = [];
  cursors: Cursor[] = [];
  drafts = new Map<string, string>();
  everDeleted = new Set<string>();

  constructor(readonly kind: Kind) {}

  async begin(): Promise<void> {
    this.s = await startServer({ syncLimit: 4 });
    this.acts = serverActs(this.s, USER);
    const groups = IDS.filter((x) => x.startsWith('sg_'));
    await this.s.server.state.store.addMembers(groups, [USER, 'u2', 'u3']);
    for (const x of IDS) await this.acts.message(x);
    const name = uniqueName('tabs-model');
    const open = tabsOf(this.s, this.clients, this.kind, name, () => {
      const dead = { now: false };
      this.deaths.push(dead);
      return { storage: watched(makeStorage(this.kind, name), this.cursors, () => dead.now) };
    });
    this.open = () => Object.assign(open(), { dead: this.deaths.at(-1)! });
  }

  private at(i: number): (Tab & { dead?: { now: boolean } }) | undefined {
    return this.live.length === 0 ? undefined : this.live[i % this.live.length];
  }

  private async openTab(): Promise<void> {
    const t = this.open();
    // a new tab has its own adapter instance over the same database
    // a crashed tab's storage fails every call: its lists end with that error (the live tabs are checked at the end)
    const quiet = { error: () => {} };
    t.c.sync.conversations$.subscribe(quiet);
    t.c.sync.totalUnread$.subscribe(quiet);
    await t.c.sync.start();
    this.live.push(t);
  }

  async exec(cmd: Cmd): Promise<void> {
    const s = this.s;
    switch (cmd.t) {
      case 'message':
        await this.acts.message(idOf(cmd.id));
        return;
      case 'pin':
        await this.acts.pin(idOf(cmd.id), cmd.on);
        return;
      case 'read':
        await s.call(USER, '/conversation/mark_as_read', { userID: USER, conversationID: idOf(cmd.id), hasReadSeq: 1_000_000 }).catch(() => undefined);
        return;
      case 'delete':
        this.everDeleted.add(idOf(cmd.id));
        await s.admin('/admin/delete', { userID: USER, conversationIDs: [idOf(cmd.id)] });
        return;
      case 'reset':
        await this.acts.resetLog();
        return;
      case 'open':
        if (this.live.length < 4) await this.openTab();
        return;
      case 'close':
      case 'crash': {
        const t = this.at(cmd.i);
        if (!t || t === this.frozen?.t) return;
        this.live.splice(this.live.indexOf(t), 1);
        if (cmd.t === 'crash') {
          t.dead!.now = true;
          t.tab.crash();
        }
        await t.c.sync.stop();
        return;
      }
      case 'freeze': {
        const t = this.live.find((x) => x.c.sync.metrics().leader);
        if (!t || this.frozen) return;
        const held: string[] = [];
        t.tab.freeze();
        t.c.taps.pass = (raw) => (held.push(raw), false);
        this.frozen = { t, held };
        return;
      }
      case 'thaw':
        return this.thaw();
      case 'draft': {
        const t = this.at(cmd.i);
        if (!t || t === this.frozen?.t) return;
        const rec = await t.c.sync.setDraft(idOf(cmd.id), cmd.text).catch(() => undefined);
        if (rec) this.drafts.set(rec.conversationID, rec.draftText);
        return;
      }
      case 'sync': {
        const t = this.at(cmd.i);
        if (t && t !== this.frozen?.t) await Promise.race([t.c.sync.sync().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
        return;
      }
      case 'clear': {
        const t = this.at(cmd.i);
        if (!t || t === this.frozen?.t) return;
        const others = this.live.filter((x) => x !== t && x !== this.frozen?.t);
        const stopped = others.map((x) => waitFor(x.c.sync.status$, (st) => st.state === 'stopped', 3000));
        await t.c.sync.clear();
        for (const st of await Promise.all(stopped)) expect(st.error?.code).toBe('DB_DELETED');
        this.thaw();
        for (const x of this.live) await x.c.sync.stop();
        this.live = [];
        this.drafts.clear();
        this.cursors.length = 0; // a new database, a new history
        return;
      }
      case 'pause':
        await until(async () => {
          const h = await serverHead(this.s, USER);
          return this.live.some((x) => x.c.sync.metrics().leader && x.c.sync.cursor()?.version === h.version);
        }, 300).catch(() => undefined);
        return;
    }
  }

  private thaw(): void {
    const f = this.frozen;
    if (!f) return;
    this.frozen = null;
    f.t.c.taps.pass = () => true;
    for (const raw of f.held) f.t.c.taps.last().inject(raw);
    f.t.tab.thaw();
  }

  async quietAndCheck(): Promise<void> {
    this.thaw();
    if (this.live.length === 0) await this.openTab();
    const leader = await Promise.race(this.live.map((t) => waitFor(t.c.sync.leader$, (l) => l, 5000).then(() => t)));
    let ok = false;
    for (let i = 0; i < 5 && !ok; i++) ok = await leader.c.sync.sync().then(() => true, () => false);
    expect(ok, 'a final sync in the leader').toBe(true);
    await expectEqualToServer(leader.c, this.s, USER);
    const remote = await serverList(this.s, USER);
    const byID = (a: { conversationID: string }, b: { conversationID: string }) => (a.conversationID < b.conversationID ? -1 : 1);
    const want = remote.slice().sort(byID);
    const stored = await leader.c.storage.getAll();
    for (const t of this.live) {
      // the tab's live list is storage's list, in order, and holds the server's records
      const list = await waitFor(t.c.sync.conversations$, (l) => isDeepStrictEqual(l, stored), 5000).catch(() => null);
      expect(list?.map(wire).sort(byID), 'a tab shows the server list').toEqual(want);
      expect(await waitFor(t.c.sync.totalUnread$, (n) => n === totalUnreadOf(remote), 5000).catch((e: unknown) => e)).toBe(totalUnreadOf(remote));
    }
    expect(stored.slice().sort(compareConversations)).toEqual(stored);
    for (const [x, text] of this.drafts) {
      const r = stored.find((c) => c.conversationID === x);
      if (r && !this.everDeleted.has(x)) expect(r.draftText, `draft of ${x}`).toBe(text);
    }
    expectForwardOnly(this.cursors);
  }

  async end(): Promise<void> {
    this.thaw();
    for (const c of this.clients) await c.sync.stop().catch(() => undefined);
    await this.clients[0]?.sync.clear().catch(() => undefined);
    await this.s?.close().catch(() => undefined);
  }
}

const runOne = (kind: Kind, cmds: Cmd[]): Promise<void> => runSchedule(new Run(kind), cmds);

describe.each(['idb', 'dexie'] as Kind[])('schedules found by the soak (%s)', (kind) => {
  for (const [name, cmds] of FOUND) it(name, () => runOne(kind, cmds), 60_000);
});

/** `CONVSYNC_TABS_REPLAY='<a counterexample as printed>'` runs that one schedule on each adapter. */
replay('CONVSYNC_TABS_REPLAY', ['idb', 'dexie'] as Kind[], (kind) => new Run(kind));

describe.each([
  ['idb', 16],
  ['dexie', 8],
] as Array<[Kind, number]>)('tabs converge under random schedules (%s)', (kind, runs) => {
  const n = SOAK > 0 ? SOAK : runs;
  it(`${n} schedules: every tab shows the server, the cursor only moves forward`, async () => {
    await fc.assert(
      fc.asyncProperty(scheduleArb, (cmds) => runOne(kind, cmds)),
      { numRuns: n, endOnFailure: true },
    );
  }, Math.max(180_000, n * 20_000));
});


/**
 * One convergence schedule against one storage adapter: the server (in process, or a
 * process that restarts), the client (replaced on reload), the faults, and the checks
 * once everything is quiet.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Subscription } from 'rxjs';
import { expect } from 'vitest';
import { compareConversations, totalUnreadOf, type Conversation, type LocalConversation } from '../../../src/protocol/index.js';
import type { ConversationService, ConversationStore } from '../../../src/server/index.js';
import { expectEqualToServer, makeClient, serverHead, serverList, uniqueName, until, waitFor, type Client, type Kind } from '../../client/harness.js';
import { IDS, idOf, SYNC_LIMIT, USER, type Cmd } from './commands.js';
import { Faults } from './faults.js';
import { inProcessServer, processServer, type ScheduleServer } from './server.js';

/** A message in `id` from u1 (`from` 0), u2 or u3; in a single chat from u1 or the peer. */
async function sendMessage(svc: ConversationService, id: string, from: number): Promise<void> {
  const sendID = id.startsWith('si_') ? (from === 0 ? USER : id.slice(id.lastIndexOf('_') + 1)) : ['u2', 'u3', USER][from % 3]!;
  await svc.sendMessage(id, sendID, `m${from}`);
}

export class Run {
  s!: ScheduleServer;
  c!: Client;
  sub: Subscription | null = null;
  name = uniqueName('conv');
  faults = new Faults();
  crashIn = 0;
  crashes = 0;
  draftsChecked = 0;
  /** what earlier client instances of the run counted (their metrics die with them) */
  private past = { pushed: 0, driftChecks: 0, driftMismatches: 0 };
  restarts = 0;
  violations: string[] = [];
  emissions = 0;
  drafts = new Map<string, { text: string; time: number }>();
  everDeleted = new Set<string>();

  constructor(
    readonly kind: Kind,
    readonly driftCheck: boolean,
    /** the server runs in this process (memory store); else in a child process on PostgreSQL, which can restart */
    readonly inProcess: boolean,
  ) {}

  async begin(seed: number[]): Promise<void> {
    const prepare = async (store: ConversationStore, svc: ConversationService): Promise<void> => {
      // u1, u2 and u3 are members of every group: a message from anyone reaches u1's list
      await store.addMembers(IDS.filter((id) => id.startsWith('sg_')), [USER, 'u2', 'u3']);
      for (const i of seed) await sendMessage(svc, idOf(i), 1);
    };
    if (this.inProcess) {
      this.s = await inProcessServer(SYNC_LIMIT);
      await prepare(this.s.store, this.s.svc);
    } else {
      this.s = await processServer(SYNC_LIMIT, prepare);
    }
    await this.newClient();
    // live from the start, so frames (and their faults) matter from the first command
    await waitFor(this.c.sync.status$, (st) => st.connected, 5000);
    await this.c.sync.sync().catch(() => undefined);
  }

  private hook = (_id: string): void => {
    if (this.crashIn > 0 && --this.crashIn === 0) {
      this.crashes++;
      throw new Error('injected crash mid-apply');
    }
  };

  /** Pushed deltas applied, drift checks made and mismatches found, over every client instance of the run. */
  counts(): { pushed: number; driftChecks: number; driftMismatches: number } {
    const m = this.c?.sync.metrics();
    const p = this.past;
    return { pushed: p.pushed + (m?.pushedDeltasApplied ?? 0), driftChecks: p.driftChecks + (m?.driftChecks ?? 0), driftMismatches: p.driftMismatches + (m?.driftMismatches ?? 0) };
  }

  async newClient(): Promise<void> {
    if (this.c) this.past = this.counts();
    const c = makeClient(this.s, USER, {
      kind: this.kind,
      name: this.name,
      beforeWrite: this.hook,
      pageSize: 3,
      requestTimeoutMs: 750,
      driftCheck: this.driftCheck,
      driftCheckIntervalMs: 0,
    });
    c.craft.fn = (_path, _body, real, init) => this.faults.onFetch(real, init);
    c.taps.pass = (raw, tap) => this.faults.pass(raw, tap);
    this.c = c;
    this.sub?.unsubscribe();
    this.sub = c.sync.conversations$.subscribe({
      next: (list) => this.checkEmission(list),
      error: (e: unknown) => this.violations.push(`conversations$ errored: ${String(e)}`),
    });
    await c.sync.start();
  }

  /** SPEC §1.2: strictly ordered, so also no ID twice. */
  private checkEmission(list: LocalConversation[]): void {
    this.emissions++;
    const seen = new Set<string>();
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      if (seen.has(c.conversationID)) this.violations.push(`emission ${this.emissions}: ${c.conversationID} twice`);
      seen.add(c.conversationID);
      const prev = list[i - 1];
      if (prev && compareConversations(prev, c) >= 0) {
        this.violations.push(`emission ${this.emissions}: ${prev.conversationID} before ${c.conversationID} breaks §1.2 order`);
      }
    }
  }

  // ---- server-side helpers: straight to the service (what the routes call), not over HTTP ----

  async record(id: string): Promise<Conversation | undefined> {
    return (await this.s.store.get(USER, [id]))[0];
  }

  message(id: string, from: number): Promise<void> {
    return sendMessage(this.s.svc, id, from);
  }

  async exec(cmd: Cmd): Promise<void> {
    const svc = this.s.svc;
    switch (cmd.t) {
      case 'message':
        return this.message(idOf(cmd.id), cmd.from);
      case 'update': {
        const id = idOf(cmd.id);
        const r = await this.record(id);
        if (!r) return;
        // seqs are left alone: only messages and reads move them (they only grow)
        const next: Conversation =
          cmd.field === 'time' ? { ...r, latestMsgSendTime: 1_700_000_000_000 + cmd.v * 1000 } : { ...r, [cmd.field]: `${cmd.field}-${cmd.v}` };
        await svc.upsert(USER, [next]);
        return;
      }
      case 'delete': {
        const ids = cmd.ids.map(idOf);
        ids.forEach((id) => this.everDeleted.add(id));
        await svc.deleteConversations(USER, ids);
        return;
      }
      case 'read': {
        const id = idOf(cmd.id);
        const r = await this.record(id);
        if (!r) return;
        await svc.markAsRead(USER, id, Math.max(0, r.maxSeq - cmd.back));
        return;
      }
      case 'pin':
      case 'mute': {
        const id = idOf(cmd.id);
        if (!(await this.record(id))) return;
        const conversation = cmd.t === 'pin' ? { conversationID: id, isPinned: cmd.on } : { conversationID: id, recvMsgOpt: cmd.opt };
        await svc.setConversations(USER, conversation);
        return;
      }
      case 'burst': {
        if (cmd.oneVersion) {
          // one version touching every record (overflows syncLimit when there are more than 5)
          const all = await serverList(this.s, USER);
          const v = Math.random().toString(36).slice(2, 8);
          await svc.upsert(USER, all.map((c) => ({ ...c, ex: `burst-${v}` })));
        } else {
          for (let i = 0; i < cmd.n; i++) await this.message(idOf(i), 1);
        }
        return;
      }
      case 'reset':
        await svc.resetLog(USER);
        return;
      case 'compact': {
        const h = await serverHead(this.s, USER);
        await this.s.store.compact(USER, Math.max(0, h.version - cmd.back));
        return;
      }
      case 'restartServer': {
        const before = this.s.pid();
        await this.s.restart(cmd.signal ?? 'SIGKILL');
        expect(this.s.pid(), 'a new server process').not.toBe(before);
        this.restarts++;
        return;
      }
      case 'fetchFault':
        this.faults.fetch = { mode: cmd.mode, n: cmd.n };
        return;
      case 'frameFault':
        this.faults.frame = { mode: cmd.mode, n: cmd.n };
        return;
      case 'release':
        this.faults.release();
        return;
      case 'dropSocket':
        for (const t of this.c.taps.sockets) t.inner.terminate();
        return;
      case 'sync':
        await this.c.sync.sync().catch(() => undefined);
        return;
      case 'restartClient':
        await this.c.sync.stop();
        if (cmd.reload) await this.newClient();
        else await this.c.sync.start();
        return;
      case 'crash':
        this.crashIn = cmd.k;
        return;
      case 'draft': {
        // a record the device holds (any, when it holds none)
        const local = await this.c.storage.allIDs().catch(() => []);
        const id = local.length > 0 ? [...local].sort()[cmd.id % local.length]! : idOf(cmd.id);
        const rec = await this.c.sync.setDraft(id, cmd.text).catch(() => undefined);
        if (rec) this.drafts.set(id, { text: rec.draftText, time: rec.draftTextTime });
        return;
      }
      case 'pause': {
        // let the client react (await its catch-up, bounded); not an assertion
        await until(async () => {
          const h = await serverHead(this.s, USER);
          const cur = this.c.sync.cursor();
          return cur !== null && cur.versionID === h.versionID && cur.version === h.version;
        }, 300).catch(() => undefined);
        return;
      }
    }
  }

  /** Faults off, held frames delivered, a final sync settled; then every check. */
  async quietAndCheck(): Promise<void> {
    this.faults.off();
    this.crashIn = 0;
    this.faults.release();
    const sync = this.c.sync;
    // the sync in flight (if any) may have started before the last change, or under a fault
    await sync.sync().catch(() => undefined);
    let mode: string | null = null;
    let lastErr: unknown = null;
    for (let i = 0; i < 5 && mode === null; i++) {
      mode = await sync.sync().catch((e: unknown) => ((lastErr = e), null));
    }
    expect(mode, `final sync failed: ${String(lastErr)}`).not.toBeNull();
    await expectEqualToServer(this.c, this.s, USER);

    const remote = await serverList(this.s, USER);
    const local = await this.c.storage.getAll();
    // drafts: preserved exactly as set, unless the record was deleted on the server at some point
    // (then the device may have seen it go, and a re-created record starts without one)
    for (const r of remote) {
      const l = local.find((x) => x.conversationID === r.conversationID)!;
      const d = this.drafts.get(r.conversationID);
      const want = d && d.text !== '' ? d : { text: '', time: 0 };
      const got = { text: l.draftText, time: l.draftTextTime };
      if (d && this.everDeleted.has(r.conversationID)) expect([want, { text: '', time: 0 }]).toContainEqual(got);
      else expect(got, `draft of ${r.conversationID}`).toEqual(want);
      if (d && d.text !== '' && !this.everDeleted.has(r.conversationID)) this.draftsChecked++;
      expect(l.unreadCount).toBe(Math.max(0, l.maxSeq - l.hasReadSeq));
    }
    // the live list: the stored list, in order; totalUnread$ = the sum from server data
    const live = await waitFor(sync.conversations$, (l) => isDeepStrictEqual(l, local), 5000).catch(() => null);
    expect(live, 'conversations$ converges to the stored list').toEqual(local);
    const total = await waitFor(sync.totalUnread$, () => true, 5000);
    expect(total).toBe(totalUnreadOf(remote));
    expect(this.violations).toEqual([]);
    // the live socket is back (after a restart: on the new process)
    const up = await waitFor(sync.status$, (st) => st.connected, 5000).then(() => true, () => false);
    expect(up, 'the socket is up again').toBe(true);
    // no drift check found the list wrong: nothing the engine lost was silently repaired
    expect(this.counts().driftMismatches, 'drift checks that found another ID set than the server at the same version').toBe(0);
  }

  async end(): Promise<void> {
    this.sub?.unsubscribe();
    this.sub = null;
    await this.c?.sync.clear().catch(() => undefined);
    await this.s?.close().catch(() => undefined);
  }
}

/**
 * Security of the reference server (issue 5, "Security"):
 * - one user's token never reads or changes another user's data, whatever is put in
 *   any `userID` field of any endpoint (batch targets included) — fuzzed with fast-check;
 * - a socket only ever receives its own user's frames;
 * - tokens never appear in logs, error messages or close reasons;
 * - the WebSocket upgrade checks `Origin` against `allowedOrigins` when configured.
 * Forged and expired tokens: `security-tokens.test.ts`; the admin API from other origins
 * and hosts: `security-admin.test.ts`; slow requests and socket floods: `security-limits.test.ts`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerState, issueToken, jsonLineLogger, MemoryConversationStore, CLOSE_AUTH } from '../../src/server/index.js';
import { makeConversation } from '../helpers/fixtures.js';
import { openSocket, post, startServer, type TestServer, type TestSocket } from '../helpers/server.js';
import { rawPost, storeSnapshot, withTimeout } from './server-state.js';
import { BATCH, DEL, FULL, IDS, INC, MARK, SET, SORTED } from './paths.js';

const RUNS = 40;

describe('no request with one user’s token reaches another user’s data', () => {
  let s: TestServer;
  const attackers = ['a1', 'alice', 'u1'];
  const victims = ['v1', 'u2', 'U1', 'u1 ', ' u1', 'u10', 'a1\u0000', 'ａ1', 'alice\u200d', 'Alice', '__proto__', 'constructor', '*', '%', ''];

  beforeAll(async () => {
    s = await startServer({ admin: false });
    const svc = s.server.service;
    for (const u of [...attackers, ...victims.filter((v) => v !== '')]) {
      await svc.upsert(u, [
        makeConversation('sg_shared', { ownerUserID: u, maxSeq: 20, hasReadSeq: 1 }),
        makeConversation(`sg_only_${u.length}_${Buffer.from(u).toString('hex')}`, { ownerUserID: u, maxSeq: 20 }),
      ]);
    }
  });
  afterAll(() => s.close());

  /** a user ID other than the attacker's: known victims, look-alikes, or anything */
  const victimOf = (attacker: string) =>
    fc
      .oneof(
        fc.constantFrom(...victims, ...attackers),
        fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }),
        fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
        fc.constantFrom(attacker.toUpperCase(), `${attacker}\u0000`, `\u202e${attacker}`, `${attacker}/..`, `${attacker}\n`, attacker.normalize('NFKD') + '\u0301'),
      )
      .filter((v) => v !== attacker && v.length >= 1 && v.length <= 256);

  type Build = (victim: string, attacker: string, victimFirst: boolean) => { path: string; body: unknown };
  const cursor = (userID: string) => ({ userID, versionID: '', version: 0 });
  const endpoints: Array<[string, Build]> = [
    ['get_incremental_conversations', (v) => ({ path: INC, body: cursor(v) })],
    ['batch: victim among own targets', (v, a, first) => ({ path: BATCH, body: { targets: first ? [cursor(v), cursor(a)] : [cursor(a), cursor(v)] } })],
    ['batch: victim alone', (v) => ({ path: BATCH, body: { targets: [cursor(v)] } })],
    ['get_full_conversations', (v) => ({ path: FULL, body: { userID: v, limit: 10 } })],
    ['get_full_conversation_ids', (v) => ({ path: IDS, body: { userID: v } })],
    ['get_sorted_conversation_list', (v) => ({ path: SORTED, body: { userID: v, pagination: { pageNumber: 1, showNumber: 20 } } })],
    ['set_conversations', (v) => ({ path: SET, body: { userID: v, conversation: { conversationID: 'sg_shared', isPinned: true, ex: 'owned' } } })],
    ['mark_as_read', (v) => ({ path: MARK, body: { userID: v, conversationID: 'sg_shared', hasReadSeq: 19 } })],
    ['delete_conversations', (v) => ({ path: DEL, body: { userID: v, conversationIDs: ['sg_shared'] } })],
  ];

  it.each(endpoints)('%s: always 1002 / 403, nothing read or changed', async (_name, build) => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...attackers).chain((a) => fc.tuple(fc.constant(a), victimOf(a), fc.boolean(), fc.boolean())),
        async ([attacker, victim, victimFirst, openIMHeader]) => {
          const before = storeSnapshot(s.server.state.store);
          const { path, body } = build(victim, attacker, victimFirst);
          const t = s.token(attacker);
          const r = openIMHeader ? await post(s.url, path, body, undefined, { token: t }) : await s.post(path, body, t);
          expect({ status: r.status, errCode: r.body.errCode, data: r.body.data }).toEqual({ status: 403, errCode: 1002, data: null });
          // a refused request does not even create the victim's log on first access
          expect(storeSnapshot(s.server.state.store)).toBe(before);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('own userID with another user’s conversationID touches nothing of theirs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...attackers), fc.constantFrom(...victims.filter((v) => v !== '')), async (attacker, victim) => {
        const theirs = `sg_only_${victim.length}_${Buffer.from(victim).toString('hex')}`;
        if (attacker === victim) return;
        const before = storeSnapshot(s.server.state.store);
        const t = s.token(attacker);
        const set = await s.post(SET, { userID: attacker, conversation: { conversationID: theirs, isPinned: true } }, t);
        expect({ status: set.status, errCode: set.body.errCode }).toEqual({ status: 404, errCode: 1004 });
        const mark = await s.post(MARK, { userID: attacker, conversationID: theirs, hasReadSeq: 5 }, t);
        expect({ status: mark.status, errCode: mark.body.errCode }).toEqual({ status: 404, errCode: 1004 });
        // deleting what one does not hold is a no-op: no version, no change anywhere
        const del = await s.post(DEL, { userID: attacker, conversationIDs: [theirs] }, t);
        expect(del.body.errCode).toBe(0);
        expect(storeSnapshot(s.server.state.store)).toBe(before);
      }),
      { numRuns: 30 },
    );
  });
});

describe('a socket only ever receives its own user’s frames', () => {
  it('three users, several sockets each, 300 writes: per-socket frames are exactly the user’s own, none lost', async () => {
    const s = await startServer({ admin: false });
    try {
      const svc = s.server.service;
      const users = ['u1', 'u2', 'u3'];
      for (const u of users) {
        await svc.upsert(u, [makeConversation('sg_team', { ownerUserID: u }), ...Array.from({ length: 5 }, (_, i) => makeConversation(`sg_${u}_${i}`, { ownerUserID: u, maxSeq: 1000 }))]);
      }
      await svc.sendMessage('si_u1_u2', 'u1', 'hi');
      const start = new Map<string, number>();
      for (const u of users) start.set(u, (await s.server.state.store.head(u)).version);
      const sockets = new Map<string, TestSocket[]>();
      for (const u of users) sockets.set(u, [await s.socket(s.token(u)), await s.socket(s.token(u)), ...(u === 'u1' ? [await s.socket(s.token(u))] : [])]);

      // a deterministic mix of user writes (HTTP) and messages (service) that touch several users
      let seed = 7;
      const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
      for (let i = 0; i < 300; i++) {
        const u = users[rand(users.length)]!;
        const op = rand(5);
        if (op === 0) await s.call(u, SET, { userID: u, conversation: { conversationID: `sg_${u}_${rand(5)}`, ex: `e${i}` } });
        else if (op === 1) await s.call(u, MARK, { userID: u, conversationID: `sg_${u}_${rand(5)}`, hasReadSeq: i + 1 });
        else if (op === 2) await svc.sendMessage('sg_team', u, `m${i}`);
        else if (op === 3 && u !== 'u3') await s.call(u, SET, { userID: u, conversation: { conversationID: 'si_u1_u2', isPrivateChat: i % 2 === 0, burnDuration: i } });
        else await s.call(u, SET, { userID: u, conversation: { conversationID: 'sg_team', isPinned: i % 2 === 0 } });
      }

      for (const u of users) {
        const head = await s.server.state.store.head(u);
        const want = Array.from({ length: head.version - start.get(u)! }, (_, i) => start.get(u)! + 1 + i);
        const seqs: string[] = [];
        for (const sock of sockets.get(u)!) {
          await withTimeout(sock.next((f) => (f.type === 'conversation.changed' || f.type === 'conversation.unread') && f.version === head.version), 10_000, `${u} reaches ${head.version}`);
          const mine = sock.frames.filter((f) => f.type !== 'auth.ok');
          for (const f of mine) {
            if (f.type === 'conversation.private') expect([f.sendID, f.recvID]).toContain(u);
            else {
              expect(f.userID).toBe(u);
              for (const c of [...(f.delta?.insert ?? []), ...(f.delta?.update ?? [])]) expect(c.ownerUserID).toBe(u);
            }
          }
          const versions = mine.filter((f) => f.type === 'conversation.changed' || f.type === 'conversation.unread').map((f) => f.version as number);
          // every version of the user's log exactly once, in order: no loss, no foreign frame
          expect(versions).toEqual(want);
          seqs.push(JSON.stringify(mine));
        }
        expect(new Set(seqs).size).toBe(1); // every device of a user saw the same frames
      }
      expect(sockets.get('u3')!.every((x) => x.frames.every((f) => f.type !== 'conversation.private'))).toBe(true);
    } finally {
      await s.close();
    }
  });
});

describe('tokens never appear in logs, error messages or close reasons', () => {
  it('across many failing requests and sockets, good and bad tokens alike', async () => {
    const written: string[] = [];
    const state = createServerState();
    const s = await startServer({ admin: false, state, logger: jsonLineLogger((l) => written.push(l)), allowedOrigins: ['https://app.example'] });
    const brokenStore = new MemoryConversationStore();
    brokenStore.sorted = async () => {
      throw new Error('storage failure');
    };
    const broken = await startServer({ admin: false, state: { tokenSecret: state.tokenSecret, store: brokenStore }, logger: jsonLineLogger((l) => written.push(l)) });
    try {
      await s.server.service.upsert('u1', [makeConversation('sg_a', { maxSeq: 3 })]);
      const good = s.token('u1');
      const other = s.token('u2');
      const expired = s.token('u1', 0);
      const tampered = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      const foreign = issueToken('another-secret', 'u1').token;
      const forgedPayload = `${Buffer.from('u2').toString('base64url')}.${good.split('.')[1]}.${good.split('.')[2]}`;
      const tokens = [good, other, expired, tampered, foreign, forgedPayload];
      const seen: string[] = [];
      const keep = (r: { status: number; headers: Headers; text: string }) => seen.push(r.status + JSON.stringify([...r.headers]) + r.text);

      const bodies: Array<[string, unknown]> = [
        [INC, { userID: 'u2', versionID: '', version: 0 }], // 1002
        [INC, { userID: 'u1', versionID: 7, version: 0 }], // 1001
        [SET, { userID: 'u1', conversation: { conversationID: 'sg_none', isPinned: true } }], // 1004
        [MARK, { userID: 'u1', conversationID: 'sg_a', hasReadSeq: 'x' }], // 1001
        [BATCH, { targets: [{ userID: 'u1', versionID: '', version: 0 }, { userID: 'u2', versionID: '', version: 0 }] }], // 1002
        ['/conversation/nope', {}], // 1004
        [INC, { pad: 'z'.repeat(1024 * 1024 + 10) }], // 1413
      ];
      for (const t of tokens) {
        for (const [path, body] of bodies) {
          const text = JSON.stringify(body);
          keep(await rawPost(s.url, path, text, { 'Content-Type': 'application/json', Authorization: `Bearer ${t}`, operationID: 'op-sec' }));
          keep(await rawPost(s.url, path, text, { 'Content-Type': 'application/json', token: t }));
          keep(await rawPost(s.url, path, text, { 'Content-Type': 'application/json', Authorization: `Bearer ${t} trailing-garbage` }));
          keep(await rawPost(s.url, path, text, { 'Content-Type': 'application/json', Authorization: t }));
        }
        // a 500 with a valid-looking token on the way
        keep(await rawPost(broken.url, SORTED, JSON.stringify({ userID: 'u1', pagination: { pageNumber: 1, showNumber: 5 } }), { Authorization: `Bearer ${t}` }));
        // sockets: the token as the auth frame, and a refused origin
        const sock = await s.socket();
        const reason = new Promise<string>((resolve) => sock.ws.once('close', (_c, r) => resolve(r.toString())));
        sock.send({ type: 'auth', token: t });
        if (t === good || t === other) {
          await withTimeout(sock.next((f) => f.type === 'auth.ok'), 5_000, 'auth.ok');
          sock.send('{"bad json');
        }
        seen.push(await withTimeout(reason, 5_000, 'close reason'));
        seen.push(JSON.stringify(sock.frames));
        await expect(openSocket(s.wsURL, t, { Origin: 'https://evil.example' })).rejects.toThrow(/403/);
      }
      const errorAnswers = seen.filter((x) => /"errCode":[1-9]/.test(x)).length;
      expect(errorAnswers).toBeGreaterThanOrEqual(tokens.length * bodies.length * 4);
      const logText = written.join('');
      expect(written.length).toBeGreaterThan(tokens.length * bodies.length * 4); // the logger did see every request
      expect(logText).toContain('"operationID":"op-sec"');
      expect(logText).toContain('storage failure'); // internal errors are logged in full…
      for (const t of tokens) {
        const signature = t.split('.')[2] ?? t;
        for (const hay of [logText, ...seen]) {
          expect(hay.includes(t)).toBe(false);
          expect(hay.includes(signature)).toBe(false);
        }
      }
      // …but never returned to the caller
      expect(seen.some((x) => x.includes('storage failure'))).toBe(false);
    } finally {
      await broken.close();
      await s.close();
    }
  });
});

describe('the WebSocket upgrade checks Origin against allowedOrigins', () => {
  let s: TestServer;
  const allowed = ['https://app.example', 'http://localhost:5173'];
  beforeAll(async () => {
    s = await startServer({ admin: false, allowedOrigins: allowed });
  });
  afterAll(() => s.close());

  it.each(allowed)('accepts the allowed origin %s', async (origin) => {
    const sock = await openSocket(s.wsURL, s.token('u1'), { Origin: origin });
    expect(sock.frames[0]).toEqual({ type: 'auth.ok', userID: 'u1' });
    sock.ws.terminate();
    await sock.closed;
  });

  it.each([
    'https://evil.example',
    'null',
    'https://app.example.evil.example',
    'https://evil.example/https://app.example',
    'https://APP.example',
    'http://app.example',
    'https://app.example:443',
    'https://app.example/',
    'http://localhost:5174',
    '',
  ])('refuses the origin %j with 403 before any frame', async (origin) => {
    const accepted = s.server.metrics.ws.accepted;
    const refused = s.server.metrics.ws.refused.get('origin') ?? 0;
    await expect(openSocket(s.wsURL, undefined, { Origin: origin })).rejects.toThrow(/403/);
    // the server counted a refusal and accepted nothing (an accepted upgrade counts, authenticated or not)
    expect(s.server.metrics.ws.refused.get('origin')).toBe(refused + 1);
    expect(s.server.metrics.ws.accepted).toBe(accepted);
  });

  it('without an Origin header (non-browser clients) the upgrade is accepted; the token is still required', async () => {
    const ok = await openSocket(s.wsURL, s.token('u1'));
    expect(ok.frames[0]).toEqual({ type: 'auth.ok', userID: 'u1' });
    ok.ws.terminate();
    const noToken = await openSocket(s.wsURL);
    noToken.send({ type: 'auth', token: 'nope' });
    expect(await withTimeout(noToken.closed, 5_000, 'close')).toBe(CLOSE_AUTH);
  });

  it('CORS answers name only allowed origins', async () => {
    const pre = async (origin: string) =>
      fetch(s.url + INC, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
    const good = await pre('https://app.example');
    expect(good.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(good.headers.get('vary')).toMatch(/Origin/);
    const evil = await pre('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('with no allow-list every origin may connect (documented default)', async () => {
    const open = await startServer({ admin: false });
    try {
      const sock = await openSocket(open.wsURL, open.token('u1'), { Origin: 'https://anywhere.example' });
      expect(sock.frames[0]).toEqual({ type: 'auth.ok', userID: 'u1' });
      sock.ws.terminate();
    } finally {
      await open.close();
    }
  });
});

/**
 * Scenario 7: the reference server.
 * - the sync decision plus the log read for a client 10 versions behind, with a log of
 *   1,000 and of 1,000,000 entries (in process, straight on `decide` and `VersionLog`:
 *   must be flat in the log size);
 * - sync answers per second with 200 concurrent keep-alive clients, against a bare
 *   node:http server that only parses the body and answers a fixed envelope (the floor);
 * - notification fan-out: one change of a user with 1,000 open sockets, until every
 *   socket has the frame, against a bare `ws` broadcast of a frame of the same size.
 * The servers of the last two run in a child process (bench/lib/server-child.ts), the load
 * and the sockets in this one: two processes for two cores.
 */
import { request, Agent } from 'node:http';
import WebSocket from 'ws';
import { decide, LogState, VersionLog, type ConversationStore } from '../../src/server/index.js';
import type { Conversation } from '../../src/index.js';
import { makeConversation } from '../../support/fixtures.js';
import { childScript, startChild, type Child } from '../lib/child.js';
import type { BenchConfig } from '../lib/config.js';
import { post } from '../lib/http.js';
import { median, ratio, stats } from '../lib/stats.js';
import type { Row } from '../lib/types.js';
import { nf, now, repeat, sleep } from '../lib/util.js';

// ---- decision + log read, in process ----

/** A record as the store would return it; its content does not matter to the decision. */
const template = (id: string): Conversation => makeConversation(id, { ownerUserID: 'u', showName: 'Atlas team', maxSeq: 10, hasReadSeq: 9 });

function logOf(entries: number, behind: number): { store: ConversationStore; cursor: { versionID: string; version: number } } {
  const log = new VersionLog();
  const batch = 1000;
  for (let i = 0; i < entries; i += batch) {
    const changes = [];
    for (let j = i; j < Math.min(entries, i + batch); j++) changes.push({ eID: `sg_${j.toString(36).padStart(6, '0')}`, state: LogState.INSERT });
    log.incr(changes);
  }
  for (let v = 0; v < behind; v++) log.incr([{ eID: `sg_${((v * 7919) % entries).toString(36).padStart(6, '0')}`, state: LogState.UPDATE }]);
  const store = {
    head: async () => log.headInfo(),
    changesSince: async (_u: string, version: number, limit: number) => log.changesSince(version, limit),
    get: async (_u: string, ids: readonly string[]) => ids.map(template),
  } as unknown as ConversationStore;
  return { store, cursor: { versionID: log.id, version: log.version - behind } };
}

async function benchDecision(cfg: BenchConfig): Promise<Row[]> {
  const [small, large] = cfg.serverLogSizes;
  const behind = 10;
  const logs = [small, large].map((n) => ({ n, ...logOf(n, behind), samples: [] as number[] }));
  const calls = cfg.quick ? 200 : 5000;
  await repeat(cfg.warmup, cfg.runs, async (rep) => {
    for (const l of logs) {
      const t0 = now();
      for (let i = 0; i < calls; i++) {
        const d = await decide(l.store, 'u', l.cursor, 200);
        if (d.mode !== 'incremental' || d.answer.update.length !== behind) throw new Error(`decision: ${d.mode}`);
      }
      if (rep >= 0) l.samples.push(((now() - t0) / calls) * 1000);
    }
    return 0;
  });
  const a = stats(logs[0]!.samples);
  const b = stats(logs[1]!.samples);
  const what = `decision + log read (client ${behind} versions behind)`;
  return [
    { scenario: 7, runtime: 'node (server)', name: `${what} · log of ${nf(small)} entries`, unit: 'µs', stats: a, extra: `per call, mean of ${nf(calls)} calls per run` },
    { scenario: 7, runtime: 'node (server)', name: `${what} · log of ${nf(large)} entries`, unit: 'µs', stats: b, ratio: { value: ratio(b.median, a.median), against: `log of ${nf(small)}` }, extra: `per call, mean of ${nf(calls)} calls per run` },
  ];
}

// ---- sync answers per second ----

function postOnce(agent: Agent, url: string, path: string, body: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `bodies.length` clients, each posting in a loop for `seconds`; answers per second. */
async function load(url: string, path: string, bodies: string[], tokens: string[], seconds: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: bodies.length });
  let answers = 0;
  const end = now() + seconds * 1000;
  const t0 = now();
  await Promise.all(
    bodies.map(async (body, i) => {
      for (let n = 0; n < 10_000_000 && now() < end; n++) {
        await postOnce(agent, url, path, body, tokens[i]!);
        answers++;
      }
    }),
  );
  const s = (now() - t0) / 1000;
  agent.destroy();
  return answers / s;
}

async function benchThroughput(cfg: BenchConfig, conv: Child, bare: Child): Promise<Row[]> {
  const P = '/conversation/get_incremental_conversations';
  const clients = cfg.serverClients;
  const equalBodies: string[] = [];
  const incBodies: string[] = [];
  const tokens: string[] = [];
  for (let i = 0; i < clients; i++) {
    const userID = `load${i}`;
    const first = await post<{ versionID: string; version: number }>(conv.url, '/admin/seed', { userID, count: 100 });
    const second = await post<{ versionID: string; version: number }>(conv.url, '/admin/seed', { userID, count: 10 });
    tokens.push((await post<{ token: string }>(conv.url, '/admin/token', { userID })).token);
    equalBodies.push(JSON.stringify({ userID, versionID: second.versionID, version: second.version }));
    incBodies.push(JSON.stringify({ userID, versionID: first.versionID, version: first.version }));
  }
  // the answers are what they should be
  const inc = await post<{ full: boolean; insert: unknown[] }>(conv.url, P, JSON.parse(incBodies[0]!), tokens[0]);
  if (inc.full || inc.insert.length !== 10) throw new Error('load: expected an incremental answer of 10 records');
  const cases = [
    { key: 'bare', label: 'baseline: bare node:http, fixed answer', url: bare.url, bodies: equalBodies },
    { key: 'equal', label: 'get_incremental_conversations · equal', url: conv.url, bodies: equalBodies },
    { key: 'inc', label: 'get_incremental_conversations · incremental, 10 records', url: conv.url, bodies: incBodies },
  ];
  const samples = new Map<string, number[]>(cases.map((c) => [c.key, []]));
  await repeat(cfg.warmup, cfg.runs, async (rep) => {
    for (const c of cases) {
      const r = await load(c.url, P, c.bodies, tokens, rep < 0 ? cfg.serverSeconds / 2 : cfg.serverSeconds);
      if (rep >= 0) samples.get(c.key)!.push(r);
      await sleep(100);
    }
    return 0;
  });
  const base = median(samples.get('bare')!);
  return cases.map((c) => {
    const s = stats(samples.get(c.key)!);
    const row: Row = { scenario: 7, runtime: 'node (server)', name: `sync answers/s · ${clients} concurrent clients · ${c.label}`, unit: 'answers/s', stats: s, extra: `${cfg.serverSeconds} s per run, server in a child process` };
    if (c.key !== 'bare') row.ratio = { value: ratio(s.median, base), against: 'bare node:http' };
    return row;
  });
}

// ---- fan-out ----

interface Fleet {
  got: number;
  bytes: number;
  onAll: (() => void) | null;
  target: number;
  sockets: WebSocket[];
}

async function openFleet(wsURL: string, count: number, authToken: string | null): Promise<Fleet> {
  const fleet: Fleet = { got: 0, bytes: 0, onAll: null, target: count, sockets: [] };
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(wsURL);
      const timer = setTimeout(() => reject(new Error('socket did not open')), 15_000);
      let ready = false;
      ws.on('open', () => {
        if (authToken === null) {
          ready = true;
          clearTimeout(timer);
          resolve();
        } else ws.send(JSON.stringify({ type: 'auth', token: authToken }));
      });
      ws.on('message', (data: Buffer) => {
        const text = data.toString('utf8');
        if (!ready) {
          if (text.includes('auth.ok')) {
            ready = true;
            clearTimeout(timer);
            resolve();
          }
          return;
        }
        if (!text.includes('conversation.changed')) return;
        fleet.got++;
        fleet.bytes = text.length;
        if (fleet.got === fleet.target) fleet.onAll?.();
      });
      ws.on('error', reject);
      fleet.sockets.push(ws);
    });
  for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: Math.min(100, count - i) }, one));
  return fleet;
}

async function fanOnce(f: Fleet, trigger: () => Promise<unknown>): Promise<number> {
  f.got = 0;
  const all = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`fan-out: ${f.got}/${f.target} after 30 s`)), 30_000);
    f.onAll = () => {
      clearTimeout(t);
      resolve();
    };
  });
  const t0 = now();
  await Promise.all([trigger(), all]);
  return now() - t0;
}

async function benchFanout(cfg: BenchConfig, conv: Child, bare: Child): Promise<Row[]> {
  const n = cfg.fanoutSockets;
  const userID = 'fan';
  await post(conv.url, '/admin/seed', { userID, count: 10 });
  const token = (await post<{ token: string }>(conv.url, '/admin/token', { userID })).token;
  const page = await post<{ conversations: Conversation[] }>(conv.url, '/conversation/get_full_conversations', { userID, limit: 1 }, token);
  const rec = page.conversations[0]!;
  const a = await openFleet(conv.url.replace('http', 'ws') + '/ws', n, token);
  const b = await openFleet(bare.url.replace('http', 'ws') + '/ws', n, null);
  let seq = rec.maxSeq;
  const change = () => {
    seq++;
    const t = Date.now();
    return post(conv.url, '/admin/upsert', {
      userID,
      conversation: { ...rec, maxSeq: seq, latestMsgSendTime: t, latestMsg: { clientMsgID: `fan${seq}`, seq, sendID: userID, senderNickname: userID, contentType: 101, text: 'fan-out', sendTime: t } },
    });
  };
  const sa: number[] = [];
  const sb: number[] = [];
  const rounds = cfg.fanoutRounds;
  for (let i = -2; i < rounds; i++) {
    const x = await fanOnce(a, change);
    const y = await fanOnce(b, () => post(bare.url, '/broadcast', { frameBytes: a.bytes }));
    if (i >= 0) {
      sa.push(x);
      sb.push(y);
    }
  }
  for (const s of [...a.sockets, ...b.sockets]) s.terminate();
  const s1 = stats(sa);
  const s2 = stats(sb);
  return [
    { scenario: 7, runtime: 'node (server)', name: `fan-out · 1 change → ${nf(n)} sockets of one user · baseline: bare ws broadcast`, unit: 'ms', stats: s2, extra: `frame ${a.bytes} B, request → last socket` },
    {
      scenario: 7,
      runtime: 'node (server)',
      name: `fan-out · 1 change → ${nf(n)} sockets of one user · convsync (commit + notify)`,
      unit: 'ms',
      stats: s1,
      ratio: { value: ratio(s1.median, s2.median), against: 'bare ws broadcast' },
      extra: `frame ${a.bytes} B with delta, request → last socket`,
    },
  ];
}

export async function benchServer(cfg: BenchConfig, log: (s: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  rows.push(...(await benchDecision(cfg)));
  log('  server decision done');
  const script = await childScript();
  const conv = await startChild(script, 'convsync');
  const bare = await startChild(script, 'bare');
  try {
    rows.push(...(await benchThroughput(cfg, conv, bare)));
    log('  server throughput done');
    rows.push(...(await benchFanout(cfg, conv, bare)));
    log('  server fan-out done');
  } finally {
    await conv.stop();
    await bare.stop();
  }
  return rows;
}

/**
 * Scenario 6: bytes on the wire. For k changes among N: the incremental answer against
 * the full snapshot (every page of `get_full_conversations`, the client's page size),
 * and against what a client without version logs downloads: the whole list on every
 * sync. Sizes are of the JSON answer bodies as the client receives them (the reference
 * server does not compress); gzip sizes beside them. Deterministic: measured once.
 */
import { gzipSync } from 'node:zlib';
import type { ConvSyncServer } from '../../src/server/index.js';
import type { BenchConfig } from '../lib/config.js';
import { postRaw, seedUser } from '../lib/http.js';
import { serverChange, someIDs } from '../lib/server-data.js';
import { fmtBytes, ratio } from '../lib/stats.js';
import type { Row } from '../lib/types.js';
import { nf } from '../lib/util.js';

/** One answer: its `data`, its size in bytes as received, and gzipped. */
async function postText(url: string, path: string, body: unknown, token: string): Promise<{ data: any; bytes: number; gzip: number }> {
  const r = await postRaw<any>(url, path, body, token);
  return { data: r.data, bytes: r.bytes, gzip: gzipSync(r.raw).length };
}

export async function benchBytes(server: ConvSyncServer, cfg: BenchConfig, log: (s: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  const url = server.url;
  for (const N of cfg.bytesSizes) {
    const { userID, token } = await seedUser(url, 'bytes', N);
    let snap = 0;
    let snapGz = 0;
    let cursor: string | null = null;
    for (let i = 0; i < 10_000; i++) {
      const r = await postText(url, '/conversation/get_full_conversations', { userID, limit: 1000, ...(cursor === null ? {} : { cursor }) }, token);
      snap += r.bytes;
      snapGz += r.gzip;
      cursor = r.data.nextCursor as string | null;
      if (cursor === null) break;
    }
    rows.push({
      scenario: 6,
      runtime: 'node (server)',
      name: `snapshot N=${nf(N)} (baseline: what a client without version logs downloads per sync)`,
      unit: 'B',
      value: snap,
      extra: `${fmtBytes(snap)} · gzip ${fmtBytes(snapGz)}`,
    });
    for (const k of cfg.bytesK) {
      // one sync after k changes
      const head = await server.state.store.head(userID);
      await serverChange(server, userID, await someIDs(server, userID, k, k), `bytes${k}`);
      const inc = await postText(url, '/conversation/get_incremental_conversations', { userID, versionID: head.id, version: head.version }, token);
      if (inc.data.full) throw new Error('expected an incremental answer');
      rows.push({
        scenario: 6,
        runtime: 'node (server)',
        name: `incremental answer · k=${k} changes among N=${nf(N)}`,
        unit: 'B',
        value: inc.bytes,
        ratio: { value: ratio(inc.bytes, snap), against: 'snapshot' },
        extra: `${fmtBytes(inc.bytes)} = ${((inc.bytes / snap) * 100).toFixed(3)}% of the snapshot · gzip ${fmtBytes(inc.gzip)}`,
      });
      // the same k changes arriving one at a time, each followed by a sync
      let perChange = 0;
      for (let i = 0; i < k; i++) {
        const h = await server.state.store.head(userID);
        await serverChange(server, userID, await someIDs(server, userID, 1, 7 * i + k), `bytes1-${k}-${i}`);
        perChange += (await postText(url, '/conversation/get_incremental_conversations', { userID, versionID: h.id, version: h.version }, token)).bytes;
      }
      rows.push({
        scenario: 6,
        runtime: 'node (server)',
        name: `k=${k} changes one at a time, a sync after each · N=${nf(N)}`,
        unit: 'B',
        value: perChange,
        ratio: { value: ratio(perChange, k * snap), against: `${k} × snapshot (no version log)` },
        extra: `${fmtBytes(perChange)} vs ${fmtBytes(k * snap)} without version logs`,
      });
    }
  }
  log('  bytes done');
  return rows;
}

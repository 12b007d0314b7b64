/** Server-side changes made in process, straight on the reference server's service and store. */
import type { ConvSyncServer } from '../../src/server/index.js';

/** k records of `userID` get a new message, in one commit (one log version). */
export async function serverChange(server: ConvSyncServer, userID: string, ids: readonly string[], tag: string): Promise<{ versionID: string; version: number }> {
  const store = server.state.store;
  const recs = await store.get(userID, ids);
  const t = Date.now();
  const next = recs.map((c) => ({
    ...c,
    maxSeq: c.maxSeq + 1,
    latestMsgSendTime: t,
    latestMsg: {
      clientMsgID: `${tag}-${c.maxSeq + 1}`,
      seq: c.maxSeq + 1,
      sendID: userID,
      senderNickname: userID,
      contentType: 101,
      text: `bench ${tag}`,
      sendTime: t,
    },
  }));
  const r = await server.service.upsert(userID, next);
  const head = r ?? (await store.head(userID));
  return { versionID: head.id, version: head.version };
}

/** `count` IDs of a user, spread over the list (deterministic). */
export async function someIDs(server: ConvSyncServer, userID: string, count: number, offset = 0): Promise<string[]> {
  const all = await server.state.store.ids(userID);
  const out: string[] = [];
  const step = Math.max(1, Math.floor(all.length / count));
  for (let i = 0; i < count && i < all.length; i++) out.push(all[(offset + i * step) % all.length]!);
  return out;
}

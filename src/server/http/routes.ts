/** The POST endpoints of SPEC §3.1, §3.2 and §3.4. */
import { ErrCode, type Cursor } from '../../protocol/index.js';
import { ApiError } from './api-error.js';
import { issueToken } from '../auth.js';
import type { Decision } from '../decision.js';
import type { Metrics } from '../metrics.js';
import type { ConversationService } from '../service.js';
import * as v from './validate-request.js';
import * as w from './validate-writes.js';
import { applyBatch, shapeError } from '../write-batch.js';

export interface RouteContext {
  /** the token's user; `null` on routes without auth */
  userID: string | null;
  body: unknown;
}

export interface Route {
  auth: boolean;
  admin: boolean;
  handle(ctx: RouteContext): Promise<unknown>;
}

export interface RouteDeps {
  service: ConversationService;
  metrics: Metrics;
  syncLimit: number;
  tokenSecret: () => string;
}

function self(ctx: RouteContext, userID: string): string {
  if (ctx.userID !== userID) throw new ApiError(ErrCode.NO_PERMISSION, `no permission: the token belongs to another user than ${userID}`);
  return userID;
}

export function buildRoutes(d: RouteDeps): Map<string, Route> {
  const { service, metrics } = d;
  const routes = new Map<string, Route>();
  const user = (path: string, handle: Route['handle']) => routes.set(path, { auth: true, admin: false, handle });
  const admin = (path: string, handle: Route['handle']) => routes.set(path, { auth: false, admin: true, handle });

  const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
    const t0 = performance.now();
    const r = await run();
    return [r, (performance.now() - t0) / 1000];
  };
  const count = (dec: Decision, seconds: number) => metrics.answer(dec.mode, seconds, dec.reason === 'overflow');

  // ---- sync ----
  user('/conversation/get_incremental_conversations', async (ctx) => {
    const r = v.readIncrementalReq(ctx.body);
    self(ctx, r.userID);
    const [dec, s] = await timed(() => service.decide(r.userID, r, d.syncLimit));
    count(dec, s);
    return dec.answer;
  });

  user('/conversation/get_incremental_conversations_batch', async (ctx) => {
    const r = v.readBatchReq(ctx.body);
    for (const t of r.targets) self(ctx, t.userID);
    const [decs, s] = await timed(() => service.decideBatch(r.targets, d.syncLimit));
    // no prototype: a target named "__proto__" must be an ordinary key
    const results: Record<string, Decision['answer']> = Object.create(null);
    for (const t of r.targets) {
      const dec = decs.get(t.userID)!;
      count(dec, s / Math.max(1, r.targets.length));
      results[t.userID] = dec.answer;
    }
    return { results };
  });

  user('/conversation/get_full_conversations', async (ctx) => {
    const r = v.readFullReq(ctx.body);
    return service.fullPage(self(ctx, r.userID), r.cursor, r.limit);
  });

  user('/conversation/get_full_conversation_ids', async (ctx) => {
    const r = v.readFullIDsReq(ctx.body);
    return service.fullIDs(self(ctx, r.userID), r.idHash);
  });

  user('/conversation/get_sorted_conversation_list', async (ctx) => {
    const r = v.readSortedReq(ctx.body);
    return service.sortedList(self(ctx, r.userID), r.pageNumber, r.showNumber);
  });

  // ---- user writes: read the body, check the user, run; each answers {versionID, version} ----
  const write = (path: string, read: (body: unknown) => w.ReadWrite) =>
    user(path, async (ctx): Promise<Cursor> => {
      const r = read(ctx.body);
      const u = self(ctx, r.userID);
      if ('mutation' in r) return service.write(u, r.mutation, r.identity);
      return service.refuse(u, r.identity!, r.raw, shapeError(r.invalid));
    });
  write('/conversation/set_conversations', w.readSetReq);
  write('/conversation/mark_as_read', w.readMarkReadReq);
  write('/conversation/delete_conversations', w.readDeleteWriteReq);
  user('/conversation/apply_mutations', async (ctx) => {
    const r = w.readApplyMutationsReq(ctx.body);
    return applyBatch(service, self(ctx, r.userID), r.clientID, r.items);
  });

  // ---- admin ----
  admin('/admin/token', async (ctx) => {
    const r = v.readTokenReq(ctx.body);
    return issueToken(d.tokenSecret(), r.userID, r.ttlSeconds);
  });

  admin('/admin/seed', async (ctx) => {
    const r = v.readSeedReq(ctx.body);
    return service.seed(r.userID, r.count, r.peers.filter((p) => p !== r.userID));
  });

  admin('/admin/send_message', async (ctx) => {
    const r = v.readSendMessageReq(ctx.body);
    return { conversationID: r.conversationID, ...(await service.sendMessage(r.conversationID, r.sendID, r.text)) };
  });

  admin('/admin/upsert', async (ctx) => {
    const r = v.readUpsertReq(ctx.body);
    const c = await service.upsert(r.userID, r.conversations);
    const head = c ?? (await service.head(r.userID));
    return { versionID: head.id, version: head.version, changed: c !== null };
  });

  admin('/admin/delete', async (ctx) => {
    const r = v.readDeleteReq(ctx.body);
    const c = await service.remove(r.userID, r.conversationIDs);
    const head = c ?? (await service.head(r.userID));
    return { versionID: head.id, version: head.version, deleted: c ? c.delete : [] };
  });

  admin('/admin/reset_log', async (ctx) => {
    const r = v.readUserReq(ctx.body);
    const h = await service.resetLog(r.userID);
    return { versionID: h.id, version: h.version };
  });

  admin('/admin/compact', async (ctx) => {
    const r = v.readCompactReq(ctx.body);
    const h = await service.compact(r.userID, r.keepVersion);
    return { versionID: h.id, version: h.version, deleted: h.deleted };
  });

  return routes;
}

/**
 * `/conversation/apply_mutations` (SPEC §3.2): one client's mutations in order, each
 * applied exactly once as its own commit (its own version, its own notification) and
 * answered alone. A refused mutation (1001, 1002, 1004, 1409) is answered with its
 * refusal and the rest go on; 1410 (the client is forgotten) and any other failure fail
 * the whole request — the mutations processed before it stay processed, so a retry of the
 * request answers them as repeats.
 */
import { ErrCode, type ApplyMutationsAnswer, type MutationResult, type ShapeError } from '../protocol/index.js';
import { ApiError, badArgs } from './http/api-error.js';
import type { BatchItem } from './http/validate-writes.js';
import type { ConversationService } from './service.js';

/** The 1001 of a mutation whose content has the wrong shape. */
export function shapeError(e: ShapeError): ApiError {
  return badArgs(`bad arguments: ${e.message}`, e.field);
}

const ANSWERED_ALONE = new Set<number>([ErrCode.ARGS, ErrCode.NO_PERMISSION, ErrCode.NOT_FOUND, ErrCode.MUTATION_CONFLICT]);

/** Runs the mutations one after another; one result per mutation, in order. */
export async function applyBatch(service: ConversationService, userID: string, clientID: string, items: readonly BatchItem[]): Promise<ApplyMutationsAnswer> {
  const results: MutationResult[] = [];
  for (const it of items) {
    const identity = { clientID, mutationNumber: it.number };
    try {
      const answer = 'mutation' in it ? await service.write(userID, it.mutation, identity) : await service.refuse(userID, identity, it.raw, shapeError(it.invalid));
      results.push({ number: it.number, ...answer });
    } catch (e) {
      if (!(e instanceof ApiError) || !ANSWERED_ALONE.has(e.errCode)) throw e;
      results.push({ number: it.number, errCode: e.errCode, errMsg: e.message });
    }
  }
  return { results };
}

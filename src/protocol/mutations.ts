/**
 * The wire of exactly-once writes (SPEC §3.2): a mutation's identity is a client ID and a
 * number that grows per client; `/conversation/apply_mutations` carries many in one request.
 */
import type { Cursor } from './types.js';

/** A client ID: 1–64 printable ASCII characters (0x21–0x7e). */
export const CLIENT_ID = /^[\x21-\x7e]{1,64}$/;

/** At most this many mutations in one `apply_mutations` request. */
export const MAX_BATCH_MUTATIONS = 500;

/** The answer of one mutation of a batch, in request order: its version, or its refusal. */
export type MutationResult = ({ number: number } & Cursor) | { number: number; errCode: number; errMsg: string };

/** `data` of `/conversation/apply_mutations`. */
export interface ApplyMutationsAnswer {
  results: MutationResult[];
}

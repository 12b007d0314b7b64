/**
 * When the store cannot be reached (the database is down, restarting or failing over).
 * A store may throw `StoreUnavailableError` itself; the errors of a lost or refused
 * database connection count the same: Node's socket errors, PostgreSQL's connection and
 * shutdown SQLSTATEs, and the pg library's "Connection terminated". The HTTP handler
 * answers them 503 with `Retry-After` (the request was not applied, a retry may succeed),
 * the socket hub closes with 1013 (try again later); anything else stays a 500.
 */

/** Thrown by a store that cannot reach its database now. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Seconds a client is told to wait (`Retry-After`) before it tries again. */
export const RETRY_AFTER_SECONDS = 1;

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** SQLSTATE: 53300 too many connections, 57P01–57P03 shutdown / crash / starting up, class 08 connection exception */
const SQLSTATE = /^(53300|57P0[123]|08...)$/;
/** errors of the pg library that carry no code */
const PG_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** The error means the database cannot be reached now (not a bad request, not a bug). */
export function isUnavailable(e: unknown): boolean {
  if (e instanceof StoreUnavailableError) return true;
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SQLSTATE.test(code))) return true;
  if (PG_MESSAGES.test(e.message)) return true;
  // a connection attempt to several addresses fails with all their errors
  return e instanceof AggregateError && e.errors.some(isUnavailable);
}

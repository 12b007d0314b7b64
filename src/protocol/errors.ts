/** Error codes a caller can switch on. Every failure the SDK reports is a `ConvSyncError` with one of these. */
export type ErrorCode =
  /** fetch or socket failed before an answer arrived */
  | 'NETWORK'
  /** a request took longer than its timeout */
  | 'TIMEOUT'
  /** an answer or frame had the wrong shape, wrong types or an impossible cursor */
  | 'BAD_ANSWER'
  | 'BAD_FRAME'
  /** the token was refused even after asking the token function again */
  | 'AUTH'
  /** the server refused access to the target (errCode 1002) */
  | 'FORBIDDEN'
  /** the server answered with a non-zero errCode or a 5xx status */
  | 'SERVER'
  /** IndexedDB or the storage adapter failed */
  | 'STORAGE'
  | 'QUOTA'
  | 'DB_BLOCKED'
  | 'NO_INDEXEDDB'
  /** another tab deleted this user's database (a logout): the client stops */
  | 'DB_DELETED'
  /** another tab opened the database with a newer schema (a newer app): the client stops; reload */
  | 'DB_UPGRADED'
  /** storage changed under this writer (another tab wrote the cursor or took over the staged full sync) */
  | 'CONFLICT'
  /** the client was stopped while the operation ran */
  | 'STOPPED'
  /** an argument passed by the caller is invalid */
  | 'INVALID_ARGUMENT'
  /** a bug in convsync itself: neither the network, the server nor storage failed */
  | 'INTERNAL';

export interface ConvSyncErrorInit {
  cause?: unknown;
  /** the server's `errCode`, when the server produced the error */
  errCode?: number;
  /** HTTP status, when there was one */
  status?: number;
  operationID?: string;
}

/** The one error type of convsync: a value with a `code`. */
export class ConvSyncError extends Error {
  // `declare`: set in the constructor only (no class-field initializers in the output)
  declare readonly code: ErrorCode;
  declare readonly errCode: number | undefined;
  declare readonly status: number | undefined;
  declare readonly operationID: string | undefined;

  constructor(code: ErrorCode, message: string, init: ConvSyncErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ConvSyncError';
    this.code = code;
    this.errCode = init.errCode;
    this.status = init.status;
    this.operationID = init.operationID;
  }
}

/** Any failure as a `ConvSyncError`: one already is; anything else is a bug of ours (`INTERNAL`). */
export function toConvSyncError(e: unknown): ConvSyncError {
  if (e instanceof ConvSyncError) return e;
  return new ConvSyncError('INTERNAL', e instanceof Error ? e.message : String(e), { cause: e });
}

/** Server `errCode` values (SPEC §3) and the HTTP status each travels with. */
export const ErrCode = {
  OK: 0,
  ARGS: 1001,
  NO_PERMISSION: 1002,
  NOT_FOUND: 1004,
  TOKEN_EXPIRED: 1501,
  TOKEN_INVALID: 1502,
  TOO_LARGE: 1413,
  INTERNAL: 500,
  /** the server cannot reach its database now: retry after the `Retry-After` header's seconds */
  UNAVAILABLE: 503,
} as const;
export type ErrCodeValue = (typeof ErrCode)[keyof typeof ErrCode];

export const httpStatusOf: Record<ErrCodeValue, number> = {
  0: 200,
  1001: 400,
  1002: 403,
  1004: 404,
  1501: 401,
  1502: 401,
  1413: 413,
  500: 500,
  503: 503,
};

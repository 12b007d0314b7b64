import { ErrCode, type ErrCodeValue } from '../../protocol/index.js';

/** An error that becomes an envelope with this errCode (and the matching HTTP status). */
export class ApiError extends Error {
  constructor(
    readonly errCode: ErrCodeValue,
    message: string,
    readonly errDlt = '',
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string) => new ApiError(ErrCode.NOT_FOUND, `${what} not found`);
export const badArgs = (msg: string, field = '') => new ApiError(ErrCode.ARGS, msg, field);

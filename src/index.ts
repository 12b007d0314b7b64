/** convsync: the client SDK. */
export { ConvSyncError, type ErrorCode } from './protocol/errors.js';
export type * from './protocol/types.js';

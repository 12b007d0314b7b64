/** The public error guard. */
import { ConvSyncError } from '../../protocol/index.js';

/**
 * `x` is an error convsync reported: a `ConvSyncError` (also one from another copy of the
 * package in the same app, which `instanceof` misses), so `x.code` can be switched on.
 */
export function isConvSyncError(x: unknown): x is ConvSyncError {
  return x instanceof ConvSyncError || (x instanceof Error && x.name === 'ConvSyncError' && typeof (x as { code?: unknown }).code === 'string');
}

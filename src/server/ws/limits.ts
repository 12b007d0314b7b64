/**
 * How many sockets the WebSocket hub holds, and when one must go:
 *
 * - at most `maxUnauthenticated` sockets that have not sent a valid auth frame yet (each
 *   lives at most `authTimeoutMs` anyway); an upgrade past it is refused with 503;
 * - at most `maxPerUser` authenticated sockets per user (counted from the valid auth frame,
 *   so a burst of parallel auths cannot pass together); one more is closed with 4429;
 * - an authenticated socket is closed with 4401 when its token expires (`timerAt`).
 */

export const DEFAULT_MAX_UNAUTHENTICATED_SOCKETS = 1000;
export const DEFAULT_MAX_SOCKETS_PER_USER = 100;
/** close code of a socket over its user's limit */
export const CLOSE_TOO_MANY = 4429;

export class SocketLimits {
  private unauthenticated = 0;
  private readonly perUser = new Map<string, number>();

  constructor(
    readonly maxUnauthenticated: number,
    readonly maxPerUser: number,
  ) {}

  /** true when one more unauthenticated socket fits; then call `opened()` once it is accepted */
  roomForUpgrade(): boolean {
    return this.unauthenticated < this.maxUnauthenticated;
  }

  opened(): void {
    this.unauthenticated++;
  }

  /** an unauthenticated socket authenticated or left */
  leftUnauthenticated(): void {
    this.unauthenticated--;
  }

  /** takes one of `userID`'s slots; false (nothing taken) when the user is at the limit */
  claim(userID: string): boolean {
    const n = this.perUser.get(userID) ?? 0;
    if (n >= this.maxPerUser) return false;
    this.perUser.set(userID, n + 1);
    return true;
  }

  release(userID: string): void {
    const n = (this.perUser.get(userID) ?? 1) - 1;
    if (n > 0) this.perUser.set(userID, n);
    else this.perUser.delete(userID);
  }

  /** sockets that have not authenticated yet */
  get pending(): number {
    return this.unauthenticated;
  }
}

/** setTimeout's longest delay (about 24.8 days); a longer one would fire at once */
const MAX_DELAY = 2 ** 31 - 1;

/** Calls `fn` at `at` (ms since the epoch), however far away; returns the cancel function. */
export function timerAt(at: number, fn: () => void): () => void {
  let t: NodeJS.Timeout;
  const arm = () => {
    const wait = at - Date.now();
    t = setTimeout(wait > MAX_DELAY ? arm : fn, Math.max(0, Math.min(wait, MAX_DELAY)));
    t.unref();
  };
  arm();
  return () => clearTimeout(t);
}

/** Checks a limit option: a positive integer, or the default when absent. */
export function limitOption(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer`);
  return v;
}

/** Time, injectable so tests can run the engine on fake time. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock; touches the globals only when called. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as Parameters<typeof clearTimeout>[0]),
};

/**
 * Gives the event loop a turn (a macrotask, so rendering and input run) between
 * chunks of work. Not routed through `Clock`: it is a yield, not a wait.
 */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => globalThis.setTimeout(resolve, 0));
}

/**
 * Exponential backoff with full jitter: a random delay in
 * `[floor, min(cap, base · 2^attempt)]`.
 */
export function backoff(attempt: number, base = 500, cap = 30_000, random: () => number = Math.random, floor = 50): number {
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.max(floor, Math.floor(random() * ceiling));
}

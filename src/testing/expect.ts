/** Small assertions for the kit: each throws a `KitFailure` saying what differed. */
import { KitFailure } from './types.js';

const show = (v: unknown) => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}…` : s;
};

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Fails with `what: expected … got …` unless `actual` deep-equals `expected`. */
export function eq(actual: unknown, expected: unknown, what: string): void {
  if (!same(actual, expected)) throw new KitFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Fails with `what` unless `cond`. */
export function ok(cond: boolean, what: string): void {
  if (!cond) throw new KitFailure(what);
}

/** Fails unless every key of `expected` deep-equals the same key of `actual`. */
export function has(actual: unknown, expected: Record<string, unknown>, what: string): void {
  if (typeof actual !== 'object' || actual === null) throw new KitFailure(`${what}: expected an object, got ${show(actual)}`);
  for (const [k, v] of Object.entries(expected)) eq((actual as Record<string, unknown>)[k], v, `${what}.${k}`);
}

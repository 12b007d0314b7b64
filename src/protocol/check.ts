/**
 * Tiny shape checkers shared by the client (validating answers and frames) and the
 * server (validating requests). They throw `ShapeError` naming the offending field;
 * each side turns that into its own error (a `ConvSyncError`, or errCode 1001).
 */
export class ShapeError extends Error {
  declare readonly field: string;

  constructor(field: string, expected: string) {
    super(`${field}: expected ${expected}`);
    this.name = 'ShapeError';
    this.field = field;
  }
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(v: unknown, field: string): Obj {
  if (!isObj(v)) throw new ShapeError(field, 'an object');
  return v;
}

export function str(o: Obj, key: string, field: string, maxLen = 1 << 20): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length > maxLen) throw new ShapeError(`${field}.${key}`, 'a string');
  return v;
}

/** A safe integer ≥ min. */
export function int(o: Obj, key: string, field: string, min = 0): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new ShapeError(`${field}.${key}`, `an integer ≥ ${min}`);
  }
  return v;
}

export function bool(o: Obj, key: string, field: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new ShapeError(`${field}.${key}`, 'a boolean');
  return v;
}

export function oneOf<T extends number>(o: Obj, key: string, field: string, allowed: readonly T[]): T {
  const v = o[key];
  if (!allowed.includes(v as T)) throw new ShapeError(`${field}.${key}`, `one of ${allowed.join(', ')}`);
  return v as T;
}

/** An array, where `null` (as OpenIM encodes an empty list) reads as `[]`. */
export function list<T>(o: Obj, key: string, field: string, item: (v: unknown, field: string) => T): T[] {
  const v = o[key];
  if (v === null) return [];
  if (!Array.isArray(v)) throw new ShapeError(`${field}.${key}`, 'an array or null');
  return v.map((x, i) => item(x, `${field}.${key}[${i}]`));
}

export function idString(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 256) throw new ShapeError(field, 'a non-empty ID string');
  return v;
}

/** Two cursors (or `null`s) are the same position of the same log. */
export function sameCursor(a: { versionID: string; version: number } | null, b: { versionID: string; version: number } | null): boolean {
  return a === null || b === null ? a === b : a.versionID === b.versionID && a.version === b.version;
}

const HEX24 = /^[0-9a-f]{24}$/;

/** A cursor is valid when versionID is 24 lowercase hex chars, not all zeros, and version > 0 (SPEC §2.1). */
export function isValidCursor(versionID: unknown, version: unknown): boolean {
  return (
    typeof versionID === 'string' &&
    HEX24.test(versionID) &&
    versionID !== '000000000000000000000000' &&
    typeof version === 'number' &&
    Number.isSafeInteger(version) &&
    version > 0
  );
}

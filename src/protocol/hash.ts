/**
 * `idHash` (SPEC §2.3): FNV-1a 64-bit over the IDs sorted ascending and joined with
 * "\n", as 16 lowercase hex chars. Computed on two 32-bit halves rather than BigInt:
 * it runs over 100k IDs on the client, where BigInt arithmetic is ~20× slower.
 */
export function idHash(ids: Iterable<string>): string {
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (sorted.length === 0) return '0000000000000000';
  const bytes = new TextEncoder().encode(sorted.join('\n'));
  // offset basis 0xcbf29ce484222325
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < bytes.length; i++) {
    lo ^= bytes[i]!;
    // h * 0x100000001b3 = h * 0x1b3 + (h << 40), mod 2^64
    const l = (lo >>> 0) * 0x1b3;
    const carry = Math.floor(l / 0x100000000);
    hi = (Math.imul(hi, 0x1b3) + carry + (lo << 8)) >>> 0;
    lo = l >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

// Deterministic pseudo-random numbers from integer keys: every simulated value is a pure function of (seed, keys).

/** A 32-bit integer finaliser (the "lowbias32" mix): small input changes flip about half the output bits. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds any JS integer (up to 2^53) into the hash, so epoch minutes and ids are both safe keys. */
function absorb(h: number, key: number): number {
  const mixed = mix32((h ^ key) + 0x9e3779b9);
  // most keys fit in 32 bits; only larger ones pay for a second round
  return key >= 0 && key < 0x100000000 ? mixed : mix32(mixed ^ (Math.floor(key / 0x100000000) >>> 0));
}

// Fixed arity (no rest arrays): these run a dozen times for each of tens of thousands of simulated values.

/** A uniform number in [0, 1) from the seed and up to four integer keys. */
export function uniform(seed: number, a: number, b: number, c: number, d = 0): number {
  let h = mix32(seed ^ 0x85ebca6b);
  h = absorb(h, a);
  h = absorb(h, b);
  h = absorb(h, c);
  h = absorb(h, d);
  return h / 0x100000000;
}

/** A standard normal number (Box–Muller) from the seed and three integer keys. */
export function normal(seed: number, a: number, b: number, c: number): number {
  const u1 = uniform(seed, a, b, c, 1);
  const u2 = uniform(seed, a, b, c, 2);
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

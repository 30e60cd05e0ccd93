// Seeded randomness for the edit fuzzers: a failure names its seed and replays exactly.

/** mulberry32: small, seeded, good enough for fuzzing. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Moves an offset off the low half of a surrogate pair: editors never split one. */
export function safeOffset(text: string, o: number): number {
  const c = text.charCodeAt(o);
  return c >= 0xdc00 && c <= 0xdfff ? o + 1 : o;
}

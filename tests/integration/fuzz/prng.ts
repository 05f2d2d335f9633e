/** A small seeded PRNG (sfc32) for reproducible fuzzing: the same seed replays the same run. */
export interface Rng {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** A bigint in [0, n). */
  bigint(n: bigint): bigint;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  /** `n` random bytes as lower-case hex without 0x. */
  hex(n: number): string;
}

/** A seed from FUZZ_SEED (decimal) or a fresh random one. */
export function fuzzSeed(): number {
  const raw = process.env.FUZZ_SEED;
  if (raw !== undefined && raw !== "") {
    const seed = Number(raw);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new Error(`FUZZ_SEED must be an integer in [0, 2^32), got "${raw}"`);
    return seed;
  }
  return Math.floor(Math.random() * 0x100000000);
}

export function createRng(seed: number): Rng {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const u32 = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 16; i++) u32();
  const rng: Rng = {
    seed,
    next: () => u32() / 0x100000000,
    int: (n) => Math.floor(rng.next() * n),
    bigint: (n) => {
      let x = 0n;
      for (let bits = 0n; 1n << bits < n * 256n; bits += 32n) x = (x << 32n) | BigInt(u32());
      return x % n;
    },
    pick: (items) => items[rng.int(items.length)]!,
    chance: (p) => rng.next() < p,
    hex: (n) => {
      let out = "";
      for (let i = 0; i < n; i++) out += (u32() & 0xff).toString(16).padStart(2, "0");
      return out;
    },
  };
  return rng;
}

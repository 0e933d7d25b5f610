/**
 * A small seeded pseudo-random generator for the synthetic register. Everything the generator
 * produces is derived from one seed through this class, so the same seed gives the same database
 * on every machine (no Math.random, no clock).
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state), its state
 * filled from the seed by splitmix32 so that neighbouring seeds give unrelated streams.
 */

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any integer (taken modulo 2^32). */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`expected an integer seed, got ${String(seed)}`);
    const mix = splitmix32(seed);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** The next 32-bit unsigned integer of the stream. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** A float in [min, max). */
  float(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element; the array must not be empty. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** An independent generator derived from this one (for streams that must not shift each other). */
  fork(): Random {
    return new Random(this.uint32());
  }
}

/**
 * A weighted choice among fixed items, with the cumulative weights precomputed so that a draw is
 * one binary search. Zero weights are allowed (never drawn); the total must be positive.
 */
export class WeightedTable<T> {
  readonly items: readonly T[];
  private readonly cumulative: Float64Array;
  readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    this.items = entries.map(([item]) => item);
    this.cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, weight], i) => {
      if (!(weight >= 0) || !Number.isFinite(weight)) {
        throw new RangeError(`expected weights that are finite and >= 0, got ${String(weight)} at position ${i}`);
      }
      sum += weight;
      this.cumulative[i] = sum;
    });
    if (!(sum > 0)) throw new RangeError(`expected a positive total weight, got ${sum} over ${entries.length} entries`);
    this.total = sum;
  }

  /** Builds a table from a record of item → weight. */
  static fromRecord<K extends string>(weights: Readonly<Record<K, number>>): WeightedTable<K> {
    return new WeightedTable(Object.entries(weights) as [K, number][]);
  }

  /** The index of a weighted draw. */
  index(random: Random): number {
    const target = random.next() * this.total;
    const cumulative = this.cumulative;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** A weighted draw. */
  pick(random: Random): T {
    return this.items[this.index(random)];
  }
}

/**
 * Seeded pseudo-random numbers for reproducible noise: xoshiro128** (Blackman & Vigna, "Scrambled linear
 * pseudorandom number generators", 2018), seeded through SplitMix32 so that nearby seeds give unrelated streams.
 *
 * Determinism: the uniform stream uses only 32-bit integer arithmetic (Math.imul, >>>), so it is bit-identical in
 * every JavaScript runtime. gaussian() uses Marsaglia's polar method, which needs only sqrt (exactly rounded by
 * IEEE 754) and log; V8 and SpiderMonkey both implement log with fdlibm, so in practice it is identical too.
 */
const TWO_POW_MINUS_32 = 1 / 4294967296;

export class Random {
  /** xoshiro128** state, four 32-bit words. */
  private readonly s = new Uint32Array(4);
  /** The polar method yields normals in pairs; the second waits here. */
  private spareGaussian = 0;
  private hasSpareGaussian = false;

  constructor(seed: number) {
    this.seed(seed);
  }

  /** Restarts the stream as if freshly constructed with `seed` (any number; it is reduced to 32 bits). */
  seed(seed: number): void {
    // SplitMix32 expands one 32-bit seed into the 128-bit state; it never yields the forbidden all-zero state for
    // all four words at once.
    let z = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
      this.s[i] = (t ^ (t >>> 16)) >>> 0;
    }
    this.hasSpareGaussian = false;
    this.spareGaussian = 0;
  }

  /** Next raw 32-bit unsigned integer. */
  uint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    return this.uint32() * TWO_POW_MINUS_32;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Standard normal N(0, 1), Marsaglia polar method. */
  gaussian(): number {
    if (this.hasSpareGaussian) {
      this.hasSpareGaussian = false;
      return this.spareGaussian;
    }
    let u: number;
    let v: number;
    let r: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      r = u * u + v * v;
    } while (r >= 1 || r === 0);
    const scale = Math.sqrt((-2 * Math.log(r)) / r);
    this.spareGaussian = v * scale;
    this.hasSpareGaussian = true;
    return u * scale;
  }

  /** Generator state, for snapshots: [s0, s1, s2, s3, hasSpareGaussian (0 or 1), spareGaussian]. */
  getState(): Float64Array {
    return Float64Array.of(this.s[0], this.s[1], this.s[2], this.s[3], this.hasSpareGaussian ? 1 : 0, this.spareGaussian);
  }

  /** Restores a state from getState(); the stream then continues bit-identically. */
  setState(state: ArrayLike<number>): void {
    if (state.length !== 6) throw new RangeError(`Random state has 6 values, got ${state.length}`);
    for (let i = 0; i < 4; i++) this.s[i] = state[i] >>> 0;
    this.hasSpareGaussian = state[4] !== 0;
    this.spareGaussian = state[5];
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

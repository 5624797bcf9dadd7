/**
 * Real FFT for power-of-two sizes, allocation-free per call.
 *
 * Algorithm: the classic "two real halves in one complex FFT" packing (Cooley & Tukey 1965 radix-2
 * decimation in time; packing as in Sorensen, Jones, Heideman & Burrus 1987, "Real-valued fast Fourier transform
 * algorithms", and Numerical Recipes §12.3 realft):
 *   z[n] = x[2n] + i·x[2n+1]   (N/2 complex points)
 *   Z = FFT_{N/2}(z),  E[k] = (Z[k] + Z*[N/2−k]) / 2,  O[k] = (Z[k] − Z*[N/2−k]) / 2i
 *   X[k] = E[k] + e^{−2πik/N}·O[k],  k = 0 … N/2.
 * The inverse runs the same steps backwards. The inverse complex FFT is the forward one with the real and
 * imaginary arrays swapped (DFT(swap z) = swap(M·IDFT z)), so one butterfly kernel serves both directions.
 *
 * Conventions: forward is unnormalised, X[k] = Σ x[n]·e^{−2πikn/N}; inverse scales by 1/N, so
 * inverse(forward(x)) = x. Spectra hold bins 0 … N/2 (N/2 + 1 values); the imaginary parts of bins 0 and N/2 are
 * 0 on output and ignored on input (a real signal cannot carry them).
 *
 * Everything runs in float64 internally (twiddles, butterflies): the round trip error is ~1e-16 relative, so the
 * frequency-domain adaptive filters built on it behave like their time-domain definitions. Bit reversal is folded
 * into the packing loop, so a transform is one pass of packing, log2(N/2) butterfly passes and one pass of
 * unpacking, with every table precomputed in the constructor.
 */

/** Float32 or float64 audio/spectrum buffer: every entry point accepts both. */
export type FloatArray = Float32Array | Float64Array;

export class RealFft {
  /** Transform length N (real samples), a power of two ≥ 2. */
  readonly size: number;
  /** Number of spectrum bins, N/2 + 1. */
  readonly bins: number;

  /** Complex length M = N/2 of the packed transform. */
  private readonly half: number;
  /** Bit-reversal permutation of 0 … M−1. */
  private readonly reversed: Uint32Array;
  /** Butterfly twiddles of the stages with half-width h ≥ 4, pass after pass (see the constructor): cos and −sin. */
  private readonly stageCos: Float64Array;
  private readonly stageSin: Float64Array;
  /** Packing twiddles e^{−2πik/N}, k = 0 … M−1. */
  private readonly packCos: Float64Array;
  private readonly packSin: Float64Array;
  /** Working complex buffer, M points. */
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!(Number.isInteger(size) && size >= 2 && (size & (size - 1)) === 0)) {
      throw new RangeError(`FFT size must be a power of two ≥ 2, got ${size}`);
    }
    this.size = size;
    this.bins = size / 2 + 1;
    const M = size / 2;
    this.half = M;
    this.re = new Float64Array(M);
    this.im = new Float64Array(M);

    const bits = Math.round(Math.log2(M));
    this.reversed = new Uint32Array(M);
    for (let n = 0; n < M; n++) {
      let r = 0;
      for (let b = 0, v = n; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
      this.reversed[n] = r;
    }

    // Passes of two stages (h, 2h) for h = 4, 16, … while 4h ≤ M store W_{2h}^j then W_{4h}^j, j < h (2h values); a final
    // single stage h = M/2 stores W_{2h}^j (h values). cos in stageCos, −sin in stageSin.
    const twiddles: number[] = [];
    let h = 4;
    for (; 4 * h <= M; h *= 4) {
      for (let j = 0; j < h; j++) twiddles.push((Math.PI * j) / h);
      for (let j = 0; j < h; j++) twiddles.push((Math.PI * j) / (2 * h));
    }
    if (2 * h === M) for (let j = 0; j < h; j++) twiddles.push((Math.PI * j) / h);
    this.stageCos = Float64Array.from(twiddles, Math.cos);
    this.stageSin = Float64Array.from(twiddles, (angle) => -Math.sin(angle));

    this.packCos = new Float64Array(M);
    this.packSin = new Float64Array(M);
    for (let k = 0; k < M; k++) {
      const angle = (2 * Math.PI * k) / size;
      this.packCos[k] = Math.cos(angle);
      this.packSin[k] = Math.sin(angle);
    }
  }

  /**
   * Spectrum of `input` (N samples): outRe/outIm receive bins 0 … N/2 (at least N/2 + 1 entries each).
   * `input` may alias neither output.
   */
  forward(input: FloatArray, outRe: FloatArray, outIm: FloatArray): void {
    const M = this.half;
    if (input.length < this.size || outRe.length < M + 1 || outIm.length < M + 1) this.lengthError('forward');
    const re = this.re;
    const im = this.im;
    const reversed = this.reversed;
    for (let n = 0; n < M; n++) {
      const r = reversed[n];
      re[r] = input[2 * n];
      im[r] = input[2 * n + 1];
    }
    this.transform(re, im);

    // Unpack: E and O are the spectra of the even and odd samples.
    const c = this.packCos;
    const s = this.packSin;
    outRe[0] = re[0] + im[0];
    outIm[0] = 0;
    outRe[M] = re[0] - im[0];
    outIm[M] = 0;
    // Bins k and M − k share their inputs: X[M−k] = conj(E[k] − W^k·O[k]), so each pass computes both.
    const quarter = M >> 1;
    for (let k = 1; k <= quarter; k++) {
      const ar = re[k];
      const ai = im[k];
      const br = re[M - k];
      const bi = -im[M - k];
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai + bi);
      // O = (a − b) / 2i  →  O.re = (ai − bi)/2, O.im = −(ar − br)/2
      const or = 0.5 * (ai - bi);
      const oi = -0.5 * (ar - br);
      // t = W^k·O with W^k = cos − i·sin
      const tr = c[k] * or + s[k] * oi;
      const ti = c[k] * oi - s[k] * or;
      outRe[k] = er + tr;
      outIm[k] = ei + ti;
      outRe[M - k] = er - tr;
      outIm[M - k] = ti - ei;
    }
  }

  /**
   * Real signal (N samples) of the spectrum re/im (bins 0 … N/2), scaled by 1/N so that inverse(forward(x)) = x.
   * `output` may alias neither input.
   */
  inverse(re: FloatArray, im: FloatArray, output: FloatArray): void {
    const M = this.half;
    if (output.length < this.size || re.length < M + 1 || im.length < M + 1) this.lengthError('inverse');
    const zr = this.re;
    const zi = this.im;
    const reversed = this.reversed;
    const c = this.packCos;
    const s = this.packSin;
    // 1/N folds the 1/2 of E and O and the 1/M of the inverse complex FFT into one factor.
    const scale = 1 / this.size;
    // k = 0: E = (X0 + XM)/2, O = (X0 − XM)/2, both real (imaginary parts of DC and Nyquist are ignored).
    zr[0] = scale * (re[0] + re[M]);
    zi[0] = scale * (re[0] - re[M]);
    // As in forward(), bins k and M − k are handled together: Z[M−k] = conj(E) + i·conj(O).
    const quarter = M >> 1;
    for (let k = 1; k <= quarter; k++) {
      const ar = re[k];
      const ai = im[k];
      const br = re[M - k];
      const bi = -im[M - k];
      const er = ar + br;
      const ei = ai + bi;
      // W^k·O = X[k] − X*[M−k], so O = (cos + i·sin)·(a − b)
      const dr = ar - br;
      const di = ai - bi;
      const or = c[k] * dr - s[k] * di;
      const oi = c[k] * di + s[k] * dr;
      // Z = E + i·O
      const r = reversed[k];
      zr[r] = scale * (er - oi);
      zi[r] = scale * (ei + or);
      const r2 = reversed[M - k];
      zr[r2] = scale * (er + oi);
      zi[r2] = scale * (or - ei);
    }
    // Inverse complex FFT = forward FFT with real and imaginary parts swapped.
    this.transform(zi, zr);
    for (let n = 0; n < M; n++) {
      output[2 * n] = zr[n];
      output[2 * n + 1] = zi[n];
    }
  }

  /**
   * In-place forward complex FFT of bit-reversed input (re, im), M points. Radix-2 decimation in time with the
   * stages taken two at a time (radix-2², same bit-reversed order): half the passes over memory and 3 instead of 4
   * complex multiplies per 4 points. Stages h = 1, 2 form a plain 4-point DFT; a last single radix-2 stage remains
   * when log2(M) is odd.
   */
  private transform(re: Float64Array, im: Float64Array): void {
    const M = this.half;
    if (M === 2) {
      const ar = re[0];
      const ai = im[0];
      re[0] = ar + re[1];
      im[0] = ai + im[1];
      re[1] = ar - re[1];
      im[1] = ai - im[1];
      return;
    }
    if (M < 4) return;
    // h = 1 and 2: 4-point DFTs, twiddles 1 and −i only.
    for (let i = 0; i < M; i += 4) {
      const r0 = re[i] + re[i + 1];
      const i0 = im[i] + im[i + 1];
      const r1 = re[i] - re[i + 1];
      const i1 = im[i] - im[i + 1];
      const r2 = re[i + 2] + re[i + 3];
      const i2 = im[i + 2] + im[i + 3];
      const r3 = re[i + 2] - re[i + 3];
      const i3 = im[i + 2] - im[i + 3];
      re[i] = r0 + r2;
      im[i] = i0 + i2;
      re[i + 2] = r0 - r2;
      im[i + 2] = i0 - i2;
      // (−i)·(r3 + i·i3) = i3 − i·r3
      re[i + 1] = r1 + i3;
      im[i + 1] = i1 - r3;
      re[i + 3] = r1 - i3;
      im[i + 3] = i1 + r3;
    }
    const c1 = this.stageCos;
    const s1 = this.stageSin;
    let h = 4;
    let at = 0;
    // Two stages per pass: (h, 2h) on groups of 4h points. Stage h twiddle w1 = W_{2h}^j, stage 2h twiddles
    // w2 = W_{4h}^j and W_{4h}^{j+h} = −i·w2.
    for (; 4 * h <= M; at += 2 * h, h *= 4) {
      const span = 4 * h;
      for (let start = 0; start < M; start += span) {
        for (let j = 0; j < h; j++) {
          const w1r = c1[at + j];
          const w1i = s1[at + j];
          const w2r = c1[at + h + j];
          const w2i = s1[at + h + j];
          const a = start + j;
          const b = a + h;
          const c = b + h;
          const d = c + h;
          // Stage h: (a, b) and (c, d) with w1.
          const br = w1r * re[b] - w1i * im[b];
          const bi = w1r * im[b] + w1i * re[b];
          const dr = w1r * re[d] - w1i * im[d];
          const di = w1r * im[d] + w1i * re[d];
          const a1r = re[a] + br;
          const a1i = im[a] + bi;
          const b1r = re[a] - br;
          const b1i = im[a] - bi;
          const c1r = re[c] + dr;
          const c1i = im[c] + di;
          const d1r = re[c] - dr;
          const d1i = im[c] - di;
          // Stage 2h: (a, c) with w2, (b, d) with −i·w2.
          const c2r = w2r * c1r - w2i * c1i;
          const c2i = w2r * c1i + w2i * c1r;
          const t2r = w2r * d1r - w2i * d1i;
          const t2i = w2r * d1i + w2i * d1r;
          // −i·t2 = t2i − i·t2r
          re[a] = a1r + c2r;
          im[a] = a1i + c2i;
          re[c] = a1r - c2r;
          im[c] = a1i - c2i;
          re[b] = b1r + t2i;
          im[b] = b1i - t2r;
          re[d] = b1r - t2i;
          im[d] = b1i + t2r;
        }
      }
    }
    if (2 * h === M) {
      // One radix-2 stage left (log2 M odd): twiddles W_{2h}^j.
      for (let j = 0; j < h; j++) {
        const wr = c1[at + j];
        const wi = s1[at + j];
        const b = j + h;
        const tr = wr * re[b] - wi * im[b];
        const ti = wr * im[b] + wi * re[b];
        const ar = re[j];
        const ai = im[j];
        re[j] = ar + tr;
        im[j] = ai + ti;
        re[b] = ar - tr;
        im[b] = ai - ti;
      }
    }
  }

  private lengthError(method: string): never {
    throw new RangeError(`RealFft(${this.size}).${method}() needs ${this.size} samples and ${this.bins} bins`);
  }
}

/** Smallest power of two ≥ n (n ≥ 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

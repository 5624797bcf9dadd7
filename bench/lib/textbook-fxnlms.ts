/**
 * The benchmark baseline: FxNLMS as the textbooks write it (Kuo & Morgan, "Active Noise Control Systems", 1996,
 * §3.3), in plain JavaScript, one sample at a time, with shifted delay lines — no circular buffers, no SIMD, no
 * running power estimate. Per sample:
 *
 *   shift x into the reference line          x(n) = [x(n), x(n−1), …]          (copyWithin, a memmove)
 *   filtered reference                       x'(n) = Σ ŝ_j · x(n−j)            (|Ŝ| multiply-adds)
 *   shift x'(n) into the filtered line
 *   anti-noise                               y(n) = Σ w_i · x(n−i)             (L multiply-adds)
 *   normalised update                        w ← w − μ·e(n)·x'(n) / (δ + ‖x'‖²)   (L multiply-adds + L for ‖x'‖²)
 *
 * It is a yardstick for bench/dsp.ts only, not a controller: it has no divergence guard and no snapshots.
 */
export class TextbookFxnlms {
  private readonly w: Float32Array;
  private readonly s: Float32Array;
  private readonly x: Float32Array;
  private readonly fx: Float32Array;

  constructor(
    taps: number,
    secondaryPathEstimate: Float32Array,
    private readonly stepSize = 0.1,
    private readonly regularization = 1e-6,
  ) {
    this.w = new Float32Array(taps);
    this.s = Float32Array.from(secondaryPathEstimate);
    this.x = new Float32Array(Math.max(taps, secondaryPathEstimate.length));
    this.fx = new Float32Array(taps);
  }

  process(reference: Float32Array, error: Float32Array, antiNoise: Float32Array): void {
    const { w, s, x, fx } = this;
    const L = w.length;
    const Ls = s.length;
    for (let n = 0; n < reference.length; n++) {
      x.copyWithin(1, 0, x.length - 1);
      x[0] = reference[n];
      let filtered = 0;
      for (let j = 0; j < Ls; j++) filtered += s[j] * x[j];
      fx.copyWithin(1, 0, L - 1);
      fx[0] = filtered;
      let y = 0;
      for (let i = 0; i < L; i++) y += w[i] * x[i];
      antiNoise[n] = y;
      let power = 0;
      for (let i = 0; i < L; i++) power += fx[i] * fx[i];
      const g = (this.stepSize * error[n]) / (this.regularization + power);
      for (let i = 0; i < L; i++) w[i] -= g * fx[i];
    }
  }
}

/**
 * LMS and NLMS adaptive transversal filters.
 *
 *  - LMS: Widrow & Hoff (1960), "Adaptive switching circuits"; stochastic-gradient form
 *        y(n) = wᵀx(n),  e(n) = d(n) − y(n),  w ← (1 − μγ)·w + μ·e(n)·x(n)
 *    with leakage γ ≥ 0 (γ = 0 is plain LMS). Leaky LMS converges in the mean to (R + γI)⁻¹p instead of R⁻¹p,
 *    which keeps w bounded when the input does not excite every mode (Haykin, "Adaptive Filter Theory", §6.4).
 *  - NLMS: Haykin, "Adaptive Filter Theory", ch. 7 (ε-NLMS):
 *        w ← (1 − μγ)·w + μ / (δ + ‖x(n)‖²) · e(n)·x(n),   0 < μ < 2.
 *    The leakage keeps the *configured* μ, not the normalised one, so that the decay per sample does not depend on
 *    the input level (with μ/(δ + ‖x‖²) a silent input would make 1 − μγ/δ negative).
 *
 * Implementation notes:
 *  - The tap-input vector x(n) = [x(n), x(n−1), …, x(n−L+1)] lives in a doubled circular buffer of 2L samples:
 *    each sample is written at p and p + L, with p counting down, so history[p … p+L) is always x(n) in order and
 *    no per-sample shifting is needed.
 *  - ‖x(n)‖² is kept as a running sum in float64 (add the new sample's square, subtract the one leaving). Rounding
 *    makes a running sum drift, and after a loud passage its absolute error is relative to the loud power, so in
 *    the quiet that follows it could even go negative. It is therefore recomputed exactly every
 *    max(POWER_RECOMPUTE_INTERVAL, L) samples, which costs O(1) per sample amortised.
 *  - Weights are float64: with small μ the per-sample corrections fall below float32 resolution and would be lost.
 *  - Non-finite input or desired samples are treated as 0 and counted, so one bad sample cannot poison w forever.
 */
import type { AdaptiveFilter, FilterAlgorithm } from '../filter.js';
import { SnapshotReader, SnapshotWriter } from '../snapshot.js';

export interface LmsOptions {
  /** Filter length L, in taps (≥ 1). */
  taps: number;
  /**
   * Step size μ. LMS: absolute (unit 1/input power, full scale² = 1), stable in the mean square roughly for
   * 0 < μ < lmsStabilityBound(L, σ²). NLMS: normalised, dimensionless, 0 < μ < 2.
   */
  stepSize: number;
  /** Leakage γ (per unit step): w ← (1 − μγ)·w + … ; 0 (default) disables. */
  leakage?: number;
  /** true for NLMS (step normalised by δ + ‖x‖²); default false. */
  normalized?: boolean;
  /**
   * NLMS regularisation, as a power per tap (full scale² = 1): the absolute δ added to ‖x‖² is
   * regularization · L, i.e. the energy of L samples of a signal at this power. Default 1e-6 (a −60 dBFS floor),
   * which only matters when the input is nearly silent. Same convention as ControllerOptions.regularization.
   */
  regularization?: number;
}

/** Default NLMS regularisation, power per tap (−60 dBFS). */
export const DEFAULT_NLMS_REGULARIZATION = 1e-6;

/**
 * Mean-square stability bound for LMS on an input of variance σ² with L taps: μ < 2 / (L·σ²) = 2 / tr(R).
 * (Haykin; for strongly correlated or Gaussian inputs the safe range is somewhat smaller, e.g. 2/(3·tr R).)
 */
export function lmsStabilityBound(taps: number, inputVariance: number): number {
  if (!(Number.isInteger(taps) && taps >= 1)) throw new RangeError(`taps must be a positive integer, got ${taps}`);
  if (!(inputVariance > 0 && Number.isFinite(inputVariance))) {
    throw new RangeError(`inputVariance must be positive and finite, got ${inputVariance}`);
  }
  return 2 / (taps * inputVariance);
}

export class Lms implements AdaptiveFilter {
  /** ‖x‖² is recomputed exactly every max(POWER_RECOMPUTE_INTERVAL, L) samples. */
  static readonly POWER_RECOMPUTE_INTERVAL = 4096;

  readonly algorithm: FilterAlgorithm;
  readonly taps: number;
  readonly blockSize = 1;
  stepSize: number;
  readonly leakage: number;
  readonly normalized: boolean;
  /** NLMS regularisation as a power per tap (see LmsOptions.regularization). */
  readonly regularization: number;
  /** Input or desired samples that were NaN/±Inf and were treated as 0, since creation/reset. */
  nonFiniteInputs = 0;

  private readonly w: Float64Array;
  /** Doubled circular history, 2L samples; x(n − k) = history[position + k]. */
  private readonly history: Float32Array;
  private position = 0;
  /** Running ‖x(n)‖², float64. */
  private power = 0;
  private samplesSinceRecompute = 0;
  private readonly recomputeInterval: number;

  constructor(options: LmsOptions) {
    const { taps, stepSize, leakage = 0, normalized = false, regularization = DEFAULT_NLMS_REGULARIZATION } = options;
    if (!(Number.isInteger(taps) && taps >= 1)) throw new RangeError(`taps must be a positive integer, got ${taps}`);
    if (!(stepSize >= 0 && Number.isFinite(stepSize))) throw new RangeError(`stepSize must be ≥ 0 and finite, got ${stepSize}`);
    if (!(leakage >= 0 && Number.isFinite(leakage))) throw new RangeError(`leakage must be ≥ 0 and finite, got ${leakage}`);
    if (!(regularization > 0 && Number.isFinite(regularization))) {
      throw new RangeError(`regularization must be positive and finite, got ${regularization}`);
    }
    this.algorithm = normalized ? 'nlms' : 'lms';
    this.taps = taps;
    this.stepSize = stepSize;
    this.leakage = leakage;
    this.normalized = normalized;
    this.regularization = regularization;
    this.w = new Float64Array(taps);
    this.history = new Float32Array(2 * taps);
    this.recomputeInterval = Math.max(Lms.POWER_RECOMPUTE_INTERVAL, taps);
  }

  /** ‖x(n)‖² of the current tap-input vector (what NLMS normalises by, before δ). */
  get inputPower(): number {
    return this.power;
  }

  filter(input: Float32Array, desired: Float32Array, output: Float32Array, error: Float32Array): void {
    const n = input.length;
    if (desired.length !== n || output.length !== n || error.length !== n) {
      throw new RangeError(`filter() arrays must have equal lengths (input ${n}, desired ${desired.length}, output ${output.length}, error ${error.length})`);
    }
    const L = this.taps;
    const w = this.w;
    const history = this.history;
    const mu = this.stepSize;
    const decay = 1 - mu * this.leakage;
    const delta = this.regularization * L;
    for (let i = 0; i < n; i++) {
      let x = input[i];
      let d = desired[i];
      if (x - x !== 0) {
        x = 0;
        this.nonFiniteInputs++;
      }
      if (d - d !== 0) {
        d = 0;
        this.nonFiniteInputs++;
      }
      // Slide the window: the slot we overwrite holds x(n − L), which leaves the tap-input vector.
      const p = this.position === 0 ? L - 1 : this.position - 1;
      const leaving = history[p];
      history[p] = x;
      history[p + L] = x;
      this.position = p;
      // Squares of float32 values are exact in float64; only the running additions round.
      if (++this.samplesSinceRecompute >= this.recomputeInterval) this.recomputePower();
      else this.power += x * x - leaving * leaving;

      let y = 0;
      for (let k = 0; k < L; k++) y += w[k] * history[p + k];
      const e = d - y;
      output[i] = y;
      error[i] = e;

      const gain = this.normalized ? (mu * e) / (delta + (this.power > 0 ? this.power : 0)) : mu * e;
      if (decay === 1) {
        for (let k = 0; k < L; k++) w[k] += gain * history[p + k];
      } else {
        for (let k = 0; k < L; k++) w[k] = decay * w[k] + gain * history[p + k];
      }
    }
  }

  weights(): Float32Array {
    return Float32Array.from(this.w);
  }

  /** Writes w into `target` (length taps) without allocating, for per-block use (weights() allocates). */
  copyWeights(target: Float32Array): void {
    if (target.length !== this.taps) throw new RangeError(`copyWeights() needs a target of ${this.taps}, got ${target.length}`);
    for (let k = 0; k < this.taps; k++) target[k] = this.w[k];
  }

  setWeights(weights: Float32Array): void {
    if (weights.length !== this.taps) throw new RangeError(`setWeights() needs ${this.taps} weights, got ${weights.length}`);
    this.w.set(weights);
  }

  snapshot(): Uint8Array {
    return new SnapshotWriter(this.algorithm)
      .add('weights', this.w)
      .add('history', this.history)
      .addNumbers('state', [this.position, this.power, this.samplesSinceRecompute, this.stepSize, this.nonFiniteInputs])
      .finish();
  }

  restore(snapshot: Uint8Array): void {
    const reader = new SnapshotReader(snapshot, this.algorithm);
    const state = reader.numbers('state', 5);
    // Read everything before touching live state, so a bad snapshot leaves the filter as it was.
    const w = new Float64Array(this.taps);
    const history = new Float32Array(2 * this.taps);
    reader.read('weights', w);
    reader.read('history', history);
    this.w.set(w);
    this.history.set(history);
    [this.position, this.power, this.samplesSinceRecompute, this.stepSize, this.nonFiniteInputs] = state;
  }

  reset(): void {
    this.w.fill(0);
    this.history.fill(0);
    this.position = 0;
    this.power = 0;
    this.samplesSinceRecompute = 0;
    this.nonFiniteInputs = 0;
  }

  /** Exact ‖x(n)‖² from the history; resets the drift of the running sum. */
  private recomputePower(): void {
    const history = this.history;
    const end = this.position + this.taps;
    let sum = 0;
    for (let k = this.position; k < end; k++) sum += history[k] * history[k];
    this.power = sum;
    this.samplesSinceRecompute = 0;
  }
}

/** NLMS: an Lms with normalized = true (algorithm 'nlms'). */
export class Nlms extends Lms {
  constructor(options: Omit<LmsOptions, 'normalized'>) {
    super({ ...options, normalized: true });
  }
}

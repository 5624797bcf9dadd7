/**
 * Exponentially weighted recursive least squares (RLS) transversal filter — Haykin, "Adaptive Filter Theory",
 * ch. 10 (Table 10.1); Sayed, "Fundamentals of Adaptive Filtering", ch. 12. Minimises Σᵢ λⁿ⁻ⁱ·e(i)² exactly at
 * every step, at O(L²) per sample.
 *
 *   π(n) = P(n−1)·x(n)                          (P = inverse of the weighted input correlation matrix)
 *   κ(n) = λ + xᵀ(n)·π(n)
 *   k(n) = π(n) / κ(n)                          (gain vector)
 *   ξ(n) = d(n) − wᵀ(n−1)·x(n)                  (a priori error; this is what filter() reports as error)
 *   w(n) = w(n−1) + k(n)·ξ(n)
 *   P(n) = λ⁻¹·(P(n−1) − k(n)·πᵀ(n))            P(0) = δ·I
 *
 * Numerical safeguards, so that it runs for hours of audio:
 *  - State is float64 throughout; only the input history is float32 (it holds float32 samples exactly).
 *  - P is kept exactly symmetric: only the upper triangle is computed and it is mirrored. Loss of symmetry is what
 *    makes the textbook recursion diverge; in symmetric form it is exponentially stable for λ < 1 (Verhaegen,
 *    "Round-off error propagation in four generally-applicable, recursive, least-squares estimation schemes",
 *    Automatica 1989).
 *  - Loss of positive definiteness is detected (xᵀPx < 0, a diagonal entry ≤ 0, or anything non-finite) and so is
 *    covariance wind-up (with λ < 1 and a silent input P grows by 1/λ per sample; the trace passing
 *    L·inverseCorrelationLimit). Either way P is reinitialised to δ·I — the weights are kept — and the event is
 *    counted in `reinitializations`.
 *  - Non-finite input or desired samples are treated as 0 and counted in `nonFiniteInputs`.
 */
import type { AdaptiveFilter, FilterAlgorithm } from '../filter.js';
import { SnapshotReader, SnapshotWriter } from '../snapshot.js';

export interface RlsOptions {
  /** Filter length L, in taps (≥ 1). Cost is O(L²) per sample and memory L² float64. */
  taps: number;
  /** Forgetting factor λ, 0 < λ ≤ 1; memory ≈ 1/(1 − λ) samples. Default 0.999. */
  forgettingFactor?: number;
  /**
   * Initial inverse correlation scale δ: P(0) = δ·I, unit 1/power (full scale² = 1). Large δ means little prior
   * weight on w = 0, i.e. fast initial convergence. Default 100.
   */
  initialInverseCorrelation?: number;
  /**
   * Wind-up limit: when trace(P)/L exceeds it, P is reinitialised to δ·I. Unit 1/power; default 1e12, far above
   * the steady state (1 − λ)/σ² of any audible input (σ² = 1e-9, −90 dBFS, with λ = 0.999 gives 1e6).
   */
  inverseCorrelationLimit?: number;
}

export const DEFAULT_FORGETTING_FACTOR = 0.999;
export const DEFAULT_INITIAL_INVERSE_CORRELATION = 100;
export const DEFAULT_INVERSE_CORRELATION_LIMIT = 1e12;

export class Rls implements AdaptiveFilter {
  readonly algorithm: FilterAlgorithm = 'rls';
  readonly taps: number;
  readonly blockSize = 1;
  /** Unused by RLS (its gain comes from P); kept for the AdaptiveFilter interface and carried in snapshots. */
  stepSize = 1;
  readonly forgettingFactor: number;
  readonly initialInverseCorrelation: number;
  readonly inverseCorrelationLimit: number;
  /** Times P was reset to δ·I because it lost positive definiteness or wound up. */
  reinitializations = 0;
  /** Input or desired samples that were NaN/±Inf and were treated as 0, since creation/reset. */
  nonFiniteInputs = 0;

  private readonly w: Float64Array;
  /** P, L×L row-major, exactly symmetric. */
  private readonly P: Float64Array;
  /** π = P·x scratch. */
  private readonly pi: Float64Array;
  /** Doubled circular history, 2L samples; x(n − k) = history[position + k]. */
  private readonly history: Float32Array;
  private position = 0;

  constructor(options: RlsOptions) {
    const {
      taps,
      forgettingFactor = DEFAULT_FORGETTING_FACTOR,
      initialInverseCorrelation = DEFAULT_INITIAL_INVERSE_CORRELATION,
      inverseCorrelationLimit = DEFAULT_INVERSE_CORRELATION_LIMIT,
    } = options;
    if (!(Number.isInteger(taps) && taps >= 1)) throw new RangeError(`taps must be a positive integer, got ${taps}`);
    if (!(forgettingFactor > 0 && forgettingFactor <= 1)) {
      throw new RangeError(`forgettingFactor must be in (0, 1], got ${forgettingFactor}`);
    }
    if (!(initialInverseCorrelation > 0 && Number.isFinite(initialInverseCorrelation))) {
      throw new RangeError(`initialInverseCorrelation must be positive and finite, got ${initialInverseCorrelation}`);
    }
    if (!(inverseCorrelationLimit > initialInverseCorrelation && Number.isFinite(inverseCorrelationLimit))) {
      throw new RangeError(
        `inverseCorrelationLimit must be finite and above initialInverseCorrelation (${initialInverseCorrelation}), got ${inverseCorrelationLimit}`,
      );
    }
    this.taps = taps;
    this.forgettingFactor = forgettingFactor;
    this.initialInverseCorrelation = initialInverseCorrelation;
    this.inverseCorrelationLimit = inverseCorrelationLimit;
    this.w = new Float64Array(taps);
    this.P = new Float64Array(taps * taps);
    this.pi = new Float64Array(taps);
    this.history = new Float32Array(2 * taps);
    this.initializeInverseCorrelation();
  }

  /** Copy of P (L×L, row-major). */
  inverseCorrelation(): Float64Array {
    return this.P.slice();
  }

  filter(input: Float32Array, desired: Float32Array, output: Float32Array, error: Float32Array): void {
    const n = input.length;
    if (desired.length !== n || output.length !== n || error.length !== n) {
      throw new RangeError(`filter() arrays must have equal lengths (input ${n}, desired ${desired.length}, output ${output.length}, error ${error.length})`);
    }
    const L = this.taps;
    const w = this.w;
    const P = this.P;
    const pi = this.pi;
    const history = this.history;
    const inverseLambda = 1 / this.forgettingFactor;
    const traceLimit = this.inverseCorrelationLimit * L;
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
      const p = this.position === 0 ? L - 1 : this.position - 1;
      history[p] = x;
      history[p + L] = x;
      this.position = p;

      // π = P·x and xᵀPx.
      let xPx = 0;
      for (let r = 0; r < L; r++) {
        const row = r * L;
        let sum = 0;
        for (let c = 0; c < L; c++) sum += P[row + c] * history[p + c];
        pi[r] = sum;
        xPx += history[p + r] * sum;
      }
      if (!(xPx >= 0 && xPx < Infinity)) {
        // P is no longer positive definite (or overflowed): start it again from δ·I.
        this.reinitialize();
        xPx = 0;
        for (let r = 0; r < L; r++) {
          pi[r] = this.initialInverseCorrelation * history[p + r];
          xPx += history[p + r] * pi[r];
        }
      }
      const inverseKappa = 1 / (this.forgettingFactor + xPx);

      let y = 0;
      for (let k = 0; k < L; k++) y += w[k] * history[p + k];
      const e = d - y;
      output[i] = y;
      error[i] = e;

      const gainScale = e * inverseKappa;
      for (let k = 0; k < L; k++) w[k] += pi[k] * gainScale;

      // P ← (P − π·πᵀ/κ)/λ, upper triangle mirrored so P stays exactly symmetric.
      let trace = 0;
      let minDiagonal = Infinity;
      for (let r = 0; r < L; r++) {
        const gain = pi[r] * inverseKappa;
        const row = r * L;
        const diagonal = (P[row + r] - gain * pi[r]) * inverseLambda;
        P[row + r] = diagonal;
        trace += diagonal;
        if (diagonal < minDiagonal) minDiagonal = diagonal;
        for (let c = r + 1; c < L; c++) {
          const v = (P[row + c] - gain * pi[c]) * inverseLambda;
          P[row + c] = v;
          P[c * L + r] = v;
        }
      }
      if (!(minDiagonal > 0 && trace <= traceLimit)) this.reinitialize();
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
    return new SnapshotWriter('rls')
      .add('weights', this.w)
      .add('inverseCorrelation', this.P)
      .add('history', this.history)
      .addNumbers('state', [this.position, this.reinitializations, this.nonFiniteInputs, this.stepSize])
      .finish();
  }

  restore(snapshot: Uint8Array): void {
    const reader = new SnapshotReader(snapshot, 'rls');
    const state = reader.numbers('state', 4);
    // Read everything before touching live state, so a bad snapshot leaves the filter as it was.
    const w = new Float64Array(this.taps);
    const P = new Float64Array(this.taps * this.taps);
    const history = new Float32Array(2 * this.taps);
    reader.read('weights', w);
    reader.read('inverseCorrelation', P);
    reader.read('history', history);
    this.w.set(w);
    this.P.set(P);
    this.history.set(history);
    [this.position, this.reinitializations, this.nonFiniteInputs, this.stepSize] = state;
  }

  reset(): void {
    this.w.fill(0);
    this.history.fill(0);
    this.position = 0;
    this.reinitializations = 0;
    this.nonFiniteInputs = 0;
    this.initializeInverseCorrelation();
  }

  private reinitialize(): void {
    this.reinitializations++;
    this.initializeInverseCorrelation();
  }

  private initializeInverseCorrelation(): void {
    const L = this.taps;
    this.P.fill(0);
    for (let r = 0; r < L; r++) this.P[r * L + r] = this.initialInverseCorrelation;
  }
}

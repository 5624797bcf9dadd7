/**
 * Filtered-x RLS controller in the modified (internal-model) structure, with an optional Kalman-filter form.
 *
 * Kuo & Morgan, "Active Noise Control Systems", 1996, §3.5 (FxRLS) and §3.3.4 (modified FxLMS, Bjarnason 1992);
 * Haykin, "Adaptive Filter Theory", ch. 10. Plain FxRLS adapts on e(n), which answers to weights from Δ samples
 * ago (Δ = delay of S); with RLS's large gains that delay makes it oscillate. The modified structure rebuilds the
 * disturbance d̂(n) = e(n) − (ŝ * y)(n) and adapts on ε(n) = d̂(n) + w(n)ᵀx'(n), an error of the *current*
 * weights, so the delay leaves the adaptation loop. With processNoise q > 0 the inverse-correlation update adds
 * q·I each sample: the random-walk state model of the Kalman-filter ANC controller (D. Shi, the
 * `Kalman_Filter_for_ANC` tutorial, which uses the same modified structure), keeping P from collapsing so the
 * controller tracks non-stationary noise (chirps) that FxLMS cannot follow.
 *
 * Per sample, with u = x'(n…n−L+1) the filtered reference:
 *   y(n) = w·x(n),  ε = e(n) − ŝ·y(n…) + w·u,  π = P·u,  k = π / (λ + uᵀπ),  w ← w − k·ε,  P ← (P − k·πᵀ)/λ + q·I
 *
 * Numerical care for hours of audio: state is float64; P is updated on one triangle and mirrored so it stays
 * exactly symmetric; if λ + uᵀπ stops being positive or trace(P) runs away, P is reinitialised to δ·I (counted).
 * Cost is O(L²) per sample: use it for short filters (≤ 128 taps at 16 kHz in real time).
 */
import type { Controller, ControllerHealth, ControllerOptions } from '../controller.js';
import { copySanitized, DEFAULT_OUTPUT_LIMIT, DivergenceRecovery, isBounded } from '../guard.js';
import { SnapshotReader, SnapshotWriter } from '../snapshot.js';
import { validateControllerOptions } from './validate.js';

/**
 * λ = 1 with a small random-walk process noise (the Kalman form) rather than λ < 1: with tonal noise most
 * directions of P are never excited, and λ < 1 lets P grow exponentially there (wind-up) while q only lets it grow
 * linearly. Measured: engine harmonics stay stable, a 20→1600 Hz chirp is cancelled by ≈ 40 dB in its first 0.25 s.
 */
export const FXRLS_DEFAULTS = { forgettingFactor: 1, initialInverseCorrelation: 100, processNoise: 1e-4 } as const;
/** Reinitialise P when its trace exceeds this multiple of its initial trace. */
const TRACE_LIMIT_FACTOR = 1e8;
const MAX_BLOCK = 1024;

export class FilteredXRls implements Controller {
  readonly algorithm = 'fxrls' as const;
  readonly taps: number;
  readonly kernel = 'scalar' as const;
  readonly blockSize = 1;
  /** RLS has no step size; kept for the common interface (scales the update, 1 = textbook RLS). */
  stepSize = 1;

  private readonly w: Float64Array;
  private readonly P: Float64Array;
  private readonly pi: Float64Array;
  private readonly secondaryPath: Float64Array;
  private readonly referenceHistory: Float64Array;
  private readonly filteredHistory: Float64Array;
  private readonly outputHistory: Float64Array;
  private readonly input: Float32Array;
  private readonly weights32: Float32Array;
  private readonly forgettingFactor: number;
  private readonly delta: number;
  private readonly processNoise: number;
  private readonly outputLimit: number;
  private readonly recovery: DivergenceRecovery;
  private readonly historyLength: number;
  private referencePos = 0;
  private filteredPos = 0;
  private outputPos = 0;
  private nonFiniteInputs = 0;
  private samples = 0;
  /** Times P was reinitialised because it lost positive definiteness or ran away. */
  reinitializations = 0;

  constructor(options: ControllerOptions) {
    validateControllerOptions(options);
    const L = options.taps;
    this.taps = L;
    this.forgettingFactor = options.forgettingFactor ?? FXRLS_DEFAULTS.forgettingFactor;
    this.delta = options.initialInverseCorrelation ?? FXRLS_DEFAULTS.initialInverseCorrelation;
    this.processNoise = options.processNoise ?? FXRLS_DEFAULTS.processNoise;
    this.outputLimit = options.outputLimit ?? DEFAULT_OUTPUT_LIMIT;
    this.stepSize = options.stepSize ?? 1;
    this.secondaryPath = Float64Array.from(options.secondaryPathEstimate);
    this.historyLength = Math.max(L, this.secondaryPath.length);
    this.w = new Float64Array(L);
    this.P = new Float64Array(L * L);
    this.pi = new Float64Array(L);
    this.referenceHistory = new Float64Array(2 * this.historyLength);
    this.filteredHistory = new Float64Array(2 * L);
    this.outputHistory = new Float64Array(2 * this.secondaryPath.length);
    this.input = new Float32Array(2 * MAX_BLOCK);
    this.weights32 = new Float32Array(L);
    this.recovery = new DivergenceRecovery(L);
    this.initInverseCorrelation();
  }

  get health(): ControllerHealth {
    return { divergences: this.recovery.divergences, nonFiniteInputs: this.nonFiniteInputs, samples: this.samples };
  }

  process(reference: Float32Array, error: Float32Array, antiNoise: Float32Array): void {
    if (reference.length !== error.length || reference.length !== antiNoise.length) {
      throw new RangeError(`reference, error and antiNoise must have equal lengths (${reference.length}, ${error.length}, ${antiNoise.length})`);
    }
    for (let start = 0; start < reference.length; start += MAX_BLOCK) {
      const n = Math.min(MAX_BLOCK, reference.length - start);
      this.nonFiniteInputs += copySanitized(reference, this.input, 0, start, n);
      this.nonFiniteInputs += copySanitized(error, this.input, MAX_BLOCK, start, n);
      const out = antiNoise.subarray(start, start + n);
      for (let i = 0; i < n; i++) out[i] = this.step(this.input[i], this.input[MAX_BLOCK + i]);
      for (let j = 0; j < this.taps; j++) this.weights32[j] = this.w[j];
      if (isBounded(out, this.outputLimit) && isBounded(this.weights32, Number.MAX_VALUE)) {
        this.recovery.healthy(this.weights32);
      } else {
        this.stepSize = this.recovery.diverged(this.weights32, out, this.stepSize, 1);
        this.w.set(this.weights32);
        this.initInverseCorrelation();
      }
      this.samples += n;
    }
  }

  private step(x: number, e: number): number {
    const L = this.taps;
    const H = this.historyLength;
    const P = this.P;
    const pi = this.pi;
    const w = this.w;
    const xh = this.referenceHistory;
    const fh = this.filteredHistory;

    const p = (this.referencePos = this.referencePos === 0 ? H - 1 : this.referencePos - 1);
    xh[p] = x;
    xh[p + H] = x;
    let xf = 0;
    for (let j = 0; j < this.secondaryPath.length; j++) xf += this.secondaryPath[j] * xh[p + j];
    const q = (this.filteredPos = this.filteredPos === 0 ? L - 1 : this.filteredPos - 1);
    fh[q] = xf;
    fh[q + L] = xf;

    let y = 0;
    for (let j = 0; j < L; j++) y += w[j] * xh[p + j];

    // Internal model: the disturbance is what the error mic heard minus our own modelled anti-noise.
    const Ls = this.secondaryPath.length;
    const yh = this.outputHistory;
    const r = (this.outputPos = this.outputPos === 0 ? Ls - 1 : this.outputPos - 1);
    yh[r] = y;
    yh[r + Ls] = y;
    let modelledAntiNoise = 0;
    for (let j = 0; j < Ls; j++) modelledAntiNoise += this.secondaryPath[j] * yh[r + j];
    let wu = 0;
    // π = P·u and uᵀπ
    let uPu = 0;
    for (let i = 0; i < L; i++) {
      let acc = 0;
      const row = i * L;
      for (let j = 0; j < L; j++) acc += P[row + j] * fh[q + j];
      pi[i] = acc;
      uPu += fh[q + i] * acc;
      wu += w[i] * fh[q + i];
    }
    const epsilon = e - modelledAntiNoise + wu;
    const lambda = this.forgettingFactor;
    const denominator = lambda + uPu;
    if (!(denominator > 0) || !Number.isFinite(denominator)) {
      this.initInverseCorrelation();
      this.reinitializations++;
      return y;
    }
    const ge = (this.stepSize * epsilon) / denominator;
    for (let j = 0; j < L; j++) w[j] -= ge * pi[j];

    // P ← (P − π·πᵀ/denominator)/λ + q·I on the upper triangle, mirrored.
    const invLambda = 1 / lambda;
    const invDen = 1 / denominator;
    let trace = 0;
    for (let i = 0; i < L; i++) {
      const ki = pi[i] * invDen;
      const row = i * L;
      for (let j = i; j < L; j++) {
        const v = (P[row + j] - ki * pi[j]) * invLambda;
        P[row + j] = v;
        P[j * L + i] = v;
      }
      P[row + i] += this.processNoise;
      trace += P[row + i];
    }
    if (!(trace > 0) || trace > TRACE_LIMIT_FACTOR * this.delta * L) {
      this.initInverseCorrelation();
      this.reinitializations++;
    }
    return y;
  }

  private initInverseCorrelation(): void {
    const L = this.taps;
    this.P.fill(0);
    for (let i = 0; i < L; i++) this.P[i * L + i] = this.delta;
  }

  weights(): Float32Array {
    return Float32Array.from(this.w);
  }

  setWeights(weights: Float32Array): void {
    if (weights.length !== this.taps) throw new RangeError(`expected ${this.taps} weights, got ${weights.length}`);
    if (!isBounded(weights, Number.MAX_VALUE)) throw new RangeError('weights must be finite');
    this.w.set(weights);
    this.recovery.checkpoint.set(weights);
  }

  setSecondaryPathEstimate(estimate: Float32Array): void {
    if (estimate.length !== this.secondaryPath.length) {
      throw new RangeError(`expected a ${this.secondaryPath.length}-tap secondary-path estimate, got ${estimate.length}`);
    }
    if (!isBounded(estimate, Number.MAX_VALUE)) throw new RangeError('secondary-path estimate must be finite');
    this.secondaryPath.set(estimate);
  }

  snapshot(): Uint8Array {
    return new SnapshotWriter('fxrls-controller')
      .addNumbers('shape', [this.taps, this.secondaryPath.length])
      .add('weights', this.w)
      .add('inverseCorrelation', this.P)
      .add('secondaryPath', this.secondaryPath)
      .add('referenceHistory', this.referenceHistory)
      .add('filteredHistory', this.filteredHistory)
      .add('outputHistory', this.outputHistory)
      .add('checkpoint', this.recovery.checkpoint)
      .addNumbers('counters', [
        ...this.recovery.counters(), this.nonFiniteInputs, this.samples, this.referencePos, this.filteredPos,
        this.reinitializations, this.stepSize, this.outputPos,
      ])
      .finish();
  }

  restore(snapshot: Uint8Array): void {
    const reader = new SnapshotReader(snapshot, 'fxrls-controller');
    const shape = reader.numbers('shape', 2);
    if (shape[0] !== this.taps || shape[1] !== this.secondaryPath.length) {
      throw new RangeError(`snapshot is of a ${shape[0]}-tap controller with a ${shape[1]}-tap Ŝ; this one has ${this.taps} and ${this.secondaryPath.length}`);
    }
    const counters = reader.numbers('counters', 9);
    const staged = {
      w: new Float64Array(this.w.length), P: new Float64Array(this.P.length), s: new Float64Array(this.secondaryPath.length),
      xh: new Float64Array(this.referenceHistory.length), fh: new Float64Array(this.filteredHistory.length),
      yh: new Float64Array(this.outputHistory.length), cp: new Float32Array(this.taps),
    };
    reader.read('weights', staged.w);
    reader.read('inverseCorrelation', staged.P);
    reader.read('secondaryPath', staged.s);
    reader.read('referenceHistory', staged.xh);
    reader.read('filteredHistory', staged.fh);
    reader.read('outputHistory', staged.yh);
    reader.read('checkpoint', staged.cp);
    this.w.set(staged.w);
    this.P.set(staged.P);
    this.secondaryPath.set(staged.s);
    this.referenceHistory.set(staged.xh);
    this.filteredHistory.set(staged.fh);
    this.outputHistory.set(staged.yh);
    this.recovery.checkpoint.set(staged.cp);
    this.recovery.restoreCounters(counters);
    [, , this.nonFiniteInputs, this.samples, this.referencePos, this.filteredPos, this.reinitializations, this.stepSize, this.outputPos] =
      counters;
  }

  reset(): void {
    this.w.fill(0);
    this.referenceHistory.fill(0);
    this.filteredHistory.fill(0);
    this.outputHistory.fill(0);
    this.referencePos = 0;
    this.filteredPos = 0;
    this.outputPos = 0;
    this.nonFiniteInputs = 0;
    this.samples = 0;
    this.reinitializations = 0;
    this.recovery.reset();
    this.initInverseCorrelation();
  }
}

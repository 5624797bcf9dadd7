/**
 * Engine of the partitioned-block frequency-domain adaptive filter (PBFDAF), shared by PartitionedBlockFilter
 * (Widrow form, 'pbfdaf') and PartitionedBlockFxlms (filtered-x ANC controller, 'pbfxlms').
 *
 * Algorithm: the multidelay block frequency-domain filter of Soo & Pang (1990), "Multidelay block frequency domain
 * adaptive filter", IEEE Trans. ASSP 38(2), in the form of Valin's SpeexDSP mdf.c:
 *  - The L-tap filter is split into P = ⌈L/B⌉ partitions of B taps. Each block of B new input samples is
 *    transformed with a 2B-point FFT over [previous block, current block] (overlap-save) and pushed onto a
 *    frequency-domain delay line (FDL) of input spectra X_k, X_{k−1}, …
 *  - Output: y_k = last B samples of IFFT(Σ_p W_p · X_{k−p}). Latency is the block itself, nothing more.
 *  - Update (normalised per bin, NLMS-like): E_k = FFT([0_B, e_k]),
 *        W_p ← λ·W_p + μ · conj(R_{k−p}) · E_k / D(f),   D(f) = (P·B/2B)·P̄_R(f) + δ,
 *    where R is the regressor (the input itself, or the filtered reference x' for filtered-x), P̄_R(f) its power
 *    per bin smoothed over blocks (β = 1 − 0.35/P, mdf.c's choice: an average over about 3L samples, bias-corrected
 *    at start-up), δ = regularization·L and λ the leakage factor. The (P·B/2B) factor makes D(f) ≈ ‖x‖² = L·σ² for
 *    white input, so μ means what it means for time-domain NLMS (0 < μ < 2).
 *  - Gradient constraint: a partition's time-domain weights must vanish in the second half of its 2B window or the
 *    overlap-save output aliases. Enforcing it (IFFT, zero, FFT) on every partition every block ('all', the fully
 *    constrained MDF) costs 2P FFTs per block. mdf.c's alternately updated MDF ('aumdf') constrains partition 0
 *    every block and one other in turn (4 FFTs); 'round-robin' constrains one partition per block in turn
 *    (2 FFTs), so each partition is cleaned every P blocks and the tails that build up in between stay small
 *    (they are the unconstrained part of at most P normalised updates).
 *
 * Filtered-x (optional): with a kernel ŝ (the secondary-path estimate) the regressor is x' = ŝ * x, computed
 * exactly in the time domain by the same uniformly partitioned overlap-save convolution, reusing the input FDL:
 *   x'_k = last B samples of IFFT(Σ_q Ŝ_q · X_{k−q}),  then R_k = FFT([x'_{k−1}, x'_k]).
 * That costs 2 FFTs per block instead of O(B·|ŝ|) multiply-adds. (Using Σ_q Ŝ_q·X_{k−q} itself as R_k would save
 * them, but its first half is circularly aliased, not x'_{k−1}: the gradient would no longer be the block FxLMS one.)
 * Optional reference-power term (referenceRegularization ρ > 0): D(f) = (P/2)·(P̄_R(f) + ρ·‖ŝ‖²·P̄_X(f)) + δ, the
 * per-bin form of FxNLMS's β·‖ŝ‖²·‖x‖². Where Ŝ has almost no gain, P̄_R(f) ≈ |Ŝ(f)|²·P̄_X(f) is tiny and the step
 * there would be μ/δ while the error cannot respond to W in that bin; the term bounds it to ≈ μ·|Ŝ(f)|/(ρ‖ŝ‖²).
 *
 * This float64 TypeScript engine is the reference; ./partitioned-simd-core.ts runs the filtered-x form on the
 * WASM SIMD kernel (float32) and is tested against it.
 *
 * FFT count per block: 1 (input) + 1 (output) + 1 (error) + 2 or 4 (constraint) [+ 2 filtered-x].
 * All spectra are float64 and preallocated; filterBlock()/adapt() never allocate.
 */
import { isBounded } from '../guard.js';
import { RealFft } from '../fft.js';
import type { SnapshotReader, SnapshotWriter } from '../snapshot.js';
import { readFieldsAtomically } from './fdaf-state.js';

/** Power smoothing constant per block is 1 − POWER_SMOOTHING_RATE / P (SpeexDSP mdf.c: ss = 0.35 / M). */
const POWER_SMOOTHING_RATE = 0.35;
/** Floor of the per-bin normaliser D(f) when regularisation is 0: keeps a silent bin's step finite. */
const MIN_NORMALIZER = 1e-30;

/** Which partitions get the gradient constraint each block (see the header). */
export type PartitionConstraint = 'all' | 'aumdf' | 'round-robin';
const CONSTRAINT_CODES: readonly PartitionConstraint[] = ['all', 'aumdf', 'round-robin'];

export interface PartitionedCoreOptions {
  taps: number;
  /** Block size B, a power of two (FFT size 2B). */
  blockSize: number;
  /** Filtered-x kernel ŝ; absent for a plain (Widrow) adaptive filter. */
  kernel?: Float32Array;
  /** Gradient constraint schedule; default 'aumdf'. */
  constraint?: PartitionConstraint;
  /**
   * Filtered-x only: weight ρ of the reference power in the normaliser, D(f) = (P/2)·(P̄_R(f) + ρ·‖ŝ‖²·P̄_X(f)) + δ
   * (the per-bin form of FxNLMS's referenceRegularization). Default 0.
   */
  referenceRegularization?: number;
}

export class PartitionedCore {
  readonly taps: number;
  readonly blockSize: number;
  /** FFT size 2B. */
  readonly fftSize: number;
  /** Bins per spectrum, B + 1. */
  readonly bins: number;
  /** Partitions of the adaptive filter, P = ⌈L/B⌉. */
  readonly partitions: number;
  /** Partitions of the filtered-x kernel, Q = ⌈|ŝ|/B⌉ (0 without one). */
  readonly kernelPartitions: number;
  readonly kernelLength: number;
  readonly constraint: PartitionConstraint;
  /** Power smoothing factor β per block. */
  readonly powerSmoothing: number;

  private readonly fft: RealFft;
  /** Input FDL depth, max(P, Q). */
  private readonly depth: number;
  /** [x_{k−1}, x_k], 2B samples. */
  private readonly inputWindow: Float64Array;
  private readonly inputRe: Float64Array;
  private readonly inputIm: Float64Array;
  /** FDL slot of X_k. */
  private inputHead = 0;
  private readonly kernelRe: Float64Array;
  private readonly kernelIm: Float64Array;
  /**
   * First kernel partition with a non-zero tap. Ŝ usually starts with a pure delay (converter, block buffering,
   * network), often a whole block or more of zeros; skipping those partitions is exact and saves their products.
   */
  private kernelStart = 0;
  /** [x'_{k−1}, x'_k] and the regressor FDL R (depth P); without a kernel R is the input FDL. */
  private readonly filteredWindow: Float64Array;
  private readonly regressorRe: Float64Array;
  private readonly regressorIm: Float64Array;
  private regressorHead = 0;
  private readonly weightRe: Float64Array;
  private readonly weightIm: Float64Array;
  /** Views of W_p, one per partition, so the constraint needs no subarray() per block. */
  private readonly partitionRe: Float64Array[];
  private readonly partitionIm: Float64Array[];
  /** Smoothed |R_k(f)|² (un-normalised sum; divide by powerWeight). */
  private readonly power: Float64Array;
  /** Filtered-x with ρ > 0: smoothed |X_k(f)|², same smoothing and weight as power. */
  private readonly inputPower: Float64Array;
  /** ρ·‖ŝ‖², the weight of inputPower in D(f). */
  private inputPowerWeight = 0;
  readonly referenceRegularization: number;
  /** Σ (1 − β)·β^i over the blocks seen: divides out the start-up bias of the smoothed power. */
  private powerWeight = 0;
  /** Next partition to receive the rotating constraint (1 … P−1 for 'aumdf', 0 … P−1 for 'round-robin'). */
  private constraintCursor: number;

  private readonly spectrumRe: Float64Array;
  private readonly spectrumIm: Float64Array;
  private readonly time: Float64Array;

  constructor(options: PartitionedCoreOptions) {
    const { taps, blockSize, kernel, constraint = 'aumdf', referenceRegularization = 0 } = options;
    this.taps = taps;
    this.referenceRegularization = kernel ? referenceRegularization : 0;
    this.blockSize = blockSize;
    this.fftSize = 2 * blockSize;
    this.bins = blockSize + 1;
    this.partitions = Math.ceil(taps / blockSize);
    this.kernelLength = kernel ? kernel.length : 0;
    this.kernelPartitions = Math.ceil(this.kernelLength / blockSize);
    this.constraint = this.partitions === 1 ? 'all' : constraint;
    this.constraintCursor = this.firstCursor();
    this.powerSmoothing = Math.max(0, 1 - POWER_SMOOTHING_RATE / this.partitions);
    this.fft = new RealFft(this.fftSize);
    this.depth = Math.max(this.partitions, this.kernelPartitions);
    const K = this.bins;
    this.inputWindow = new Float64Array(this.fftSize);
    this.inputRe = new Float64Array(this.depth * K);
    this.inputIm = new Float64Array(this.depth * K);
    this.kernelRe = new Float64Array(this.kernelPartitions * K);
    this.kernelIm = new Float64Array(this.kernelPartitions * K);
    this.filteredWindow = new Float64Array(kernel ? this.fftSize : 0);
    this.regressorRe = kernel ? new Float64Array(this.partitions * K) : this.inputRe;
    this.regressorIm = kernel ? new Float64Array(this.partitions * K) : this.inputIm;
    this.weightRe = new Float64Array(this.partitions * K);
    this.weightIm = new Float64Array(this.partitions * K);
    this.partitionRe = [];
    this.partitionIm = [];
    for (let p = 0; p < this.partitions; p++) {
      this.partitionRe.push(this.weightRe.subarray(p * K, (p + 1) * K));
      this.partitionIm.push(this.weightIm.subarray(p * K, (p + 1) * K));
    }
    this.power = new Float64Array(K);
    this.inputPower = new Float64Array(this.referenceRegularization > 0 ? K : 0);
    this.spectrumRe = new Float64Array(K);
    this.spectrumIm = new Float64Array(K);
    this.time = new Float64Array(this.fftSize);
    if (kernel) this.setKernel(kernel);
  }

  get filtered(): boolean {
    return this.kernelPartitions > 0;
  }

  /** Replaces ŝ (same length as at construction): Ŝ_q = FFT([ŝ_q, 0_B]). Allocation-free. */
  setKernel(kernel: Float32Array): void {
    if (kernel.length !== this.kernelLength) {
      throw new RangeError(`the secondary-path estimate must keep its length ${this.kernelLength}, got ${kernel.length}`);
    }
    const B = this.blockSize;
    const K = this.bins;
    const time = this.time;
    let energy = 0;
    for (let j = 0; j < kernel.length; j++) energy += kernel[j] * kernel[j];
    this.inputPowerWeight = this.referenceRegularization * energy;
    this.kernelStart = this.kernelPartitions;
    for (let q = this.kernelPartitions - 1; q >= 0; q--) {
      for (let j = q * B; j < Math.min((q + 1) * B, this.kernelLength); j++) if (kernel[j] !== 0) this.kernelStart = q;
    }
    for (let q = 0; q < this.kernelPartitions; q++) {
      time.fill(0);
      const end = Math.min(B, this.kernelLength - q * B);
      for (let j = 0; j < end; j++) time[j] = kernel[q * B + j];
      this.fft.forward(time, this.spectrumRe, this.spectrumIm);
      this.kernelRe.set(this.spectrumRe, q * K);
      this.kernelIm.set(this.spectrumIm, q * K);
    }
  }

  /**
   * Takes input block x_k = source[offset … offset+B), pushes X_k (and R_k), and writes y_k to
   * output[outOffset … outOffset+B).
   */
  filterBlock(source: Float32Array, offset: number, output: Float32Array, outOffset: number): void {
    const B = this.blockSize;
    const K = this.bins;
    const fft = this.fft;
    const window = this.inputWindow;
    window.copyWithin(0, B, 2 * B);
    for (let i = 0; i < B; i++) window[B + i] = source[offset + i];
    this.inputHead = this.inputHead + 1 === this.depth ? 0 : this.inputHead + 1;
    fft.forward(window, this.spectrumRe, this.spectrumIm);
    this.inputRe.set(this.spectrumRe, this.inputHead * K);
    this.inputIm.set(this.spectrumIm, this.inputHead * K);

    this.convolve(this.weightRe, this.weightIm, 0, this.partitions);
    fft.inverse(this.spectrumRe, this.spectrumIm, this.time);
    const time = this.time;
    for (let i = 0; i < B; i++) output[outOffset + i] = time[B + i];

    if (this.kernelPartitions > 0) {
      this.convolve(this.kernelRe, this.kernelIm, this.kernelStart, this.kernelPartitions);
      fft.inverse(this.spectrumRe, this.spectrumIm, time);
      const filtered = this.filteredWindow;
      filtered.copyWithin(0, B, 2 * B);
      for (let i = 0; i < B; i++) filtered[B + i] = time[B + i];
      this.regressorHead = this.regressorHead + 1 === this.partitions ? 0 : this.regressorHead + 1;
      fft.forward(filtered, this.spectrumRe, this.spectrumIm);
      this.regressorRe.set(this.spectrumRe, this.regressorHead * K);
      this.regressorIm.set(this.spectrumIm, this.regressorHead * K);
    } else {
      this.regressorHead = this.inputHead;
    }
  }

  /**
   * One normalised update with the error block e_k = source[offset … offset+B):
   * W_p ← leakFactor·W_p + step·conj(R_{k−p})·E_k / D(f). `step` carries the sign: +μ for Widrow (e = d − y),
   * −μ for filtered-x ANC (e = d + S*y).
   */
  adapt(source: Float32Array, offset: number, step: number, leakFactor: number, regularization: number): void {
    const B = this.blockSize;
    const K = this.bins;
    const P = this.partitions;
    const time = this.time;
    for (let i = 0; i < B; i++) time[i] = 0;
    for (let i = 0; i < B; i++) time[B + i] = source[offset + i];
    const gainRe = this.spectrumRe;
    const gainIm = this.spectrumIm;
    this.fft.forward(time, gainRe, gainIm);

    // Per-bin normalisation from the newest regressor spectrum.
    const beta = this.powerSmoothing;
    const power = this.power;
    const rRe = this.regressorRe;
    const rIm = this.regressorIm;
    const newest = this.regressorHead * K;
    this.powerWeight = beta * this.powerWeight + (1 - beta);
    // D(f) = (P·B / 2B) · power / powerWeight + δ
    const powerScale = (0.5 * P) / this.powerWeight;
    const delta = Math.max(regularization * this.taps, MIN_NORMALIZER);
    if (this.inputPower.length > 0) {
      // D(f) += (P/2)·ρ‖ŝ‖²·P̄_X(f): bounds the step where Ŝ barely passes the reference (see the options).
      const inputPower = this.inputPower;
      const xRe = this.inputRe;
      const xIm = this.inputIm;
      const input = this.inputHead * K;
      const rho = this.inputPowerWeight;
      for (let f = 0; f < K; f++) {
        const re = rRe[newest + f];
        const im = rIm[newest + f];
        const smoothed = beta * power[f] + (1 - beta) * (re * re + im * im);
        power[f] = smoothed;
        const xr = xRe[input + f];
        const xi = xIm[input + f];
        const smoothedInput = beta * inputPower[f] + (1 - beta) * (xr * xr + xi * xi);
        inputPower[f] = smoothedInput;
        const gain = step / (powerScale * (smoothed + rho * smoothedInput) + delta);
        gainRe[f] *= gain;
        gainIm[f] *= gain;
      }
    } else {
      for (let f = 0; f < K; f++) {
        const re = rRe[newest + f];
        const im = rIm[newest + f];
        const smoothed = beta * power[f] + (1 - beta) * (re * re + im * im);
        power[f] = smoothed;
        const gain = step / (powerScale * smoothed + delta);
        gainRe[f] *= gain;
        gainIm[f] *= gain;
      }
    }

    // W_p ← λ·W_p + conj(R_{k−p})·G, two partitions per pass so G is loaded once for both (λ = 1 is exact).
    const wRe = this.weightRe;
    const wIm = this.weightIm;
    const depth = this.kernelPartitions > 0 ? P : this.depth;
    const leak = leakFactor;
    for (let p = 0; p < P; p += 2) {
      let slot0 = this.regressorHead - p;
      if (slot0 < 0) slot0 += depth;
      const r0 = slot0 * K;
      const w0 = p * K;
      if (p + 1 === P) {
        for (let f = 0; f < K; f++) {
          const xr = rRe[r0 + f];
          const xi = rIm[r0 + f];
          const gr = gainRe[f];
          const gi = gainIm[f];
          wRe[w0 + f] = leak * wRe[w0 + f] + (xr * gr + xi * gi);
          wIm[w0 + f] = leak * wIm[w0 + f] + (xr * gi - xi * gr);
        }
        break;
      }
      const r1 = (slot0 === 0 ? depth - 1 : slot0 - 1) * K;
      const w1 = w0 + K;
      for (let f = 0; f < K; f++) {
        const gr = gainRe[f];
        const gi = gainIm[f];
        const xr = rRe[r0 + f];
        const xi = rIm[r0 + f];
        const yr = rRe[r1 + f];
        const yi = rIm[r1 + f];
        wRe[w0 + f] = leak * wRe[w0 + f] + (xr * gr + xi * gi);
        wIm[w0 + f] = leak * wIm[w0 + f] + (xr * gi - xi * gr);
        wRe[w1 + f] = leak * wRe[w1 + f] + (yr * gr + yi * gi);
        wIm[w1 + f] = leak * wIm[w1 + f] + (yr * gi - yi * gr);
      }
    }

    if (this.constraint === 'all') {
      for (let p = 0; p < P; p++) this.constrain(p);
    } else {
      if (this.constraint === 'aumdf') this.constrain(0);
      this.constrain(this.constraintCursor);
      this.constraintCursor = this.constraintCursor + 1 >= P ? this.firstCursor() : this.constraintCursor + 1;
    }
  }

  /** Time-domain weights: the first B samples of IFFT(W_p), partition after partition (tails are not returned). */
  readWeights(target: Float32Array): void {
    const B = this.blockSize;
    const time = this.time;
    for (let p = 0; p < this.partitions; p++) {
      this.fft.inverse(this.partitionRe[p], this.partitionIm[p], time);
      const end = Math.min(B, this.taps - p * B);
      for (let j = 0; j < end; j++) target[p * B + j] = time[j];
    }
  }

  /** W_p = FFT([w_p, 0_B]). */
  writeWeights(source: ArrayLike<number>): void {
    const B = this.blockSize;
    const K = this.bins;
    const time = this.time;
    for (let p = 0; p < this.partitions; p++) {
      time.fill(0);
      const end = Math.min(B, this.taps - p * B);
      for (let j = 0; j < end; j++) time[j] = source[p * B + j];
      this.fft.forward(time, this.spectrumRe, this.spectrumIm);
      this.weightRe.set(this.spectrumRe, p * K);
      this.weightIm.set(this.spectrumIm, p * K);
    }
  }

  /** Forgets the signal history (input, filtered reference, power) but keeps weights and kernel. */
  /** Forgets the signal history (after a divergence it may hold runaway values); keeps weights and kernel. */
  clearSignals(): void {
    this.inputWindow.fill(0);
    this.inputRe.fill(0);
    this.inputIm.fill(0);
    this.filteredWindow.fill(0);
    this.regressorRe.fill(0);
    this.regressorIm.fill(0);
    // The power estimate survives unless it was poisoned: restarting it from one block would make the first
    // normalised steps after a recovery larger, not smaller.
    if (!isBounded(this.power, Number.MAX_VALUE) || !isBounded(this.inputPower, Number.MAX_VALUE) || !Number.isFinite(this.powerWeight)) {
      this.power.fill(0);
      this.inputPower.fill(0);
      this.powerWeight = 0;
    }
    this.inputHead = 0;
    this.regressorHead = 0;
  }

  reset(): void {
    this.clearSignals();
    this.power.fill(0);
    this.inputPower.fill(0);
    this.powerWeight = 0;
    this.weightRe.fill(0);
    this.weightIm.fill(0);
    this.constraintCursor = this.firstCursor();
  }

  writeState(writer: SnapshotWriter): void {
    writer
      .add('core.inputWindow', this.inputWindow)
      .add('core.inputRe', this.inputRe)
      .add('core.inputIm', this.inputIm)
      .add('core.kernelRe', this.kernelRe)
      .add('core.kernelIm', this.kernelIm)
      .add('core.filteredWindow', this.filteredWindow)
      .add('core.weightRe', this.weightRe)
      .add('core.weightIm', this.weightIm)
      .add('core.power', this.power)
      .add('core.inputPower', this.inputPower)
      .addNumbers('core.shape', [this.taps, this.blockSize, this.kernelLength, CONSTRAINT_CODES.indexOf(this.constraint)])
      .addNumbers('core.counters', [this.inputHead, this.regressorHead, this.powerWeight, this.constraintCursor, this.kernelStart, this.inputPowerWeight]);
    if (this.kernelPartitions > 0) writer.add('core.regressorRe', this.regressorRe).add('core.regressorIm', this.regressorIm);
  }

  readState(reader: SnapshotReader): void {
    const shape = reader.numbers('core.shape', 4);
    if (shape[0] !== this.taps || shape[1] !== this.blockSize || shape[2] !== this.kernelLength || shape[3] !== CONSTRAINT_CODES.indexOf(this.constraint)) {
      throw new RangeError(
        `snapshot is of a filter with ${shape[0]} taps, block ${shape[1]}, kernel ${shape[2]}; this one has ${this.taps}, ${this.blockSize}, ${this.kernelLength}`,
      );
    }
    const counters = reader.numbers('core.counters', 6);
    const fields: [string, Float64Array][] = [
      ['core.inputWindow', this.inputWindow],
      ['core.inputRe', this.inputRe],
      ['core.inputIm', this.inputIm],
      ['core.kernelRe', this.kernelRe],
      ['core.kernelIm', this.kernelIm],
      ['core.filteredWindow', this.filteredWindow],
      ['core.weightRe', this.weightRe],
      ['core.weightIm', this.weightIm],
      ['core.power', this.power],
      ['core.inputPower', this.inputPower],
    ];
    if (this.kernelPartitions > 0) fields.push(['core.regressorRe', this.regressorRe], ['core.regressorIm', this.regressorIm]);
    readFieldsAtomically(reader, fields);
    [this.inputHead, this.regressorHead, this.powerWeight, this.constraintCursor, this.kernelStart, this.inputPowerWeight] = counters;
  }

  /**
   * spectrum = Σ_{from ≤ p < to} H_p · X_{k−p} over the input FDL, two partitions per pass to halve the
   * accumulator traffic.
   */
  private convolve(hRe: Float64Array, hIm: Float64Array, from: number, to: number): void {
    const K = this.bins;
    const accRe = this.spectrumRe;
    const accIm = this.spectrumIm;
    const xRe = this.inputRe;
    const xIm = this.inputIm;
    const depth = this.depth;
    let p = from;
    if ((to - from) % 2 === 1) {
      let slot = this.inputHead - p;
      if (slot < 0) slot += depth;
      const x = slot * K;
      const h = p * K;
      for (let f = 0; f < K; f++) {
        const ar = hRe[h + f];
        const ai = hIm[h + f];
        const br = xRe[x + f];
        const bi = xIm[x + f];
        accRe[f] = ar * br - ai * bi;
        accIm[f] = ar * bi + ai * br;
      }
      p++;
    } else {
      accRe.fill(0);
      accIm.fill(0);
    }
    for (; p < to; p += 2) {
      let slot0 = this.inputHead - p;
      if (slot0 < 0) slot0 += depth;
      const slot1 = slot0 === 0 ? depth - 1 : slot0 - 1;
      const x0 = slot0 * K;
      const x1 = slot1 * K;
      const h0 = p * K;
      const h1 = h0 + K;
      for (let f = 0; f < K; f++) {
        const ar = hRe[h0 + f];
        const ai = hIm[h0 + f];
        const br = xRe[x0 + f];
        const bi = xIm[x0 + f];
        const cr = hRe[h1 + f];
        const ci = hIm[h1 + f];
        const dr = xRe[x1 + f];
        const di = xIm[x1 + f];
        accRe[f] += ar * br - ai * bi + (cr * dr - ci * di);
        accIm[f] += ar * bi + ai * br + (cr * di + ci * dr);
      }
    }
  }

  private firstCursor(): number {
    return this.constraint === 'aumdf' ? 1 : 0;
  }

  /** Gradient constraint on partition p: keep the first B time-domain taps (fewer in the last partition). */
  private constrain(p: number): void {
    const B = this.blockSize;
    const time = this.time;
    const re = this.partitionRe[p];
    const im = this.partitionIm[p];
    this.fft.inverse(re, im, time);
    const keep = Math.min(B, this.taps - p * B);
    time.fill(0, keep);
    this.fft.forward(time, re, im);
  }
}

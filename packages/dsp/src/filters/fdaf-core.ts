/**
 * Engine of the constrained frequency-domain block LMS (FDAF), shared by BlockLms (Widrow form, 'blocklms') and
 * FrequencyDomainFxlms (filtered-x ANC controller, 'fdfxlms').
 *
 * Algorithm: fast block LMS with overlap-save sectioning and the gradient constraint — Ferrara (1980), "Fast
 * implementation of LMS adaptive filters"; Shynk (1992), "Frequency-domain and multirate adaptive filtering",
 * IEEE SP Magazine 9(1), "constrained FLMS"; Haykin, "Adaptive Filter Theory", §8.2 (fast block LMS).
 *  - Block size B (any integer ≥ 1), FFT size N = nextPow2(max(L, |ŝ|) + B − 1), so the last B outputs of the
 *    N-point circular convolution are linear (classically B = L and N = 2L; a power-of-two N with B = L > L/2
 *    just pads the weights with zeros).
 *  - Per block k: the window holds the last N input samples; X_k = FFT(window); y_k = last B samples of
 *    IFFT(W · X_k), W = FFT([w, 0]).
 *  - Update: E_k = FFT([0_{N−B}, e_k]); g = first L samples of IFFT(conj(R_k) · E_k · ν(f)) — the exact block sum
 *    Σ_n e(n)·r(n − j) when ν = 1; w ← λ·w + μ·g; W = FFT([w, 0]). Haykin's convention: μ multiplies the sum over
 *    the block, so one block moves w as far as B LMS steps with the same μ would.
 *    Normalised variant (ν(f) = 1 / D(f)): D(f) = (L/N)·P̄_R(f) + δ, P̄_R the bias-corrected smoothed power of R
 *    (plus ρ·‖ŝ‖²·|X|², option referenceRegularization) per bin (β = 1 − 0.35/⌈L/B⌉ as in mdf.c), δ =
 *    regularization·L; (L/N)·P̄_R ≈ ‖r‖² = L·σ² for white input, so μ is NLMS's μ. P̄_R is averaged over the 2h + 1 ≈ N/B bins around f (h = 2·⌊N/4B⌋, 0 when N = 2B): with
 *    N ≫ B (a long filter, a short block) and tonal input, an N-point D(f) resolves the tones, 1/D(f) gets an
 *    impulse response as long as the window, and it folds the discarded lags of conj(R)·E (older than L, and the
 *    wrapped future ones) into the gradient: the update then points the wrong way in the weakly excited bins and
 *    the filter drifts off slowly at any μ once Ŝ's delay exceeds a block or so. A D(f) at about B-point
 *    resolution keeps 1/D(f) short.
 *  - The constraint is applied exactly every block (the weights live in the time domain), so this is the textbook
 *    constrained FDAF, at 5 FFTs of N points per block (7 with filtered-x).
 *
 * Filtered-x (optional): x' = ŝ * x exactly, as the last B samples of IFFT(Ŝ · X_k) with Ŝ = FFT([ŝ, 0]) — N covers
 * |ŝ| + B − 1 so this too is a linear convolution. R_k = FFT of the last N samples of x'.
 */
import { isBounded } from '../guard.js';
import { RealFft, nextPowerOfTwo } from '../fft.js';
import type { SnapshotReader, SnapshotWriter } from '../snapshot.js';
import { readFieldsAtomically } from './fdaf-state.js';

const POWER_SMOOTHING_RATE = 0.35;
/** Floor of the per-bin normaliser D(f) when regularisation is 0: keeps a silent bin's step finite. */
const MIN_NORMALIZER = 1e-30;

export interface FdafCoreOptions {
  taps: number;
  blockSize: number;
  kernel?: Float32Array;
  /** Per-bin power normalisation (NLMS-like μ) instead of the plain block-LMS μ. */
  normalized: boolean;
  /**
   * Weight ρ of the reference power in the normaliser, filtered-x only: D(f) = (L/N)·(P̄_R(f) + ρ·‖ŝ‖²·P̄_X(f)) + δ
   * (the per-bin form of FxNLMS's referenceRegularization). Default 0.
   */
  referenceRegularization?: number;
}

export class FdafCore {
  readonly taps: number;
  readonly blockSize: number;
  readonly fftSize: number;
  readonly bins: number;
  readonly kernelLength: number;
  readonly normalized: boolean;
  readonly powerSmoothing: number;
  /**
   * Half-width h, in bins, of the frequency average behind the normaliser D(f): 2·⌊N/4B⌋, so that D is measured at
   * about the resolution of a B-point spectrum whatever N is (0 for the classic N = 2B). See adapt().
   */
  readonly normalizerHalfWidth: number;

  private readonly fft: RealFft;
  /** Last N input samples. */
  private readonly inputWindow: Float64Array;
  private readonly inputRe: Float64Array;
  private readonly inputIm: Float64Array;
  /** Time-domain weights w (float64: small μ·g corrections would vanish in float32). */
  private readonly w: Float64Array;
  private readonly weightRe: Float64Array;
  private readonly weightIm: Float64Array;
  private readonly kernelRe: Float64Array;
  private readonly kernelIm: Float64Array;
  /** Last N samples of x' (filtered-x only). */
  private readonly filteredWindow: Float64Array;
  /** R_k, the regressor spectrum of the current block (aliases X_k without a kernel). */
  private readonly regressorRe: Float64Array;
  private readonly regressorIm: Float64Array;
  private readonly power: Float64Array;
  private powerWeight = 0;
  private readonly referenceRegularization: number;
  /** ρ·‖ŝ‖², the weight of |X(f)|² in P̄_R (0 without referenceRegularization). */
  private inputPowerWeight = 0;
  private readonly spectrumRe: Float64Array;
  private readonly spectrumIm: Float64Array;
  private readonly time: Float64Array;

  constructor(options: FdafCoreOptions) {
    const { taps, blockSize, kernel, normalized, referenceRegularization = 0 } = options;
    this.referenceRegularization = kernel ? referenceRegularization : 0;
    this.taps = taps;
    this.blockSize = blockSize;
    this.kernelLength = kernel ? kernel.length : 0;
    this.fftSize = Math.max(2, nextPowerOfTwo(Math.max(taps, this.kernelLength) + blockSize - 1));
    this.bins = this.fftSize / 2 + 1;
    this.normalized = normalized;
    this.powerSmoothing = Math.max(0, 1 - POWER_SMOOTHING_RATE / Math.ceil(taps / blockSize));
    this.normalizerHalfWidth = 2 * Math.floor(this.fftSize / (4 * blockSize));
    this.fft = new RealFft(this.fftSize);
    const N = this.fftSize;
    const K = this.bins;
    this.inputWindow = new Float64Array(N);
    this.inputRe = new Float64Array(K);
    this.inputIm = new Float64Array(K);
    this.w = new Float64Array(taps);
    this.weightRe = new Float64Array(K);
    this.weightIm = new Float64Array(K);
    this.kernelRe = new Float64Array(kernel ? K : 0);
    this.kernelIm = new Float64Array(kernel ? K : 0);
    this.filteredWindow = new Float64Array(kernel ? N : 0);
    this.regressorRe = kernel ? new Float64Array(K) : this.inputRe;
    this.regressorIm = kernel ? new Float64Array(K) : this.inputIm;
    this.power = new Float64Array(K);
    this.spectrumRe = new Float64Array(K);
    this.spectrumIm = new Float64Array(K);
    this.time = new Float64Array(N);
    if (kernel) this.setKernel(kernel);
  }

  setKernel(kernel: Float32Array): void {
    if (kernel.length !== this.kernelLength) {
      throw new RangeError(`the secondary-path estimate must keep its length ${this.kernelLength}, got ${kernel.length}`);
    }
    this.time.fill(0);
    let energy = 0;
    for (let j = 0; j < kernel.length; j++) {
      this.time[j] = kernel[j];
      energy += kernel[j] * kernel[j];
    }
    this.inputPowerWeight = this.referenceRegularization * energy;
    this.fft.forward(this.time, this.kernelRe, this.kernelIm);
  }

  /** Input block x_k = source[offset … offset+B) in, y_k = output[outOffset … outOffset+B) out. */
  filterBlock(source: Float32Array, offset: number, output: Float32Array, outOffset: number): void {
    const N = this.fftSize;
    const B = this.blockSize;
    const tail = N - B;
    const window = this.inputWindow;
    window.copyWithin(0, B, N);
    for (let i = 0; i < B; i++) window[tail + i] = source[offset + i];
    const xRe = this.inputRe;
    const xIm = this.inputIm;
    this.fft.forward(window, xRe, xIm);

    this.multiply(this.weightRe, this.weightIm);
    const time = this.time;
    this.fft.inverse(this.spectrumRe, this.spectrumIm, time);
    for (let i = 0; i < B; i++) output[outOffset + i] = time[tail + i];

    if (this.kernelLength > 0) {
      this.multiply(this.kernelRe, this.kernelIm);
      this.fft.inverse(this.spectrumRe, this.spectrumIm, time);
      const filtered = this.filteredWindow;
      filtered.copyWithin(0, B, N);
      for (let i = 0; i < B; i++) filtered[tail + i] = time[tail + i];
      this.fft.forward(filtered, this.regressorRe, this.regressorIm);
    }
  }

  /** w ← leakFactor·w + step·g for the error block e_k = source[offset … offset+B); `step` carries the sign. */
  adapt(source: Float32Array, offset: number, step: number, leakFactor: number, regularization: number): void {
    const N = this.fftSize;
    const B = this.blockSize;
    const K = this.bins;
    const L = this.taps;
    const tail = N - B;
    const time = this.time;
    time.fill(0, 0, tail);
    for (let i = 0; i < B; i++) time[tail + i] = source[offset + i];
    const gRe = this.spectrumRe;
    const gIm = this.spectrumIm;
    this.fft.forward(time, gRe, gIm);

    const rRe = this.regressorRe;
    const rIm = this.regressorIm;
    if (this.normalized) {
      const beta = this.powerSmoothing;
      const power = this.power;
      this.powerWeight = beta * this.powerWeight + (1 - beta);
      const powerScale = L / N / this.powerWeight;
      const delta = Math.max(regularization * L, MIN_NORMALIZER);
      for (let f = 0; f < K; f++) {
        const re = rRe[f];
        const im = rIm[f];
        power[f] = beta * power[f] + (1 - beta) * (re * re + im * im + this.weightedInputPower(f));
      }
      // D(f) from the power averaged over the 2h + 1 bins around f (a running sum; edge bins average what exists).
      const h = this.normalizerHalfWidth;
      const last = K - 1;
      let sum = 0;
      for (let f = 0; f <= Math.min(h, last); f++) sum += power[f];
      for (let f = 0; f < K; f++) {
        const lo = f - h;
        const hi = f + h;
        const count = Math.min(hi, last) - Math.max(lo, 0) + 1;
        // The running sum of non-negative terms can only dip below 0 by rounding.
        const gain = 1 / ((powerScale * Math.max(sum, 0)) / count + delta);
        if (hi + 1 <= last) sum += power[hi + 1];
        if (lo >= 0) sum -= power[lo];
        const re = rRe[f];
        const im = rIm[f];
        const er = gRe[f] * gain;
        const ei = gIm[f] * gain;
        gRe[f] = re * er + im * ei;
        gIm[f] = re * ei - im * er;
      }
    } else {
      for (let f = 0; f < K; f++) {
        const re = rRe[f];
        const im = rIm[f];
        const er = gRe[f];
        const ei = gIm[f];
        gRe[f] = re * er + im * ei;
        gIm[f] = re * ei - im * er;
      }
    }
    this.fft.inverse(gRe, gIm, time);
    const w = this.w;
    for (let j = 0; j < L; j++) w[j] = leakFactor * w[j] + step * time[j];
    this.transformWeights();
  }

  /**
   * ρ·‖ŝ‖²·|X(f)|² of this block, a term of P̄_R's update (0 without referenceRegularization). Where Ŝ barely passes
   * the reference (below a loudspeaker's range) |R(f)|² is tiny while the error cannot respond: this term keeps the
   * step there small, or W grows in those bins until the output saturates (regression test 'frequency-domain
   * controllers do not blow up on low-frequency rumble the SFANC paths block'). It is averaged over frequency with
   * P̄_R: a D(f) at N-point resolution makes the filter drift (see the header).
   */
  private weightedInputPower(f: number): number {
    const xr = this.inputRe[f];
    const xi = this.inputIm[f];
    return this.inputPowerWeight * (xr * xr + xi * xi);
  }

  readWeights(target: Float32Array | Float64Array): void {
    for (let j = 0; j < this.taps; j++) target[j] = this.w[j];
  }

  writeWeights(source: ArrayLike<number>): void {
    for (let j = 0; j < this.taps; j++) this.w[j] = source[j];
    this.transformWeights();
  }

  /** Forgets the signal history (after a divergence it may hold runaway values); keeps weights and kernel. */
  clearSignals(): void {
    this.inputWindow.fill(0);
    this.filteredWindow.fill(0);
    // The power estimate survives unless it was poisoned: restarting it from one block would make the first
    // normalised steps after a recovery larger, not smaller.
    if (!isBounded(this.power, Number.MAX_VALUE) || !Number.isFinite(this.powerWeight)) {
      this.power.fill(0);
      this.powerWeight = 0;
    }
  }

  reset(): void {
    this.clearSignals();
    this.power.fill(0);
    this.powerWeight = 0;
    this.w.fill(0);
    this.weightRe.fill(0);
    this.weightIm.fill(0);
  }

  writeState(writer: SnapshotWriter): void {
    // W and Ŝ are functions of w and ŝ but are stored too: recomputing them on restore could differ in the last bit
    // from the spectra the live filter used, and restore must continue bit-identically.
    writer
      .add('core.inputWindow', this.inputWindow)
      .add('core.weights', this.w)
      .add('core.weightRe', this.weightRe)
      .add('core.weightIm', this.weightIm)
      .add('core.kernelRe', this.kernelRe)
      .add('core.kernelIm', this.kernelIm)
      .add('core.filteredWindow', this.filteredWindow)
      .add('core.power', this.power)
      .addNumbers('core.shape', [this.taps, this.blockSize, this.kernelLength, this.normalized ? 1 : 0])
      .addNumbers('core.counters', [this.powerWeight, this.inputPowerWeight]);
  }

  readState(reader: SnapshotReader): void {
    const shape = reader.numbers('core.shape', 4);
    if (shape[0] !== this.taps || shape[1] !== this.blockSize || shape[2] !== this.kernelLength || (shape[3] === 1) !== this.normalized) {
      throw new RangeError(
        `snapshot is of a filter with ${shape[0]} taps, block ${shape[1]}, kernel ${shape[2]}; this one has ${this.taps}, ${this.blockSize}, ${this.kernelLength}`,
      );
    }
    const counters = reader.numbers('core.counters', 2);
    readFieldsAtomically(reader, [
      ['core.inputWindow', this.inputWindow],
      ['core.weights', this.w],
      ['core.weightRe', this.weightRe],
      ['core.weightIm', this.weightIm],
      ['core.kernelRe', this.kernelRe],
      ['core.kernelIm', this.kernelIm],
      ['core.filteredWindow', this.filteredWindow],
      ['core.power', this.power],
    ]);
    [this.powerWeight, this.inputPowerWeight] = counters;
  }

  /** spectrum = H · X_k. */
  private multiply(hRe: Float64Array, hIm: Float64Array): void {
    const xRe = this.inputRe;
    const xIm = this.inputIm;
    const outRe = this.spectrumRe;
    const outIm = this.spectrumIm;
    for (let f = 0; f < this.bins; f++) {
      const ar = hRe[f];
      const ai = hIm[f];
      const br = xRe[f];
      const bi = xIm[f];
      outRe[f] = ar * br - ai * bi;
      outIm[f] = ar * bi + ai * br;
    }
  }

  /** W = FFT([w, 0]). */
  private transformWeights(): void {
    const time = this.time;
    for (let j = 0; j < this.taps; j++) time[j] = this.w[j];
    time.fill(0, this.taps);
    this.fft.forward(time, this.weightRe, this.weightIm);
  }
}

/**
 * Control-filter presets and the hybrid SFANC-FxNLMS controller.
 *
 * Selective fixed-filter ANC (SFANC; Luo, Shi & Gan, "A hybrid SFANC-FxNLMS algorithm for active noise control based
 * on deep learning", IEEE SPL 29, 2022) starts from a control filter pre-trained for the kind of noise at hand, so
 * cancellation begins at once instead of after FxNLMS has converged from zero; FxNLMS then refines it. Here:
 *
 *  - A preset bank belongs to one device or room profile (a primary/secondary path pair and its loop): it holds one
 *    filter per frequency band (the full band, halves, quarters, eighths, as in SFANC) and one per noise class,
 *    each trained by the platform's own FxNLMS on band-limited noise or on the class's generated noise.
 *  - HybridController wraps a controller. It starts on the full-band preset, and a selection compares the bank's
 *    presets on the audio just heard, by the residual each would leave: r = d̂ + W_i * x', with d̂ = e − Ŝ*y the
 *    disturbance rebuilt by the internal model and x' = Ŝ*x (W_i*(Ŝ*x) = Ŝ*(W_i*x): LTI filters commute). The
 *    classifier names the noise type; its preset is evaluated first, and a preset replaces the running filter only
 *    when it predicts a clearly smaller residual, so a wrong classification cannot make cancellation worse.
 *  - The comparison is spread over blocks (one candidate per process() call), so it never stalls the audio path.
 */
import {
  createController, FirFilter, Random, simulate, type Controller, type ControllerAlgorithm, type ControllerHealth,
  type ControllerOptions,
} from '@antiphase/dsp';
import { SOURCES } from './generator/sources.js';
import { NOISE_CLASSES, type NoiseClass } from './taxonomy.js';

export interface ControlPreset {
  /** 'band:LO-HI' for band presets, the class name for class presets. */
  id: string;
  /** Frequency band the preset was trained on, Hz; null for class presets. */
  bandHz: [number, number] | null;
  noiseClass: NoiseClass | null;
  weights: Float32Array;
}

export interface PresetBank {
  /** Name of the device or room profile the presets were trained for. */
  profile: string;
  sampleRate: number;
  taps: number;
  presets: ControlPreset[];
}

export interface PresetTrainingOptions {
  profile: string;
  sampleRate: number;
  primaryPath: ArrayLike<number>;
  secondaryPath: ArrayLike<number>;
  /** Loop latency of the profile, samples (the loop runs sample by sample, as at run time). */
  loopLatency?: number;
  taps: number;
  /** Seconds of training noise per preset (default 6). */
  durationS?: number;
  /**
   * FxNLMS step size for training (default 0.1). Training noise is stationary and band-limited white, so a larger
   * step than the run-time default (chosen for tonal, non-stationary noise behind a delay) converges safely.
   */
  stepSize?: number;
  /** Which presets: the SFANC band set, the noise classes, or both (default both). */
  kinds?: ('bands' | 'classes')[];
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** SFANC's 15 bands: the full band, then halves, quarters and eighths of it. */
export function sfancBands(sampleRate: number): [number, number][] {
  const low = 20;
  const high = Math.min(7980, 0.4975 * sampleRate);
  const bands: [number, number][] = [];
  for (const parts of [1, 2, 4, 8]) {
    const width = (high - low) / parts;
    for (let i = 0; i < parts; i++) bands.push([low + i * width, low + (i + 1) * width]);
  }
  return bands;
}

/** White noise band-limited to [lowHz, highHz) by an FFT-free windowed-sinc band-pass (offline helper). */
export function bandLimitedNoise(sampleRate: number, samples: number, [lowHz, highHz]: [number, number], seed: number): Float32Array {
  const random = new Random(seed);
  const white = new Float32Array(samples);
  for (let i = 0; i < samples; i++) white[i] = random.gaussian();
  const half = 255;
  const taps = new Float64Array(2 * half + 1);
  for (let k = -half; k <= half; k++) {
    const sinc = (f: number) => (k === 0 ? 2 * f : Math.sin(2 * Math.PI * f * k) / (Math.PI * k));
    const window = 0.42 + 0.5 * Math.cos((Math.PI * k) / half) + 0.08 * Math.cos((2 * Math.PI * k) / half);
    taps[k + half] = (sinc(highHz / sampleRate) - sinc(lowHz / sampleRate)) * window;
  }
  const out = new Float32Array(samples);
  new FirFilter(taps).process(white, out);
  let energy = 0;
  for (const v of out) energy += v * v;
  const scale = 0.1 / Math.sqrt(energy / samples || 1); // −20 dBFS
  for (let i = 0; i < samples; i++) out[i] *= scale;
  return out;
}

/** Trains a preset bank for one profile with the platform's FxNLMS (Ŝ identified through the loop, as at run time). */
export function trainPresetBank(options: PresetTrainingOptions): PresetBank {
  const { sampleRate, taps } = options;
  const samples = Math.round((options.durationS ?? 6) * sampleRate);
  const kinds = options.kinds ?? ['bands', 'classes'];
  const sources: { id: string; bandHz: [number, number] | null; noiseClass: NoiseClass | null; noise: () => Float32Array }[] = [];
  const seed = options.seed ?? 1;
  if (kinds.includes('bands')) {
    sfancBands(sampleRate).forEach((band, i) => {
      sources.push({ id: `band:${Math.round(band[0])}-${Math.round(band[1])}`, bandHz: band, noiseClass: null, noise: () => bandLimitedNoise(sampleRate, samples, band, seed + i) });
    });
  }
  if (kinds.includes('classes')) {
    if (sampleRate !== 16000) throw new RangeError('class presets are generated at 16 kHz; train band presets for other rates');
    NOISE_CLASSES.forEach((noiseClass, i) => {
      sources.push({ id: noiseClass, bandHz: null, noiseClass, noise: () => SOURCES[noiseClass](new Random(seed + 100 + i), samples) });
    });
  }
  const presets = sources.map((source, i) => {
    const result = simulate({
      noise: source.noise(),
      sampleRate,
      primaryPath: options.primaryPath,
      secondaryPath: options.secondaryPath,
      loopLatency: options.loopLatency,
      algorithm: 'fxnlms',
      controller: { taps, stepSize: options.stepSize ?? 0.1 },
    });
    options.onProgress?.(i + 1, sources.length);
    return { id: source.id, bandHz: source.bandHz, noiseClass: source.noiseClass, weights: result.controller.weights() };
  });
  return { profile: options.profile, sampleRate, taps, presets };
}

/** JSON form of a bank (weights as plain arrays) for stores and files. */
export function presetBankToJson(bank: PresetBank): object {
  return { ...bank, presets: bank.presets.map((p) => ({ ...p, weights: Array.from(p.weights) })) };
}

export function presetBankFromJson(json: unknown): PresetBank {
  const bank = json as PresetBank & { presets: (ControlPreset & { weights: number[] })[] };
  if (!bank || !Array.isArray(bank.presets) || !(bank.taps > 0) || !(bank.sampleRate > 0)) {
    throw new RangeError('not a preset bank: needs profile, sampleRate, taps and presets');
  }
  return {
    profile: String(bank.profile),
    sampleRate: bank.sampleRate,
    taps: bank.taps,
    presets: bank.presets.map((p) => {
      if (!Array.isArray(p.weights) || p.weights.length !== bank.taps) throw new RangeError(`preset ${p.id} must have ${bank.taps} weights`);
      return { id: String(p.id), bandHz: p.bandHz ?? null, noiseClass: p.noiseClass ?? null, weights: Float32Array.from(p.weights) };
    }),
  };
}

export interface HybridOptions {
  bank: PresetBank;
  /** The controller FxNLMS refinement runs in (its taps must equal the bank's). */
  algorithm?: ControllerAlgorithm;
  controller: ControllerOptions;
  /** Samples of audio a selection compares presets on (default 50 ms). */
  selectionWindow?: number;
  /** Samples between selections (default 1 s); the first runs once one window has been heard. */
  selectionInterval?: number;
  /** A preset must predict a residual this much smaller than the running filter's to replace it, dB (default 3). */
  switchMarginDb?: number;
}

export interface HybridState {
  /** Preset the running filter started from most recently. */
  presetId: string;
  /** Noise class last suggested by the classifier. */
  noiseClass: NoiseClass | null;
  switches: number;
}

/**
 * A controller that warm-starts from presets and lets FxNLMS refine them (hybrid SFANC-FxNLMS). Same interface as
 * the controller it wraps.
 */
export class HybridController implements Controller {
  readonly algorithm: ControllerAlgorithm;
  readonly taps: number;
  readonly kernel: Controller['kernel'];
  readonly blockSize: number;
  readonly state: HybridState;
  private readonly inner: Controller;
  private readonly bank: PresetBank;
  private readonly window: number;
  private readonly interval: number;
  private readonly marginDb: number;
  private readonly secondaryPath: FirFilter;
  private readonly secondaryPathOfOutput: FirFilter;
  // Rings of x' = Ŝ*x (window + taps samples) and d̂ = e − Ŝ*y (window samples).
  private readonly filteredRef: Float32Array;
  private readonly disturbance: Float32Array;
  private head = 0;
  private heard = 0;
  private untilSelection: number;
  // A selection in progress: candidates still to evaluate and the best so far.
  private queue: number[] = [];
  private runningResidual = 0;
  private best: { index: number; residual: number } | null = null;

  constructor(options: HybridOptions) {
    const { bank } = options;
    if (options.controller.taps !== bank.taps) throw new RangeError(`the controller needs ${bank.taps} taps to use this bank, got ${options.controller.taps}`);
    this.inner = createController(options.algorithm ?? 'fxnlms', options.controller);
    this.algorithm = this.inner.algorithm;
    this.taps = this.inner.taps;
    this.kernel = this.inner.kernel;
    this.blockSize = this.inner.blockSize;
    this.bank = bank;
    this.window = options.selectionWindow ?? Math.round(0.05 * bank.sampleRate);
    this.interval = options.selectionInterval ?? bank.sampleRate;
    this.marginDb = options.switchMarginDb ?? 3;
    this.untilSelection = this.window;
    this.secondaryPath = new FirFilter(options.controller.secondaryPathEstimate);
    this.secondaryPathOfOutput = new FirFilter(options.controller.secondaryPathEstimate);
    this.filteredRef = new Float32Array(this.window + this.taps);
    this.disturbance = new Float32Array(this.window);
    const fullBand = bank.presets.findIndex((p) => p.bandHz !== null);
    const start = fullBand >= 0 ? fullBand : 0;
    this.inner.setWeights(bank.presets[start].weights);
    this.state = { presetId: bank.presets[start].id, noiseClass: null, switches: 0 };
  }

  get stepSize(): number {
    return this.inner.stepSize;
  }

  set stepSize(value: number) {
    this.inner.stepSize = value;
  }

  get health(): ControllerHealth {
    return this.inner.health;
  }

  /** The classifier's current opinion: its preset is evaluated first at the next selection, which starts now. */
  suggestNoiseClass(noiseClass: NoiseClass): void {
    if (this.state.noiseClass === noiseClass) return;
    this.state.noiseClass = noiseClass;
    if (this.heard >= this.window) this.untilSelection = 0;
  }

  process(reference: Float32Array, error: Float32Array, antiNoise: Float32Array): void {
    this.inner.process(reference, error, antiNoise);
    const n = reference.length;
    const filteredLength = this.filteredRef.length;
    for (let i = 0; i < n; i++) {
      const at = this.head;
      // d̂ = e − Ŝ*y: Ŝ carries the loop's delay, so this block's own output only reaches later samples.
      this.disturbance[at] = error[i] - this.secondaryPathOfOutput.next(antiNoise[i]);
      this.filteredRef[(this.heard + i) % filteredLength] = this.secondaryPath.next(reference[i]);
      this.head = at + 1 === this.window ? 0 : at + 1;
    }
    this.heard += n;
    this.untilSelection -= n;
    if (this.queue.length > 0) this.evaluateNextCandidate();
    else if (this.untilSelection <= 0 && this.heard >= this.window) this.startSelection();
  }

  private startSelection(): void {
    this.untilSelection = this.interval;
    const order = this.bank.presets.map((_, i) => i);
    const suggested = this.bank.presets.findIndex((p) => p.noiseClass === this.state.noiseClass);
    if (suggested > 0) order.unshift(order.splice(suggested, 1)[0]);
    this.runningResidual = this.predictedResidual(this.inner.weights());
    this.best = null;
    this.queue = order;
  }

  private evaluateNextCandidate(): void {
    const index = this.queue.shift()!;
    const residual = this.predictedResidual(this.bank.presets[index].weights);
    if (!this.best || residual < this.best.residual) this.best = { index, residual };
    if (this.queue.length > 0 || !this.best) return;
    const gainDb = 10 * Math.log10(this.runningResidual / this.best.residual);
    if (gainDb >= this.marginDb) {
      const preset = this.bank.presets[this.best.index];
      this.inner.setWeights(preset.weights);
      this.state.presetId = preset.id;
      this.state.switches++;
    }
  }

  /** Energy of d̂ + W*x' over the window. */
  private predictedResidual(weights: Float32Array): number {
    const window = this.window;
    const length = this.filteredRef.length;
    const newest = this.heard - 1;
    let energy = 0;
    for (let i = 0; i < window; i++) {
      const n = newest - (window - 1 - i);
      let y = 0;
      for (let j = 0; j < this.taps && j <= n; j++) y += weights[j] * this.filteredRef[(n - j) % length];
      const d = this.disturbance[(this.head + i) % window];
      energy += (d + y) * (d + y);
    }
    return energy + 1e-30;
  }

  weights(): Float32Array {
    return this.inner.weights();
  }

  setWeights(weights: Float32Array): void {
    this.inner.setWeights(weights);
  }

  setSecondaryPathEstimate(estimate: Float32Array): void {
    this.inner.setSecondaryPathEstimate(estimate);
  }

  snapshot(): Uint8Array {
    return this.inner.snapshot();
  }

  restore(snapshot: Uint8Array): void {
    this.inner.restore(snapshot);
  }

  reset(): void {
    this.inner.reset();
  }
}

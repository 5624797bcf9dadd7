/**
 * Secondary-path identification: Ŝ must come from measurement, never be copied from S.
 *
 *  - Offline (Kuo & Morgan 1996, §3.3.3): before control, play white noise at a chosen level and identify the
 *    response from the controller's output to the error mic with NLMS. The estimate naturally includes every delay
 *    in the loop (block buffering, latency), which is what the filtered-x update needs.
 *  - Online (Eriksson & Allie 1989, "Use of random noise for on-line transducer modeling in an adaptive active
 *    attenuation system"): while controlling, add low-level auxiliary white noise v to the anti-noise and keep
 *    identifying Ŝ from (v, e − Ŝ*v); the controller adapts on the error with the modelled auxiliary part removed.
 */
import type { Controller, ControllerHealth } from '../controller.js';
import { Lms } from '../filters/lms.js';
import { Random } from '../random.js';
import { SnapshotReader, SnapshotWriter } from '../snapshot.js';
import type { AcousticPlant } from '../simulator/plant.js';

export interface OfflineIdentificationOptions {
  /** Length of Ŝ in taps: cover S plus block and loop delays. */
  taps: number;
  /** Audio sample rate, Hz. */
  sampleRate: number;
  /** Block size the loop runs at (the same the controller will use). */
  blockSize: number;
  /** RMS level of the injected white noise, full scale = 1 (default 0.05, about −26 dBFS). */
  level?: number;
  /** Length of the measurement, seconds (default 3). */
  durationS?: number;
  /** Noise present at the source while measuring (default: a quiet room). */
  ambientNoise?: Float32Array;
  /** NLMS step size (default 0.5, annealed to 0.05 over the second half for a low-noise estimate). */
  stepSize?: number;
  seed?: number;
}

export interface SecondaryPathEstimate {
  estimate: Float32Array;
  /** Residual of the identification over its last second, dB relative to the measured response (lower is better). */
  residualDb: number;
}

/** Identifies the plant's secondary path (including its block and loop delays) by injecting white noise. */
export function identifySecondaryPathOffline(plant: AcousticPlant, options: OfflineIdentificationOptions): SecondaryPathEstimate {
  const { taps, sampleRate, blockSize } = options;
  const level = options.level ?? 0.05;
  const total = Math.round((options.durationS ?? 3) * sampleRate);
  const stepSize = options.stepSize ?? 0.5;
  const random = new Random(options.seed ?? 0x5ec0);
  const nlms = new Lms({ taps, stepSize, normalized: true });
  const noise = new Float32Array(blockSize);
  const reference = new Float32Array(blockSize);
  const disturbance = new Float32Array(blockSize);
  const error = new Float32Array(blockSize);
  const probe = new Float32Array(blockSize);
  const predicted = new Float32Array(blockSize);
  const residual = new Float32Array(blockSize);
  let measuredEnergy = 0;
  let residualEnergy = 0;
  for (let start = 0; start + blockSize <= total; start += blockSize) {
    noise.fill(0);
    if (options.ambientNoise) {
      for (let i = 0; i < blockSize; i++) noise[i] = options.ambientNoise[(start + i) % options.ambientNoise.length];
    }
    plant.capture(noise, reference, disturbance, error);
    for (let i = 0; i < blockSize; i++) probe[i] = level * random.gaussian();
    // Anneal the step over the second half: fast start, then a quiet estimate.
    const progress = start / total;
    nlms.stepSize = progress < 0.5 ? stepSize : stepSize * Math.max(0.1, 1 - 1.8 * (progress - 0.5));
    nlms.filter(probe, error, predicted, residual);
    plant.play(probe);
    if (start >= total - sampleRate) {
      for (let i = 0; i < blockSize; i++) {
        measuredEnergy += error[i] * error[i];
        residualEnergy += residual[i] * residual[i];
      }
    }
  }
  // Let the probe's tail die out so control starts in a quiet loop. The loudspeaker keeps being fed (silence):
  // a starved playback queue would underrun and silently shorten the loop latency that Ŝ has just measured.
  const silence = new Float32Array(blockSize);
  const flushBlocks = Math.ceil((plant.queuedSamples + taps) / blockSize);
  for (let i = 0; i < flushBlocks; i++) {
    plant.capture(silence, reference, disturbance, error);
    plant.play(silence);
  }
  return { estimate: nlms.weights(), residualDb: 10 * Math.log10((residualEnergy + 1e-30) / (measuredEnergy + 1e-30)) };
}

export interface OnlineIdentificationOptions {
  /** Initial Ŝ (e.g. from offline identification, or zeros of the wanted length). */
  initialEstimate: Float32Array;
  /** RMS of the auxiliary white noise, full scale = 1 (default 0.005, about −46 dBFS). */
  auxiliaryNoiseLevel?: number;
  /** NLMS step size of the Ŝ update (default 0.01). */
  stepSize?: number;
  seed?: number;
}

/**
 * Wraps a controller with online secondary-path modelling. The controller keeps adapting on e − Ŝ*v and is handed
 * the refreshed Ŝ after each block. Same interface as the controller it wraps.
 */
export class OnlineSecondaryPathModel implements Controller {
  readonly algorithm: Controller['algorithm'];
  readonly taps: number;
  readonly kernel: Controller['kernel'];
  readonly blockSize: number;
  private readonly model: Lms;
  private readonly random: Random;
  private readonly level: number;
  private readonly auxiliary: Float32Array;
  private readonly modelled: Float32Array;
  private readonly cleanedError: Float32Array;
  private readonly estimate: Float32Array;

  constructor(private readonly controller: Controller, options: OnlineIdentificationOptions, maxBlock = 4096) {
    this.algorithm = controller.algorithm;
    this.taps = controller.taps;
    this.kernel = controller.kernel;
    this.blockSize = controller.blockSize;
    this.level = options.auxiliaryNoiseLevel ?? 0.005;
    this.random = new Random(options.seed ?? 0xa0c5);
    this.model = new Lms({ taps: options.initialEstimate.length, stepSize: options.stepSize ?? 0.01, normalized: true });
    this.model.setWeights(options.initialEstimate);
    this.estimate = new Float32Array(options.initialEstimate.length);
    this.auxiliary = new Float32Array(maxBlock);
    this.modelled = new Float32Array(maxBlock);
    this.cleanedError = new Float32Array(maxBlock);
  }

  get stepSize(): number {
    return this.controller.stepSize;
  }

  set stepSize(value: number) {
    this.controller.stepSize = value;
  }

  get health(): ControllerHealth {
    return this.controller.health;
  }

  /** The current secondary-path estimate (a copy). */
  secondaryPathEstimate(): Float32Array {
    return this.model.weights();
  }

  process(reference: Float32Array, error: Float32Array, antiNoise: Float32Array): void {
    const n = reference.length;
    if (n > this.auxiliary.length) throw new RangeError(`blocks of at most ${this.auxiliary.length} samples, got ${n}`);
    // The auxiliary noise goes out with this block's anti-noise, so in the controller's view of S (which includes
    // the block delay) it belongs to this block's instants, like the anti-noise itself.
    const aux = this.auxiliary.subarray(0, n);
    for (let i = 0; i < n; i++) aux[i] = this.level * this.random.gaussian();
    const modelled = this.modelled.subarray(0, n);
    const cleaned = this.cleanedError.subarray(0, n);
    this.model.filter(aux, error, modelled, cleaned);
    this.controller.process(reference, cleaned, antiNoise);
    for (let i = 0; i < n; i++) antiNoise[i] += aux[i];
    this.model.copyWeights(this.estimate);
    this.controller.setSecondaryPathEstimate(this.estimate);
  }

  weights(): Float32Array {
    return this.controller.weights();
  }

  setWeights(weights: Float32Array): void {
    this.controller.setWeights(weights);
  }

  setSecondaryPathEstimate(estimate: Float32Array): void {
    this.model.setWeights(estimate);
    this.controller.setSecondaryPathEstimate(estimate);
  }

  snapshot(): Uint8Array {
    return new SnapshotWriter('online-secondary-path-model')
      .add('controller', this.controller.snapshot())
      .add('model', this.model.snapshot())
      .add('random', this.random.getState())
      .finish();
  }

  restore(snapshot: Uint8Array): void {
    const reader = new SnapshotReader(snapshot, 'online-secondary-path-model');
    const random = reader.numbers('random', 6);
    this.controller.restore(reader.bytes('controller'));
    this.model.restore(reader.bytes('model'));
    this.random.setState(random);
    this.model.copyWeights(this.estimate);
    this.controller.setSecondaryPathEstimate(this.estimate);
  }

  reset(): void {
    this.controller.reset();
    this.model.reset();
  }
}

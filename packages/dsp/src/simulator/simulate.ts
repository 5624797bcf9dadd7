/**
 * Runs a whole ANC simulation as a physical loop: identify Ŝ through the plant, then control block by block.
 * This is what the CLI's `simulate`, the evaluation and the end-to-end tests share.
 */
import type { Controller, ControllerAlgorithm, ControllerOptions } from '../controller.js';
import { createController } from '../controllers/index.js';
import { identifySecondaryPathOffline } from '../identification/secondary-path.js';
import { convergenceTimeS, perSecondNoiseReductionDb, steadyStateNrDb } from '../metrics/index.js';
import { AcousticPlant } from './plant.js';

export interface SimulationOptions {
  /** Noise at the source (also what the reference mic picks up). */
  noise: Float32Array;
  sampleRate: number;
  primaryPath: ArrayLike<number>;
  secondaryPath: ArrayLike<number>;
  algorithm: ControllerAlgorithm;
  /** Controller options except the secondary-path estimate, which is identified. */
  controller: Omit<ControllerOptions, 'secondaryPathEstimate'>;
  /**
   * Samples per block of the loop. Default: 1 for time-domain controllers (a sample-synchronous DSP, as in ANC
   * hardware: every sample of buffering eats causality margin), the controller's own default block size for block
   * controllers (64 samples for fdfxlms and pbfxlms).
   */
  blockSize?: number;
  /** Extra loop latency, samples. */
  loopLatency?: number;
  /** Taps of Ŝ (default: secondary path + block + latency, rounded up to a multiple of 16). */
  secondaryEstimateTaps?: number;
  /** Identification probe level and length (see identifySecondaryPathOffline). */
  identificationLevel?: number;
  identificationDurationS?: number;
  /** Called now and then with the fraction done (0…1). */
  onProgress?: (fraction: number) => void;
}

export interface SimulationResult {
  reference: Float32Array;
  disturbance: Float32Array;
  error: Float32Array;
  antiNoise: Float32Array;
  secondaryPathEstimate: Float32Array;
  identificationResidualDb: number;
  perSecondNrDb: number[];
  steadyStateNrDb: number;
  convergenceTimeS: number | null;
  controller: Controller;
  /** The controller's step size when control started (the divergence guard may lower it later). */
  initialStepSize: number;
  blockSize: number;
}

export function simulate(options: SimulationOptions): SimulationResult {
  const { noise, sampleRate } = options;
  const loopLatency = options.loopLatency ?? 0;
  const blockController = options.algorithm === 'fdfxlms' || options.algorithm === 'pbfxlms';
  // A block controller without a given block uses its own default (a probe instance tells which; Ŝ is not known yet).
  const blockSize =
    options.blockSize ??
    options.controller.blockSize ??
    (blockController ? createController(options.algorithm, { ...options.controller, secondaryPathEstimate: new Float32Array(1), kernel: 'scalar' }).blockSize : 1);
  const estimateTaps =
    options.secondaryEstimateTaps ?? Math.ceil((options.secondaryPath.length + blockSize + loopLatency) / 16) * 16;

  const plant = new AcousticPlant({ primaryPath: options.primaryPath, secondaryPath: options.secondaryPath, loopLatency });
  const identified = identifySecondaryPathOffline(plant, {
    taps: estimateTaps,
    sampleRate,
    blockSize,
    level: options.identificationLevel,
    durationS: options.identificationDurationS,
  });
  const controller = createController(options.algorithm, {
    ...options.controller,
    blockSize: blockController ? blockSize : undefined,
    secondaryPathEstimate: identified.estimate,
  });
  const initialStepSize = controller.stepSize;

  const total = noise.length - (noise.length % blockSize);
  const reference = new Float32Array(total);
  const disturbance = new Float32Array(total);
  const error = new Float32Array(total);
  const antiNoise = new Float32Array(total);
  const progressEvery = Math.max(blockSize, Math.floor(total / 100 / blockSize) * blockSize);
  for (let start = 0; start < total; start += blockSize) {
    const end = start + blockSize;
    const x = reference.subarray(start, end);
    const e = error.subarray(start, end);
    const y = antiNoise.subarray(start, end);
    plant.capture(noise.subarray(start, end), x, disturbance.subarray(start, end), e);
    controller.process(x, e, y);
    plant.play(y);
    if (options.onProgress && start % progressEvery === 0) options.onProgress(start / total);
  }
  options.onProgress?.(1);

  const perSecondNrDb = perSecondNoiseReductionDb(disturbance, error, sampleRate);
  return {
    reference,
    disturbance,
    error,
    antiNoise,
    secondaryPathEstimate: identified.estimate,
    identificationResidualDb: identified.residualDb,
    perSecondNrDb,
    steadyStateNrDb: steadyStateNrDb(disturbance, error, sampleRate),
    convergenceTimeS: convergenceTimeS(perSecondNrDb),
    controller,
    initialStepSize,
    blockSize,
  };
}

/**
 * Shared block loop, divergence guard and snapshot of the frequency-domain filtered-x controllers
 * (FrequencyDomainFxlms 'fdfxlms', PartitionedBlockFxlms 'pbfxlms'). The adaptive engine (FdafCore or
 * PartitionedCore) does the frequency-domain work; this class only applies the ANC conventions of ../controller.ts
 * and the guard of ../guard.ts:
 *
 *  - Sign: e = d + S*y, so the update is W ← λW − μ·conj(X')·E/D(f) (the core receives step = −μ).
 *  - Per block k of B samples: y_k from x_k with the current W (no latency beyond the block), then the guard checks
 *    y_k (isBounded, |y| ≤ outputLimit); a healthy block adapts with e_k and x'_k and feeds the checkpoint, a
 *    diverged one is silenced, W is rebuilt from the scaled checkpoint, μ is halved (DivergenceRecovery) and the
 *    signal history (which may hold the runaway values) is cleared.
 *  - Inputs are sanitised with copySanitized into scratch that grows only when a call is longer than any before
 *    (so the steady state never allocates).
 *  - The guard checkpoints time-domain weights. Converting W to the time domain costs P inverse FFTs, so it is done
 *    only on the blocks where DivergenceRecovery will actually take a checkpoint (every CHECKPOINT_INTERVAL healthy
 *    blocks; blocksSinceCheckpoint mirrors its counter).
 */
import type { Controller, ControllerAlgorithm, ControllerHealth, ControllerOptions, KernelName } from '../controller.js';
import { DEFAULT_OUTPUT_LIMIT, DivergenceRecovery, copySanitized, isBounded } from '../guard.js';
import { SnapshotReader, SnapshotWriter } from '../snapshot.js';
import { assertNonNegativeFinite, blockLeakFactor, readFieldsAtomically } from '../filters/fdaf-state.js';
import { validateControllerOptions } from './validate.js';

/**
 * Default block size B of the frequency-domain controllers, samples: 64 (4 ms at 16 kHz). The block is buffering
 * delay inside the loop, and every sample of it eats causality margin.
 */
export const DEFAULT_FD_BLOCK_SIZE = 64;
/**
 * Default weights ρ of the reference power in the frequency-domain controllers' per-bin normalisers (./pb-fxlms.ts,
 * ../filters/fdaf-core.ts). With pbfxlms's former 0.01 and fdfxlms's former 0, W grew without bound on rumble below
 * 100 Hz through the SFANC paths (which pass nothing there): e rose 20–40 dB above d. These values keep both stable
 * there and cost at most 0.6 dB (pbfxlms) and 1 dB (fdfxlms) of steady NR on the recordings of docs/eval-anc.md;
 * larger ones slow the bins Ŝ passes weakly (Sugiura's paths below 300 Hz) for no gain. fdfxlms needs far less
 * because its D(f) is averaged over ≈ N/B bins, so the rumble's power reaches the bins beside it.
 */
export const DEFAULT_PBFXLMS_REFERENCE_REGULARIZATION = 0.03;
export const DEFAULT_FDFXLMS_REFERENCE_REGULARIZATION = 3e-4;
/** Default normalised step size μ of the frequency-domain controllers. */
export const DEFAULT_FD_STEP_SIZE = 0.1;
/**
 * Default regularisation, power per tap (δ = regularization·L), −60 dBFS as for FxNLMS. 0 is allowed: the cores
 * then keep only a floor of 1e-30 so that a silent bin gives a large but finite step, never 0/0.
 */
export const DEFAULT_FD_REGULARIZATION = 1e-6;

/** What the controllers need from FdafCore / PartitionedCore. */
export interface BlockAdaptiveCore {
  readonly blockSize: number;
  /** Which kernel runs the block loop; absent = the plain TypeScript reference ('scalar'). */
  readonly kernelName?: KernelName;
  filterBlock(source: Float32Array, offset: number, output: Float32Array, outOffset: number): void;
  adapt(source: Float32Array, offset: number, step: number, leakFactor: number, regularization: number): void;
  readWeights(target: Float32Array): void;
  writeWeights(source: ArrayLike<number>): void;
  setKernel(kernel: Float32Array): void;
  clearSignals(): void;
  reset(): void;
  writeState(writer: SnapshotWriter): void;
  readState(reader: SnapshotReader): void;
}

export interface ValidatedOptions {
  taps: number;
  stepSize: number;
  leakage: number;
  regularization: number;
  outputLimit: number;
}

/** Shared option checks (./validate.ts) plus this family's defaults. */
export function validateOptions(options: ControllerOptions): ValidatedOptions {
  validateControllerOptions(options);
  const {
    taps,
    stepSize = DEFAULT_FD_STEP_SIZE,
    leakage = 0,
    regularization = DEFAULT_FD_REGULARIZATION,
    outputLimit = DEFAULT_OUTPUT_LIMIT,
  } = options;
  return { taps, stepSize, leakage, regularization, outputLimit };
}

export abstract class FrequencyDomainController implements Controller {
  abstract readonly algorithm: ControllerAlgorithm;
  readonly taps: number;
  readonly kernel: KernelName;
  readonly blockSize: number;
  /** Leakage γ per sample (W decays by (1 − μγ)^B per block). */
  readonly leakage: number;
  /** Regularisation, power per tap. */
  readonly regularization: number;
  /** Largest |y| emitted; more is a divergence. */
  readonly outputLimit: number;

  private readonly core: BlockAdaptiveCore;
  private readonly recovery: DivergenceRecovery;
  /** μ as configured (the guard never halves below configured/64). */
  private configuredStepSize: number;
  /** μ in use (halved by the guard after a divergence). */
  private currentStepSize: number;
  private nonFiniteInputs = 0;
  private samples = 0;
  private blocksSinceCheckpoint = 0;
  /** Time-domain W for the guard, refreshed only when a checkpoint is due. */
  private readonly timeWeights: Float32Array;
  private readonly outputBlock: Float32Array;
  private referenceScratch: Float32Array;
  private errorScratch: Float32Array;

  protected constructor(options: ValidatedOptions, core: BlockAdaptiveCore) {
    this.taps = options.taps;
    this.leakage = options.leakage;
    this.regularization = options.regularization;
    this.outputLimit = options.outputLimit;
    this.configuredStepSize = options.stepSize;
    this.currentStepSize = options.stepSize;
    this.core = core;
    this.kernel = core.kernelName ?? 'scalar';
    this.blockSize = core.blockSize;
    this.recovery = new DivergenceRecovery(this.taps);
    this.timeWeights = new Float32Array(this.taps);
    this.outputBlock = new Float32Array(this.blockSize);
    this.referenceScratch = new Float32Array(4 * this.blockSize);
    this.errorScratch = new Float32Array(4 * this.blockSize);
  }

  get stepSize(): number {
    return this.currentStepSize;
  }

  /** Setting μ also makes it the configured value the guard's floor refers to. */
  set stepSize(value: number) {
    assertNonNegativeFinite('stepSize', value);
    this.configuredStepSize = value;
    this.currentStepSize = value;
  }

  get health(): ControllerHealth {
    return { divergences: this.recovery.divergences, nonFiniteInputs: this.nonFiniteInputs, samples: this.samples };
  }

  process(reference: Float32Array, error: Float32Array, antiNoise: Float32Array): void {
    const n = reference.length;
    if (error.length !== n || antiNoise.length !== n) {
      throw new RangeError(`process() arrays must have equal lengths (reference ${n}, error ${error.length}, antiNoise ${antiNoise.length})`);
    }
    const B = this.blockSize;
    if (n % B !== 0) throw new RangeError(`${this.algorithm}: process() length ${n} is not a multiple of blockSize ${B}`);
    if (this.referenceScratch.length < n) {
      this.referenceScratch = new Float32Array(n);
      this.errorScratch = new Float32Array(n);
    }
    this.nonFiniteInputs += copySanitized(reference, this.referenceScratch) + copySanitized(error, this.errorScratch);
    const core = this.core;
    const output = this.outputBlock;
    for (let offset = 0; offset < n; offset += B) {
      core.filterBlock(this.referenceScratch, offset, output, 0);
      if (isBounded(output, this.outputLimit)) {
        const mu = this.currentStepSize;
        core.adapt(this.errorScratch, offset, -mu, blockLeakFactor(mu, this.leakage, B), this.regularization);
        if (this.blocksSinceCheckpoint + 1 >= DivergenceRecovery.CHECKPOINT_INTERVAL) {
          core.readWeights(this.timeWeights);
          this.blocksSinceCheckpoint = 0;
        } else {
          this.blocksSinceCheckpoint++;
        }
        this.recovery.healthy(this.timeWeights);
      } else {
        this.currentStepSize = this.recovery.diverged(this.timeWeights, output, this.currentStepSize, this.configuredStepSize);
        this.blocksSinceCheckpoint = 0;
        core.writeWeights(this.timeWeights);
        core.clearSignals();
      }
      antiNoise.set(output, offset);
    }
    this.samples += n;
  }

  weights(): Float32Array {
    const w = new Float32Array(this.taps);
    this.core.readWeights(w);
    return w;
  }

  setWeights(weights: Float32Array): void {
    if (weights.length !== this.taps) throw new RangeError(`setWeights() needs ${this.taps} weights, got ${weights.length}`);
    this.core.writeWeights(weights);
  }

  setSecondaryPathEstimate(estimate: Float32Array): void {
    for (let i = 0; i < estimate.length; i++) {
      if (!Number.isFinite(estimate[i])) throw new RangeError(`secondaryPathEstimate[${i}] is not finite`);
    }
    this.core.setKernel(estimate);
  }

  snapshot(): Uint8Array {
    const writer = new SnapshotWriter(this.algorithm);
    this.core.writeState(writer);
    return writer
      .add('guard.checkpoint', this.recovery.checkpoint)
      .add('guard.timeWeights', this.timeWeights)
      .addNumbers('guard.counters', this.recovery.counters())
      .addNumbers('state', [this.currentStepSize, this.configuredStepSize, this.nonFiniteInputs, this.samples, this.blocksSinceCheckpoint])
      .finish();
  }

  restore(snapshot: Uint8Array): void {
    const reader = new SnapshotReader(snapshot, this.algorithm);
    const state = reader.numbers('state', 5);
    const counters = reader.numbers('guard.counters', 2);
    const checkpoint = new Float32Array(this.taps);
    const timeWeights = new Float32Array(this.taps);
    readFieldsAtomically(reader, [
      ['guard.checkpoint', checkpoint],
      ['guard.timeWeights', timeWeights],
    ]);
    // The core validates its shapes before touching anything; everything after it cannot fail.
    this.core.readState(reader);
    this.recovery.checkpoint.set(checkpoint);
    this.timeWeights.set(timeWeights);
    this.recovery.restoreCounters(counters);
    [this.currentStepSize, this.configuredStepSize, this.nonFiniteInputs, this.samples, this.blocksSinceCheckpoint] = state;
  }

  reset(): void {
    this.core.reset();
    this.recovery.reset();
    this.timeWeights.fill(0);
    this.currentStepSize = this.configuredStepSize;
    this.nonFiniteInputs = 0;
    this.samples = 0;
    this.blocksSinceCheckpoint = 0;
  }
}

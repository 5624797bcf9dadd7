/**
 * Partitioned-block frequency-domain adaptive filter ('pbfdaf'), Widrow form e = d − y: the multidelay block
 * frequency-domain filter of Soo & Pang (1990) as in Valin's SpeexDSP mdf.c (alternately updated MDF), with
 * per-bin power normalisation. The engine is PartitionedCore (./partitioned-core.ts), which documents the
 * algorithm, the normalisation and the round-robin gradient constraint.
 *
 * Why partitions: an L-tap FDAF with block B = L has a latency of L samples and FFTs of 2L points; splitting the
 * filter into P = L/B partitions keeps the latency at B and the FFTs at 2B while the cost per sample stays
 * O(P + log B). B must be a power of two; L need not be a multiple of B (the last partition is zero-padded).
 *
 *  - Step size μ is normalised (NLMS-like, 0 < μ < 2; the per-bin normaliser approximates ‖x‖² = L·σ²).
 *  - Leakage γ: W ← (1 − μγ)^B·W per block. Regularisation: δ = regularization·L added to the normaliser.
 *  - Non-finite input or desired samples are treated as 0 and counted.
 *  - weights() returns the first B taps of each partition; with the round-robin constraint the partitions also
 *    carry short-lived tails (the unconstrained part of the last few updates) that are not part of the L taps.
 */
import type { AdaptiveFilter, FilterAlgorithm } from '../filter.js';
import { nextPowerOfTwo } from '../fft.js';
import { SnapshotReader, SnapshotWriter } from '../snapshot.js';
import {
  assertNonNegativeFinite,
  assertPositiveFinite,
  assertPositiveInteger,
  assertPowerOfTwo,
  blockLeakFactor,
  checkBlockLengths,
  errorBlock,
  sanitizeBlock,
} from './fdaf-state.js';
import { PartitionedCore, type PartitionConstraint } from './partitioned-core.js';

/** Default regularisation, power per tap (−60 dBFS), as for NLMS. */
export const DEFAULT_PBFDAF_REGULARIZATION = 1e-6;
/** Default block size cap: 128 samples (8 ms at 16 kHz). */
export const DEFAULT_PBFDAF_BLOCK_SIZE = 128;

export interface PartitionedBlockFilterOptions {
  /** Filter length L, in taps (≥ 1). */
  taps: number;
  /** Normalised step size μ, 0 < μ < 2. */
  stepSize: number;
  /** Block size B, a power of two; default min(128, nextPow2(taps)). */
  blockSize?: number;
  /** Leakage γ per sample; 0 (default) disables. */
  leakage?: number;
  /** Regularisation as a power per tap (δ = regularization·L); default 1e-6. */
  regularization?: number;
  /**
   * Gradient constraint schedule: 'aumdf' (default, mdf.c: partition 0 plus one other per block, 4 FFTs),
   * 'round-robin' (one partition per block, 2 FFTs) or 'all' (every partition every block, 2P FFTs: exact MDF).
   */
  constraint?: PartitionConstraint;
}

export class PartitionedBlockFilter implements AdaptiveFilter {
  readonly algorithm: FilterAlgorithm = 'pbfdaf';
  readonly taps: number;
  readonly blockSize: number;
  /** Number of partitions P = ⌈L/B⌉. */
  readonly partitions: number;
  stepSize: number;
  readonly leakage: number;
  readonly regularization: number;
  nonFiniteInputs = 0;

  private readonly core: PartitionedCore;
  private readonly inputBlock: Float32Array;
  private readonly errorBlock: Float32Array;

  constructor(options: PartitionedBlockFilterOptions) {
    const { taps, stepSize, leakage = 0, regularization = DEFAULT_PBFDAF_REGULARIZATION, constraint = 'aumdf' } = options;
    assertPositiveInteger('taps', taps);
    const blockSize = options.blockSize ?? Math.min(DEFAULT_PBFDAF_BLOCK_SIZE, nextPowerOfTwo(taps));
    assertPowerOfTwo('blockSize', blockSize);
    assertNonNegativeFinite('stepSize', stepSize);
    assertNonNegativeFinite('leakage', leakage);
    assertPositiveFinite('regularization', regularization);
    this.taps = taps;
    this.blockSize = blockSize;
    this.stepSize = stepSize;
    this.leakage = leakage;
    this.regularization = regularization;
    this.core = new PartitionedCore({ taps, blockSize, constraint });
    this.partitions = this.core.partitions;
    this.inputBlock = new Float32Array(blockSize);
    this.errorBlock = new Float32Array(blockSize);
  }

  filter(input: Float32Array, desired: Float32Array, output: Float32Array, error: Float32Array): void {
    const n = input.length;
    checkBlockLengths(n, desired, output, error, this.blockSize);
    const B = this.blockSize;
    const leakFactor = blockLeakFactor(this.stepSize, this.leakage, B);
    for (let offset = 0; offset < n; offset += B) {
      this.nonFiniteInputs += sanitizeBlock(input, offset, this.inputBlock);
      this.core.filterBlock(this.inputBlock, 0, output, offset);
      this.nonFiniteInputs += errorBlock(desired, output, offset, this.errorBlock, error);
      this.core.adapt(this.errorBlock, 0, this.stepSize, leakFactor, this.regularization);
    }
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

  snapshot(): Uint8Array {
    const writer = new SnapshotWriter(this.algorithm);
    this.core.writeState(writer);
    return writer.addNumbers('state', [this.stepSize, this.nonFiniteInputs]).finish();
  }

  restore(snapshot: Uint8Array): void {
    const reader = new SnapshotReader(snapshot, this.algorithm);
    const state = reader.numbers('state', 2);
    this.core.readState(reader);
    [this.stepSize, this.nonFiniteInputs] = state;
  }

  reset(): void {
    this.core.reset();
    this.nonFiniteInputs = 0;
  }
}

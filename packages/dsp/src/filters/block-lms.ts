/**
 * Frequency-domain block LMS ('blocklms'): the constrained fast block LMS of Ferrara (1980) / Haykin's FDAF
 * ("Adaptive Filter Theory", §8.2), overlap-save, in Widrow's form e = d − y. The engine is FdafCore
 * (./fdaf-core.ts), which documents the algorithm.
 *
 *  - Block size: B = nextPow2(L) by default, FFT N = nextPow2(L + B − 1) (= 2B for a power-of-two L; for L = 15,
 *    B = 16 and N = 32, the 16th weight being held at zero by the constraint). Any B ≥ 1 works: N grows to cover
 *    L + B − 1, so the outputs are exact linear convolutions whatever B is. filter() lengths must be multiples of B.
 *  - Step size μ is Haykin's: it multiplies the gradient summed over the block, w ← w + μ·Σ_block e(n)·x(n), so a
 *    block moves w as far as B LMS steps with the same μ (same stability range, 0 < μ < 2/(L·σ²)) — at the cost of
 *    updating only once per block.
 *  - Leakage γ: w ← (1 − μγ)^B·w per block, the per-sample leak of Lms compounded over the block.
 *  - Non-finite input or desired samples are treated as 0 and counted.
 *
 * Also re-exports PartitionedBlockFilter ('pbfdaf'), the multidelay variant for long filters.
 */
import type { AdaptiveFilter, FilterAlgorithm } from '../filter.js';
import { nextPowerOfTwo } from '../fft.js';
import { SnapshotReader, SnapshotWriter } from '../snapshot.js';
import { FdafCore } from './fdaf-core.js';
import { assertNonNegativeFinite, assertPositiveInteger, blockLeakFactor, checkBlockLengths, errorBlock, sanitizeBlock } from './fdaf-state.js';

export { PartitionedBlockFilter, type PartitionedBlockFilterOptions } from './partitioned-block.js';

export interface BlockLmsOptions {
  /** Filter length L, in taps (≥ 1). */
  taps: number;
  /** Step size μ, absolute (unit 1/input power, full scale² = 1), applied to the block-summed gradient. */
  stepSize: number;
  /** Block size B in samples (≥ 1); default nextPow2(taps). */
  blockSize?: number;
  /** Leakage γ per sample (w decays by (1 − μγ)^B per block); 0 (default) disables. */
  leakage?: number;
}

export class BlockLms implements AdaptiveFilter {
  readonly algorithm: FilterAlgorithm = 'blocklms';
  readonly taps: number;
  readonly blockSize: number;
  /** FFT size N = nextPow2(L + B − 1). */
  readonly fftSize: number;
  stepSize: number;
  readonly leakage: number;
  /** Input or desired samples that were NaN/±Inf and were treated as 0, since creation/reset. */
  nonFiniteInputs = 0;

  private readonly core: FdafCore;
  private readonly inputBlock: Float32Array;
  private readonly errorBlock: Float32Array;

  constructor(options: BlockLmsOptions) {
    const { taps, stepSize, leakage = 0 } = options;
    assertPositiveInteger('taps', taps);
    const blockSize = options.blockSize ?? nextPowerOfTwo(taps);
    assertPositiveInteger('blockSize', blockSize);
    assertNonNegativeFinite('stepSize', stepSize);
    assertNonNegativeFinite('leakage', leakage);
    this.taps = taps;
    this.blockSize = blockSize;
    this.stepSize = stepSize;
    this.leakage = leakage;
    this.core = new FdafCore({ taps, blockSize, normalized: false });
    this.fftSize = this.core.fftSize;
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
      this.core.adapt(this.errorBlock, 0, this.stepSize, leakFactor, 0);
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

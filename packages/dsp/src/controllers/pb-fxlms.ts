/**
 * Partitioned-block frequency-domain FxLMS ('pbfxlms'): the multidelay block frequency-domain adaptive filter
 * (Soo & Pang 1990) in the alternately-updated form of Valin's SpeexDSP mdf.c, in filtered-x form for feedforward
 * ANC, with per-bin step normalisation, regularisation and optional leakage.
 *
 *  - The L-tap control filter is split into P = ⌈L/B⌉ partitions of B taps; FFTs are 2B points whatever L is, so
 *    long filters stay cheap and the latency is one block. ../filters/partitioned-core.ts has the equations.
 *  - Block size B: option blockSize, a power of two, default min(128, nextPow2(taps)). process() lengths must be
 *    multiples of B. y_k is computed from the block's own reference x_k (overlap-save): no latency beyond the block
 *    buffering, which belongs to S and so to Ŝ.
 *  - Filtered reference x' = Ŝ * x, exact, by uniformly partitioned overlap-save convolution that reuses the
 *    reference's frequency-domain delay line: 2 FFTs per block.
 *  - Gradient constraint: partition 0 every block plus one other in turn (AUMDF), 4 FFTs per block; 9 FFTs of 2B
 *    points per block in all.
 *  - μ is normalised (NLMS-like, 0 < μ < 2; default 0.1): D(f) = (P/2)·P̄_x'(f) + regularization·L.
 *  - Divergence guard, snapshots: ./fd-controller-base.ts.
 */
import type { ControllerAlgorithm, ControllerOptions } from '../controller.js';
import { nextPowerOfTwo } from '../fft.js';
import { assertPowerOfTwo } from '../filters/fdaf-state.js';
import { PartitionedCore, type PartitionConstraint } from '../filters/partitioned-core.js';
import { FrequencyDomainController, validateOptions } from './fd-controller-base.js';

export const DEFAULT_PBFXLMS_BLOCK_SIZE = 128;

export interface PartitionedBlockFxlmsOptions extends ControllerOptions {
  /** Gradient constraint schedule (see PartitionedCore); default 'round-robin' (see the header). */
  constraint?: PartitionConstraint;
}

export class PartitionedBlockFxlms extends FrequencyDomainController {
  readonly algorithm: ControllerAlgorithm = 'pbfxlms';
  /** Partitions P = ⌈L/B⌉. */
  readonly partitions: number;

  constructor(options: PartitionedBlockFxlmsOptions) {
    const validated = validateOptions(options);
    const blockSize = options.blockSize ?? Math.min(DEFAULT_PBFXLMS_BLOCK_SIZE, nextPowerOfTwo(validated.taps));
    assertPowerOfTwo('blockSize', blockSize);
    const core = new PartitionedCore({ taps: validated.taps, blockSize, kernel: options.secondaryPathEstimate, constraint: options.constraint ?? 'round-robin' });
    super(validated, core);
    this.partitions = core.partitions;
  }
}

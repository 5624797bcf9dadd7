/**
 * Partitioned-block frequency-domain FxLMS ('pbfxlms'): the multidelay block frequency-domain adaptive filter
 * (Soo & Pang 1990) in the alternately-updated form of Valin's SpeexDSP mdf.c, in filtered-x form for feedforward
 * ANC, with per-bin step normalisation, regularisation and optional leakage.
 *
 *  - The L-tap control filter is split into P = ⌈L/B⌉ partitions of B taps; FFTs are 2B points whatever L is, so
 *    long filters stay cheap and the latency is one block. ../filters/partitioned-core.ts has the equations.
 *  - Block size B: option blockSize, a power of two, default min(64, nextPow2(taps)) (4 ms at 16 kHz: every sample
 *    of block delay eats causality margin). process() lengths must be multiples of B. y_k is computed from the
 *    block's own reference x_k (overlap-save): no latency beyond the block buffering, which belongs to S and so to Ŝ.
 *  - Filtered reference x' = Ŝ * x, exact, by uniformly partitioned overlap-save convolution that reuses the
 *    reference's frequency-domain delay line: 2 FFTs per block.
 *  - Gradient constraint: one partition per block in turn ('round-robin', 2 FFTs); 7 FFTs of 2B points per block in
 *    all ('aumdf' and 'all' on request).
 *  - μ is normalised (NLMS-like, 0 < μ < 2; default 0.1): D(f) = (P/2)·(P̄_x'(f) + ρ·‖ŝ‖²·P̄_x(f)) + regularization·L.
 *    The reference-power term ρ (option referenceRegularization, default DEFAULT_PBFXLMS_REFERENCE_REGULARIZATION) is the
 *    per-bin form of FxNLMS's: where Ŝ barely passes the reference (below a loudspeaker's range) P̄_x'(f) is tiny,
 *    and without it the step there is huge while the error cannot respond — W grows in those bins until the output
 *    saturates (regression tests 'pbfxlms does not diverge on a handheld drill through the SFANC paths' and
 *    'frequency-domain controllers do not blow up on low-frequency rumble the SFANC paths block').
 *  - Kernels: 'wasm-simd' (default where WebAssembly SIMD runs and B ≥ 4: ../filters/partitioned-simd-core.ts,
 *    float32 spectra, f32x4) or 'scalar' (the float64 TypeScript reference, ../filters/partitioned-core.ts), chosen
 *    once at construction (option kernel). Snapshots restore into a controller of the same kernel.
 *  - Divergence guard, snapshots: ./fd-controller-base.ts.
 */
import type { ControllerAlgorithm, ControllerOptions } from '../controller.js';
import { nextPowerOfTwo } from '../fft.js';
import { assertNonNegativeFinite, assertPowerOfTwo } from '../filters/fdaf-state.js';
import { PartitionedCore, type PartitionConstraint } from '../filters/partitioned-core.js';
import { MIN_SIMD_BLOCK_SIZE, PartitionedSimdCore } from '../filters/partitioned-simd-core.js';
import { partitionedWasmModule } from '../kernels/wasm.js';
import { DEFAULT_FD_BLOCK_SIZE, DEFAULT_PBFXLMS_REFERENCE_REGULARIZATION, FrequencyDomainController, validateOptions } from './fd-controller-base.js';

/** Default block size cap, samples (4 ms at 16 kHz). */
export const DEFAULT_PBFXLMS_BLOCK_SIZE = DEFAULT_FD_BLOCK_SIZE;

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
    const referenceRegularization = options.referenceRegularization ?? DEFAULT_PBFXLMS_REFERENCE_REGULARIZATION;
    assertNonNegativeFinite('referenceRegularization', referenceRegularization);
    const coreOptions = {
      taps: validated.taps,
      blockSize,
      kernel: options.secondaryPathEstimate,
      constraint: options.constraint ?? 'round-robin',
      referenceRegularization,
    };
    const module = options.kernel === 'scalar' || blockSize < MIN_SIMD_BLOCK_SIZE ? null : partitionedWasmModule();
    const core = module ? new PartitionedSimdCore({ ...coreOptions, module }) : new PartitionedCore(coreOptions);
    super(validated, core);
    this.partitions = core.partitions;
  }
}

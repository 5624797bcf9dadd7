/**
 * Frequency-domain FxLMS ('fdfxlms'): the constrained overlap-save fast block LMS (Ferrara 1980; Shynk 1992,
 * "Frequency-domain and multirate adaptive filtering", constrained FLMS) in filtered-x form for feedforward ANC,
 * with per-bin step normalisation (Shynk's power-normalised FLMS), regularisation and optional leakage.
 *
 *  - One FFT window of N = nextPow2(max(L, |Ŝ|) + B − 1) samples; the weights live in the time domain and are
 *    fully constrained every block (exact block FxLMS), 7 FFTs of N points per block. ../filters/fdaf-core.ts has
 *    the equations.
 *  - Block size B: option blockSize (any integer ≥ 1), default min(taps, 64) (4 ms at 16 kHz: every sample of block
 *    delay eats causality margin; a longer filter then means N ≫ B, see ../filters/fdaf-core.ts). process()
 *    lengths must be multiples of B. The output y_k is computed from the block's own reference x_k, so the
 *    controller adds no latency beyond buffering one block — but that buffering is part of S and so of Ŝ.
 *  - Filtered reference x' = Ŝ * x, exact linear convolution computed with the same N-point FFT of the reference
 *    window (one extra IFFT and FFT per block instead of B·|Ŝ| multiply-adds).
 *  - μ is normalised (NLMS-like, 0 < μ < 2; default 0.1): D(f) = (L/N)·(P̄_x'(f) + ρ·‖ŝ‖²·P̄_x(f)) + regularization·L,
 *    the reference-power term of pbfxlms (option referenceRegularization ρ, default
 *    DEFAULT_FDFXLMS_REFERENCE_REGULARIZATION; see ./pb-fxlms.ts and ./fd-controller-base.ts).
 *  - Divergence guard, snapshots: ./fd-controller-base.ts.
 * For long filters at small blocks prefer PartitionedBlockFxlms, whose FFTs stay at 2B points.
 */
import type { ControllerAlgorithm, ControllerOptions } from '../controller.js';
import { FdafCore } from '../filters/fdaf-core.js';
import { assertNonNegativeFinite, assertPositiveInteger } from '../filters/fdaf-state.js';
import { DEFAULT_FD_BLOCK_SIZE, DEFAULT_FDFXLMS_REFERENCE_REGULARIZATION, FrequencyDomainController, validateOptions } from './fd-controller-base.js';

/** The default block size is the filter length, capped here (64 samples, 4 ms at 16 kHz) to bound the block delay. */
export const MAX_DEFAULT_BLOCK_SIZE = DEFAULT_FD_BLOCK_SIZE;

export class FrequencyDomainFxlms extends FrequencyDomainController {
  readonly algorithm: ControllerAlgorithm = 'fdfxlms';
  /** FFT size N. */
  readonly fftSize: number;

  constructor(options: ControllerOptions) {
    const validated = validateOptions(options);
    const blockSize = options.blockSize ?? Math.min(validated.taps, MAX_DEFAULT_BLOCK_SIZE);
    assertPositiveInteger('blockSize', blockSize);
    const referenceRegularization = options.referenceRegularization ?? DEFAULT_FDFXLMS_REFERENCE_REGULARIZATION;
    assertNonNegativeFinite('referenceRegularization', referenceRegularization);
    const core = new FdafCore({
      taps: validated.taps, blockSize, kernel: options.secondaryPathEstimate, normalized: true, referenceRegularization,
    });
    super(validated, core);
    this.fftSize = core.fftSize;
  }
}

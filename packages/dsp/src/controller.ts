/**
 * The one block-processing interface every ANC controller implements.
 *
 * Conventions (see ../shared/DESIGN.md §1):
 *  - `reference` x(n) is the reference microphone, `error` e(n) the error microphone, sampled at the same instants.
 *  - The controller emits anti-noise y(n) = W·x(n). The plant adds it through the secondary path: e = d + S*y.
 *    Any delay between emitting y and hearing it (block buffering, network, DAC) is part of S and therefore of Ŝ.
 *  - Filtered-x update: w ← (1 − μγ)·w − μ·e(n)·x'(n), with x' = Ŝ*x (NLMS-family normalises μ by ‖x'‖²).
 */
export type ControllerAlgorithm = 'fxlms' | 'fxnlms' | 'fxrls' | 'fdfxlms' | 'pbfxlms';

export const CONTROLLER_ALGORITHMS: readonly ControllerAlgorithm[] = ['fxlms', 'fxnlms', 'fxrls', 'fdfxlms', 'pbfxlms'];

export type KernelName = 'scalar' | 'wasm-simd';

export interface ControllerOptions {
  /** Control filter length L, in taps. */
  taps: number;
  /** Secondary-path estimate Ŝ, tap 0 first (same sample rate as the audio). */
  secondaryPathEstimate: Float32Array;
  /**
   * Step size μ. FxLMS: absolute; FxNLMS and the frequency-domain controllers: normalised (0 < μ < 2, default
   * chosen from Ŝ's delay); FxRLS: a gain scale on the RLS update (1 = textbook RLS).
   */
  stepSize?: number;
  /** Leakage γ per update (w ← (1 − μγ)w …); 0 disables. */
  leakage?: number;
  /** NLMS regularisation δ added to ‖x'‖², relative to L (absolute δ = regularization · L). */
  regularization?: number;
  /**
   * FxNLMS: weight β of the reference power in the step normaliser δ + ‖x'‖² + β·‖ŝ‖²·‖x‖². Where the noise sits in
   * a band Ŝ barely passes (below a loudspeaker's range) ‖x'‖² is tiny and plain normalisation would make the step
   * explode; this bounds it by the white-noise-equivalent power of x'. 0 disables.
   */
  referenceRegularization?: number;
  /** RLS forgetting factor λ (0 < λ ≤ 1). */
  forgettingFactor?: number;
  /** RLS initial inverse-correlation scale δ (P(0) = δ·I). */
  initialInverseCorrelation?: number;
  /** Kalman-type process noise q added to the diagonal of P each sample (0 = plain RLS). */
  processNoise?: number;
  /** Block size B for frequency-domain controllers (process() lengths must be multiples of it). */
  blockSize?: number;
  /** Largest |y| the controller may emit, full scale = 1. Larger output is treated as divergence. */
  outputLimit?: number;
  /** Preferred kernel; falls back to 'scalar' where WASM SIMD is unavailable. */
  kernel?: KernelName;
}

export interface ControllerHealth {
  /** Times the divergence guard fired (non-finite or runaway output or weights). */
  divergences: number;
  /** Input samples that were NaN/±Inf and were treated as 0. */
  nonFiniteInputs: number;
  /** Samples processed since creation/reset. */
  samples: number;
}

export interface Controller {
  readonly algorithm: ControllerAlgorithm;
  readonly taps: number;
  readonly kernel: KernelName;
  /** Required multiple for process() lengths (1 for time-domain controllers). */
  readonly blockSize: number;
  /** Current step size; settable while running. */
  stepSize: number;
  /**
   * For each sample n: antiNoise[n] = W·x(n), then W adapts with error[n]. Arrays have equal length, a multiple of
   * blockSize. Never allocates, never emits NaN/Inf or |y| > outputLimit.
   */
  process(reference: Float32Array, error: Float32Array, antiNoise: Float32Array): void;
  /** Copy of the control filter W. */
  weights(): Float32Array;
  /** Replace W (warm start from a preset); length must equal taps. */
  setWeights(weights: Float32Array): void;
  /** Replace Ŝ (online identification); length must equal the original estimate's. */
  setSecondaryPathEstimate(estimate: Float32Array): void;
  readonly health: ControllerHealth;
  /** Versioned binary snapshot of the full state; restoring it continues bit-identically. */
  snapshot(): Uint8Array;
  restore(snapshot: Uint8Array): void;
  reset(): void;
}

/**
 * Adaptive filters in Widrow's form: input x, desired d, output y = w·x, error e = d − y.
 * Used for system identification (secondary path), two-channel adaptive noise cancellation of recordings, and as
 * the textbook reference against which the ANC controllers are checked.
 */
export type FilterAlgorithm = 'lms' | 'nlms' | 'rls' | 'blocklms' | 'pbfdaf';

export interface AdaptiveFilter {
  readonly algorithm: FilterAlgorithm;
  readonly taps: number;
  /** Required multiple for filter() lengths (1 for sample-by-sample filters). */
  readonly blockSize: number;
  stepSize: number;
  /** For each n: output[n] = w·x(n); error[n] = desired[n] − output[n]; then adapt. Never allocates. */
  filter(input: Float32Array, desired: Float32Array, output: Float32Array, error: Float32Array): void;
  weights(): Float32Array;
  setWeights(weights: Float32Array): void;
  snapshot(): Uint8Array;
  restore(snapshot: Uint8Array): void;
  reset(): void;
}

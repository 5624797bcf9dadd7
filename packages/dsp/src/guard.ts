/**
 * Divergence detection and recovery shared by every controller.
 *
 * A controller must never emit NaN, Inf or runaway output, whatever it is fed. Three defences:
 *  1. Inputs are copied sanitised: a non-finite sample becomes 0 and is counted.
 *  2. After each block the output is checked: any non-finite value or |y| > outputLimit is a divergence.
 *  3. On divergence the output block is silenced and the weights go back to the last checkpoint taken while the
 *     controller was healthy, scaled down (so a checkpoint that was itself on the way up does not re-diverge at
 *     once); the step size is halved down to a floor so a step that is too large for this noise stops recurring.
 */
export const DEFAULT_OUTPUT_LIMIT = 4;

/**
 * Copies src[srcStart…srcStart+count) into dst[offset…], replacing NaN/±Inf by 0. Returns how many samples were
 * replaced. (Indices, not a subarray: a view per block would be an allocation per frame.)
 */
export function copySanitized(src: Float32Array, dst: Float32Array, offset = 0, srcStart = 0, count = src.length - srcStart): number {
  let bad = 0;
  for (let i = 0; i < count; i++) {
    const v = src[srcStart + i];
    if (v - v === 0) dst[offset + i] = v;
    else {
      dst[offset + i] = 0;
      bad++;
    }
  }
  return bad;
}

/** True when every sample of block[start…end) is finite and |v| ≤ limit. */
export function isBounded(block: Float32Array | Float64Array, limit: number, start = 0, end = block.length): boolean {
  for (let i = start; i < end; i++) {
    const v = block[i];
    if (!(v <= limit && v >= -limit)) return false;
  }
  return true;
}

export class DivergenceRecovery {
  /** Blocks between checkpoints of healthy weights. */
  static readonly CHECKPOINT_INTERVAL = 64;
  /** Scale applied to checkpointed weights when they are restored. */
  static readonly RESTORE_SCALE = 0.5;
  /** The step size is never halved below this fraction of the configured one. */
  static readonly MIN_STEP_FRACTION = 1 / 64;

  readonly checkpoint: Float32Array;
  private healthyBlocks = 0;
  divergences = 0;

  constructor(taps: number) {
    this.checkpoint = new Float32Array(taps);
  }

  /** Call after each healthy block with the live weights. */
  healthy(weights: Float32Array): void {
    if (++this.healthyBlocks >= DivergenceRecovery.CHECKPOINT_INTERVAL) {
      this.healthyBlocks = 0;
      if (isBounded(weights, Number.MAX_VALUE)) this.checkpoint.set(weights);
    }
  }

  /**
   * Call when a block diverged: silences `output`, restores `weights` from the checkpoint and returns the step
   * size to use from now on.
   */
  diverged(weights: Float32Array, output: Float32Array, stepSize: number, configuredStepSize: number): number {
    this.divergences++;
    this.healthyBlocks = 0;
    output.fill(0);
    for (let i = 0; i < weights.length; i++) {
      this.checkpoint[i] *= DivergenceRecovery.RESTORE_SCALE;
      weights[i] = this.checkpoint[i];
    }
    return Math.max(stepSize * 0.5, configuredStepSize * DivergenceRecovery.MIN_STEP_FRACTION);
  }

  reset(): void {
    this.checkpoint.fill(0);
    this.healthyBlocks = 0;
    this.divergences = 0;
  }

  /** State for snapshots: [healthyBlocks, divergences]. */
  counters(): number[] {
    return [this.healthyBlocks, this.divergences];
  }

  restoreCounters(values: ArrayLike<number>): void {
    this.healthyBlocks = values[0];
    this.divergences = values[1];
  }
}

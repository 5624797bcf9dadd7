/**
 * Memory layout of a filtered-x LMS controller, shared by the scalar (reference) kernel and the WASM SIMD kernel so
 * both run on identical state and a snapshot taken with one restores into the other.
 *
 * All offsets are in bytes from the start of the controller's own memory (an ArrayBuffer for the scalar kernel,
 * the WebAssembly.Memory of its instance for the SIMD kernel). Filter lengths are padded to multiples of 4 so the
 * SIMD kernel can walk them in f32x4 lanes; padding taps stay zero.
 *
 *   scalars (f64 × 10) | w (Lp) | ŝ (Sp) | x history (2H) | x' history (2M) | reference | error | antiNoise (block)
 *
 * Histories are doubled circular buffers: sample n is written at `pos` and `pos + len`, so the newest `len` samples
 * are always contiguous at [pos, pos + len), newest first — dot products never wrap. The x' ring is M = Lp + 4 long:
 * the SIMD kernel applies the update of sample n−1 after writing sample n, and the spare slots keep that window intact.
 */
export const MAX_KERNEL_BLOCK = 1024;

/** Indices into the f64 scalar block. */
export const enum Scalar {
  ReferencePos = 0,
  FilteredPos = 1,
  FilteredPower = 2,
  StepSize = 3,
  LeakFactor = 4,
  Regularization = 5,
  Normalized = 6,
  /** Running ‖x‖² of the reference over the last L samples. */
  ReferencePower = 7,
  /** Weight of ‖x‖² in the NLMS normaliser (β·‖ŝ‖², see controllers/fxlms.ts). */
  ReferencePowerWeight = 8,
  /**
   * First tap of ŝ that x' needs: ŝ's leading exact zeros (a pure delay: the playout delay of an identified Ŝ),
   * rounded down to a multiple of 4 so that the SIMD lanes, and so the sums, are the same as over the whole of ŝ.
   */
  SecondaryPathStart = 9,
}
export const SCALAR_COUNT = 10;

export interface FxlmsLayout {
  taps: number;
  paddedTaps: number;
  secondaryTaps: number;
  paddedSecondaryTaps: number;
  /** Length of the reference history window, max(padded L, padded Ls). */
  historyLength: number;
  /** Length of the filtered-reference ring, padded L + 4. */
  filteredHistoryLength: number;
  scalars: number;
  weights: number;
  secondaryPath: number;
  referenceHistory: number;
  filteredHistory: number;
  reference: number;
  error: number;
  antiNoise: number;
  bytes: number;
}

const pad4 = (n: number): number => (n + 3) & ~3;

export function fxlmsLayout(taps: number, secondaryTaps: number): FxlmsLayout {
  const paddedTaps = pad4(taps);
  const paddedSecondaryTaps = pad4(secondaryTaps);
  const historyLength = Math.max(paddedTaps, paddedSecondaryTaps);
  const filteredHistoryLength = paddedTaps + 4;
  let at = 0;
  const take = (floats: number): number => {
    const offset = at;
    at += floats * 4;
    at = (at + 15) & ~15; // 16-byte alignment for v128 loads of each region's start
    return offset;
  };
  const scalars = take(SCALAR_COUNT * 2);
  const weights = take(paddedTaps);
  const secondaryPath = take(paddedSecondaryTaps);
  const referenceHistory = take(2 * historyLength);
  const filteredHistory = take(2 * filteredHistoryLength);
  const reference = take(MAX_KERNEL_BLOCK);
  const error = take(MAX_KERNEL_BLOCK);
  const antiNoise = take(MAX_KERNEL_BLOCK);
  return {
    taps,
    paddedTaps,
    secondaryTaps,
    paddedSecondaryTaps,
    historyLength,
    filteredHistoryLength,
    scalars,
    weights,
    secondaryPath,
    referenceHistory,
    filteredHistory,
    reference,
    error,
    antiNoise,
    bytes: at,
  };
}

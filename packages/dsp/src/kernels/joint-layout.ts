/**
 * Memory layout of the joint (two-channel) NLMS identifier, shared by the scalar (reference) kernel and the WASM
 * SIMD kernel so both run on identical state and a snapshot taken with one restores into the other.
 *
 *   scalars (f64 × 6) | a (M) | b (K) | probe history (2M) | reference history (2K) | probe | reference | error | residual
 *
 * Offsets are bytes from the start of the identifier's own memory; each region starts 16-byte aligned. Histories
 * are doubled rings: sample n is written at `pos` and `pos + len`, so the newest `len` samples are contiguous at
 * [pos, pos + len), newest first.
 */
export const MAX_JOINT_BLOCK = 1024;

export const enum JointScalar {
  ProbePos = 0,
  ReferencePos = 1,
  StepSize = 2,
  ProbeRegularization = 3,
  ReferenceRegularization = 4,
}
export const JOINT_SCALAR_COUNT = 6;

export interface JointLayout {
  probeTaps: number;
  referenceTaps: number;
  scalars: number;
  probeWeights: number;
  referenceWeights: number;
  probeHistory: number;
  referenceHistory: number;
  probe: number;
  reference: number;
  error: number;
  residual: number;
  bytes: number;
}

export function jointLayout(probeTaps: number, referenceTaps: number): JointLayout {
  let at = 0;
  const take = (floats: number): number => {
    const offset = at;
    at = (at + floats * 4 + 15) & ~15;
    return offset;
  };
  return {
    probeTaps,
    referenceTaps,
    scalars: take(JOINT_SCALAR_COUNT * 2),
    probeWeights: take(probeTaps),
    referenceWeights: take(referenceTaps),
    probeHistory: take(2 * probeTaps),
    referenceHistory: take(2 * referenceTaps),
    probe: take(MAX_JOINT_BLOCK),
    reference: take(MAX_JOINT_BLOCK),
    error: take(MAX_JOINT_BLOCK),
    residual: take(MAX_JOINT_BLOCK),
    bytes: at, // evaluated last: every region above is taken
  };
}

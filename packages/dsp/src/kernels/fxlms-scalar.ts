/**
 * Reference (plain TypeScript) kernel of the filtered-x LMS family, one block at a time.
 * The WASM SIMD kernel in ../../assembly/fxlms.ts does the same arithmetic in f32x4 lanes; tests hold the two
 * together within float tolerance.
 *
 * Per sample n (Kuo & Morgan, "Active Noise Control Systems", 1996, §3.3; NLMS normalisation per Haykin):
 *   x'(n) = Σ ŝ[j]·x(n−j)                          filtered reference
 *   y(n)  = Σ w[j]·x(n−j)                          anti-noise
 *   w     ← (1 − μγ)·w − g(n)·e(n)·x'(n…n−L+1)     g = μ (FxLMS) or μ/(δ + ‖x'‖² + β‖ŝ‖²‖x‖²) (FxNLMS)
 */
import { type FxlmsLayout, Scalar } from './fxlms-layout.js';

export function fxlmsBlockScalar(heap: Float32Array, scalars: Float64Array, layout: FxlmsLayout, n: number): void {
  const L = layout.taps;
  const M = layout.filteredHistoryLength;
  const Ls = layout.secondaryTaps;
  const H = layout.historyLength;
  const w = layout.weights >> 2;
  const s = layout.secondaryPath >> 2;
  const xh = layout.referenceHistory >> 2;
  const fh = layout.filteredHistory >> 2;
  const ref = layout.reference >> 2;
  const err = layout.error >> 2;
  const out = layout.antiNoise >> 2;

  let p = scalars[Scalar.ReferencePos];
  let q = scalars[Scalar.FilteredPos];
  let power = scalars[Scalar.FilteredPower];
  const stepSize = scalars[Scalar.StepSize];
  const leak = scalars[Scalar.LeakFactor];
  const delta = scalars[Scalar.Regularization];
  const normalized = scalars[Scalar.Normalized] !== 0;
  let referencePower = scalars[Scalar.ReferencePower];
  const referenceWeight = scalars[Scalar.ReferencePowerWeight];
  const sStart = scalars[Scalar.SecondaryPathStart];

  for (let i = 0; i < n; i++) {
    const x = heap[ref + i];
    const leavingReference = heap[xh + p + L - 1];
    p = p === 0 ? H - 1 : p - 1;
    heap[xh + p] = x;
    heap[xh + p + H] = x;
    const xWin = xh + p;
    referencePower += x * x - leavingReference * leavingReference;
    if (p === 0) {
      referencePower = 0;
      for (let j = 0; j < L; j++) referencePower += heap[xh + j] * heap[xh + j];
    }

    let xf = 0;
    for (let j = sStart; j < Ls; j++) xf += heap[s + j] * heap[xWin + j];

    const leaving = heap[fh + q + L - 1];
    q = q === 0 ? M - 1 : q - 1;
    heap[fh + q] = xf;
    heap[fh + q + M] = xf;
    const fWin = fh + q;
    const xf32 = heap[fWin];
    power += xf32 * xf32 - leaving * leaving;
    if (q === 0) {
      // Exact recomputation once per lap keeps the running sum from drifting over hours of audio.
      power = 0;
      for (let j = 0; j < L; j++) power += heap[fh + j] * heap[fh + j];
    }

    let y = 0;
    for (let j = 0; j < L; j++) y += heap[w + j] * heap[xWin + j];
    heap[out + i] = y;

    const normaliser = delta + (power > 0 ? power : 0) + referenceWeight * (referencePower > 0 ? referencePower : 0);
    const gain = (normalized ? stepSize / normaliser : stepSize) * heap[err + i];
    if (leak === 1) {
      for (let j = 0; j < L; j++) heap[w + j] -= gain * heap[fWin + j];
    } else {
      for (let j = 0; j < L; j++) heap[w + j] = heap[w + j] * leak - gain * heap[fWin + j];
    }
  }

  scalars[Scalar.ReferencePos] = p;
  scalars[Scalar.FilteredPos] = q;
  scalars[Scalar.FilteredPower] = power;
  scalars[Scalar.ReferencePower] = referencePower;
}

/**
 * Reference (plain TypeScript) kernel of the joint NLMS identifier (identification/joint.ts), one block at a time.
 * The WASM SIMD kernel in ../../assembly/joint.ts does the same arithmetic in f32x4 lanes; tests hold the two
 * together within float tolerance.
 */
import { type JointLayout, JointScalar } from './joint-layout.js';

export function jointBlockScalar(heap: Float32Array, scalars: Float64Array, layout: JointLayout, n: number): void {
  const M = layout.probeTaps;
  const K = layout.referenceTaps;
  const a = layout.probeWeights >> 2;
  const b = layout.referenceWeights >> 2;
  const vh = layout.probeHistory >> 2;
  const xh = layout.referenceHistory >> 2;
  const probe = layout.probe >> 2;
  const ref = layout.reference >> 2;
  const err = layout.error >> 2;
  const res = layout.residual >> 2;
  let pv = scalars[JointScalar.ProbePos];
  let px = scalars[JointScalar.ReferencePos];
  const stepSize = scalars[JointScalar.StepSize];
  const deltaV = scalars[JointScalar.ProbeRegularization];
  const deltaX = scalars[JointScalar.ReferenceRegularization];
  let powerV = sumOfSquares(heap, vh + pv, M);
  let powerX = sumOfSquares(heap, xh + px, K);
  for (let i = 0; i < n; i++) {
    pv = pv === 0 ? M - 1 : pv - 1;
    const v = heap[probe + i];
    const leavingV = heap[vh + pv];
    heap[vh + pv] = heap[vh + pv + M] = v;
    powerV += v * v - leavingV * leavingV;
    px = px === 0 ? K - 1 : px - 1;
    const x = heap[ref + i];
    const leavingX = heap[xh + px];
    heap[xh + px] = heap[xh + px + K] = x;
    powerX += x * x - leavingX * leavingX;

    const vWin = vh + pv;
    const xWin = xh + px;
    let estimate = 0;
    for (let k = 0; k < M; k++) estimate += heap[a + k] * heap[vWin + k];
    for (let k = 0; k < K; k++) estimate += heap[b + k] * heap[xWin + k];
    const r = heap[err + i] - estimate;
    heap[res + i] = r;
    if (stepSize === 0) continue;
    const gainV = (stepSize * r) / (deltaV + Math.max(powerV, 0));
    const gainX = (stepSize * r) / (deltaX + Math.max(powerX, 0));
    for (let k = 0; k < M; k++) heap[a + k] += gainV * heap[vWin + k];
    for (let k = 0; k < K; k++) heap[b + k] += gainX * heap[xWin + k];
  }
  scalars[JointScalar.ProbePos] = pv;
  scalars[JointScalar.ReferencePos] = px;
}

function sumOfSquares(heap: Float32Array, from: number, count: number): number {
  let sum = 0;
  for (let k = from; k < from + count; k++) sum += heap[k] * heap[k];
  return sum;
}

// WASM SIMD kernel of the two-channel (joint) NLMS identifier: same arithmetic as src/kernels/joint-scalar.ts (the
// reference), in f32x4 lanes over the memory layout of src/kernels/joint-layout.ts. Histories are doubled rings, so
// every window is contiguous; windows start anywhere, so their loads are unaligned (cheap on x86/ARM).

import { dot, hsum } from './lib/simd';

// f64 scalar slots, as in the Scalar enum of joint-layout.ts
const PROBE_POS = 0;
const REFERENCE_POS = 1;
const STEP_SIZE = 2;
const PROBE_DELTA = 3;
const REFERENCE_DELTA = 4;

@inline function axpy(w: usize, x: usize, n: i32, gain: f32): void {
  const vGain = f32x4.splat(gain);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>(j << 2);
    v128.store(w + o, f32x4.add(v128.load(w + o), f32x4.mul(vGain, v128.load(x + o))));
  }
  for (; j < n; j++) {
    const o = <usize>(j << 2);
    store<f32>(w + o, load<f32>(w + o) + gain * load<f32>(x + o));
  }
}

@inline function sumOfSquares(h: usize, n: i32): f64 {
  let sum: f64 = 0;
  for (let j = 0; j < n; j++) {
    const v = <f64>load<f32>(h + (<usize>j << 2));
    sum += v * v;
  }
  return sum;
}

export function jointBlock(
  scalars: usize, a: usize, b: usize, vh: usize, xh: usize,
  probe: usize, ref: usize, err: usize, res: usize,
  M: i32, K: i32, n: i32,
): void {
  let pv = <i32>load<f64>(scalars + (PROBE_POS << 3));
  let px = <i32>load<f64>(scalars + (REFERENCE_POS << 3));
  const stepSize = load<f64>(scalars + (STEP_SIZE << 3));
  const deltaV = load<f64>(scalars + (PROBE_DELTA << 3));
  const deltaX = load<f64>(scalars + (REFERENCE_DELTA << 3));
  // Exact powers at the block start, then running sums within the block (no drift across blocks).
  let powerV = sumOfSquares(vh + (<usize>pv << 2), M);
  let powerX = sumOfSquares(xh + (<usize>px << 2), K);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    pv = pv == 0 ? M - 1 : pv - 1;
    const v = load<f32>(probe + o);
    const leavingV = load<f32>(vh + (<usize>pv << 2));
    store<f32>(vh + (<usize>pv << 2), v);
    store<f32>(vh + (<usize>(pv + M) << 2), v);
    powerV += <f64>v * <f64>v - <f64>leavingV * <f64>leavingV;
    px = px == 0 ? K - 1 : px - 1;
    const x = load<f32>(ref + o);
    const leavingX = load<f32>(xh + (<usize>px << 2));
    store<f32>(xh + (<usize>px << 2), x);
    store<f32>(xh + (<usize>(px + K) << 2), x);
    powerX += <f64>x * <f64>x - <f64>leavingX * <f64>leavingX;

    const vWin = vh + (<usize>pv << 2);
    const xWin = xh + (<usize>px << 2);
    const r = <f64>load<f32>(err + o) - <f64>(dot(a, vWin, M) + dot(b, xWin, K));
    store<f32>(res + o, <f32>r);
    if (stepSize == 0) continue;
    axpy(a, vWin, M, <f32>((stepSize * r) / (deltaV + (powerV > 0 ? powerV : 0))));
    axpy(b, xWin, K, <f32>((stepSize * r) / (deltaX + (powerX > 0 ? powerX : 0))));
  }
  store<f64>(scalars + (PROBE_POS << 3), <f64>pv);
  store<f64>(scalars + (REFERENCE_POS << 3), <f64>px);
}

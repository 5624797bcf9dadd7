// WASM SIMD kernel of the filtered-x LMS family: same arithmetic as src/kernels/fxlms-scalar.ts (the reference),
// in f32x4 lanes over the memory layout of src/kernels/fxlms-layout.ts. Region starts are 16-byte aligned; history
// windows start anywhere, so window loads are unaligned (cheap on x86/ARM); the last n mod 4 taps run as scalars.
//
// Per sample the update of sample n−1 is fused with the output of sample n: one pass over w instead of two. The
// x' history ring is 4 longer than the window so writing sample n never clobbers the window of sample n−1.
// The last update of a block is applied before returning, so state between blocks equals the reference kernel's.

import { dot, hsum } from './lib/simd';

// f64 scalar slots, as in the Scalar enum of fxlms-layout.ts
const REFERENCE_POS = 0;
const FILTERED_POS = 1;
const FILTERED_POWER = 2;
const STEP_SIZE = 3;
const LEAK_FACTOR = 4;
const REGULARIZATION = 5;
const NORMALIZED = 6;
const REFERENCE_POWER = 7;
const REFERENCE_POWER_WEIGHT = 8;
const SECONDARY_PATH_START = 9;

@inline function updateAndDot(w: usize, f: usize, x: usize, n: i32, leak: f32, gain: f32): f32 {
  const vLeak = f32x4.splat(leak);
  const vGain = f32x4.splat(gain);
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>(j << 2);
    const updated = f32x4.sub(f32x4.mul(v128.load(w + o), vLeak), f32x4.mul(vGain, v128.load(f + o)));
    v128.store(w + o, updated);
    acc = f32x4.add(acc, f32x4.mul(updated, v128.load(x + o)));
  }
  let sum = hsum(acc);
  for (; j < n; j++) {
    const o = <usize>(j << 2);
    const updated = load<f32>(w + o) * leak - gain * load<f32>(f + o);
    store<f32>(w + o, updated);
    sum += updated * load<f32>(x + o);
  }
  return sum;
}

@inline function update(w: usize, f: usize, n: i32, leak: f32, gain: f32): void {
  const vLeak = f32x4.splat(leak);
  const vGain = f32x4.splat(gain);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>(j << 2);
    v128.store(w + o, f32x4.sub(f32x4.mul(v128.load(w + o), vLeak), f32x4.mul(vGain, v128.load(f + o))));
  }
  for (; j < n; j++) {
    const o = <usize>(j << 2);
    store<f32>(w + o, load<f32>(w + o) * leak - gain * load<f32>(f + o));
  }
}

export function fxlmsBlock(
  scalars: usize,
  w: usize,
  s: usize,
  xh: usize,
  fh: usize,
  ref: usize,
  err: usize,
  out: usize,
  L: i32,
  Ls: i32,
  H: i32,
  M: i32,
  n: i32,
): void {
  let p = <i32>load<f64>(scalars + (REFERENCE_POS << 3));
  let q = <i32>load<f64>(scalars + (FILTERED_POS << 3));
  let power = load<f64>(scalars + (FILTERED_POWER << 3));
  const stepSize = load<f64>(scalars + (STEP_SIZE << 3));
  const leak = <f32>load<f64>(scalars + (LEAK_FACTOR << 3));
  const delta = load<f64>(scalars + (REGULARIZATION << 3));
  const normalized = load<f64>(scalars + (NORMALIZED << 3)) != 0;
  let referencePower = load<f64>(scalars + (REFERENCE_POWER << 3));
  const referenceWeight = load<f64>(scalars + (REFERENCE_POWER_WEIGHT << 3));
  // ŝ's leading zeros (a multiple of 4: the lanes, and so the sums, are those of the whole dot product) are skipped.
  const sStart = <i32>load<f64>(scalars + (SECONDARY_PATH_START << 3));
  const sFrom = <usize>(sStart << 2);

  let pendingGain: f32 = 0;
  let pendingWindow: usize = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f32>(ref + (<usize>i << 2));
    const leavingReference = load<f32>(xh + (<usize>(p + L - 1) << 2));
    p = p == 0 ? H - 1 : p - 1;
    store<f32>(xh + (<usize>p << 2), x);
    store<f32>(xh + (<usize>(p + H) << 2), x);
    const xWin = xh + (<usize>p << 2);
    referencePower += <f64>x * <f64>x - <f64>leavingReference * <f64>leavingReference;
    if (p == 0) {
      referencePower = 0;
      for (let j = 0; j < L; j++) {
        const v = <f64>load<f32>(xh + (<usize>j << 2));
        referencePower += v * v;
      }
    }

    const xf = dot(s + sFrom, xWin + sFrom, Ls - sStart);

    const leaving = load<f32>(fh + (<usize>(q + L - 1) << 2));
    q = q == 0 ? M - 1 : q - 1;
    store<f32>(fh + (<usize>q << 2), xf);
    store<f32>(fh + (<usize>(q + M) << 2), xf);
    const fWin = fh + (<usize>q << 2);
    power += <f64>xf * <f64>xf - <f64>leaving * <f64>leaving;
    if (q == 0) {
      power = 0;
      for (let j = 0; j < L; j++) {
        const v = <f64>load<f32>(fh + (<usize>j << 2));
        power += v * v;
      }
    }

    const y = i == 0 ? dot(w, xWin, L) : updateAndDot(w, pendingWindow, xWin, L, leak, pendingGain);
    store<f32>(out + (<usize>i << 2), y);

    const e = <f64>load<f32>(err + (<usize>i << 2));
    const normaliser = delta + (power > 0 ? power : 0) + referenceWeight * (referencePower > 0 ? referencePower : 0);
    pendingGain = <f32>((normalized ? stepSize / normaliser : stepSize) * e);
    pendingWindow = fWin;
  }
  if (n > 0) update(w, pendingWindow, L, leak, pendingGain);

  store<f64>(scalars + (REFERENCE_POS << 3), <f64>p);
  store<f64>(scalars + (FILTERED_POS << 3), <f64>q);
  store<f64>(scalars + (FILTERED_POWER << 3), power);
  store<f64>(scalars + (REFERENCE_POWER << 3), referencePower);
}

// WASM SIMD kernel of the secondary-path model (src/path-model.ts): the same sums as its scalar reference, in
// f32x4 lanes. s holds Ŝ reversed and h a linear history, both in this module's imported memory; windows start
// anywhere, so loads are unaligned (cheap on x86/ARM).
//
//   out[i] = Σ_{k = from_i}^{end_i − 1} s[k] · h[i + k],   from_i = max(0, fromBase − i),  end_i = min(endBase − i, endCap)

import { dot } from './lib/simd';

export function modelBlock(s: usize, h: usize, out: usize, n: i32, fromBase: i32, endBase: i32, endCap: i32): void {
  for (let i = 0; i < n; i++) {
    const from = max(0, fromBase - i);
    const end = min(endBase - i, endCap);
    const sum: f32 = end > from ? dot(s + (<usize>from << 2), h + (<usize>(i + from) << 2), end - from) : 0;
    store<f32>(out + (<usize>i << 2), sum);
  }
}

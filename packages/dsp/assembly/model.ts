// WASM SIMD kernel of the secondary-path model (src/path-model.ts): the same sums as its scalar reference, in
// f32x4 lanes. s holds Ŝ reversed and h a linear history, both in this module's imported memory; windows start
// anywhere, so loads are unaligned (cheap on x86/ARM).
//
//   out[i] = Σ_{k = from_i}^{end_i − 1} s[k] · h[i + k],   from_i = max(0, fromBase − i),  end_i = min(endBase − i, endCap)

@inline function dot(a: usize, b: usize, n: i32): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const o = <usize>(j << 2);
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(a + o + 16), v128.load(b + o + 16)));
  }
  for (; j + 4 <= n; j += 4) {
    const o = <usize>(j << 2);
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  const v = f32x4.add(acc0, acc1);
  let sum = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
  for (; j < n; j++) sum += load<f32>(a + (<usize>j << 2)) * load<f32>(b + (<usize>j << 2));
  return sum;
}

export function modelBlock(s: usize, h: usize, out: usize, n: i32, fromBase: i32, endBase: i32, endCap: i32): void {
  for (let i = 0; i < n; i++) {
    const from = max(0, fromBase - i);
    const end = min(endBase - i, endCap);
    const sum: f32 = end > from ? dot(s + (<usize>from << 2), h + (<usize>(i + from) << 2), end - from) : 0;
    store<f32>(out + (<usize>i << 2), sum);
  }
}

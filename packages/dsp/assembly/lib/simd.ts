// Shared SIMD helpers of the kernels (imported, so not an entry point: scripts/build-wasm.mjs compiles only
// assembly/*.ts). f32x4 lanes over memory; windows start anywhere, so loads are unaligned.

@inline export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

@inline export function dot(a: usize, b: usize, n: i32): f32 {
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
  let sum = hsum(f32x4.add(acc0, acc1));
  for (; j < n; j++) sum += load<f32>(a + (<usize>j << 2)) * load<f32>(b + (<usize>j << 2));
  return sum;
}

// w ← w·leak − gain·f over n taps, and returns the dot product of the new w with x (the next output).

// WASM SIMD kernel of the partitioned-block filtered-x LMS core: the same steps as the plain TypeScript reference
// src/filters/partitioned-core.ts (float64), here in float32 with f32x4 lanes over the memory layout of
// src/kernels/partitioned-layout.ts. The caller (src/filters/partitioned-simd-core.ts) owns the memory, keeps the
// ring heads, the power weight and the constraint schedule, and calls setup() once, then filterBlock()/adapt() per
// block. Spectra hold Kp = pad4(B + 1) bins; the padding bins stay 0 so the f32x4 loops need no scalar tail.
//
// FFT: 2B-point real FFT packed into a B-point complex FFT (the same algorithm as src/fft.ts): bit-reversed packing,
// a radix-4 first pass (stages 1 and 2), then radix-2 stages h = 4 … B/2 four butterflies at a time, then unpacking.
// Forward unnormalised, inverse scaled by 1/2B.

let B: i32 = 0; // block size, FFT size 2B, complex FFT size M = B
let KP: i32 = 0; // padded bins
let P: i32 = 0; // partitions of W
let Q: i32 = 0; // partitions of Ŝ
let DEPTH: i32 = 0; // input FDL depth max(P, Q)
let TAPS: i32 = 0;
// region pointers (bytes)
let time: usize = 0;
let inputWindow: usize = 0;
let filteredWindow: usize = 0;
let specRe: usize = 0;
let specIm: usize = 0;
let inputRe: usize = 0;
let inputIm: usize = 0;
let kernelRe: usize = 0;
let kernelIm: usize = 0;
let regressorRe: usize = 0;
let regressorIm: usize = 0;
let weightRe: usize = 0;
let weightIm: usize = 0;
let power: usize = 0;
let inputPower: usize = 0;
let zr: usize = 0;
let zi: usize = 0;
let reversed: usize = 0;
let stageCos: usize = 0;
let stageSin: usize = 0;
let packCos: usize = 0;
let packSin: usize = 0;
let source: usize = 0;
let output: usize = 0;

@inline function at(ptr: usize, i: i32): usize {
  return ptr + (<usize>i << 2);
}

export function setup(sizes: usize, pointers: usize): void {
  B = load<i32>(sizes);
  KP = load<i32>(sizes + 4);
  P = load<i32>(sizes + 8);
  Q = load<i32>(sizes + 12);
  DEPTH = load<i32>(sizes + 16);
  TAPS = load<i32>(sizes + 20);
  time = load<u32>(pointers);
  inputWindow = load<u32>(pointers + 4);
  filteredWindow = load<u32>(pointers + 8);
  specRe = load<u32>(pointers + 12);
  specIm = load<u32>(pointers + 16);
  inputRe = load<u32>(pointers + 20);
  inputIm = load<u32>(pointers + 24);
  kernelRe = load<u32>(pointers + 28);
  kernelIm = load<u32>(pointers + 32);
  regressorRe = load<u32>(pointers + 36);
  regressorIm = load<u32>(pointers + 40);
  weightRe = load<u32>(pointers + 44);
  weightIm = load<u32>(pointers + 48);
  power = load<u32>(pointers + 52);
  inputPower = load<u32>(pointers + 56);
  zr = load<u32>(pointers + 60);
  zi = load<u32>(pointers + 64);
  reversed = load<u32>(pointers + 68);
  stageCos = load<u32>(pointers + 72);
  stageSin = load<u32>(pointers + 76);
  packCos = load<u32>(pointers + 80);
  packSin = load<u32>(pointers + 84);
  source = load<u32>(pointers + 88);
  output = load<u32>(pointers + 92);
}

// In-place forward complex FFT of M bit-reversed points.
function complexFft(re: usize, im: usize, M: i32): void {
  if (M == 1) return;
  if (M == 2) {
    const ar = load<f32>(re);
    const ai = load<f32>(im);
    const br = load<f32>(re + 4);
    const bi = load<f32>(im + 4);
    store<f32>(re, ar + br);
    store<f32>(im, ai + bi);
    store<f32>(re + 4, ar - br);
    store<f32>(im + 4, ai - bi);
    return;
  }
  for (let i = 0; i < M; i += 4) {
    const p = at(re, i);
    const q = at(im, i);
    const x0r = load<f32>(p);
    const x1r = load<f32>(p + 4);
    const x2r = load<f32>(p + 8);
    const x3r = load<f32>(p + 12);
    const x0i = load<f32>(q);
    const x1i = load<f32>(q + 4);
    const x2i = load<f32>(q + 8);
    const x3i = load<f32>(q + 12);
    const r0 = x0r + x1r;
    const i0 = x0i + x1i;
    const r1 = x0r - x1r;
    const i1 = x0i - x1i;
    const r2 = x2r + x3r;
    const i2 = x2i + x3i;
    const r3 = x2r - x3r;
    const i3 = x2i - x3i;
    store<f32>(p, r0 + r2);
    store<f32>(q, i0 + i2);
    store<f32>(p + 8, r0 - r2);
    store<f32>(q + 8, i0 - i2);
    store<f32>(p + 4, r1 + i3);
    store<f32>(q + 4, i1 - r3);
    store<f32>(p + 12, r1 - i3);
    store<f32>(q + 12, i1 + r3);
  }
  for (let h = 4; h < M; h <<= 1) {
    const tc = at(stageCos, h - 4);
    const ts = at(stageSin, h - 4);
    for (let start = 0; start < M; start += h << 1) {
      for (let j = 0; j < h; j += 4) {
        const wr = v128.load(at(tc, j));
        const wi = v128.load(at(ts, j));
        const ra = at(re, start + j);
        const ia = at(im, start + j);
        const rb = at(re, start + j + h);
        const ib = at(im, start + j + h);
        const xr = v128.load(rb);
        const xi = v128.load(ib);
        const tr = f32x4.sub(f32x4.mul(wr, xr), f32x4.mul(wi, xi));
        const ti = f32x4.add(f32x4.mul(wr, xi), f32x4.mul(wi, xr));
        const ar = v128.load(ra);
        const ai = v128.load(ia);
        v128.store(ra, f32x4.add(ar, tr));
        v128.store(ia, f32x4.add(ai, ti));
        v128.store(rb, f32x4.sub(ar, tr));
        v128.store(ib, f32x4.sub(ai, ti));
      }
    }
  }
}

// Spectrum (bins 0 … B) of the 2B real samples at `input`.
function forward(input: usize, outRe: usize, outIm: usize): void {
  const M = B;
  for (let n = 0; n < M; n++) {
    const r = <i32>load<u32>(at(reversed, n));
    store<f32>(at(zr, r), load<f32>(at(input, 2 * n)));
    store<f32>(at(zi, r), load<f32>(at(input, 2 * n + 1)));
  }
  complexFft(zr, zi, M);
  const z0r = load<f32>(zr);
  const z0i = load<f32>(zi);
  store<f32>(outRe, z0r + z0i);
  store<f32>(outIm, 0);
  store<f32>(at(outRe, M), z0r - z0i);
  store<f32>(at(outIm, M), 0);
  const quarter = M >> 1;
  for (let k = 1; k <= quarter; k++) {
    const ar = load<f32>(at(zr, k));
    const ai = load<f32>(at(zi, k));
    const br = load<f32>(at(zr, M - k));
    const bi = -load<f32>(at(zi, M - k));
    const er: f32 = 0.5 * (ar + br);
    const ei: f32 = 0.5 * (ai + bi);
    const or: f32 = 0.5 * (ai - bi);
    const oi: f32 = -0.5 * (ar - br);
    const c = load<f32>(at(packCos, k));
    const s = load<f32>(at(packSin, k));
    const tr = c * or + s * oi;
    const ti = c * oi - s * or;
    store<f32>(at(outRe, k), er + tr);
    store<f32>(at(outIm, k), ei + ti);
    store<f32>(at(outRe, M - k), er - tr);
    store<f32>(at(outIm, M - k), ti - ei);
  }
}

// 2B real samples at `out` from the spectrum re/im (bins 0 … B), scaled by 1/2B.
function inverse(re: usize, im: usize, out: usize): void {
  const M = B;
  const scale: f32 = <f32>1.0 / <f32>(M << 1);
  const x0 = load<f32>(re);
  const xm = load<f32>(at(re, M));
  store<f32>(zr, scale * (x0 + xm));
  store<f32>(zi, scale * (x0 - xm));
  const quarter = M >> 1;
  for (let k = 1; k <= quarter; k++) {
    const ar = load<f32>(at(re, k));
    const ai = load<f32>(at(im, k));
    const br = load<f32>(at(re, M - k));
    const bi = -load<f32>(at(im, M - k));
    const er = ar + br;
    const ei = ai + bi;
    const dr = ar - br;
    const di = ai - bi;
    const c = load<f32>(at(packCos, k));
    const s = load<f32>(at(packSin, k));
    const or = c * dr - s * di;
    const oi = c * di + s * dr;
    const r = <i32>load<u32>(at(reversed, k));
    store<f32>(at(zr, r), scale * (er - oi));
    store<f32>(at(zi, r), scale * (ei + or));
    const r2 = <i32>load<u32>(at(reversed, M - k));
    store<f32>(at(zr, r2), scale * (er + oi));
    store<f32>(at(zi, r2), scale * (or - ei));
  }
  complexFft(zi, zr, M);
  for (let n = 0; n < M; n++) {
    store<f32>(at(out, 2 * n), load<f32>(at(zr, n)));
    store<f32>(at(out, 2 * n + 1), load<f32>(at(zi, n)));
  }
}

// spec = Σ_{from ≤ p < to} H_p · X_{head − p} over the input FDL.
function convolve(hRe: usize, hIm: usize, from: i32, to: i32, head: i32): void {
  for (let f = 0; f < KP; f += 4) {
    v128.store(at(specRe, f), f32x4.splat(0));
    v128.store(at(specIm, f), f32x4.splat(0));
  }
  for (let p = from; p < to; p++) {
    let slot = head - p;
    if (slot < 0) slot += DEPTH;
    const x = slot * KP;
    const h = p * KP;
    for (let f = 0; f < KP; f += 4) {
      const ar = v128.load(at(hRe, h + f));
      const ai = v128.load(at(hIm, h + f));
      const br = v128.load(at(inputRe, x + f));
      const bi = v128.load(at(inputIm, x + f));
      const sr = at(specRe, f);
      const si = at(specIm, f);
      v128.store(sr, f32x4.add(v128.load(sr), f32x4.sub(f32x4.mul(ar, br), f32x4.mul(ai, bi))));
      v128.store(si, f32x4.add(v128.load(si), f32x4.add(f32x4.mul(ar, bi), f32x4.mul(ai, br))));
    }
  }
}

// Takes x_k from `source`, pushes X_k into slot inputHead and R_k into slot regressorHead, writes y_k to `output`.
export function filterBlock(inputHead: i32, regressorHead: i32, kernelStart: i32): void {
  memory.copy(inputWindow, at(inputWindow, B), <usize>B << 2);
  memory.copy(at(inputWindow, B), source, <usize>B << 2);
  forward(inputWindow, at(inputRe, inputHead * KP), at(inputIm, inputHead * KP));

  convolve(weightRe, weightIm, 0, P, inputHead);
  inverse(specRe, specIm, time);
  memory.copy(output, at(time, B), <usize>B << 2);

  convolve(kernelRe, kernelIm, kernelStart, Q, inputHead);
  inverse(specRe, specIm, time);
  memory.copy(filteredWindow, at(filteredWindow, B), <usize>B << 2);
  memory.copy(at(filteredWindow, B), at(time, B), <usize>B << 2);
  forward(filteredWindow, at(regressorRe, regressorHead * KP), at(regressorIm, regressorHead * KP));
}

// Gradient constraint on partition p: keep its first `keep` time-domain taps.
function constrain(p: i32): void {
  const re = at(weightRe, p * KP);
  const im = at(weightIm, p * KP);
  inverse(re, im, time);
  const keep = min(B, TAPS - p * B);
  memory.fill(at(time, keep), 0, <usize>(2 * B - keep) << 2);
  forward(time, re, im);
}

// One normalised update with the error block at `source` (see PartitionedCore.adapt). constrainA/constrainB: the
// partitions to constrain this block (−1: none).
export function adapt(
  step: f32, leak: f32, delta: f32, beta: f32, powerScale: f32, rho: f32,
  inputHead: i32, regressorHead: i32, constrainA: i32, constrainB: i32,
): void {
  memory.fill(time, 0, <usize>B << 2);
  memory.copy(at(time, B), source, <usize>B << 2);
  forward(time, specRe, specIm);

  const vBeta = f32x4.splat(beta);
  const vFresh = f32x4.splat(1 - beta);
  const vStep = f32x4.splat(step);
  const vScale = f32x4.splat(powerScale);
  const vDelta = f32x4.splat(delta);
  const vRho = f32x4.splat(rho);
  const r = regressorHead * KP;
  const x = inputHead * KP;
  for (let f = 0; f < KP; f += 4) {
    const rr = v128.load(at(regressorRe, r + f));
    const ri = v128.load(at(regressorIm, r + f));
    const pw = f32x4.add(f32x4.mul(vBeta, v128.load(at(power, f))), f32x4.mul(vFresh, f32x4.add(f32x4.mul(rr, rr), f32x4.mul(ri, ri))));
    v128.store(at(power, f), pw);
    let d = pw;
    if (rho > 0) {
      const xr = v128.load(at(inputRe, x + f));
      const xi = v128.load(at(inputIm, x + f));
      const px = f32x4.add(f32x4.mul(vBeta, v128.load(at(inputPower, f))), f32x4.mul(vFresh, f32x4.add(f32x4.mul(xr, xr), f32x4.mul(xi, xi))));
      v128.store(at(inputPower, f), px);
      d = f32x4.add(d, f32x4.mul(vRho, px));
    }
    const gain = f32x4.div(vStep, f32x4.add(f32x4.mul(vScale, d), vDelta));
    v128.store(at(specRe, f), f32x4.mul(v128.load(at(specRe, f)), gain));
    v128.store(at(specIm, f), f32x4.mul(v128.load(at(specIm, f)), gain));
  }

  const vLeak = f32x4.splat(leak);
  for (let p = 0; p < P; p++) {
    let slot = regressorHead - p;
    if (slot < 0) slot += P;
    const rs = slot * KP;
    const w = p * KP;
    for (let f = 0; f < KP; f += 4) {
      const xr = v128.load(at(regressorRe, rs + f));
      const xi = v128.load(at(regressorIm, rs + f));
      const gr = v128.load(at(specRe, f));
      const gi = v128.load(at(specIm, f));
      const wr = at(weightRe, w + f);
      const wi = at(weightIm, w + f);
      v128.store(wr, f32x4.add(f32x4.mul(vLeak, v128.load(wr)), f32x4.add(f32x4.mul(xr, gr), f32x4.mul(xi, gi))));
      v128.store(wi, f32x4.add(f32x4.mul(vLeak, v128.load(wi)), f32x4.sub(f32x4.mul(xr, gi), f32x4.mul(xi, gr))));
    }
  }

  if (constrainA >= 0) constrain(constrainA);
  if (constrainB >= 0) constrain(constrainB);
}

// The gradient constraint on one partition, for the 'all' schedule.
export function constrainPartition(p: i32): void {
  constrain(p);
}

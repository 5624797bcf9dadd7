import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealFft, nextPowerOfTwo } from './fft.js';
import { Random } from './random.js';

/** Textbook O(N²) DFT in float64, bins 0 … N/2. */
function naiveDft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const N = x.length;
  const re = new Float64Array(N / 2 + 1);
  const im = new Float64Array(N / 2 + 1);
  for (let k = 0; k <= N / 2; k++) {
    let sr = 0;
    let si = 0;
    for (let n = 0; n < N; n++) {
      const angle = (-2 * Math.PI * ((k * n) % N)) / N;
      sr += x[n] * Math.cos(angle);
      si += x[n] * Math.sin(angle);
    }
    re[k] = sr;
    im[k] = si;
  }
  return { re, im };
}

function randomSignal(n: number, seed: number): Float64Array {
  const random = new Random(seed);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = random.gaussian();
  return x;
}

test('forward() matches a naive DFT for every size from 2 to 1024', () => {
  for (let N = 2; N <= 1024; N *= 2) {
    const x = randomSignal(N, N);
    const fft = new RealFft(N);
    const re = new Float64Array(N / 2 + 1);
    const im = new Float64Array(N / 2 + 1);
    fft.forward(x, re, im);
    const expected = naiveDft(x);
    let worst = 0;
    for (let k = 0; k <= N / 2; k++) worst = Math.max(worst, Math.abs(re[k] - expected.re[k]), Math.abs(im[k] - expected.im[k]));
    // Bins are sums of N unit-variance terms (size ~√N); float64 rounding of the O(N²) reference dominates.
    assert.ok(worst < 1e-10 * N, `N = ${N}: worst bin error ${worst}`);
    assert.equal(im[0], 0);
    assert.equal(im[N / 2], 0);
  }
});

test('inverse(forward(x)) returns x to float64 precision, in float32 and float64 buffers', () => {
  for (const N of [2, 4, 8, 64, 256, 4096]) {
    const x = randomSignal(N, 7 * N);
    const fft = new RealFft(N);
    const re = new Float64Array(N / 2 + 1);
    const im = new Float64Array(N / 2 + 1);
    const back = new Float64Array(N);
    fft.forward(x, re, im);
    fft.inverse(re, im, back);
    let worst = 0;
    for (let n = 0; n < N; n++) worst = Math.max(worst, Math.abs(back[n] - x[n]));
    assert.ok(worst < 1e-13, `N = ${N}: round trip error ${worst}`);

    const x32 = Float32Array.from(x);
    const re32 = new Float32Array(N / 2 + 1);
    const im32 = new Float32Array(N / 2 + 1);
    const back32 = new Float32Array(N);
    fft.forward(x32, re32, im32);
    fft.inverse(re32, im32, back32);
    let worst32 = 0;
    for (let n = 0; n < N; n++) worst32 = Math.max(worst32, Math.abs(back32[n] - x32[n]));
    assert.ok(worst32 < 1e-5, `N = ${N}: float32 round trip error ${worst32}`);
  }
});

test('a unit impulse at n0 has spectrum e^{−2πik·n0/N} and a cosine lands in its own bin', () => {
  const N = 64;
  const fft = new RealFft(N);
  const re = new Float64Array(N / 2 + 1);
  const im = new Float64Array(N / 2 + 1);
  const impulse = new Float64Array(N);
  impulse[5] = 1;
  fft.forward(impulse, re, im);
  for (let k = 0; k <= N / 2; k++) {
    assert.ok(Math.abs(re[k] - Math.cos((2 * Math.PI * k * 5) / N)) < 1e-14);
    assert.ok(Math.abs(im[k] + Math.sin((2 * Math.PI * k * 5) / N)) < 1e-14);
  }
  const cosine = new Float64Array(N);
  for (let n = 0; n < N; n++) cosine[n] = Math.cos((2 * Math.PI * 3 * n) / N);
  fft.forward(cosine, re, im);
  for (let k = 0; k <= N / 2; k++) {
    const magnitude = Math.hypot(re[k], im[k]);
    assert.ok(Math.abs(magnitude - (k === 3 ? N / 2 : 0)) < 1e-12, `bin ${k}: |X| = ${magnitude}`);
  }
});

test('inverse() ignores the imaginary parts of DC and Nyquist', () => {
  const N = 16;
  const fft = new RealFft(N);
  const re = new Float64Array(N / 2 + 1).fill(1);
  const im = new Float64Array(N / 2 + 1);
  const a = new Float64Array(N);
  const b = new Float64Array(N);
  fft.inverse(re, im, a);
  im[0] = 3;
  im[N / 2] = -2;
  fft.inverse(re, im, b);
  assert.deepEqual(b, a);
});

test('circular convolution theorem: IFFT(FFT(a)·FFT(b)) is the circular convolution a ⊛ b', () => {
  const N = 32;
  const a = randomSignal(N, 1);
  const b = randomSignal(N, 2);
  const fft = new RealFft(N);
  const ar = new Float64Array(N / 2 + 1);
  const ai = new Float64Array(N / 2 + 1);
  const br = new Float64Array(N / 2 + 1);
  const bi = new Float64Array(N / 2 + 1);
  fft.forward(a, ar, ai);
  fft.forward(b, br, bi);
  for (let k = 0; k <= N / 2; k++) {
    const r = ar[k] * br[k] - ai[k] * bi[k];
    ai[k] = ar[k] * bi[k] + ai[k] * br[k];
    ar[k] = r;
  }
  const c = new Float64Array(N);
  fft.inverse(ar, ai, c);
  for (let n = 0; n < N; n++) {
    let expected = 0;
    for (let m = 0; m < N; m++) expected += a[m] * b[(n - m + N) % N];
    assert.ok(Math.abs(c[n] - expected) < 1e-12);
  }
});

test('sizes that are not powers of two are rejected; nextPowerOfTwo rounds up', () => {
  assert.throws(() => new RealFft(12), RangeError);
  assert.throws(() => new RealFft(1), RangeError);
  assert.throws(() => new RealFft(8).forward(new Float32Array(4), new Float32Array(5), new Float32Array(5)), RangeError);
  assert.equal(nextPowerOfTwo(1), 1);
  assert.equal(nextPowerOfTwo(15), 16);
  assert.equal(nextPowerOfTwo(16), 16);
  assert.equal(nextPowerOfTwo(575), 1024);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockLms } from './block-lms.js';
import { Random } from '../random.js';

function gaussian(n: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: n }, () => random.gaussian());
}

function convolve(x: Float32Array, h: ArrayLike<number>): Float32Array {
  const y = new Float32Array(x.length);
  for (let n = 0; n < x.length; n++) {
    let sum = 0;
    for (let k = 0; k < h.length && k <= n; k++) sum += h[k] * x[n - k];
    y[n] = sum;
  }
  return y;
}

test('block LMS with μ = 1/30 recovers a 15-tap unit-norm filter from 2000 white samples to ‖w − w₀‖ < 1e-2', () => {
  const w0 = gaussian(15, 1);
  const norm = Math.hypot(...w0);
  for (let i = 0; i < 15; i++) w0[i] /= norm;
  const x = gaussian(2000, 2);
  const d = convolve(x, w0);
  const filter = new BlockLms({ taps: 15, stepSize: 1 / 30 });
  // 15 taps → blocks of 16 (2000 = 125 blocks), FFT 32, the 16th weight held at zero by the constraint.
  assert.equal(filter.blockSize, 16);
  assert.equal(filter.fftSize, 32);
  filter.filter(x, d, new Float32Array(2000), new Float32Array(2000));
  const w = filter.weights();
  const distance = Math.hypot(...Array.from(w, (v, i) => v - w0[i]));
  assert.ok(distance < 1e-2, `‖w − w₀‖ = ${distance}`);
});

test('the FFT implementation equals the time-domain block LMS recursion w ← w + μ·Σ_block e(n)·x(n)', () => {
  // L = 20 with B = 8: N = nextPow2(27) = 32, neither B = L nor a power-of-two L.
  const L = 20;
  const B = 8;
  const mu = 0.01;
  const x = gaussian(B * 50, 3);
  const d = convolve(x, gaussian(L, 4));
  const filter = new BlockLms({ taps: L, stepSize: mu, blockSize: B });
  assert.equal(filter.fftSize, 32);
  const output = new Float32Array(x.length);
  const error = new Float32Array(x.length);
  filter.filter(x, d, output, error);

  const w = new Float64Array(L);
  const gradient = new Float64Array(L);
  for (let start = 0; start < x.length; start += B) {
    gradient.fill(0);
    for (let n = start; n < start + B; n++) {
      let y = 0;
      for (let k = 0; k < L && k <= n; k++) y += w[k] * x[n - k];
      assert.ok(Math.abs(output[n] - y) < 1e-5, `y[${n}] = ${output[n]}, reference ${y}`);
      const e = Math.fround(d[n] - Math.fround(y));
      for (let k = 0; k < L && k <= n; k++) gradient[k] += e * x[n - k];
    }
    for (let k = 0; k < L; k++) w[k] += mu * gradient[k];
  }
  const adapted = filter.weights();
  for (let k = 0; k < L; k++) assert.ok(Math.abs(adapted[k] - w[k]) < 1e-5, `w[${k}] = ${adapted[k]}, reference ${w[k]}`);
});

test('leakage shrinks the weights by (1 − μγ)^B per block when there is nothing to learn', () => {
  const filter = new BlockLms({ taps: 4, stepSize: 0.1, leakage: 0.5, blockSize: 4 });
  filter.setWeights(new Float32Array([1, -1, 0.5, 0]));
  const zeros = new Float32Array(40);
  filter.filter(zeros, zeros, new Float32Array(40), new Float32Array(40));
  const expected = Math.pow(1 - 0.1 * 0.5, 40);
  const w = filter.weights();
  assert.ok(Math.abs(w[0] - expected) < 1e-6 && Math.abs(w[1] + expected) < 1e-6, `w = ${Array.from(w)}`);
});

test('snapshot mid-stream, restore into a fresh filter: the continuation is bit-identical', () => {
  const x = gaussian(64 * 20, 5);
  const d = convolve(x, gaussian(30, 6));
  const original = new BlockLms({ taps: 30, stepSize: 0.005 });
  const out = () => [new Float32Array(64 * 10), new Float32Array(64 * 10)] as const;
  const [y0, e0] = out();
  original.filter(x.subarray(0, 640), d.subarray(0, 640), y0, e0);
  const restored = new BlockLms({ taps: 30, stepSize: 0.5 });
  restored.restore(original.snapshot());
  assert.equal(restored.stepSize, 0.005);
  const [ya, ea] = out();
  const [yb, eb] = out();
  original.filter(x.subarray(640), d.subarray(640), ya, ea);
  restored.filter(x.subarray(640), d.subarray(640), yb, eb);
  assert.deepEqual(yb, ya);
  assert.deepEqual(eb, ea);
  assert.deepEqual(restored.weights(), original.weights());
  assert.throws(() => new BlockLms({ taps: 31, stepSize: 0.1 }).restore(original.snapshot()), /31|values/);
});

test('non-finite samples are counted and treated as 0; lengths must be equal multiples of the block', () => {
  const filter = new BlockLms({ taps: 8, stepSize: 0.01 });
  const x = gaussian(16, 7);
  const d = gaussian(16, 8);
  x[3] = NaN;
  d[5] = -Infinity;
  const y = new Float32Array(16);
  const e = new Float32Array(16);
  filter.filter(x, d, y, e);
  assert.equal(filter.nonFiniteInputs, 2);
  for (const v of [...y, ...e, ...filter.weights()]) assert.ok(Number.isFinite(v));
  assert.throws(() => filter.filter(new Float32Array(12), new Float32Array(12), new Float32Array(12), new Float32Array(12)), /multiple of the block size 8/);
  assert.throws(() => filter.filter(new Float32Array(8), new Float32Array(16), new Float32Array(8), new Float32Array(8)), /equal lengths/);
});

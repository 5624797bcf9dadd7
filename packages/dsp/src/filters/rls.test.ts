import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rls } from './rls.js';
import { Random } from '../random.js';

function unitNormFilter(taps: number, seed: number): Float64Array {
  const random = new Random(seed);
  const w = new Float64Array(taps);
  for (let k = 0; k < taps; k++) w[k] = random.gaussian();
  const norm = Math.hypot(...w);
  for (let k = 0; k < taps; k++) w[k] /= norm;
  return w;
}

/** d(n) = (w0 * x)(n), with x(n) = 0 for n < 0. */
function plantOutput(w0: ArrayLike<number>, input: Float32Array, from = 0, to = input.length, into = new Float32Array(input.length)): Float32Array {
  for (let n = from; n < to; n++) {
    let d = 0;
    for (let k = 0; k < w0.length && k <= n; k++) d += w0[k] * input[n - k];
    into[n] = d;
  }
  return into;
}

function whiteNoise(samples: number, seed: number): Float32Array {
  const random = new Random(seed);
  const x = new Float32Array(samples);
  for (let n = 0; n < samples; n++) x[n] = random.gaussian();
  return x;
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += (a[k] - b[k]) ** 2;
  return Math.sqrt(sum);
}

/** True when the symmetric matrix A (n×n, row-major) has a Cholesky factorisation, i.e. is positive definite. */
function isPositiveDefinite(A: Float64Array, n: number): boolean {
  const G = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let diagonal = A[j * n + j];
    for (let k = 0; k < j; k++) diagonal -= G[j * n + k] ** 2;
    if (!(diagonal > 0)) return false;
    G[j * n + j] = Math.sqrt(diagonal);
    for (let i = j + 1; i < n; i++) {
      let v = A[i * n + j];
      for (let k = 0; k < j; k++) v -= G[i * n + k] * G[j * n + k];
      G[i * n + j] = v / G[j * n + j];
    }
  }
  return true;
}

function isExactlySymmetric(A: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (A[i * n + j] !== A[j * n + i]) return false;
  return true;
}

function run(rls: Rls, input: Float32Array, desired: Float32Array): { output: Float32Array; error: Float32Array } {
  const output = new Float32Array(input.length);
  const error = new Float32Array(input.length);
  rls.filter(input, desired, output, error);
  return { output, error };
}

test('RLS (λ = 1, δ = 2) recovers a 15-tap unit-norm filter from 2000 white samples to ‖w − w0‖ < 1e-2', () => {
  const w0 = unitNormFilter(15, 7);
  const input = whiteNoise(2000, 1);
  const rls = new Rls({ taps: 15, forgettingFactor: 1, initialInverseCorrelation: 2 });
  assert.equal(rls.algorithm, 'rls');
  run(rls, input, plantOutput(w0, input));
  assert.ok(distance(rls.weights(), w0) < 1e-2, `misalignment ${distance(rls.weights(), w0)}`);
  assert.equal(rls.reinitializations, 0);
});

test('RLS with λ = 1 equals the regularised least-squares solution (Σ x·xᵀ + I/δ)⁻¹ Σ x·d', () => {
  const taps = 4;
  const samples = 40;
  const delta = 10;
  const random = new Random(3);
  const input = whiteNoise(samples, 4);
  const desired = new Float32Array(samples).map(() => random.gaussian()); // unrelated to x: a pure LS fit
  const rls = new Rls({ taps, forgettingFactor: 1, initialInverseCorrelation: delta });
  run(rls, input, desired);

  // Normal equations A·w = b with A = Σ x(n)x(n)ᵀ + I/δ, b = Σ x(n)d(n), solved by Gaussian elimination.
  const A = Array.from({ length: taps }, (_, i) => Array.from({ length: taps + 1 }, (_, j) => (i === j ? 1 / delta : 0)));
  for (let n = 0; n < samples; n++) {
    const x = Array.from({ length: taps }, (_, k) => (n - k >= 0 ? input[n - k] : 0));
    for (let i = 0; i < taps; i++) {
      for (let j = 0; j < taps; j++) A[i][j] += x[i] * x[j];
      A[i][taps] += x[i] * desired[n];
    }
  }
  for (let c = 0; c < taps; c++) {
    for (let r = c + 1; r < taps; r++) {
      const f = A[r][c] / A[c][c];
      for (let j = c; j <= taps; j++) A[r][j] -= f * A[c][j];
    }
  }
  const expected = new Array<number>(taps);
  for (let r = taps - 1; r >= 0; r--) {
    let v = A[r][taps];
    for (let j = r + 1; j < taps; j++) v -= A[r][j] * expected[j];
    expected[r] = v / A[r][r];
  }
  // weights() is float32: compare at float32 resolution.
  assert.ok(distance(rls.weights(), expected) < 1e-6, `RLS ${Array.from(rls.weights())} vs LS ${expected}`);
});

test('RLS (λ = 0.9999, 8 taps) stays symmetric positive definite over 2 million samples of input changing by 60 dB', () => {
  const taps = 8;
  const segment = 250_000;
  const levelsDb = [0, -60, -20, -60, 0, -40, -60, 0];
  const samples = segment * levelsDb.length;
  const plants = [unitNormFilter(taps, 100), unitNormFilter(taps, 101)];
  const random = new Random(17);
  // Coloured input, AR(1) with pole 0.9 (eigenvalue spread ≈ 360), so P is far from a multiple of I.
  const input = new Float32Array(samples);
  const noise = new Float32Array(samples);
  let state = 0;
  for (let n = 0; n < samples; n++) {
    const level = 10 ** (levelsDb[Math.floor(n / segment)] / 20);
    state = 0.9 * state + Math.sqrt(1 - 0.81) * random.gaussian();
    input[n] = level * state;
    noise[n] = 1e-3 * level * random.gaussian(); // measurement noise 60 dB below the signal
  }
  // The plant changes halfway, so the filter must also track.
  const desired = new Float32Array(samples);
  plantOutput(plants[0], input, 0, samples / 2, desired);
  plantOutput(plants[1], input, samples / 2, samples, desired);
  for (let n = 0; n < samples; n++) desired[n] += noise[n];

  const rls = new Rls({ taps, forgettingFactor: 0.9999, initialInverseCorrelation: 100 });
  const output = new Float32Array(segment);
  const error = new Float32Array(segment);
  for (let s = 0; s < levelsDb.length; s++) {
    const range = [s * segment, (s + 1) * segment] as const;
    rls.filter(input.subarray(...range), desired.subarray(...range), output, error);
    const P = rls.inverseCorrelation();
    assert.ok(isExactlySymmetric(P, taps), `P not symmetric after segment ${s}`);
    assert.ok(isPositiveDefinite(P, taps), `P not positive definite after segment ${s}`);
    // Over the second half of each segment the error is down near the measurement noise (52–59 dB below d).
    let errorEnergy = 0;
    let desiredEnergy = 0;
    for (let n = segment / 2; n < segment; n++) {
      assert.ok(Number.isFinite(error[n]));
      errorEnergy += error[n] ** 2;
      desiredEnergy += desired[range[0] + n] ** 2;
    }
    const reductionDb = 10 * Math.log10(desiredEnergy / errorEnergy);
    assert.ok(reductionDb > 45, `segment ${s} (${levelsDb[s]} dB): error only ${reductionDb.toFixed(1)} dB below d`);
  }
  assert.ok(distance(rls.weights(), plants[1]) < 1e-2);
  assert.equal(rls.reinitializations, 0, 'the guard must not fire on healthy input');
});

test('covariance wind-up during digital silence reinitialises P instead of overflowing, and RLS recovers', () => {
  const taps = 6;
  const w0 = unitNormFilter(taps, 8);
  const samples = 12000;
  const input = whiteNoise(samples, 9);
  input.fill(0, 2000, 8000); // 6000 samples of silence: P grows by 1/0.99 per sample, ≈ 1e26 without the guard
  const rls = new Rls({ taps, forgettingFactor: 0.99, initialInverseCorrelation: 1 });
  const { error } = run(rls, input, plantOutput(w0, input));
  assert.ok(rls.reinitializations >= 1, 'wind-up should have been caught');
  const P = rls.inverseCorrelation();
  assert.ok(P.every(Number.isFinite) && isPositiveDefinite(P, taps));
  assert.ok(error.every(Number.isFinite));
  assert.ok(distance(rls.weights(), w0) < 1e-4);
});

test('snapshot() mid-stream and restore() into a fresh filter continue bit-identically', () => {
  const w0 = unitNormFilter(10, 21);
  const input = whiteNoise(3001, 22);
  const desired = plantOutput(w0, input);
  const noise = whiteNoise(3001, 23);
  for (let n = 0; n < desired.length; n++) desired[n] += 0.01 * noise[n];
  const options = { taps: 10, forgettingFactor: 0.995, initialInverseCorrelation: 50 };
  const first = new Rls(options);
  run(first, input.subarray(0, 1500), desired.subarray(0, 1500));
  const snapshot = first.snapshot();
  const a = run(first, input.subarray(1500), desired.subarray(1500));

  const second = new Rls(options);
  second.restore(snapshot);
  const b = run(second, input.subarray(1500), desired.subarray(1500));
  assert.deepEqual(b.output, a.output);
  assert.deepEqual(b.error, a.error);
  assert.deepEqual(second.inverseCorrelation(), first.inverseCorrelation());
  assert.throws(() => new Rls({ taps: 11 }).restore(snapshot), /needs 11/);
});

test('non-finite samples are treated as zero and counted; reset() restores P = δI', () => {
  const w0 = unitNormFilter(5, 31);
  // Long enough (λ^6000 ≈ 0.002) for the forgetting factor to wash out the two corrupted samples.
  const input = whiteNoise(6000, 32);
  const desired = plantOutput(w0, input);
  input[10] = NaN;
  desired[20] = -Infinity;
  const rls = new Rls({ taps: 5, forgettingFactor: 0.999, initialInverseCorrelation: 3 });
  run(rls, input, desired);
  assert.equal(rls.nonFiniteInputs, 2);
  assert.ok(distance(rls.weights(), w0) < 1e-4);
  rls.reset();
  const P = rls.inverseCorrelation();
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) assert.equal(P[i * 5 + j], i === j ? 3 : 0);
  assert.deepEqual(rls.weights(), new Float32Array(5));
});

test('constructor rejects bad options with a message naming them', () => {
  assert.throws(() => new Rls({ taps: 0 }), /taps/);
  assert.throws(() => new Rls({ taps: 4, forgettingFactor: 1.01 }), /forgettingFactor/);
  assert.throws(() => new Rls({ taps: 4, forgettingFactor: 0 }), /forgettingFactor/);
  assert.throws(() => new Rls({ taps: 4, initialInverseCorrelation: -1 }), /initialInverseCorrelation/);
  assert.throws(() => new Rls({ taps: 4, initialInverseCorrelation: 10, inverseCorrelationLimit: 5 }), /inverseCorrelationLimit/);
});

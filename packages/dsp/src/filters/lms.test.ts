import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lms, Nlms, lmsStabilityBound } from './lms.js';
import { Random } from '../random.js';

/** White unit-variance input and the output of an FIR plant w0 driven by it (plus optional measurement noise). */
function identificationProblem(w0: Float64Array, samples: number, seed: number, noiseRms = 0): { input: Float32Array; desired: Float32Array } {
  const random = new Random(seed);
  const input = new Float32Array(samples);
  for (let n = 0; n < samples; n++) input[n] = random.gaussian();
  const desired = new Float32Array(samples);
  for (let n = 0; n < samples; n++) {
    let d = 0;
    for (let k = 0; k < w0.length && k <= n; k++) d += w0[k] * input[n - k];
    desired[n] = d + noiseRms * random.gaussian();
  }
  return { input, desired };
}

/** A random filter of unit Euclidean norm. */
function unitNormFilter(taps: number, seed: number): Float64Array {
  const random = new Random(seed);
  const w = new Float64Array(taps);
  for (let k = 0; k < taps; k++) w[k] = random.gaussian();
  const norm = Math.hypot(...w);
  for (let k = 0; k < taps; k++) w[k] /= norm;
  return w;
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += (a[k] - b[k]) ** 2;
  return Math.sqrt(sum);
}

function run(filter: Lms, input: Float32Array, desired: Float32Array): { output: Float32Array; error: Float32Array } {
  const output = new Float32Array(input.length);
  const error = new Float32Array(input.length);
  filter.filter(input, desired, output, error);
  return { output, error };
}

test('lmsStabilityBound is 2/(L·σ²): 0.0625 for 32 taps at unit variance', () => {
  assert.equal(lmsStabilityBound(32, 1), 0.0625);
  assert.equal(lmsStabilityBound(16, 0.01), 12.5);
  assert.throws(() => lmsStabilityBound(0, 1), RangeError);
  assert.throws(() => lmsStabilityBound(8, 0), RangeError);
});

test('NLMS (μ = 0.5) recovers a 15-tap unit-norm filter from 2000 white samples to ‖w − w0‖ < 1e-2', () => {
  const w0 = unitNormFilter(15, 7);
  const { input, desired } = identificationProblem(w0, 2000, 1);
  const nlms = new Nlms({ taps: 15, stepSize: 0.5 });
  assert.equal(nlms.algorithm, 'nlms');
  run(nlms, input, desired);
  assert.ok(distance(nlms.weights(), w0) < 1e-2, `misalignment ${distance(nlms.weights(), w0)}`);
});

test('LMS well inside its stability bound converges to the plant; far outside it diverges', () => {
  const taps = 15;
  const w0 = unitNormFilter(taps, 11);
  const { input, desired } = identificationProblem(w0, 20000, 2);
  const bound = lmsStabilityBound(taps, 1);

  const stable = new Lms({ taps, stepSize: 0.1 * bound });
  assert.equal(stable.algorithm, 'lms');
  run(stable, input, desired);
  assert.ok(distance(stable.weights(), w0) < 1e-3, `misalignment ${distance(stable.weights(), w0)}`);

  const unstable = new Lms({ taps, stepSize: 2 * bound });
  const { error } = run(unstable, input.subarray(0, 2000), desired.subarray(0, 2000));
  const last = error[error.length - 1];
  assert.ok(!(Math.abs(last) < 1e6), `error should have blown up, last error ${last}`);
});

test('leaky LMS converges to (R + γI)⁻¹p, i.e. w0/(1 + γ) for white unit-variance input', () => {
  const taps = 8;
  const leakage = 0.25;
  const w0 = unitNormFilter(taps, 3);
  const { input, desired } = identificationProblem(w0, 60000, 4);
  const lms = new Lms({ taps, stepSize: 0.002, leakage });
  run(lms, input, desired);
  const expected = w0.map((v) => v / (1 + leakage));
  assert.ok(distance(lms.weights(), expected) < 0.02, `distance to w0/(1+γ): ${distance(lms.weights(), expected)}`);
  assert.ok(distance(lms.weights(), w0) > 0.15, 'leakage must shrink the solution');
});

test('NLMS tracks a plant whose gain changes by 40 dB without retuning μ', () => {
  const taps = 12;
  const w0 = unitNormFilter(taps, 5);
  const { input, desired } = identificationProblem(w0, 4000, 6);
  // Scale the second half of input and desired by 100: same plant, 40 dB louder.
  for (let n = 2000; n < 4000; n++) {
    input[n] *= 100;
    desired[n] *= 100;
  }
  const nlms = new Nlms({ taps, stepSize: 0.5 });
  run(nlms, input, desired);
  assert.ok(distance(nlms.weights(), w0) < 1e-3);
});

test('the running ‖x‖² matches the exact sum after a loud passage followed by a quiet one', () => {
  const taps = 64;
  const nlms = new Nlms({ taps, stepSize: 0.1 });
  const random = new Random(9);
  const samples = 3 * Lms.POWER_RECOMPUTE_INTERVAL + 123;
  const input = new Float32Array(samples);
  for (let n = 0; n < samples; n++) input[n] = (n < samples / 2 ? 1 : 1e-4) * random.gaussian();
  run(nlms, input, new Float32Array(samples));
  let exact = 0;
  for (let n = samples - taps; n < samples; n++) exact += input[n] * input[n];
  assert.ok(Math.abs(nlms.inputPower - exact) <= 1e-9 * exact, `running ${nlms.inputPower} vs exact ${exact}`);
});

test('snapshot() mid-stream and restore() into a fresh filter continue bit-identically', () => {
  for (const options of [
    { taps: 15, stepSize: 0.5, normalized: true, leakage: 1e-3 },
    { taps: 15, stepSize: 0.01 },
  ]) {
    const w0 = unitNormFilter(15, 21);
    const { input, desired } = identificationProblem(w0, 3001, 22, 0.01);
    const first = new Lms(options);
    run(first, input.subarray(0, 1234), desired.subarray(0, 1234));
    const snapshot = first.snapshot();
    const a = run(first, input.subarray(1234), desired.subarray(1234));

    const second = new Lms(options);
    second.restore(snapshot);
    const b = run(second, input.subarray(1234), desired.subarray(1234));
    assert.deepEqual(b.output, a.output);
    assert.deepEqual(b.error, a.error);
    assert.deepEqual(second.weights(), first.weights());
    const copied = new Float32Array(15);
    second.copyWeights(copied);
    assert.deepEqual(copied, first.weights());
    assert.equal(second.inputPower, first.inputPower);
  }
});

test('restore() rejects a snapshot of another kind or size and leaves the filter untouched', () => {
  const lms = new Lms({ taps: 8, stepSize: 0.01 });
  const nlms = new Nlms({ taps: 8, stepSize: 0.5 });
  const bigger = new Nlms({ taps: 9, stepSize: 0.5 });
  nlms.setWeights(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
  assert.throws(() => nlms.restore(lms.snapshot()), /expected nlms/);
  assert.throws(() => nlms.restore(bigger.snapshot()), /needs 8/);
  assert.deepEqual(nlms.weights(), Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
});

test('non-finite samples are treated as zero and counted instead of poisoning the weights', () => {
  const w0 = unitNormFilter(6, 31);
  const { input, desired } = identificationProblem(w0, 3000, 32);
  input[100] = NaN;
  desired[200] = Infinity;
  const nlms = new Nlms({ taps: 6, stepSize: 0.5 });
  run(nlms, input, desired);
  assert.equal(nlms.nonFiniteInputs, 2);
  assert.ok(distance(nlms.weights(), w0) < 1e-3);
});

test('reset() returns to the freshly constructed state', () => {
  const { input, desired } = identificationProblem(unitNormFilter(4, 1), 500, 2);
  const lms = new Nlms({ taps: 4, stepSize: 0.5 });
  const fresh = run(lms, input, desired);
  lms.reset();
  const again = run(lms, input, desired);
  assert.deepEqual(again.output, fresh.output);
});

test('constructor and filter() reject bad arguments with a message naming them', () => {
  assert.throws(() => new Lms({ taps: 0, stepSize: 0.1 }), /taps/);
  assert.throws(() => new Lms({ taps: 4, stepSize: -1 }), /stepSize/);
  assert.throws(() => new Lms({ taps: 4, stepSize: 0.1, leakage: NaN }), /leakage/);
  assert.throws(() => new Lms({ taps: 4, stepSize: 0.1, regularization: 0 }), /regularization/);
  const lms = new Lms({ taps: 4, stepSize: 0.1 });
  assert.throws(() => lms.filter(new Float32Array(4), new Float32Array(3), new Float32Array(4), new Float32Array(4)), /equal lengths/);
  assert.throws(() => lms.setWeights(new Float32Array(3)), /4 weights/);
  assert.throws(() => lms.copyWeights(new Float32Array(5)), /target of 4/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  convergenceTimeS,
  noiseReductionDb,
  perSecondNoiseReductionDb,
  steadyStateNrDb,
} from './noise-reduction.js';

/** Deterministic white noise in [−0.5, 0.5) (mulberry32). */
function noise(n: number, seed = 1): Float32Array {
  let a = seed;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  });
}

/** e = gain(i)·d sample by sample. */
const scaled = (d: Float32Array, gain: (i: number) => number) => d.map((v, i) => v * gain(i));

const near = (actual: number, expected: number, tolerance: number, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} is not within ${tolerance} of ${expected}`);

test('noiseReductionDb is 10·log10(Σd²/Σe²): ×0.1 → 20 dB, ×1 → 0 dB, ×2 → −6.02 dB', () => {
  const d = noise(4000);
  near(noiseReductionDb(d, scaled(d, () => 0.1)), 20, 1e-5);
  assert.equal(noiseReductionDb(d, d), 0);
  near(noiseReductionDb(d, scaled(d, () => 2)), -20 * Math.log10(2), 1e-9);
});

test('noiseReductionDb measures only the [start, end) window', () => {
  const d = new Float32Array(1000).fill(0.5);
  const e = scaled(d, (i) => (i < 500 ? 1 : 0.01));
  near(noiseReductionDb(d, e, 500, 1000), 40, 1e-5);
  near(noiseReductionDb(d, e, 0, 500), 0, 1e-12);
  near(noiseReductionDb(d, e), 10 * Math.log10(1000 / (500 + 500 * 1e-4)), 1e-5, 'whole signal');
});

test('noiseReductionDb: silent e is +Infinity, silent d is 0 dB', () => {
  const d = noise(100);
  const silent = new Float32Array(100);
  assert.equal(noiseReductionDb(d, silent), Infinity);
  assert.equal(noiseReductionDb(silent, d), 0);
  assert.equal(noiseReductionDb(silent, silent), 0);
  assert.equal(noiseReductionDb(d, d, 10, 10), 0, 'an empty window has nothing to reduce');
});

test('noiseReductionDb refuses mismatched lengths and windows outside the signal', () => {
  assert.throws(() => noiseReductionDb(new Float32Array(3), new Float32Array(4)), /d has 3 samples but e has 4/);
  assert.throws(() => noiseReductionDb(new Float32Array(3), new Float32Array(3), 2, 5), /window \[2, 5\)/);
  assert.throws(() => noiseReductionDb(new Float32Array(3), new Float32Array(3), 2, 1), /window/);
  assert.throws(() => noiseReductionDb(new Float32Array(3), new Float32Array(3), 0.5), /window/);
});

test('perSecondNoiseReductionDb gives one value per second, in order', () => {
  const fs = 1000;
  const d = noise(3 * fs);
  const gains = [1, 0.1, 0.01];
  const nr = perSecondNoiseReductionDb(d, scaled(d, (i) => gains[Math.floor(i / fs)]), fs);
  assert.equal(nr.length, 3);
  nr.forEach((v, i) => near(v, [0, 20, 40][i], 1e-4, `second ${i}`));
});

test('perSecondNoiseReductionDb keeps a trailing partial second only if it lasts ≥ 0.5 s', () => {
  const fs = 16000;
  for (const [seconds, count] of [[2.5, 3], [2.49, 2], [0.5, 1], [0.4, 0], [3, 3]] as const) {
    const d = noise(Math.round(seconds * fs));
    assert.equal(perSecondNoiseReductionDb(d, d, fs).length, count, `${seconds} s`);
  }
  // A fractional rate puts second i at round(i·fs): at 10.5 Hz, 27 samples → [0,11), [11,21) and a 6-sample tail
  // [21,27) ≥ 5.25; with 26 samples the 5-sample tail would be dropped.
  assert.equal(perSecondNoiseReductionDb(noise(26), noise(26), 10.5).length, 2);
  const d = noise(27);
  const e = scaled(d, (i) => (i >= 21 ? 0.1 : 1));
  assert.deepEqual(perSecondNoiseReductionDb(d, e, 10.5).map((v) => Math.round(v)), [0, 0, 20]);
  assert.throws(() => perSecondNoiseReductionDb(d, e, 0), /sampleRate must be positive/);
});

test('steadyStateNrDb uses the last 5 s, or the second half of a shorter run', () => {
  const fs = 1000;
  const long = noise(20 * fs);
  // Converges at 10 s; the last 5 s are fully converged at 20 dB.
  near(steadyStateNrDb(long, scaled(long, (i) => (i < 10 * fs ? 1 : 0.1)), fs), 20, 1e-4);
  // 6 s run converging at 3 s: the second half (3 s) is all converged; 5 s would have mixed in 2 s of 0 dB.
  const short = noise(6 * fs);
  const e = scaled(short, (i) => (i < 3 * fs ? 1 : 0.1));
  near(steadyStateNrDb(short, e, fs), 20, 1e-4);
  near(steadyStateNrDb(short, e, fs, 1), 20, 1e-4);
  near(steadyStateNrDb(short, e, fs, 2.5), 20, 1e-4);
});

test('convergenceTimeS: end of the first second from which NR stays within 3 dB of steady state', () => {
  // Steady state = median of the last 5 values = 20 dB; target 17 dB, first reached and kept in second 4 → 5 s.
  assert.equal(convergenceTimeS([0, 5, 10, 15, 18, 19.5, 20, 20, 20, 20]), 5);
  // A dip below the target after first reaching it restarts the clock.
  assert.equal(convergenceTimeS([0, 18, 19, 10, 20, 20, 20, 20]), 5);
  // Seconds above steady state count as converged.
  assert.equal(convergenceTimeS([25, 30, 20, 20, 20]), 1);
  assert.equal(convergenceTimeS([20, 20, 20]), 1, 'converged within the first second');
  // Tighter threshold: 19 dB first held from second 5.
  assert.equal(convergenceTimeS([0, 5, 10, 15, 18, 19.5, 20, 20, 20, 20], { thresholdDb: 1 }), 6);
  // An externally measured steady state replaces the median.
  assert.equal(convergenceTimeS([0, 5, 10, 15, 18, 19.5, 20, 20, 20, 20], { steadyStateDb: 13 }), 3);
});

test('convergenceTimeS is null when there is nothing to converge to', () => {
  assert.equal(convergenceTimeS([]), null);
  assert.equal(convergenceTimeS([10, 10, 10, -5, -10, -20]), null, 'diverged: steady state below 0 dB');
  assert.equal(convergenceTimeS([0, 0, 0, 0]), null, 'no reduction at all');
  assert.equal(convergenceTimeS([0, 20, 20, 20, 20, 20, 12]), null, 'last second fell out of the band');
  assert.throws(() => convergenceTimeS([1], { thresholdDb: -1 }), /thresholdDb/);
});

test('an exponentially converging residual (τ = 1 s, 40 dB floor) converges in 5 s at 38 dB', () => {
  // e = d·max(e^(−t/τ), 0.01): NR reaches 37 dB at t = 4.26 s. Second [4, 5) averages 38.0 dB (energy-weighted),
  // second [3, 4) only 29.7 dB, so the per-second measure says 5 s.
  const fs = 1000;
  const d = new Float32Array(12 * fs).fill(0.5);
  const e = scaled(d, (i) => Math.max(Math.exp(-i / fs), 0.01));
  const nr = perSecondNoiseReductionDb(d, e, fs);
  near(nr[3], 29.7, 0.05, 'second 3');
  near(nr[4], 38.0, 0.05, 'second 4');
  near(steadyStateNrDb(d, e, fs), 40, 1e-4);
  assert.equal(convergenceTimeS(nr), 5);
  assert.equal(convergenceTimeS(nr, { steadyStateDb: steadyStateNrDb(d, e, fs) }), 5);
});

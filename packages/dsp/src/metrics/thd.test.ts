import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thdDb, totalHarmonicDistortion } from './thd.js';

/** Σ a·sin(2π·k·f0·t + φ) over the given [k, a, φ] partials. */
function partials(f0: number, sampleRate: number, n: number, ...parts: [k: number, a: number, phase?: number][]) {
  return Float32Array.from({ length: n }, (_, i) =>
    parts.reduce((s, [k, a, phase = 0]) => s + a * Math.sin((2 * Math.PI * k * f0 * i) / sampleRate + phase), 0),
  );
}

const near = (actual: number, expected: number, tolerance: number, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} is not within ${tolerance} of ${expected}`);

test('sin(f) + 0.01·sin(3f) has THD 1 % (−40 dB), on and off the DFT bins', () => {
  for (const [f0, fs] of [[1000, 16000], [997, 16000], [440, 44100], [123.4, 48000]]) {
    const x = partials(f0, fs, fs / 2, [1, 0.8], [3, 0.008, 1.1]);
    near(totalHarmonicDistortion(x, fs, f0), 0.01, 2e-5, `${f0} Hz @ ${fs}`);
    near(thdDb(x, fs, f0), -40, 0.02, `${f0} Hz @ ${fs}`);
  }
});

test('harmonic powers add: 1 % second and 1 % third harmonic give √2 %', () => {
  const x = partials(500, 16000, 8000, [1, 1], [2, 0.01, 0.3], [3, 0.01, 2]);
  near(totalHarmonicDistortion(x, 16000, 500), Math.SQRT2 / 100, 2e-5);
});

test('sin³ = (3·sin θ − sin 3θ)/4 has THD exactly 1/3 (−9.54 dB)', () => {
  const x = partials(1000, 48000, 24000, [1, 1]).map((v) => v ** 3);
  near(totalHarmonicDistortion(x, 48000, 1000), 1 / 3, 1e-5);
  near(thdDb(x, 48000, 1000), 20 * Math.log10(1 / 3), 1e-3);
});

test('only harmonics 2…`harmonics` below Nyquist are counted', () => {
  const sixth = partials(1000, 16000, 8000, [1, 1], [6, 0.05]);
  assert.ok(totalHarmonicDistortion(sixth, 16000, 1000) < 1e-5, 'the 6th harmonic is outside the default 2…5');
  near(totalHarmonicDistortion(sixth, 16000, 1000, 6), 0.05, 2e-5);
  // At 3 kHz and 16 kHz sampling only the 2nd harmonic (6 kHz) lies below Nyquist.
  const high = partials(3000, 16000, 8000, [1, 1], [2, 0.1]);
  near(totalHarmonicDistortion(high, 16000, 3000, 10), 0.1, 1e-4);
});

test('a pure sine measures below −90 dB, independent of its level', () => {
  for (const a of [1, 1e-3]) {
    const x = partials(1000, 16000, 16000, [1, a]);
    assert.ok(thdDb(x, 16000, 1000) < -90, `amplitude ${a}: ${thdDb(x, 16000, 1000)} dB`);
  }
  assert.equal(totalHarmonicDistortion(new Float32Array(100), 16000, 1000), 0, 'silence has no distortion');
  // Without a fundamental only window leakage (~1e−16) is left to divide by.
  assert.ok(totalHarmonicDistortion(partials(1000, 16000, 8000, [2, 0.1]), 16000, 1000) > 1e6, 'no fundamental');
});

test('totalHarmonicDistortion refuses impossible arguments by name', () => {
  const x = new Float32Array(100);
  assert.throws(() => totalHarmonicDistortion(x, 16000, 8000), /fundamentalHz must lie in \(0, 8000\) Hz, got 8000/);
  assert.throws(() => totalHarmonicDistortion(x, 16000, 0), /fundamentalHz/);
  assert.throws(() => totalHarmonicDistortion(x, 0, 100), /sampleRate/);
  assert.throws(() => totalHarmonicDistortion(x, 16000, 100, 1), /harmonics must be an integer ≥ 2, got 1/);
  assert.throws(() => totalHarmonicDistortion(new Float32Array(0), 16000, 100), /empty signal/);
});

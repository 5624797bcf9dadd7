import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '@antiphase/dsp';
import { FeatureExtractor, FEATURE_COUNT, FEATURE_NAMES, WINDOW_FRAMES } from './features.js';
import { generateExample } from './generator/generate.js';

test('the feature vector has one named entry per value and is finite for every class', () => {
  assert.equal(FEATURE_NAMES.length, FEATURE_COUNT);
  assert.equal(new Set(FEATURE_NAMES).size, FEATURE_COUNT);
  const fx = new FeatureExtractor();
  for (const label of ['traffic', 'office', 'alarm', 'siren'] as const) {
    for (const v of fx.extract(generateExample(label, 11).samples)) {
      assert.equal(v.length, FEATURE_COUNT);
      assert.ok(v.every(Number.isFinite), label);
    }
  }
});

test('features are level-normalised: ×5 and ×0.1 gains move no feature by more than 0.05', () => {
  // Exact apart from the −110 dBFS-per-band energy floor: bands that hold only the 16-bit quantisation noise of a
  // quiet recording move when that noise is pushed towards the floor, which is why the gains stay moderate.
  const fx = new FeatureExtractor();
  const raw = generateExample('engine', 5, { minDurationS: 2, maxDurationS: 2 }).samples;
  // At −20 dBFS with a −60 dBFS white floor (a real microphone's self-noise), every band is well above the floor.
  let e = 0;
  for (const v of raw) e += v * v;
  const rng = new Random(1);
  const x = raw.map((v) => (0.1 * v) / Math.sqrt(e / raw.length) + 1e-3 * rng.gaussian());
  const a = fx.extract(x)[0];
  for (const gain of [5, 0.1]) {
    const b = fx.extract(x.map((v) => v * gain))[0];
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst < 0.05, `gain ${gain}: largest change ${worst}`);
  }
});

test('windows: one per short clip, 3 s windows every ≈ 1 s for long clips, the tail covered', () => {
  assert.deepEqual(FeatureExtractor.windows(100), [[0, 100]]);
  const w = FeatureExtractor.windows(311); // 5 s
  assert.equal(w[0][1] - w[0][0], WINDOW_FRAMES);
  assert.equal(w[w.length - 1][1], 311);
  assert.throws(() => new FeatureExtractor().extract(new Float32Array(1000)), RangeError);
});

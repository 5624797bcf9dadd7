import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '@antiphase/dsp';
import { FeatureExtractor, FEATURE_COUNT, FEATURE_NAMES, FEATURE_SAMPLE_RATE, LOW_BIN_HZ, MIN_FRAMES, HOP_SIZE, FRAME_SIZE, WINDOW_FRAMES } from './features.js';
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

// Physics of the low-frequency and co-modulation features: 3 s signals (one window) built from first principles.
const SR = FEATURE_SAMPLE_RATE;
const N3 = 3 * SR;

function feature(v: Float32Array, name: string): number {
  const i = FEATURE_NAMES.indexOf(name);
  assert.ok(i >= 0, `no feature ${name}`);
  return v[i];
}

function whiteNoise(seed: number, length = N3, sigma = 0.05): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length }, () => sigma * rng.gaussian());
}

/** One window's features of a 3 s signal. */
function windowOf(x: Float32Array): Float32Array {
  const all = new FeatureExtractor().extract(x);
  assert.equal(all.length, 1);
  return all[0];
}

test('mains hum: 50 Hz and harmonics in noise give a high mains feature, broadband noise and a 35 Hz tone do not', () => {
  const hum = whiteNoise(1);
  for (let i = 0; i < N3; i++) for (let h = 1; h <= 4; h++) hum[i] += (0.05 / h) * Math.sin((2 * Math.PI * 50 * h * i) / SR);
  const hum60 = whiteNoise(2);
  for (let i = 0; i < N3; i++) for (let h = 1; h <= 3; h++) hum60[i] += (0.03 / h) * Math.sin((2 * Math.PI * 60 * h * i) / SR + h);
  const tone35 = whiteNoise(3);
  for (let i = 0; i < N3; i++) tone35[i] += 0.1 * Math.sin((2 * Math.PI * 35 * i) / SR);
  const noise = windowOf(whiteNoise(4));
  assert.ok(feature(windowOf(hum), 'low.mains') > 2.5, `50 Hz hum: ${feature(windowOf(hum), 'low.mains')}`);
  assert.ok(feature(windowOf(hum60), 'low.mains') > 2.5, `60 Hz hum: ${feature(windowOf(hum60), 'low.mains')}`);
  assert.ok(feature(noise, 'low.mains') < 0.5, `noise: ${feature(noise, 'low.mains')}`);
  // The skirt of a strong 35 Hz tone reaches the 47–55 Hz bins: it is no hum.
  assert.ok(feature(windowOf(tone35), 'low.mains') < 0.5, `35 Hz tone: ${feature(windowOf(tone35), 'low.mains')}`);
  // A harmonic series stands over the band; a lone tone's multiples do not.
  assert.ok(feature(windowOf(hum), 'low.harmonicity') > 1.5, `hum harmonicity ${feature(windowOf(hum), 'low.harmonicity')}`);
  assert.ok(feature(windowOf(tone35), 'low.harmonicity') < 0.5, `tone harmonicity ${feature(windowOf(tone35), 'low.harmonicity')}`);
});

test('a 35 Hz engine order gives a steady low-frequency peak at 35 Hz ± one bin (7.8 Hz); noise gives none', () => {
  const x = whiteNoise(5);
  for (let i = 0; i < N3; i++) x[i] += 0.08 * Math.sin((2 * Math.PI * 35 * i) / SR);
  const v = windowOf(x);
  const hz = 100 * 2 ** feature(v, 'low.tone1.logfreq');
  assert.ok(Math.abs(hz - 35) <= LOW_BIN_HZ, `peak at ${hz} Hz`);
  const noise = windowOf(whiteNoise(6));
  assert.ok(feature(v, 'low.tone1') > feature(noise, 'low.tone1') + 2, `tonality ${feature(v, 'low.tone1')} vs noise ${feature(noise, 'low.tone1')}`);
  // Steadiness: the tone's per-frame peak stays put, noise's wanders over octaves.
  assert.ok(feature(v, 'low.peak.std') < 0.05, `tone peak spread ${feature(v, 'low.peak.std')} octaves`);
  assert.ok(feature(v, 'low.peak.stable') > 0.9);
  assert.ok(feature(noise, 'low.peak.std') > 0.5, `noise peak spread ${feature(noise, 'low.peak.std')} octaves`);
  // The 31.25 Hz bins of the frame FFT put it somewhere in the lowest mel bands; the low analysis resolves 43 Hz.
  const y = whiteNoise(5);
  for (let i = 0; i < N3; i++) y[i] += 0.08 * Math.sin((2 * Math.PI * 43 * i) / SR);
  const hz43 = 100 * 2 ** feature(windowOf(y), 'low.tone1.logfreq');
  assert.ok(Math.abs(hz43 - 43) <= LOW_BIN_HZ && hz43 - hz > LOW_BIN_HZ / 2, `43 Hz tone at ${hz43} Hz (35 Hz at ${hz})`);
});

test('level rise and fall: a pass-by (ramp up then down) rises and falls, a ramp up only rises, steady noise neither', () => {
  const ramp = (shape: (t: number) => number) => {
    const x = whiteNoise(7);
    // 20 dB of level change (amplitude × 10) over the shape's range.
    for (let i = 0; i < N3; i++) x[i] *= 10 ** shape(i / N3);
    return windowOf(x);
  };
  const passBy = ramp((t) => (t < 0.5 ? 2 * t : 2 - 2 * t));
  const up = ramp((t) => t);
  const steady = windowOf(whiteNoise(8));
  assert.ok(feature(passBy, 'low.rise') > 2 && feature(passBy, 'low.fall') > 2, `pass-by rise ${feature(passBy, 'low.rise')} fall ${feature(passBy, 'low.fall')}`);
  assert.ok(Math.abs(feature(passBy, 'low.slope')) < 0.5, `pass-by slope ${feature(passBy, 'low.slope')}`);
  // The last quarter of a ramp averages 1/8 of its range (≈ 0.6) under its top.
  assert.ok(feature(up, 'low.rise') > 3 && feature(up, 'low.fall') < 1, `ramp up rise ${feature(up, 'low.rise')} fall ${feature(up, 'low.fall')}`);
  // 20 dB = ln(100) ≈ 4.6 ln units of power over 3 s.
  assert.ok(Math.abs(feature(up, 'low.slope') - Math.log(100) / 3) < 0.3, `ramp up slope ${feature(up, 'low.slope')} per s`);
  assert.ok(feature(steady, 'low.rise') < 0.5 && feature(steady, 'low.fall') < 0.5, `steady rise ${feature(steady, 'low.rise')} fall ${feature(steady, 'low.fall')}`);
});

test('co-modulation: bands under one envelope correlate, independent bands do not', () => {
  // A pass-by in miniature: broadband noise under one 2 Hz envelope.
  const common = whiteNoise(9);
  for (let i = 0; i < N3; i++) common[i] *= 1 + 0.8 * Math.sin((2 * Math.PI * 2 * i) / SR);
  // Low-passed noise under a 1 Hz envelope plus high-passed noise under an orthogonal 2 Hz one: each half of the
  // spectrum co-modulates within itself, not with the other.
  // The halves are steep: four one-pole low-passes (corner ≈ 570 Hz, −24 dB/octave above) and three first
  // differences (+18 dB/octave): both are ≈ 40 dB down near the 1.9 kHz boundary between mel groups 3 and 4.
  const rngA = new Random(10), rngB = new Random(11);
  const split = new Float32Array(N3);
  const lp = [0, 0, 0, 0];
  const d = [0, 0, 0];
  for (let i = 0; i < N3; i++) {
    let low = rngA.gaussian();
    for (let k = 0; k < 4; k++) low = lp[k] += 0.2 * (low - lp[k]);
    let high = rngB.gaussian();
    for (let k = 0; k < 3; k++) {
      const diff = high - d[k];
      d[k] = high;
      high = diff;
    }
    split[i] = 0.3 * low * (1 + 0.8 * Math.sin((2 * Math.PI * i) / SR)) + 0.005 * high * (1 + 0.8 * Math.sin((4 * Math.PI * i) / SR));
  }
  const a = windowOf(common);
  const b = windowOf(split);
  const c = windowOf(whiteNoise(12));
  assert.ok(feature(a, 'comod.mean') > 0.8, `common envelope: ${feature(a, 'comod.mean')}`);
  assert.ok(feature(a, 'comod.lowHigh') > 0.8, `common envelope low/high: ${feature(a, 'comod.lowHigh')}`);
  for (let g = 0; g < 8; g++) assert.ok(feature(a, `env${g}.comod`) > 0.8, `env${g}.comod ${feature(a, `env${g}.comod`)}`);
  assert.ok(Math.abs(feature(b, 'comod.lowHigh')) < 0.3, `independent halves low/high: ${feature(b, 'comod.lowHigh')}`);
  assert.ok(Math.abs(feature(c, 'comod.mean')) < 0.2, `steady noise: ${feature(c, 'comod.mean')}`);
  assert.ok(Math.abs(feature(c, 'comod.delta.mean')) < 0.2, `steady noise, differences: ${feature(c, 'comod.delta.mean')}`);
});

test('the shortest accepted clip and a 2-frame window give finite low-frequency features', () => {
  const fx = new FeatureExtractor();
  const shortest = whiteNoise(13, FRAME_SIZE + (MIN_FRAMES - 1) * HOP_SIZE);
  for (const v of fx.extract(shortest)) assert.ok(v.every(Number.isFinite));
  const a = fx.analyse(whiteNoise(14, SR));
  assert.ok(fx.summarise(a, 10, 12).every(Number.isFinite));
  // Under 2048 samples there is no low frame: the low features are 0, the rest still computed.
  const tiny = fx.analyse(whiteNoise(15, 1024));
  const v = fx.summarise(tiny, 0, tiny.count);
  assert.ok(v.every(Number.isFinite));
  assert.equal(feature(v, 'low.tone1'), 0);
});

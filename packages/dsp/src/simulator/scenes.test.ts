import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PEAK_LIMIT, SCENE_NAMES, chirp, describeScene, engineFiringFrequency, generateScene, isSceneName } from './scenes.js';

const SAMPLE_RATE = 16000;

/** |Σ h(n)·x(n)·e^(−jωn)|² with a Hann window h, by the Goertzel recurrence. */
function goertzelPower(x: Float32Array, sampleRate: number, frequency: number, from = 0, length = x.length - from): number {
  const omega = (2 * Math.PI * frequency) / sampleRate;
  const coefficient = 2 * Math.cos(omega);
  let s1 = 0;
  let s2 = 0;
  for (let n = 0; n < length; n++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (length - 1));
    const s = hann * x[from + n] + coefficient * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}

/** Goertzel power averaged over consecutive frames (a Welch-style estimate, so noise spectra are smooth). */
function averagePower(x: Float32Array, sampleRate: number, frequency: number, from = 0, length = x.length - from, frame = 1024): number {
  let sum = 0;
  let frames = 0;
  for (let at = from; at + frame <= from + length; at += frame, frames++) sum += goertzelPower(x, sampleRate, frequency, at, frame);
  return sum / frames;
}

const dB = (ratio: number): number => 10 * Math.log10(ratio);

function rmsDb(x: Float32Array, from = 0, length = x.length - from): number {
  let sum = 0;
  for (let n = from; n < from + length; n++) sum += x[n] * x[n];
  return dB(sum / length);
}

/** Frequency of a locally sinusoidal signal around `center`: cos ω = Σ x(n)(x(n−1) + x(n+1)) / (2 Σ x(n)²). */
function instantaneousFrequency(x: Float32Array, sampleRate: number, center: number, halfWidth = 128): number {
  let cross = 0;
  let energy = 0;
  for (let n = center - halfWidth; n < center + halfWidth; n++) {
    cross += x[n] * (x[n - 1] + x[n + 1]);
    energy += x[n] * x[n];
  }
  return (Math.acos(cross / (2 * energy)) * sampleRate) / (2 * Math.PI);
}

test('every scene is finite, at −20 dBFS RMS ± 2 dB, never above the peak limit, at several sample rates', () => {
  for (const sampleRate of [8000, 16000, 48000]) {
    for (const name of SCENE_NAMES) {
      const scene = generateScene(name, { sampleRate, durationS: 3, seed: 4 });
      assert.equal(scene.length, 3 * sampleRate);
      let peak = 0;
      for (const v of scene) {
        assert.ok(Number.isFinite(v), `${name} at ${sampleRate} Hz has a non-finite sample`);
        peak = Math.max(peak, Math.abs(v));
      }
      const level = rmsDb(scene);
      assert.ok(Math.abs(level + 20) <= 2, `${name} at ${sampleRate} Hz: RMS ${level.toFixed(2)} dBFS`);
      assert.ok(peak <= PEAK_LIMIT, `${name} at ${sampleRate} Hz: peak ${peak}`);
    }
  }
});

test('scenes are deterministic for a seed and differ between seeds (chirp has no randomness)', () => {
  for (const name of SCENE_NAMES) {
    const a = generateScene(name, { sampleRate: SAMPLE_RATE, durationS: 0.5, seed: 7 });
    const b = generateScene(name, { sampleRate: SAMPLE_RATE, durationS: 0.5, seed: 7 });
    assert.deepEqual(a, b, name);
    const c = generateScene(name, { sampleRate: SAMPLE_RATE, durationS: 0.5, seed: 8 });
    if (name === 'chirp') assert.deepEqual(a, c);
    else assert.notDeepEqual(a, c, name);
  }
});

test('rmsDbfs sets the level; zero duration gives an empty scene', () => {
  const quiet = generateScene('broadband', { sampleRate: SAMPLE_RATE, durationS: 1, rmsDbfs: -40 });
  assert.ok(Math.abs(rmsDb(quiet) + 40) < 0.01);
  assert.equal(generateScene('engine', { sampleRate: SAMPLE_RATE, durationS: 0 }).length, 0);
});

test("the engine scene's spectrum peaks at the firing-frequency harmonics, falling with order", () => {
  for (const seed of [3, 11]) {
    const fundamental = engineFiringFrequency(seed);
    assert.ok(fundamental >= 30 && fundamental < 60);
    const scene = generateScene('engine', { sampleRate: SAMPLE_RATE, durationS: 2, seed });
    const harmonics: number[] = [];
    for (let order = 1; order <= 8; order++) {
      const atHarmonic = goertzelPower(scene, SAMPLE_RATE, order * fundamental);
      const between = Math.max(
        goertzelPower(scene, SAMPLE_RATE, (order - 0.5) * fundamental),
        goertzelPower(scene, SAMPLE_RATE, (order + 0.5) * fundamental),
      );
      assert.ok(dB(atHarmonic / between) > 20, `seed ${seed} order ${order}: only ${dB(atHarmonic / between).toFixed(1)} dB above its neighbourhood`);
      harmonics.push(atHarmonic);
    }
    assert.ok(dB(harmonics[0] / harmonics[7]) > 10, 'order 8 should be well below the fundamental');
  }
  const fixed = generateScene('engine', { sampleRate: SAMPLE_RATE, durationS: 2, fundamentalHz: 45 });
  assert.ok(dB(goertzelPower(fixed, SAMPLE_RATE, 90) / goertzelPower(fixed, SAMPLE_RATE, 67.5)) > 20);
});

test('chirp() sweeps its instantaneous frequency linearly from f0 to f1', () => {
  const f0 = 100;
  const f1 = 1600;
  const sweep = chirp(SAMPLE_RATE, 1, f0, f1);
  assert.equal(sweep.length, SAMPLE_RATE);
  for (const t of [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]) {
    const expected = f0 + (f1 - f0) * t;
    const measured = instantaneousFrequency(sweep, SAMPLE_RATE, Math.round(t * SAMPLE_RATE));
    assert.ok(Math.abs(measured / expected - 1) < 0.01, `at ${t} s: ${measured.toFixed(1)} Hz, expected ${expected} Hz`);
  }
  const downward = chirp(SAMPLE_RATE, 0.5, 1000, 200, { amplitude: 0.5 });
  assert.ok(Math.abs(instantaneousFrequency(downward, SAMPLE_RATE, 4000) - 600) < 6);
  assert.ok(Math.max(...downward) <= 0.5);
});

test('the chirp scene sweeps 20 → 1600 Hz and restarts every 0.25 s without a phase jump', () => {
  const scene = generateScene('chirp', { sampleRate: SAMPLE_RATE, durationS: 1 });
  for (const t of [0.125, 0.375, 0.625, 0.2, 0.45]) {
    const expected = 20 + (1600 - 20) * ((t % 0.25) / 0.25);
    const measured = instantaneousFrequency(scene, SAMPLE_RATE, Math.round(t * SAMPLE_RATE));
    assert.ok(Math.abs(measured / expected - 1) < 0.01, `at ${t} s: ${measured.toFixed(1)} Hz, expected ${expected.toFixed(1)} Hz`);
  }
  // Across the restart the step between samples stays below that of the fastest part of the sweep.
  const restart = 0.25 * SAMPLE_RATE;
  const amplitude = Math.max(...scene);
  const largestStep = amplitude * 2 * Math.sin((Math.PI * 1600) / SAMPLE_RATE);
  for (let n = restart - 4; n < restart + 4; n++) assert.ok(Math.abs(scene[n + 1] - scene[n]) <= largestStep * 1.001);
});

test('broadband is flat from 100 Hz to 0.45·fs; bandlimited keeps 200–1000 Hz and rejects outside', () => {
  const broadband = generateScene('broadband', { sampleRate: SAMPLE_RATE, durationS: 4 });
  const flat = [300, 1000, 3000, 6000].map((f) => averagePower(broadband, SAMPLE_RATE, f));
  assert.ok(dB(Math.max(...flat) / Math.min(...flat)) < 3, `broadband ripple ${dB(Math.max(...flat) / Math.min(...flat)).toFixed(1)} dB`);
  assert.ok(dB(flat[1] / averagePower(broadband, SAMPLE_RATE, 25)) > 15, 'broadband must be high-passed at 100 Hz');

  const band = generateScene('bandlimited', { sampleRate: SAMPLE_RATE, durationS: 4 });
  const inBand = averagePower(band, SAMPLE_RATE, 450);
  assert.ok(dB(inBand / averagePower(band, SAMPLE_RATE, 60)) > 30);
  assert.ok(dB(inBand / averagePower(band, SAMPLE_RATE, 3500)) > 30);
});

test('nonstationary changes level by several dB and tilts its spectrum over seconds', () => {
  const scene = generateScene('nonstationary', { sampleRate: SAMPLE_RATE, durationS: 12, seed: 2 });
  const second = SAMPLE_RATE;
  const levels: number[] = [];
  const tilts: number[] = [];
  for (let s = 0; s < 12; s++) {
    levels.push(rmsDb(scene, s * second, second));
    tilts.push(dB(averagePower(scene, SAMPLE_RATE, 200, s * second, second) / averagePower(scene, SAMPLE_RATE, 3000, s * second, second)));
  }
  const range = (v: number[]): number => Math.max(...v) - Math.min(...v);
  assert.ok(range(levels) > 4, `level range ${range(levels).toFixed(1)} dB`);
  assert.ok(range(tilts) > 10, `tilt range ${range(tilts).toFixed(1)} dB`);
  // Slowly: neighbouring seconds differ much less than the full swing.
  for (let s = 1; s < 12; s++) assert.ok(Math.abs(levels[s] - levels[s - 1]) < 4);
});

test('impulsive has short bursts far above its background; broadband has none', () => {
  const burstiness = (x: Float32Array): number => {
    const window = SAMPLE_RATE / 100; // 10 ms
    const levels: number[] = [];
    for (let at = 0; at + window <= x.length; at += window) levels.push(rmsDb(x, at, window));
    levels.sort((a, b) => a - b);
    return levels[levels.length - 1] - levels[Math.floor(levels.length / 2)];
  };
  const impulsive = generateScene('impulsive', { sampleRate: SAMPLE_RATE, durationS: 4, seed: 1 });
  const broadband = generateScene('broadband', { sampleRate: SAMPLE_RATE, durationS: 4, seed: 1 });
  assert.ok(burstiness(impulsive) > 8, `impulsive bursts only ${burstiness(impulsive).toFixed(1)} dB above the median`);
  assert.ok(burstiness(broadband) < 3);
});

test('describeScene() has a line for every scene; bad names and options are rejected', () => {
  for (const name of SCENE_NAMES) {
    assert.ok(isSceneName(name));
    assert.match(describeScene(name), /\S/);
    assert.ok(!describeScene(name).includes('\n'));
  }
  assert.ok(!isSceneName('jet'));
  assert.throws(() => generateScene('jet' as never, { sampleRate: SAMPLE_RATE, durationS: 1 }), /scenes are engine, broadband/);
  assert.throws(() => generateScene('broadband', { sampleRate: 0, durationS: 1 }), /sampleRate/);
  assert.throws(() => generateScene('broadband', { sampleRate: SAMPLE_RATE, durationS: -1 }), /durationS/);
  assert.throws(() => chirp(SAMPLE_RATE, 1, 100, 9000), /f1/);
});

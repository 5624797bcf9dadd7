import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resample, StreamResampler } from './resample.js';
import { readWav } from './wav.js';

const TRAFFIC = fileURLToPath(new URL('../../../../../shared/data/noise-real/Traffic.wav', import.meta.url));
const noData = existsSync(TRAFFIC) ? false : `shared data not found at ${TRAFFIC}`;

/** Edge samples skipped by every measurement: the zero-padded ends of the kernel are not steady state. */
const EDGE = 400;

function sines(sampleRate: number, n: number, ...components: [hz: number, amplitude: number][]): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (const [f, a] of components) x[i] += a * Math.sin((2 * Math.PI * f * i) / sampleRate);
  }
  return x;
}

/**
 * Least-squares fit of a·sin + b·cos at exactly `hz` over the steady part of y. Returns the fitted amplitude and the
 * residual (harmonics, aliases, images and noise: THD+N) relative to the fitted sine, in dB.
 */
function fitSine(y: Float32Array, hz: number, sampleRate: number): { amplitude: number; thdPlusNDb: number } {
  let ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  const w = (2 * Math.PI * hz) / sampleRate;
  for (let i = EDGE; i < y.length - EDGE; i++) {
    const s = Math.sin(w * i), c = Math.cos(w * i);
    ss += s * s; cc += c * c; sc += s * c; ys += y[i] * s; yc += y[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  let residual = 0, power = 0;
  for (let i = EDGE; i < y.length - EDGE; i++) {
    const m = a * Math.sin(w * i) + b * Math.cos(w * i);
    residual += (y[i] - m) ** 2;
    power += m * m;
  }
  return { amplitude: Math.hypot(a, b), thdPlusNDb: 10 * Math.log10(residual / power) };
}

/** RMS of the steady part relative to a full-scale sine (0 dB = amplitude 1). */
function levelDb(y: Float32Array): number {
  let sum = 0;
  for (let i = EDGE; i < y.length - EDGE; i++) sum += y[i] * y[i];
  return 10 * Math.log10(sum / (y.length - 2 * EDGE) / 0.5);
}

test('a 1 kHz sine resampled 44.1 kHz → 16 kHz stays a clean 1 kHz sine (THD+N < −90 dB)', () => {
  const y = resample(sines(44100, 44100, [1000, 0.5]), 44100, 16000);
  assert.equal(y.length, 16000);
  const { amplitude, thdPlusNDb } = fitSine(y, 1000, 16000);
  assert.ok(Math.abs(amplitude - 0.5) < 1e-4, `amplitude ${amplitude}`);
  assert.ok(thdPlusNDb < -90, `THD+N ${thdPlusNDb.toFixed(1)} dB`);
  // At the wrong rate the same samples would not fit a 1 kHz sine at all.
  assert.ok(fitSine(y, 1000 * (44100 / 48000), 16000).thdPlusNDb > -10);
});

for (const [from, to] of [[48000, 16000], [22050, 16000], [16000, 48000], [16000, 44100], [44100, 48000], [8000, 16000]]) {
  test(`a 1 kHz sine survives ${from} → ${to} Hz with images and aliases below −90 dB`, () => {
    const y = resample(sines(from, from / 2, [1000, 0.9]), from, to);
    assert.equal(y.length, to / 2);
    const { amplitude, thdPlusNDb } = fitSine(y, 1000, to);
    assert.ok(Math.abs(amplitude - 0.9) < 1e-4, `amplitude ${amplitude}`);
    assert.ok(thdPlusNDb < -90, `THD+N ${thdPlusNDb.toFixed(1)} dB`);
  });
}

test('rates that share no useful common divisor use the interpolated table at the same quality', () => {
  for (const [from, to] of [[44100, 44101], [16000, 22050.5], [47999.9, 16000]]) {
    const y = resample(sines(from, Math.round(from / 2), [1000, 0.5]), from, to);
    assert.equal(y.length, Math.round((Math.round(from / 2) * to) / from));
    const { amplitude, thdPlusNDb } = fitSine(y, 1000, to);
    assert.ok(Math.abs(amplitude - 0.5) < 1e-4, `${from}→${to} amplitude ${amplitude}`);
    assert.ok(thdPlusNDb < -90, `${from}→${to} THD+N ${thdPlusNDb.toFixed(1)} dB`);
  }
});

test('content above the new Nyquist is attenuated by at least 80 dB when downsampling', () => {
  for (const from of [44100, 48000, 22050]) {
    for (const f of [8100, 8500, 9000, 10000, 12000, 20000]) {
      if (f >= from / 2) continue;
      const y = resample(sines(from, from / 2, [f, 1]), from, 16000);
      const db = levelDb(y);
      assert.ok(db < -80, `${f} Hz at ${from} → 16000: ${db.toFixed(1)} dB`);
    }
  }
});

test('the pass band is flat to 0.01 dB up to 0.9 of the lower Nyquist', () => {
  for (const f of [50, 1000, 4000, 7200]) {
    const down = fitSine(resample(sines(44100, 22050, [f, 1]), 44100, 16000), f, 16000);
    const up = fitSine(resample(sines(16000, 8000, [f, 1]), 16000, 48000), f, 48000);
    for (const { amplitude } of [down, up]) assert.ok(Math.abs(20 * Math.log10(amplitude)) < 0.01, `${f} Hz: ${amplitude}`);
  }
});

test('16 kHz → 48 kHz → 16 kHz returns band-limited audio sample for sample (no delay, < −80 dB error)', () => {
  const x = sines(16000, 8000, [123, 0.3], [1500, 0.2], [5000, 0.1], [6900, 0.1]);
  const y = resample(resample(x, 16000, 48000), 48000, 16000);
  assert.equal(y.length, x.length);
  let err = 0, sig = 0;
  for (let i = EDGE; i < x.length - EDGE; i++) {
    err += (y[i] - x[i]) ** 2;
    sig += x[i] ** 2;
  }
  assert.ok(10 * Math.log10(err / sig) < -80, `round-trip error ${(10 * Math.log10(err / sig)).toFixed(1)} dB`);
});

test('output length is round(n·to/from); equal rates return a copy', () => {
  assert.equal(resample(new Float32Array(581862), 44100, 16000).length, 211106);
  assert.equal(resample(new Float32Array(1), 16000, 48000).length, 3);
  assert.equal(resample(new Float32Array(0), 44100, 16000).length, 0);
  assert.equal(resample(new Float32Array(5), 48000, 16000).length, 2);
  const x = Float32Array.of(1, 2, 3);
  const y = resample(x, 16000, 16000);
  assert.notEqual(y, x);
  assert.deepEqual(y, x);
});

test('DC passes with unit gain', () => {
  const y = resample(new Float32Array(4000).fill(0.5), 48000, 16000);
  for (let i = 200; i < y.length - 200; i++) assert.ok(Math.abs(y[i] - 0.5) < 1e-4, `y[${i}] = ${y[i]}`);
});

test('non-positive or non-finite rates and bad options are refused by name', () => {
  const x = new Float32Array(10);
  assert.throws(() => resample(x, 0, 16000), /fromRate must be a positive finite number of Hz, got 0/);
  assert.throws(() => resample(x, 44100, -16000), /toRate .* got -16000/);
  assert.throws(() => resample(x, NaN, 16000), /fromRate .* got NaN/);
  assert.throws(() => resample(x, 44100, Infinity), /toRate .* got Infinity/);
  assert.throws(() => resample(x, 44100, 16000, { passband: 1 }), /passband must be in \(0, 1\)/);
  assert.throws(() => resample(x, 44100, 16000, { attenuationDb: 10 }), /attenuationDb/);
});

test('real traffic noise 44.1 kHz → 16 kHz keeps its level (its energy lies below 1 kHz)', { skip: noData }, () => {
  const [x] = readWav(readFileSync(TRAFFIC)).channels;
  const y = resample(x, 44100, 16000);
  assert.equal(y.length, 211106);
  const meanSquare = (s: Float32Array) => s.reduce((acc, v) => acc + v * v, 0) / s.length;
  const changeDb = 10 * Math.log10(meanSquare(y) / meanSquare(x));
  assert.ok(Math.abs(changeDb) < 0.1, `level change ${changeDb.toFixed(3)} dB`);
});

test('StreamResampler fed in uneven chunks emits exactly the offline resample, lagging by half its kernel', () => {
  for (const [from, to] of [[48000, 16000], [16000, 48000], [44100, 16000], [48000, 48000 / 2]] as const) {
    const input = sines(from, from / 2, [440, 0.5], [3000, 0.2]);
    const offline = resample(input, from, to, { passband: 0.8, attenuationDb: 70 });
    const stream = new StreamResampler(from, to, 1000, { passband: 0.8, attenuationDb: 70 });
    const out = new Float32Array(offline.length + 10);
    let written = 0;
    const scratch = new Float32Array(stream.maxOutput(1000));
    for (let at = 0, k = 0; at < input.length; k++) {
      const n = Math.min(input.length - at, [1, 480, 997, 160, 1000][k % 5]);
      const got = stream.process(input.subarray(at, at + n), scratch);
      out.set(scratch.subarray(0, got), written);
      written += got;
      at += n;
    }
    // Everything but the last outputs, which wait for inputs that never come.
    const expected = offline.length - Math.ceil((stream.latencyInputSamples * to) / from) - 1;
    assert.ok(written >= expected && written <= offline.length, `${from} → ${to}: ${written} outputs of ${offline.length}`);
    let worst = 0;
    for (let i = 0; i < written; i++) worst = Math.max(worst, Math.abs(out[i] - offline[i]));
    assert.ok(worst < 1e-5, `${from} → ${to}: largest difference from the offline resampler ${worst}`);
  }
  assert.throws(() => new StreamResampler(48000, 16001, 480), /reduced ratio/);
  assert.throws(() => new StreamResampler(48000, 16000, 480, { passband: 1.5 }), /passband must be in \(0, 1\)/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { octaveBandAttenuation, octaveBandAttenuationFromSpectra, octaveBands } from './octave-bands.js';
import { RealFft } from '../fft.js';

const sine = (hz: number, amplitude: number, sampleRate: number, n: number) =>
  Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate));

/** Deterministic white noise, uniform in [−0.5, 0.5) (mulberry32). */
function noise(n: number, seed = 7): Float32Array {
  let a = seed;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  });
}

const near = (actual: number, expected: number, tolerance: number, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} is not within ${tolerance} of ${expected}`);

test('bands are the ISO 266 octaves whose upper edge lies below Nyquist', () => {
  assert.deepEqual(octaveBands(16000).map((b) => b.centerHz), [31.5, 63, 125, 250, 500, 1000, 2000, 4000]);
  assert.deepEqual(octaveBands(44100).map((b) => b.centerHz), [31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000]);
  assert.deepEqual(octaveBands(48000).map((b) => b.centerHz), [31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000]);
  const k = octaveBands(48000).find((b) => b.centerHz === 1000)!;
  near(k.lowerHz, 707.946, 1e-3);
  near(k.upperHz, 1412.538, 1e-3);
});

test('a 1 kHz sine attenuated by 20 dB reads 20 dB in the 1 kHz band at its full level', () => {
  for (const fs of [16000, 44100, 48000]) {
    const d = sine(1000, 1, fs, fs);
    const bands = octaveBandAttenuation(d, d.map((v) => 0.1 * v), fs);
    const band = bands.find((b) => b.centerHz === 1000)!;
    near(band.attenuationDb, 20, 1e-3, `${fs} Hz`);
    near(band.levelBeforeDb, -3.0103, 0.01, `${fs} Hz level before`);
    near(band.levelAfterDb, -23.0103, 0.01, `${fs} Hz level after`);
    // One octave away a 3rd-order Butterworth rejects the sine by ≥ 17 dB (IEC 61260 class 1 asks ≥ 17.5 at ±1 oct).
    for (const neighbour of bands.filter((b) => b.centerHz === 500 || b.centerHz === 2000)) {
      assert.ok(neighbour.levelBeforeDb < band.levelBeforeDb - 17, `${neighbour.centerHz} Hz band: ${neighbour.levelBeforeDb}`);
    }
  }
});

test('two tones cancelled by different amounts are told apart by band', () => {
  const fs = 16000;
  const low = sine(125, 0.5, fs, 2 * fs);
  const high = sine(4000, 0.5, fs, 2 * fs);
  const d = low.map((v, i) => v + high[i]);
  const e = low.map((v, i) => 0.5 * v + 0.01 * high[i]);
  const bands = Object.fromEntries(octaveBandAttenuation(d, e, fs).map((b) => [b.centerHz, b.attenuationDb]));
  near(bands[125], 20 * Math.log10(2), 0.05, '125 Hz band');
  near(bands[4000], 40, 0.05, '4 kHz band');
});

test('white noise fills each band in proportion to its bandwidth', () => {
  // Uniform noise in [−0.5, 0.5) has variance 1/12 spread evenly to Nyquist; a 3rd-order Butterworth band-pass passes
  // its bandwidth × (π/6)/sin(π/6) = 1.047 (its noise bandwidth).
  const fs = 48000;
  const x = noise(4 * fs);
  for (const band of octaveBandAttenuation(x, x, fs)) {
    assert.equal(band.attenuationDb, 0);
    if (band.centerHz < 125 || band.centerHz > 8000) continue; // too few degrees of freedom / warped near Nyquist
    const expected = 10 * Math.log10(((1 / 12) * (band.upperHz - band.lowerHz) * (Math.PI / 6 / Math.sin(Math.PI / 6))) / (fs / 2));
    near(band.levelBeforeDb, expected, 0.4, `${band.centerHz} Hz band`);
  }
});

test('silent bands follow the NR conventions; lengths and rates are checked', () => {
  const fs = 16000;
  const d = sine(1000, 1, fs, fs);
  const bands = octaveBandAttenuation(d, new Float32Array(fs), fs);
  assert.equal(bands.find((b) => b.centerHz === 1000)!.attenuationDb, Infinity);
  assert.equal(bands.find((b) => b.centerHz === 1000)!.levelAfterDb, -Infinity);
  const silent = octaveBandAttenuation(new Float32Array(fs), new Float32Array(fs), fs);
  assert.ok(silent.every((b) => b.attenuationDb === 0 && b.levelBeforeDb === -Infinity));
  assert.throws(() => octaveBandAttenuation(d, new Float32Array(3), fs), /d has 16000 samples but e has 3/);
  assert.throws(() => octaveBandAttenuation(d, d, -1), /sampleRate/);
});

/** One-sided spectrum of x whose bins sum to its mean square (a rectangular-window periodogram). */
function powerSpectrum(x: Float32Array): Float64Array {
  const n = x.length;
  const fft = new RealFft(n);
  const re = new Float64Array(n / 2 + 1);
  const im = new Float64Array(n / 2 + 1);
  fft.forward(x, re, im);
  return Float64Array.from(re, (r, k) => ((k === 0 || k === n / 2 ? 1 : 2) * (r * r + im[k] * im[k])) / (n * n));
}

test('band levels from power spectra match the band filters run on the signals', () => {
  const fs = 16000;
  const n = 65536;
  const x = noise(n, 3);
  // Tones on bins (200 and 2868: 48.8 and 700.2 Hz), so that the periodogram does not smear them.
  const tone = (bin: number, i: number) => Math.sin((2 * Math.PI * bin * i) / n);
  const tones = Float32Array.from(x, (v, i) => 0.01 * v + 0.5 * tone(200, i) + 0.2 * tone(2868, i));
  const filtered = octaveBandAttenuation(tones, x, fs);
  const spectral = octaveBandAttenuationFromSpectra(powerSpectrum(tones), powerSpectrum(x), fs);
  assert.deepEqual(spectral.map((b) => b.centerHz), filtered.map((b) => b.centerHz));
  for (let i = 0; i < filtered.length; i++) {
    near(spectral[i].levelBeforeDb, filtered[i].levelBeforeDb, 0.3, `${filtered[i].centerHz} Hz band, tones`);
    near(spectral[i].levelAfterDb, filtered[i].levelAfterDb, 0.3, `${filtered[i].centerHz} Hz band, noise`);
    near(spectral[i].attenuationDb, filtered[i].attenuationDb, 0.5, `${filtered[i].centerHz} Hz band attenuation`);
  }
  assert.throws(() => octaveBandAttenuationFromSpectra([1, 2, 3], [1, 2], fs), /before has 3 bins but after has 2/);
  assert.throws(() => octaveBandAttenuationFromSpectra([1], [1], fs), /at least 2 bins/);
});

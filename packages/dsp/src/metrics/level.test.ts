import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmsDbfs, signalToNoiseRatioDb } from './level.js';

const sine = (hz: number, amplitude: number, sampleRate: number, n: number) =>
  Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate));

const near = (actual: number, expected: number, tolerance: number) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

test('rmsDbfs: full-scale square 0 dBFS, full-scale sine −3.01 dBFS, −20 dB per factor of ten', () => {
  assert.equal(rmsDbfs(Float32Array.from({ length: 100 }, (_, i) => (i % 2 ? 1 : -1))), 0);
  near(rmsDbfs(sine(1000, 1, 16000, 16000)), -10 * Math.log10(2), 1e-5);
  near(rmsDbfs(sine(1000, 0.1, 16000, 16000)), -20 - 10 * Math.log10(2), 1e-5);
  near(rmsDbfs(new Float32Array(10).fill(0.5)), -6.0206, 1e-4);
});

test('rmsDbfs of silence or an empty signal is −Infinity', () => {
  assert.equal(rmsDbfs(new Float32Array(10)), -Infinity);
  assert.equal(rmsDbfs(new Float32Array(0)), -Infinity);
});

test('signalToNoiseRatioDb: an added component 40 dB down reads 40 dB', () => {
  const clean = sine(1000, 1, 16000, 16000);
  const interference = sine(3000, 0.01, 16000, 16000);
  near(signalToNoiseRatioDb(clean, clean.map((v, i) => v + interference[i])), 40, 1e-3);
  // A pure gain error is noise too: 0.9·clean leaves a residual 20 dB down.
  near(signalToNoiseRatioDb(clean, clean.map((v) => 0.9 * v)), 20, 1e-3);
});

test('signalToNoiseRatioDb: identical signals +Infinity, silent reference −Infinity, lengths must match', () => {
  const clean = sine(440, 0.5, 8000, 800);
  assert.equal(signalToNoiseRatioDb(clean, clean.slice()), Infinity);
  assert.equal(signalToNoiseRatioDb(new Float32Array(800), clean), -Infinity);
  assert.throws(() => signalToNoiseRatioDb(clean, new Float32Array(10)), /clean has 800 samples but processed has 10/);
});

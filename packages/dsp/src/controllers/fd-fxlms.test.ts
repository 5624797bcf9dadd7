import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FdafCore } from '../filters/fdaf-core.js';
import { FrequencyDomainFxlms, MAX_DEFAULT_BLOCK_SIZE } from './fd-fxlms.js';
import {
  SAMPLE_RATE,
  delayedEstimate,
  loadMeasuredPaths,
  measuredPathsMissing,
  noiseReductionDb,
  runMeasuredLoop,
  whiteNoise,
} from './measured-paths.case.js';
import { engineLoopNrDb, runDelayedSecondaryPathCases } from './fd-delay.case.js';

const skip = measuredPathsMissing;

test('fdfxlms, 512 taps, B = 64, cancels white noise on the measured paths by ≥ 20 dB (last 2 s of 10 s)', { skip }, () => {
  const paths = loadMeasuredPaths();
  const controller = new FrequencyDomainFxlms({ taps: 512, blockSize: 64, stepSize: 0.1, secondaryPathEstimate: delayedEstimate(paths.secondary, 64) });
  // N covers max(L, |Ŝ|) + B − 1 = 575 samples.
  assert.equal(controller.fftSize, 1024);
  const run = runMeasuredLoop(controller, whiteNoise(10 * SAMPLE_RATE, 21), paths);
  const nr = noiseReductionDb(run, 8 * SAMPLE_RATE);
  assert.ok(nr >= 20, `NR ${nr.toFixed(1)} dB`);
  assert.equal(controller.health.divergences, 0);
});

test('a block larger than the causality margin cannot cancel broadband noise (the block delay is part of S)', { skip }, () => {
  // SFANC pair: 128 samples of acoustic lead. B = 256 puts Ŝ's delay at 256 + 127.5 > 255.5: physics says no.
  const paths = loadMeasuredPaths();
  const controller = new FrequencyDomainFxlms({ taps: 256, blockSize: 256, stepSize: 0.1, secondaryPathEstimate: delayedEstimate(paths.secondary, 256) });
  const run = runMeasuredLoop(controller, whiteNoise(3 * SAMPLE_RATE, 22), paths);
  const nr = noiseReductionDb(run, 2 * SAMPLE_RATE);
  assert.ok(nr < 3, `NR ${nr.toFixed(1)} dB`);
});

test('with a preset and zero error the output is the exact linear convolution, for a block that is not a power of two', () => {
  const taps = 100;
  const controller = new FrequencyDomainFxlms({ taps, blockSize: 48, secondaryPathEstimate: new Float32Array([0.5, 0.5]) });
  assert.equal(controller.fftSize, 256);
  const w = whiteNoise(taps, 31, 0.2);
  controller.setWeights(w);
  assert.deepEqual(controller.weights(), w);
  const x = whiteNoise(48 * 6, 32);
  const y = new Float32Array(x.length);
  controller.process(x, new Float32Array(x.length), y);
  for (let n = 0; n < x.length; n++) {
    let expected = 0;
    for (let k = 0; k < taps && k <= n; k++) expected += w[k] * x[n - k];
    assert.ok(Math.abs(y[n] - expected) < 1e-5, `y[${n}] = ${y[n]}, expected ${expected}`);
  }
});

test('the block size defaults to the filter length, capped', () => {
  const estimate = new Float32Array([1]);
  assert.equal(MAX_DEFAULT_BLOCK_SIZE, 64);
  assert.equal(new FrequencyDomainFxlms({ taps: 48, secondaryPathEstimate: estimate }).blockSize, 48);
  assert.equal(new FrequencyDomainFxlms({ taps: 300, secondaryPathEstimate: estimate }).blockSize, 64);
  assert.equal(new FrequencyDomainFxlms({ taps: 4096, secondaryPathEstimate: estimate }).blockSize, 64);
  const controller = new FrequencyDomainFxlms({ taps: 64, secondaryPathEstimate: estimate });
  assert.equal(controller.algorithm, 'fdfxlms');
  assert.equal(controller.kernel, 'scalar');
  assert.throws(() => controller.process(new Float32Array(65), new Float32Array(65), new Float32Array(65)), /length 65 is not a multiple of blockSize 64/);
});

test('a huge step size never emits NaN/Inf or |y| > outputLimit, and the guard counts divergences', () => {
  const controller = new FrequencyDomainFxlms({ taps: 64, blockSize: 16, stepSize: 1e4, outputLimit: 1, secondaryPathEstimate: delayedEstimate([0, 0.6, 0.3], 16) });
  const x = whiteNoise(SAMPLE_RATE / 2, 33);
  x[100] = NaN;
  const y = new Float32Array(x.length);
  const e = new Float32Array(x.length);
  for (let start = 0; start < x.length; start += 16) {
    for (let i = start; i < start + 16; i++) e[i] = (Number.isFinite(x[i]) ? x[i] : 0) + (i >= 17 ? 0.6 * y[i - 17] : 0);
    controller.process(x.subarray(start, start + 16), e.subarray(start, start + 16), y.subarray(start, start + 16));
  }
  for (const v of y) assert.ok(Number.isFinite(v) && Math.abs(v) <= 1, `output ${v}`);
  assert.ok(controller.health.divergences > 0);
  assert.equal(controller.health.nonFiniteInputs, 1);
});

test('snapshot mid-stream, restore into a fresh controller: the continuation is bit-identical', () => {
  const options = { taps: 96, blockSize: 24, stepSize: 0.2, leakage: 1e-4, secondaryPathEstimate: delayedEstimate([0, 0.6, 0.3, -0.1], 24) };
  const original = new FrequencyDomainFxlms(options);
  const x = whiteNoise(24 * 200, 34);
  const e = whiteNoise(24 * 200, 35, 0.05);
  const y = new Float32Array(x.length);
  const half = 24 * 100;
  original.process(x.subarray(0, half), e.subarray(0, half), y.subarray(0, half));
  const restored = new FrequencyDomainFxlms(options);
  restored.restore(original.snapshot());
  const a = new Float32Array(x.length - half);
  const b = new Float32Array(x.length - half);
  original.process(x.subarray(half), e.subarray(half), a);
  for (let start = half; start < x.length; start += 24) {
    restored.process(x.subarray(start, start + 24), e.subarray(start, start + 24), b.subarray(start - half, start - half + 24));
  }
  assert.deepEqual(b, a);
  assert.deepEqual(restored.weights(), original.weights());
  assert.throws(() => new FrequencyDomainFxlms({ ...options, taps: 97 }).restore(original.snapshot()), /needs 97/);
});

runDelayedSecondaryPathCases('fdfxlms', (options) => new FrequencyDomainFxlms(options));

test('fdfxlms: a long filter on a short block (N ≫ 2B) with tonal input does not drift off, for B = 128 and 256 too', () => {
  for (const blockSize of [128, 256]) {
    const run = engineLoopNrDb((estimate, b) => new FrequencyDomainFxlms({ taps: 1024, blockSize: b, secondaryPathEstimate: estimate }), 40, blockSize);
    const steady = Math.min(...run.perSecond.slice(-2));
    assert.ok(steady >= 30, `B = ${blockSize}: NR per second ${run.perSecond.map((v) => v.toFixed(1)).join(' ')} dB`);
    assert.equal(run.divergences, 0);
  }
});

test('fdfxlms: the normaliser is averaged over about N/B bins, and not at all for the classic N = 2B', () => {
  const core = (taps: number, blockSize: number) => new FdafCore({ taps, blockSize, normalized: true, kernel: new Float32Array([1]) });
  assert.equal(core(64, 64).normalizerHalfWidth, 0);
  assert.equal(core(1024, 64).normalizerHalfWidth, 16);
  assert.equal(core(1024, 256).normalizerHalfWidth, 4);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionedBlockFxlms } from './pb-fxlms.js';
import { FrequencyDomainFxlms } from './fd-fxlms.js';
import {
  SAMPLE_RATE,
  delayedEstimate,
  loadMeasuredPaths,
  measuredPathsMissing,
  noiseReductionDb,
  runMeasuredLoop,
  whiteNoise,
} from './measured-paths.case.js';
import { runDelayedSecondaryPathCases } from './fd-delay.case.js';

const skip = measuredPathsMissing;

test('pbfxlms, 1024 taps, B = 64, cancels white noise on the measured paths by ≥ 20 dB (last 2 s of 10 s)', { skip }, () => {
  const paths = loadMeasuredPaths();
  const controller = new PartitionedBlockFxlms({ taps: 1024, blockSize: 64, stepSize: 0.1, secondaryPathEstimate: delayedEstimate(paths.secondary, 64) });
  assert.equal(controller.partitions, 16);
  const run = runMeasuredLoop(controller, whiteNoise(10 * SAMPLE_RATE, 11), paths);
  const nr = noiseReductionDb(run, 8 * SAMPLE_RATE);
  assert.ok(nr >= 20, `NR ${nr.toFixed(1)} dB`);
  assert.equal(controller.health.divergences, 0);
  assert.equal(controller.health.samples, 10 * SAMPLE_RATE);
});

test('every gradient-constraint schedule (round-robin, AUMDF, all) converges alike on the measured paths', { skip }, () => {
  const paths = loadMeasuredPaths();
  const x = whiteNoise(4 * SAMPLE_RATE, 12);
  const results = (['round-robin', 'aumdf', 'all'] as const).map((constraint) => {
    const controller = new PartitionedBlockFxlms({ taps: 512, blockSize: 64, stepSize: 0.2, constraint, secondaryPathEstimate: delayedEstimate(paths.secondary, 64) });
    return noiseReductionDb(runMeasuredLoop(controller, x, paths), 3 * SAMPLE_RATE);
  });
  for (const nr of results) assert.ok(nr >= 20, `NR ${results.map((v) => v.toFixed(1)).join(' / ')} dB`);
  assert.ok(Math.max(...results) - Math.min(...results) < 3, `schedules differ: ${results.map((v) => v.toFixed(1)).join(' / ')} dB`);
});

test('pbfxlms and fdfxlms with one partition (taps = B) compute the same filter', () => {
  // With P = 1 both are the fully constrained FDAF with the same window and the same normalisation.
  const estimate = new Float32Array([0, 0, 0, 0, 0.8, -0.3, 0.1]);
  const options = { taps: 32, blockSize: 32, stepSize: 0.3, secondaryPathEstimate: estimate };
  const partitioned = new PartitionedBlockFxlms(options);
  const single = new FrequencyDomainFxlms(options);
  const x = whiteNoise(32 * 40, 3);
  const e = whiteNoise(32 * 40, 4, 0.05);
  const yP = new Float32Array(x.length);
  const yS = new Float32Array(x.length);
  partitioned.process(x, e, yP);
  single.process(x, e, yS);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(yP[i] - yS[i]));
  assert.ok(worst < 1e-5, `outputs differ by ${worst}`);
});

test('a huge step size never emits NaN/Inf or |y| > outputLimit, and the guard counts divergences', () => {
  const estimate = delayedEstimate([0, 0.6, 0.3, -0.1], 16);
  const controller = new PartitionedBlockFxlms({ taps: 128, blockSize: 16, stepSize: 1e4, outputLimit: 1, secondaryPathEstimate: estimate });
  const x = whiteNoise(SAMPLE_RATE, 5);
  x[333] = NaN;
  x[777] = Infinity;
  // A crude loop: the error is the reference itself plus the controller's own output (played one block late).
  const y = new Float32Array(x.length);
  const e = new Float32Array(x.length);
  for (let start = 0; start < x.length; start += 16) {
    for (let i = start; i < start + 16; i++) e[i] = (Number.isFinite(x[i]) ? x[i] : 0) + (i >= 17 ? 0.6 * y[i - 17] : 0);
    controller.process(x.subarray(start, start + 16), e.subarray(start, start + 16), y.subarray(start, start + 16));
  }
  for (const v of y) assert.ok(Number.isFinite(v) && Math.abs(v) <= 1, `output ${v}`);
  assert.ok(controller.health.divergences > 0);
  assert.equal(controller.health.nonFiniteInputs, 2);
  assert.ok(controller.stepSize < 1e4, 'the guard halves the step size');
  for (const w of controller.weights()) assert.ok(Number.isFinite(w));
});

test('snapshot mid-stream, restore into a fresh controller: the continuation is bit-identical', () => {
  const estimate = delayedEstimate([0, 0.6, 0.3, -0.1], 32);
  const options = { taps: 200, blockSize: 32, stepSize: 0.2, leakage: 1e-4, secondaryPathEstimate: estimate };
  const original = new PartitionedBlockFxlms(options);
  const x = whiteNoise(32 * 300, 6);
  const e = whiteNoise(32 * 300, 7, 0.05);
  const y = new Float32Array(x.length);
  const half = 32 * 150;
  original.process(x.subarray(0, half), e.subarray(0, half), y.subarray(0, half));
  const restored = new PartitionedBlockFxlms(options);
  restored.restore(original.snapshot());
  const a = new Float32Array(x.length - half);
  const b = new Float32Array(x.length - half);
  for (let start = half; start < x.length; start += 64) {
    original.process(x.subarray(start, start + 64), e.subarray(start, start + 64), a.subarray(start - half, start - half + 64));
    restored.process(x.subarray(start, start + 64), e.subarray(start, start + 64), b.subarray(start - half, start - half + 64));
  }
  assert.deepEqual(b, a);
  assert.deepEqual(restored.weights(), original.weights());
  assert.deepEqual(restored.health, original.health);
});

test('process() lengths that are not a multiple of blockSize throw a RangeError naming both', () => {
  const controller = new PartitionedBlockFxlms({ taps: 256, secondaryPathEstimate: new Float32Array([0, 1]) });
  assert.equal(controller.blockSize, 128);
  assert.equal(controller.kernel, 'scalar');
  assert.equal(controller.algorithm, 'pbfxlms');
  assert.throws(() => controller.process(new Float32Array(100), new Float32Array(100), new Float32Array(100)), /length 100 is not a multiple of blockSize 128/);
  assert.throws(() => new PartitionedBlockFxlms({ taps: 256, blockSize: 48, secondaryPathEstimate: new Float32Array([1]) }), /power of two/);
  assert.throws(() => controller.setSecondaryPathEstimate(new Float32Array(3)), /length 2/);
});

test('setWeights() / weights() round-trip the time-domain filter, and the preset is what the output applies', () => {
  const controller = new PartitionedBlockFxlms({ taps: 100, blockSize: 32, secondaryPathEstimate: new Float32Array([1]) });
  const w = whiteNoise(100, 8, 0.2);
  controller.setWeights(w);
  const back = controller.weights();
  for (let i = 0; i < 100; i++) assert.ok(Math.abs(back[i] - w[i]) < 1e-7);
  const x = whiteNoise(320, 9);
  const y = new Float32Array(320);
  controller.process(x, new Float32Array(320), y); // zero error: nothing to adapt
  for (let n = 0; n < 320; n++) {
    let expected = 0;
    for (let k = 0; k < 100 && k <= n; k++) expected += w[k] * x[n - k];
    assert.ok(Math.abs(y[n] - expected) < 1e-5, `y[${n}] = ${y[n]}, expected ${expected}`);
  }
});

runDelayedSecondaryPathCases('pbfxlms', (options) => new PartitionedBlockFxlms(options));

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
import { simulate } from '../simulator/simulate.js';
import { Random } from '../random.js';
import { readWav, writeWav } from '../io/wav.js';
import { resample } from '../io/resample.js';
import { sharedDataMissing, sharedNoise, sharedPath } from '../../../../test/support/shared-data.js';

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
  const options = { taps: 32, blockSize: 32, stepSize: 0.3, secondaryPathEstimate: estimate, referenceRegularization: 0 };
  const partitioned = new PartitionedBlockFxlms({ ...options, kernel: 'scalar' });
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

for (const kernel of ['scalar', 'wasm-simd'] as const) {
  test(`${kernel}: snapshot mid-stream, restore into a fresh controller: the continuation is bit-identical`, () => {
    const estimate = delayedEstimate([0, 0.6, 0.3, -0.1], 32);
    const options = { taps: 200, blockSize: 32, stepSize: 0.2, leakage: 1e-4, secondaryPathEstimate: estimate, kernel };
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
}

test('process() lengths that are not a multiple of blockSize throw a RangeError naming both', () => {
  const controller = new PartitionedBlockFxlms({ taps: 256, secondaryPathEstimate: new Float32Array([0, 1]) });
  assert.equal(controller.blockSize, 64);
  assert.equal(controller.kernel, 'wasm-simd');
  assert.equal(controller.algorithm, 'pbfxlms');
  assert.throws(() => controller.process(new Float32Array(100), new Float32Array(100), new Float32Array(100)), /length 100 is not a multiple of blockSize 64/);
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

runDelayedSecondaryPathCases('pbfxlms/scalar', (options) => new PartitionedBlockFxlms({ ...options, kernel: 'scalar' }));
runDelayedSecondaryPathCases('pbfxlms/wasm-simd', (options) => new PartitionedBlockFxlms({ ...options, kernel: 'wasm-simd' }), { filteredReferenceTolerance: 1e-5 });

// Regression: with the default settings the drill's strong sub-100 Hz energy, where the SFANC S has no gain (−60 dB),
// got normalised steps of μ/δ: W grew in those bins (the output spent its level where the error cannot hear it) until
// the tails of the round-robin constraint folded it into the whole band and the guard fired in the last second
// (20, 21 then −15 dB). The per-bin reference-power term of the normaliser (referenceRegularization) bounds that step.
for (const kernel of ['scalar', 'wasm-simd'] as const) {
  test(`pbfxlms/${kernel} does not diverge on a handheld drill through the SFANC paths (default settings, 1024 taps, B = 64)`, { skip: sharedDataMissing }, () => {
    const result = simulate({
      noise: sharedNoise('extra/Handheld_drill.wav', 16000),
      sampleRate: 16000,
      primaryPath: sharedPath('primary.json').taps,
      secondaryPath: sharedPath('secondary.json').taps,
      algorithm: 'pbfxlms',
      controller: { taps: 1024, kernel },
    });
    const nr = result.perSecondNrDb.map((v) => v.toFixed(1)).join(' ');
    assert.equal(result.blockSize, 64);
    assert.equal(result.controller.kernel, kernel);
    assert.equal(result.controller.health.divergences, 0, `NR per second ${nr} dB`);
    assert.ok(Math.min(...result.perSecondNrDb.slice(2)) >= 15, `NR per second ${nr} dB`);
  });
}

/**
 * Low-frequency noise as a user's recording brings it: made at 44.1 kHz, stored as a 16-bit WAV, resampled to the
 * paths' 16 kHz. 'rumble': a random boom below ~15 Hz with engine orders at 33 and 66 Hz and a faint broadband part;
 * 'cabin': road roar falling 12 dB/octave above 80 Hz, an engine order drifting around 45 Hz, a little hiss.
 */
function lowFrequencyNoise(kind: 'rumble' | 'cabin', seconds: number): Float32Array {
  const rate = 44100;
  const random = new Random(7);
  const raw = new Float32Array(seconds * rate);
  const pole = (hz: number) => 1 - Math.exp((-2 * Math.PI * hz) / rate);
  const [low, high] = kind === 'rumble' ? [pole(14), 1] : [pole(80), pole(2000)];
  let stage1 = 0;
  let stage2 = 0;
  let hiss = 0;
  let phase = 0;
  let peak = 0;
  for (let n = 0; n < raw.length; n++) {
    const t = n / rate;
    const white = random.next() - 0.5;
    stage1 += low * (white - stage1);
    stage2 += low * (stage1 - stage2);
    hiss += high * (white - hiss);
    if (kind === 'rumble') {
      raw[n] = 60 * stage2 + 0.05 * Math.sin(2 * Math.PI * 33 * t) + 0.03 * Math.sin(2 * Math.PI * 66 * t + 1) + 0.002 * hiss;
    } else {
      phase += (2 * Math.PI * (45 + 8 * Math.sin((2 * Math.PI * t) / 17))) / rate;
      raw[n] = 3 * stage2 + 0.08 * Math.sin(phase) + 0.03 * Math.sin(2 * phase + 0.5) + 0.004 * hiss;
    }
    peak = Math.max(peak, Math.abs(raw[n]));
  }
  for (let n = 0; n < raw.length; n++) raw[n] *= 0.5 / peak;
  const stored = readWav(writeWav({ sampleRate: rate, channels: [raw] }, { format: 'pcm16' }));
  return resample(stored.channels[0], rate, SAMPLE_RATE);
}

// Regression: nearly all of this noise lies below 100 Hz, where the SFANC paths pass nothing (−60 dB); d is only its
// faint broadband part. With the former reference-power weights (pbfxlms 0.01, fdfxlms 0) W grew in the bins Ŝ
// cannot drive until the output, near full scale, leaked back through S: e rose up to 24 dB (pbfxlms, cabin) and
// 38 dB (fdfxlms, rumble) above d.
for (const [algorithm, taps] of [['pbfxlms', 1024], ['fdfxlms', 512]] as const) {
  test(`frequency-domain controllers do not blow up on low-frequency rumble the SFANC paths block: ${algorithm}, ${taps} taps, default settings`, { skip: sharedDataMissing }, () => {
    for (const kind of ['rumble', 'cabin'] as const) {
      const result = simulate({
        noise: lowFrequencyNoise(kind, 16),
        sampleRate: SAMPLE_RATE,
        primaryPath: sharedPath('primary.json').taps,
        secondaryPath: sharedPath('secondary.json').taps,
        algorithm,
        controller: { taps },
      });
      const nr = `${kind}: NR per second ${result.perSecondNrDb.map((v) => v.toFixed(1)).join(' ')} dB`;
      assert.ok(Math.min(...result.perSecondNrDb) > 0, `never louder than without control; ${nr}`);
      assert.ok(result.steadyStateNrDb >= 15, nr);
      assert.equal(result.controller.health.divergences, 0, nr);
    }
  });
}

test('the WASM SIMD partitioned kernel matches the float64 reference within float tolerance, for every constraint schedule', () => {
  const estimate = delayedEstimate([0, 0.6, 0.3, -0.1, 0.05], 40);
  for (const constraint of ['round-robin', 'aumdf', 'all'] as const) {
    const runs = (['scalar', 'wasm-simd'] as const).map((kernel) => {
      const controller = new PartitionedBlockFxlms({ taps: 300, blockSize: 32, stepSize: 0.2, leakage: 1e-4, constraint, secondaryPathEstimate: estimate, kernel });
      assert.equal(controller.kernel, kernel);
      const x = whiteNoise(32 * 400, 13);
      const e = whiteNoise(32 * 400, 14, 0.05);
      const y = new Float32Array(x.length);
      controller.process(x, e, y);
      return { y, w: controller.weights() };
    });
    let difference = 0;
    let energy = 0;
    for (let i = 0; i < runs[0].y.length; i++) {
      difference += (runs[0].y[i] - runs[1].y[i]) ** 2;
      energy += runs[0].y[i] ** 2;
    }
    const relativeDb = 10 * Math.log10(difference / energy);
    assert.ok(relativeDb < -80, `${constraint}: kernels differ by ${relativeDb.toFixed(1)} dB relative to the output`);
  }
});

test('a snapshot of one kernel restores bit-identically into the same kernel and is refused by the other', () => {
  const estimate = delayedEstimate([0, 0.6, 0.3, -0.1], 32);
  const options = { taps: 200, blockSize: 32, stepSize: 0.2, secondaryPathEstimate: estimate, kernel: 'wasm-simd' as const };
  const original = new PartitionedBlockFxlms(options);
  const x = whiteNoise(32 * 200, 15);
  const e = whiteNoise(32 * 200, 16, 0.05);
  const half = 32 * 100;
  original.process(x.subarray(0, half), e.subarray(0, half), new Float32Array(half));
  const restored = new PartitionedBlockFxlms(options);
  restored.restore(original.snapshot());
  const a = new Float32Array(half);
  const b = new Float32Array(half);
  original.process(x.subarray(half), e.subarray(half), a);
  restored.process(x.subarray(half), e.subarray(half), b);
  assert.deepEqual(b, a);
  assert.deepEqual(restored.weights(), original.weights());
  const scalar = new PartitionedBlockFxlms({ ...options, kernel: 'scalar' });
  assert.throws(() => scalar.restore(original.snapshot()), /snapshot field/);
});

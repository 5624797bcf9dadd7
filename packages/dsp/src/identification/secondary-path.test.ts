import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createController } from '../controllers/index.js';
import { broadbandNoise, nrDb, runLoop, testPaths } from '../controllers/controller.case.js';
import { AcousticPlant } from '../simulator/plant.js';
import { identifySecondaryPathOffline, OnlineSecondaryPathModel } from './secondary-path.js';

function misalignmentDb(estimate: Float32Array, truth: Float32Array): number {
  let error = 0;
  let energy = 0;
  for (let i = 0; i < Math.max(estimate.length, truth.length); i++) {
    error += ((estimate[i] ?? 0) - (truth[i] ?? 0)) ** 2;
    energy += (truth[i] ?? 0) ** 2;
  }
  return 10 * Math.log10(error / energy);
}

test('offline identification recovers S with its block and loop delays to better than −40 dB misalignment', () => {
  const { secondary } = testPaths();
  const blockSize = 8;
  const loopLatency = 5;
  const plant = new AcousticPlant({ primaryPath: [1], secondaryPath: secondary, loopLatency });
  const { estimate } = identifySecondaryPathOffline(plant, { taps: 32, sampleRate: 16000, blockSize, durationS: 2 });
  const truth = new Float32Array(32);
  truth.set(secondary, blockSize + loopLatency);
  const m = misalignmentDb(estimate, truth);
  assert.ok(m < -40, `misalignment ${m.toFixed(1)} dB`);
});

test('offline identification still converges with ambient noise louder than the probe (−10 dB misalignment or better)', () => {
  const { primary, secondary } = testPaths();
  const plant = new AcousticPlant({ primaryPath: primary, secondaryPath: secondary });
  const { estimate } = identifySecondaryPathOffline(plant, {
    taps: 16, sampleRate: 16000, blockSize: 1, durationS: 3, ambientNoise: broadbandNoise(16000, 9),
  });
  const truth = new Float32Array(16);
  truth.set(secondary, 1);
  const m = misalignmentDb(estimate, truth);
  assert.ok(m < -10, `misalignment ${m.toFixed(1)} dB`);
});

test('online modelling with auxiliary noise repairs a Ŝ with the wrong sign and the controller then cancels', () => {
  const { secondary } = testPaths();
  const wrong = new Float32Array(secondary.length + 1);
  for (let i = 0; i < secondary.length; i++) wrong[i + 1] = -secondary[i]; // 180° phase error: FxLMS would diverge
  const inner = createController('fxnlms', { taps: 64, stepSize: 0.05, secondaryPathEstimate: wrong });
  const controller = new OnlineSecondaryPathModel(inner, { initialEstimate: wrong, stepSize: 0.05, auxiliaryNoiseLevel: 0.01 });
  const run = runLoop(controller, broadbandNoise(16000 * 6, 10), 1);
  const truth = new Float32Array(secondary.length + 1);
  truth.set(secondary, 1);
  const m = misalignmentDb(controller.secondaryPathEstimate(), truth);
  assert.ok(m < -15, `Ŝ misalignment after 6 s: ${m.toFixed(1)} dB`);
  const nr = nrDb(run, 16000 * 5);
  assert.ok(nr >= 10, `NR over the last second ${nr.toFixed(1)} dB (auxiliary noise included)`);
});

test('online modelling snapshots the controller, the model and the noise generator together', () => {
  const { secondary } = testPaths();
  const estimate = new Float32Array(secondary.length + 1);
  estimate.set(secondary, 1);
  const make = () =>
    new OnlineSecondaryPathModel(createController('fxnlms', { taps: 32, secondaryPathEstimate: estimate }), { initialEstimate: estimate });
  const a = make();
  runLoop(a, broadbandNoise(4000, 11), 1);
  const b = make();
  b.restore(a.snapshot());
  const x = broadbandNoise(256, 12);
  const e = broadbandNoise(256, 13);
  const ya = new Float32Array(256);
  const yb = new Float32Array(256);
  a.process(x, e, ya);
  b.process(x, e, yb);
  assert.deepEqual(yb, ya);
});

test('identification leaves the loop latency in place: the delay Ŝ measured is the delay control then runs with', () => {
  // Regression: the probe flush used to starve the playback queue, which shortened the latency after Ŝ was measured.
  const { secondary } = testPaths();
  const blockSize = 64;
  const loopLatency = 40;
  const plant = new AcousticPlant({ primaryPath: [1], secondaryPath: secondary, loopLatency });
  const first = identifySecondaryPathOffline(plant, { taps: 128, sampleRate: 16000, blockSize, durationS: 1 });
  const again = identifySecondaryPathOffline(plant, { taps: 128, sampleRate: 16000, blockSize, durationS: 1 });
  assert.equal(plant.underrunSamples, 0);
  assert.ok(misalignmentDb(again.estimate, first.estimate) < -40, 'a second identification on the same plant finds the same Ŝ');
});

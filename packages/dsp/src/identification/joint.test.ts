import { test } from 'node:test';
import assert from 'node:assert/strict';
import { broadbandNoise, testPaths } from '../controllers/controller.case.js';
import { convolve } from '../fir.js';
import { Random } from '../random.js';
import { JointIdentifier } from './joint.js';

/** e = S*v + P*x with the noise x 14 dB louder than the probe v, as while a session identifies Ŝ. */
function loudRoom(samples: number): { probe: Float32Array; reference: Float32Array; error: Float32Array; secondary: Float32Array } {
  const { primary, secondary } = testPaths();
  const random = new Random(5);
  const probe = Float32Array.from({ length: samples }, () => 0.02 * random.gaussian());
  const reference = broadbandNoise(samples, 9);
  const viaS = convolve(probe, secondary);
  const viaP = convolve(reference, primary);
  const error = Float32Array.from({ length: samples }, (_, n) => viaS[n] + viaP[n]);
  return { probe, reference, error, secondary };
}

function run(identifier: JointIdentifier, room: ReturnType<typeof loudRoom>, frame: number): Float32Array {
  const residual = new Float32Array(room.error.length);
  for (let at = 0; at < room.error.length; at += frame) {
    const end = Math.min(at + frame, room.error.length);
    identifier.filter(room.probe.subarray(at, end), room.reference.subarray(at, end), room.error.subarray(at, end), residual.subarray(at, end));
  }
  return residual;
}

function misalignmentDb(estimate: Float32Array, truth: Float32Array): number {
  let error = 0;
  let energy = 0;
  for (let i = 0; i < estimate.length; i++) {
    error += (estimate[i] - (truth[i] ?? 0)) ** 2;
    energy += (truth[i] ?? 0) ** 2;
  }
  return 10 * Math.log10(error / energy);
}

test('joint identification recovers S to −30 dB misalignment under noise 14 dB louder than the probe, on both kernels', () => {
  const room = loudRoom(32000);
  const estimates = (['wasm-simd', 'scalar'] as const).map((kernel) => {
    const identifier = new JointIdentifier({ probeTaps: 30, referenceTaps: 64, stepSize: 0.2, kernel });
    if (kernel === 'wasm-simd') assert.equal(identifier.kernel, 'wasm-simd', 'Node 20 runs WASM SIMD');
    run(identifier, room, 160);
    const estimate = identifier.estimate();
    const m = misalignmentDb(estimate, room.secondary);
    assert.ok(m < -30, `${kernel}: misalignment ${m.toFixed(1)} dB`);
    return estimate;
  });
  // The kernels differ only in float rounding (f32 lanes vs doubles).
  for (let k = 0; k < estimates[0].length; k++) assert.ok(Math.abs(estimates[0][k] - estimates[1][k]) < 1e-4, `tap ${k}`);
});

test('joint identifier snapshot restores and continues bit-identically; a wrong shape is refused untouched', () => {
  const room = loudRoom(8000);
  const first = new JointIdentifier({ probeTaps: 30, referenceTaps: 64, stepSize: 0.2 });
  const half = { probe: room.probe.subarray(0, 4000), reference: room.reference.subarray(0, 4000), error: room.error.subarray(0, 4000), secondary: room.secondary };
  const rest = { probe: room.probe.subarray(4000), reference: room.reference.subarray(4000), error: room.error.subarray(4000), secondary: room.secondary };
  run(first, half, 100);
  const snapshot = first.snapshot();
  const copy = new JointIdentifier({ probeTaps: 30, referenceTaps: 64, stepSize: 1, kernel: 'wasm-simd' });
  copy.restore(snapshot);
  assert.equal(copy.stepSize, 0.2);
  assert.deepEqual(run(copy, rest, 100), run(first, rest, 100));
  assert.deepEqual(copy.estimate(), first.estimate());

  const other = new JointIdentifier({ probeTaps: 31, referenceTaps: 64, stepSize: 0.2 });
  const before = other.snapshot();
  assert.throws(() => other.restore(snapshot), /30 \+ 64-tap identifier/);
  assert.deepEqual(other.snapshot(), before);
});

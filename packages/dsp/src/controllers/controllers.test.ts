import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createController } from './index.js';
import { broadbandNoise, delayedEstimate, runControllerCases, runLoop, testPaths } from './controller.case.js';
import { fxlmsWasmModule } from '../kernels/wasm.js';

for (const kernel of ['scalar', 'wasm-simd'] as const) {
  runControllerCases({ name: `fxnlms/${kernel}`, create: (o) => createController('fxnlms', { ...o, kernel }), taps: 64, blockSize: 1, minimumNrDb: 25, seconds: 3, stepSize: 0.2 });
  runControllerCases({ name: `fxlms/${kernel}`, create: (o) => createController('fxlms', { ...o, kernel }), taps: 64, blockSize: 8, minimumNrDb: 20, seconds: 3, stepSize: 0.3 });
}
runControllerCases({ name: 'fxrls', create: (o) => createController('fxrls', o), taps: 48, blockSize: 4, minimumNrDb: 25, seconds: 1 });
runControllerCases({ name: 'fdfxlms', create: (o) => createController('fdfxlms', o), taps: 64, blockSize: 16, minimumNrDb: 20, seconds: 3 });
runControllerCases({ name: 'pbfxlms', create: (o) => createController('pbfxlms', o), taps: 128, blockSize: 16, minimumNrDb: 20, seconds: 3 });

test('the WASM SIMD kernel is available on Node 20 and matches the scalar reference within float tolerance', () => {
  assert.ok(fxlmsWasmModule(), 'WASM SIMD must compile on Node 20');
  const { secondary } = testPaths();
  const noise = broadbandNoise(16000, 7);
  const runs = (['scalar', 'wasm-simd'] as const).map((kernel) => {
    const controller = createController('fxnlms', { taps: 100, stepSize: 0.2, secondaryPathEstimate: delayedEstimate(secondary, 1), kernel });
    assert.equal(controller.kernel, kernel);
    return runLoop(controller, noise, 1);
  });
  let difference = 0;
  let energy = 0;
  for (let i = 0; i < noise.length; i++) {
    difference += (runs[0].antiNoise[i] - runs[1].antiNoise[i]) ** 2;
    energy += runs[0].antiNoise[i] ** 2;
  }
  const relativeDb = 10 * Math.log10(difference / energy);
  assert.ok(relativeDb < -60, `kernels differ by ${relativeDb.toFixed(1)} dB relative to the output`);
});

test('createController names the known algorithms when asked for an unknown one', () => {
  assert.throws(() => createController('fxmagic', { taps: 8, secondaryPathEstimate: new Float32Array(4) }), /unknown algorithm "fxmagic"; known: fxlms, fxnlms/);
});

test('controllers reject bad options with errors that name the option', () => {
  const secondaryPathEstimate = new Float32Array([0, 1]);
  assert.throws(() => createController('fxnlms', { taps: 0, secondaryPathEstimate }), /taps must be/);
  assert.throws(() => createController('fxnlms', { taps: 8, secondaryPathEstimate: new Float32Array([NaN]) }), /tap 0 is not finite/);
  assert.throws(() => createController('fxnlms', { taps: 8, secondaryPathEstimate, stepSize: -1 }), /stepSize must be/);
  assert.throws(() => createController('fxrls', { taps: 8, secondaryPathEstimate, forgettingFactor: 1.5 }), /forgettingFactor/);
});

test("x' skips ŝ's leading zeros (a playout delay) without changing a single output sample, in both kernels", () => {
  const { secondary } = testPaths();
  const noise = broadbandNoise(8000, 11);
  const estimate = delayedEstimate(secondary, 2 * 160 + 3); // two frames of playout delay, 3 samples, S's own delay
  const zeros = estimate.findIndex((tap) => tap !== 0);
  for (const kernel of ['scalar', 'wasm-simd'] as const) {
    const runs = [true, false].map((skip) => {
      const controller = createController('fxnlms', { taps: 128, stepSize: 0.2, secondaryPathEstimate: estimate, kernel });
      // White box: scalar slot 9 (Scalar.SecondaryPathStart) is where the skip is decided; 0 walks the whole of ŝ.
      const scalars = (controller as unknown as { scalars: Float64Array }).scalars;
      assert.equal(scalars[9], zeros - (zeros % 4));
      if (!skip) scalars[9] = 0;
      return runLoop(controller, noise, 160).antiNoise;
    });
    assert.deepEqual(runs[0], runs[1], kernel);
    assert.ok(runs[0].some((y) => y !== 0), `${kernel}: the controller produced anti-noise`);
  }
});

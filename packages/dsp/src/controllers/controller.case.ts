/**
 * The shared test suite every controller and kernel variant runs (one spec, many implementations).
 * The loop here is the physical one in miniature: d = P*x, anti-noise played one block later through S.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Controller, ControllerOptions } from '../controller.js';
import { Random } from '../random.js';
import { AcousticPlant } from '../simulator/plant.js';

export interface ControllerCase {
  name: string;
  /** Builds the controller under test for the given options. */
  create(options: ControllerOptions): Controller;
  taps: number;
  blockSize: number;
  /** Minimum NR (dB) the controller must reach on the broadband loop below within `seconds`. */
  minimumNrDb: number;
  seconds: number;
  stepSize?: number;
}

const SAMPLE_RATE = 16000;

/** A causal test room: P has an 24-sample acoustic lead, S a 3-sample delay and some colouring. */
export function testPaths(): { primary: Float32Array; secondary: Float32Array } {
  const primary = new Float32Array(64);
  primary[24] = 0.9;
  primary[25] = 0.4;
  primary[27] = -0.2;
  primary[40] = 0.1;
  const secondary = new Float32Array(12);
  secondary[3] = 0.7;
  secondary[4] = 0.35;
  secondary[5] = -0.1;
  return { primary, secondary };
}

/** Ŝ as the controller sees it: S behind one block of buffering. */
export function delayedEstimate(secondary: Float32Array, blockSize: number): Float32Array {
  const estimate = new Float32Array(secondary.length + blockSize);
  estimate.set(secondary, blockSize);
  return estimate;
}

export function broadbandNoise(samples: number, seed: number): Float32Array {
  const random = new Random(seed);
  const noise = new Float32Array(samples);
  let lowPassed = 0;
  for (let i = 0; i < samples; i++) {
    lowPassed = 0.6 * lowPassed + 0.4 * random.gaussian(); // gentle colouring, like real broadband noise
    noise[i] = 0.1 * lowPassed;
  }
  return noise;
}

export interface LoopRun {
  disturbance: Float32Array;
  error: Float32Array;
  antiNoise: Float32Array;
}

export function runLoop(controller: Controller, noise: Float32Array, blockSize: number, paths = testPaths()): LoopRun {
  const plant = new AcousticPlant({ primaryPath: paths.primary, secondaryPath: paths.secondary });
  const n = noise.length - (noise.length % blockSize);
  const run = { disturbance: new Float32Array(n), error: new Float32Array(n), antiNoise: new Float32Array(n) };
  const reference = new Float32Array(blockSize);
  for (let start = 0; start < n; start += blockSize) {
    const end = start + blockSize;
    plant.capture(noise.subarray(start, end), reference, run.disturbance.subarray(start, end), run.error.subarray(start, end));
    controller.process(reference, run.error.subarray(start, end), run.antiNoise.subarray(start, end));
    plant.play(run.antiNoise.subarray(start, end));
  }
  return run;
}

export function nrDb(run: LoopRun, fromSample: number): number {
  let d = 0;
  let e = 0;
  for (let i = fromSample; i < run.error.length; i++) {
    d += run.disturbance[i] ** 2;
    e += run.error[i] ** 2;
  }
  return 10 * Math.log10(d / e);
}

export function runControllerCases(spec: ControllerCase): void {
  const { primary, secondary } = testPaths();
  const options = (): ControllerOptions => ({
    taps: spec.taps,
    blockSize: spec.blockSize,
    stepSize: spec.stepSize,
    secondaryPathEstimate: delayedEstimate(secondary, spec.blockSize),
  });
  const samples = spec.seconds * SAMPLE_RATE;

  test(`${spec.name}: cancels causal broadband noise by ≥ ${spec.minimumNrDb} dB within ${spec.seconds} s`, () => {
    const controller = spec.create(options());
    const run = runLoop(controller, broadbandNoise(samples, 1), spec.blockSize, { primary, secondary });
    const nr = nrDb(run, samples - SAMPLE_RATE / 2);
    assert.ok(nr >= spec.minimumNrDb, `NR over the last 0.5 s is ${nr.toFixed(1)} dB`);
    assert.equal(controller.health.divergences, 0);
  });

  test(`${spec.name}: never emits NaN, Inf or runaway output, and counts the divergences it recovers from`, () => {
    const controller = spec.create({ ...options(), stepSize: 1e6, outputLimit: 2 });
    const noise = broadbandNoise(SAMPLE_RATE / 2, 2);
    for (let i = 100; i < noise.length; i += 997) noise[i] = i % 2 ? NaN : Infinity;
    const run = runLoop(controller, noise, spec.blockSize, { primary, secondary });
    for (const y of run.antiNoise) assert.ok(Number.isFinite(y) && Math.abs(y) <= 2, `output ${y}`);
    assert.ok(controller.health.divergences > 0, 'a step size of 1e6 must trip the guard');
    assert.ok(controller.health.nonFiniteInputs > 0, 'NaN/Inf inputs are counted');
  });

  test(`${spec.name}: a snapshot restored into a fresh controller continues bit-identically`, () => {
    const noise = broadbandNoise(SAMPLE_RATE / 2, 3);
    const half = Math.floor(noise.length / 2 / spec.blockSize) * spec.blockSize;
    const original = spec.create(options());
    const plant = new AcousticPlant({ primaryPath: primary, secondaryPath: secondary });
    const x = new Float32Array(spec.blockSize);
    const d = new Float32Array(spec.blockSize);
    const e = new Float32Array(spec.blockSize);
    const y = new Float32Array(spec.blockSize);
    const errors: Float32Array[] = [];
    for (let start = 0; start + spec.blockSize <= noise.length; start += spec.blockSize) {
      plant.capture(noise.subarray(start, start + spec.blockSize), x, d, e);
      errors.push(Float32Array.from(e));
      if (start < half) {
        original.process(x, e, y);
        plant.play(y);
      }
    }
    const restored = spec.create(options());
    restored.restore(original.snapshot());
    // Feed both the same recorded inputs from the midpoint on.
    const yOriginal = new Float32Array(spec.blockSize);
    const yRestored = new Float32Array(spec.blockSize);
    for (let b = half / spec.blockSize; b < errors.length; b++) {
      const start = b * spec.blockSize;
      const ref = noise.subarray(start, start + spec.blockSize);
      original.process(ref, errors[b], yOriginal);
      restored.process(ref, errors[b], yRestored);
      assert.deepEqual(yRestored, yOriginal, `block ${b} differs`);
    }
    assert.deepEqual(restored.weights(), original.weights());
  });

  test(`${spec.name}: restore rejects a snapshot of another shape and leaves the controller untouched`, () => {
    const controller = spec.create(options());
    runLoop(controller, broadbandNoise(SAMPLE_RATE / 4, 4), spec.blockSize, { primary, secondary });
    const before = controller.weights();
    const other = spec.create({ ...options(), taps: spec.taps * 2 });
    assert.throws(() => controller.restore(other.snapshot()), /tap|values|needs/);
    assert.throws(() => controller.restore(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])), /snapshot/);
    assert.deepEqual(controller.weights(), before);
  });

  test(`${spec.name}: a warm start from adapted weights cancels from the first blocks`, () => {
    const trained = spec.create(options());
    runLoop(trained, broadbandNoise(samples, 5), spec.blockSize, { primary, secondary });
    const warm = spec.create(options());
    warm.setWeights(trained.weights());
    warm.stepSize = warm.stepSize * 1e-3; // nearly frozen: what cancels is the preset itself
    const run = runLoop(warm, broadbandNoise(SAMPLE_RATE / 4, 6), spec.blockSize, { primary, secondary });
    const nr = nrDb(run, 256);
    assert.ok(nr >= spec.minimumNrDb - 6, `warm-started NR ${nr.toFixed(1)} dB`);
  });

  test(`${spec.name}: rejects mismatched block lengths with a RangeError`, () => {
    const controller = spec.create(options());
    assert.throws(
      () => controller.process(new Float32Array(spec.blockSize), new Float32Array(spec.blockSize * 2), new Float32Array(spec.blockSize)),
      RangeError,
    );
  });
}

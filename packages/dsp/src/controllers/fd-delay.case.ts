/**
 * Shared regression cases for the frequency-domain controllers: a Ŝ delayed by more than a block (the block delay
 * and loop latency are part of S). Both fdfxlms and pbfxlms run all of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Controller, ControllerOptions } from '../controller.js';
import { identifySecondaryPathOffline } from '../identification/secondary-path.js';
import { perSecondNoiseReductionDb } from '../metrics/index.js';
import { AcousticPlant } from '../simulator/plant.js';
import { generateScene } from '../simulator/scenes.js';
import { SAMPLE_RATE, whiteNoise } from './measured-paths.case.js';

// ——— Ŝ delayed by more than a block (regressions) ———
// The loop of ../simulator: block delay + loop latency are part of S. Ŝ is identified on its own plant, and
// control runs on a fresh one, so that the latency is really in the loop while the controller runs.

export function engineLoopNrDb(
  create: (estimate: Float32Array, blockSize: number) => Controller,
  loopLatency: number,
  blockSize: number,
  seconds = 6,
): { perSecond: number[]; divergences: number } {
  const primary = new Float32Array(64);
  primary[8] = 0.8;
  primary[12] = 0.3;
  primary[30] = -0.1;
  const secondary = new Float32Array(48);
  secondary[20] = 0.6;
  secondary[22] = 0.25;
  secondary[25] = -0.1;
  const estimateTaps = Math.ceil((secondary.length + blockSize + loopLatency) / 16) * 16;
  const identified = identifySecondaryPathOffline(new AcousticPlant({ primaryPath: primary, secondaryPath: secondary, loopLatency }), {
    taps: estimateTaps,
    sampleRate: SAMPLE_RATE,
    blockSize,
  });
  const controller = create(identified.estimate, blockSize);
  const plant = new AcousticPlant({ primaryPath: primary, secondaryPath: secondary, loopLatency });
  const noise = generateScene('engine', { sampleRate: SAMPLE_RATE, durationS: seconds });
  const n = noise.length - (noise.length % blockSize);
  const x = new Float32Array(n);
  const d = new Float32Array(n);
  const e = new Float32Array(n);
  const y = new Float32Array(n);
  for (let s = 0; s < n; s += blockSize) {
    plant.capture(noise.subarray(s, s + blockSize), x.subarray(s, s + blockSize), d.subarray(s, s + blockSize), e.subarray(s, s + blockSize));
    controller.process(x.subarray(s, s + blockSize), e.subarray(s, s + blockSize), y.subarray(s, s + blockSize));
    plant.play(y.subarray(s, s + blockSize));
  }
  return { perSecond: perSecondNoiseReductionDb(d, e, SAMPLE_RATE), divergences: controller.health.divergences };
}

/** Max |x'(n) − (ŝ * x)(n)| over a run, x' read from the core's filtered-reference window after every block. */
function filteredReferenceError(core: { filterBlock(s: Float32Array, o: number, out: Float32Array, oo: number): void }, kernel: Float32Array, blockSize: number): number {
  const blocks = 24;
  const x = whiteNoise(blocks * blockSize, 41, 0.5);
  const out = new Float32Array(blockSize);
  const window = (core as unknown as { filteredWindow: Float64Array | Float32Array }).filteredWindow;
  let worst = 0;
  for (let k = 0; k < blocks; k++) {
    core.filterBlock(x, k * blockSize, out, 0);
    for (let i = 0; i < blockSize; i++) {
      const n = k * blockSize + i;
      let expected = 0;
      for (let j = 0; j < kernel.length && j <= n; j++) expected += kernel[j] * x[n - j];
      worst = Math.max(worst, Math.abs(window[window.length - blockSize + i] - expected));
    }
  }
  return worst;
}

/** Ŝ of `blocks` blocks whose first `lead` taps are zero (a pure delay), then a decaying response. */
function leadingZeroKernel(blocks: number, lead: number, blockSize: number): Float32Array {
  const kernel = new Float32Array(blocks * blockSize);
  for (let j = lead; j < kernel.length; j++) kernel[j] = 0.6 * Math.exp(-(j - lead) / 9) * Math.cos(0.7 * (j - lead));
  return kernel;
}

type FilteringCore = { filterBlock(s: Float32Array, o: number, out: Float32Array, oo: number): void };

/**
 * `filteredReferenceTolerance`: largest |x' − ŝ*x| accepted (x and ŝ are O(1)); 1e-9 for the float64 reference
 * kernels, float32 rounding (~1e-5) for the WASM SIMD ones.
 */
export function runDelayedSecondaryPathCases(
  name: string,
  create: (options: ControllerOptions) => Controller,
  { filteredReferenceTolerance = 1e-9 }: { filteredReferenceTolerance?: number } = {},
): void {
  test(`${name}: x' equals the direct convolution ŝ * x for Ŝ of 1…4 blocks with leading zeros`, () => {
    const B = 32;
    for (const taps of [64, 256]) {
      for (let blocks = 1; blocks <= 4; blocks++) {
        for (const lead of [0, 1, B - 1, B, B + 5, 2 * B + 3, 3 * B + 1]) {
          if (lead >= blocks * B) continue;
          const kernel = leadingZeroKernel(blocks, lead, B);
          const controller = create({ taps, blockSize: B, secondaryPathEstimate: kernel });
          const core = (controller as unknown as { core: FilteringCore }).core;
          const err = filteredReferenceError(core, kernel, B);
          assert.ok(err < filteredReferenceTolerance, `taps ${taps}, |ŝ| = ${blocks}·B, ${lead} leading zeros: max |x' − ŝ*x| = ${err}`);
        }
      }
    }
  });

  test(`${name}: a Ŝ delayed by more than a block keeps x' aligned (engine scene, 16- and 40-sample latency, ≥ 30 dB)`, () => {
    for (const latency of [16, 40]) {
      const run = engineLoopNrDb((estimate, blockSize) => create({ taps: 1024, blockSize, secondaryPathEstimate: estimate }), latency, 64);
      const steady = Math.min(...run.perSecond.slice(-2));
      assert.ok(steady >= 30, `latency ${latency}: NR per second ${run.perSecond.map((v) => v.toFixed(1)).join(' ')} dB`);
      assert.equal(run.divergences, 0);
    }
  });

  test(`${name}: at a tiny step size the engine loop with a 40-sample latency improves second after second (no slow drift)`, () => {
    const run = engineLoopNrDb((estimate, blockSize) => create({ taps: 1024, blockSize, stepSize: 0.005, secondaryPathEstimate: estimate }), 40, 64);
    const nr = run.perSecond;
    for (let s = 1; s < nr.length; s++) assert.ok(nr[s] >= nr[s - 1] - 0.5, `NR per second ${nr.map((v) => v.toFixed(1)).join(' ')} dB`);
    assert.ok(nr[nr.length - 1] >= 8, `NR per second ${nr.map((v) => v.toFixed(1)).join(' ')} dB`);
    assert.equal(run.divergences, 0);
  });
}

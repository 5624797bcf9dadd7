/**
 * Closed ANC loop on the measured (SFANC, synthetic band-pass) paths of ../shared/data/paths, for the
 * frequency-domain controller tests: d = P*x; the controller's y for block k is played from block k+1 on (the
 * block delay is part of S), e = d + S*y_played; Ŝ = S behind one block of zeros. The causality margin of this pair
 * is 255.5 − 127.5 = 128 samples, so blocks up to ~64 leave room for broadband cancellation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Controller } from '../controller.js';
import { Random } from '../random.js';

export const SAMPLE_RATE = 16000;

// ../shared sits next to the repository root: <root>/packages/dsp/src/controllers/ → <root>/../shared.
const pathsDir = fileURLToPath(new URL('../../../../../shared/data/paths/', import.meta.url));

/** false when the data is there, else the skip message. */
export const measuredPathsMissing: false | string = existsSync(`${pathsDir}primary.json`)
  ? false
  : `measured paths not found at ${pathsDir} (needs ../shared next to the repo)`;

export function loadMeasuredPaths(): { primary: Float64Array; secondary: Float64Array } {
  const read = (name: string) => Float64Array.from((JSON.parse(readFileSync(`${pathsDir}${name}`, 'utf8')) as { taps: number[] }).taps);
  return { primary: read('primary.json'), secondary: read('secondary.json') };
}

export function whiteNoise(samples: number, seed: number, level = 0.1): Float32Array {
  const random = new Random(seed);
  const x = new Float32Array(samples);
  for (let i = 0; i < samples; i++) x[i] = level * random.gaussian();
  return x;
}

export function delayedEstimate(secondary: ArrayLike<number>, blockSize: number): Float32Array {
  const estimate = new Float32Array(secondary.length + blockSize);
  estimate.set(secondary, blockSize);
  return estimate;
}

export interface MeasuredRun {
  disturbance: Float64Array;
  error: Float32Array;
  antiNoise: Float32Array;
}

/** Runs the loop block by block; `controller.blockSize` sets the block (and play-out) delay. */
export function runMeasuredLoop(controller: Controller, x: Float32Array, paths: { primary: Float64Array; secondary: Float64Array }): MeasuredRun {
  const B = controller.blockSize;
  const n = x.length - (x.length % B);
  const { primary, secondary } = paths;
  const disturbance = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0, end = Math.min(primary.length, i + 1); k < end; k++) sum += primary[k] * x[i - k];
    disturbance[i] = sum;
  }
  const error = new Float32Array(n);
  const antiNoise = new Float32Array(n);
  for (let start = 0; start < n; start += B) {
    for (let i = start; i < start + B; i++) {
      // y(m) leaves the loudspeaker at m + B.
      let played = 0;
      for (let k = 0, end = Math.min(secondary.length, i - B + 1); k < end; k++) played += secondary[k] * antiNoise[i - B - k];
      error[i] = disturbance[i] + played;
    }
    controller.process(x.subarray(start, start + B), error.subarray(start, start + B), antiNoise.subarray(start, start + B));
  }
  return { disturbance, error, antiNoise };
}

/** NR = 10·log10(Σd² / Σe²) over [from, to). */
export function noiseReductionDb(run: MeasuredRun, from: number, to = run.error.length): number {
  let d = 0;
  let e = 0;
  for (let i = from; i < to; i++) {
    d += run.disturbance[i] ** 2;
    e += run.error[i] ** 2;
  }
  return 10 * Math.log10(d / e);
}

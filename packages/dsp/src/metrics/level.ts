/**
 * Signal levels: RMS in dB re full scale and the SNR of a processed signal against its clean reference.
 *
 * dBFS here is 20·log10(RMS) with full scale = 1: a full-scale square wave reads 0 dBFS and a full-scale sine
 * −3.01 dBFS (no AES17 +3 dB sine correction, so levels add like energies).
 */

import { energy } from './noise-reduction.js';

/** 20·log10(RMS); −Infinity for an empty or silent signal. */
export function rmsDbfs(signal: Float32Array): number {
  if (signal.length === 0) return -Infinity;
  return 10 * Math.log10(energy(signal) / signal.length);
}

/**
 * 10·log10(Σclean² / Σ(processed − clean)²). Identical signals give +Infinity; a silent reference with any
 * difference gives −Infinity.
 */
export function signalToNoiseRatioDb(clean: Float32Array, processed: Float32Array): number {
  if (clean.length !== processed.length) {
    throw new RangeError(`clean has ${clean.length} samples but processed has ${processed.length}`);
  }
  let noise = 0;
  for (let i = 0; i < clean.length; i++) noise += (processed[i] - clean[i]) ** 2;
  if (noise === 0) return Infinity;
  return 10 * Math.log10(energy(clean) / noise);
}

/**
 * Small helpers shared by the frequency-domain adaptive filters and controllers (block-lms.ts,
 * partitioned-block.ts, ../controllers/fd-fxlms.ts, ../controllers/pb-fxlms.ts).
 */
import { SnapshotReader } from '../snapshot.js';

type Field = Float32Array | Float64Array | Int32Array;

/**
 * Reads every named field into a scratch copy first and only then overwrites the live arrays, so a snapshot that
 * fails validation halfway leaves the object exactly as it was.
 */
export function readFieldsAtomically(reader: SnapshotReader, fields: readonly (readonly [string, Field])[]): void {
  const staged = fields.map(([name, target]) => {
    const copy = new (target.constructor as new (length: number) => Field)(target.length);
    reader.read(name, copy);
    return copy;
  });
  fields.forEach(([, target], i) => target.set(staged[i] as never));
}

export function assertPositiveInteger(name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 1)) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

export function assertPowerOfTwo(name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 1 && (value & (value - 1)) === 0)) {
    throw new RangeError(`${name} must be a power of two, got ${value}`);
  }
}

export function assertNonNegativeFinite(name: string, value: number): void {
  if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`${name} must be ≥ 0 and finite, got ${value}`);
}

export function assertPositiveFinite(name: string, value: number): void {
  if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`${name} must be positive and finite, got ${value}`);
}

/**
 * Leakage over one block of B samples: the per-sample factor (1 − μγ) of the time-domain filters, compounded B
 * times, so that a given γ decays the weights at the same rate per second whatever the block size.
 */
export function blockLeakFactor(stepSize: number, leakage: number, blockSize: number): number {
  if (leakage === 0) return 1;
  const perSample = 1 - stepSize * leakage;
  return perSample > 0 ? Math.pow(perSample, blockSize) : 0;
}

/** Shared by the block filters: equal lengths, a multiple of the block size. */
export function checkBlockLengths(n: number, desired: Float32Array, output: Float32Array, error: Float32Array, blockSize: number): void {
  if (desired.length !== n || output.length !== n || error.length !== n) {
    throw new RangeError(`filter() arrays must have equal lengths (input ${n}, desired ${desired.length}, output ${output.length}, error ${error.length})`);
  }
  if (n % blockSize !== 0) throw new RangeError(`filter() length ${n} is not a multiple of the block size ${blockSize}`);
}

/** Copies source[offset … offset+B) into block, non-finite samples as 0; returns how many were replaced. */
export function sanitizeBlock(source: Float32Array, offset: number, block: Float32Array): number {
  let bad = 0;
  for (let i = 0; i < block.length; i++) {
    const v = source[offset + i];
    if (v - v === 0) block[i] = v;
    else {
      block[i] = 0;
      bad++;
    }
  }
  return bad;
}

/** e = d − y for one block, into both the caller's error array and the block the update reads. */
export function errorBlock(desired: Float32Array, output: Float32Array, offset: number, block: Float32Array, error: Float32Array): number {
  let bad = 0;
  for (let i = 0; i < block.length; i++) {
    let d = desired[offset + i];
    if (d - d !== 0) {
      d = 0;
      bad++;
    }
    const e = d - output[offset + i];
    block[i] = e;
    error[offset + i] = e;
  }
  return bad;
}

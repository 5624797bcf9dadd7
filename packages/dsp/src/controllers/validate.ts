import type { ControllerOptions } from '../controller.js';

/** Checks the options every controller shares; throws a RangeError that names the bad option. */
export function validateControllerOptions(options: ControllerOptions): void {
  if (!Number.isInteger(options.taps) || options.taps < 1 || options.taps > 65536) {
    throw new RangeError(`taps must be an integer from 1 to 65536, got ${options.taps}`);
  }
  const estimate = options.secondaryPathEstimate;
  if (!(estimate instanceof Float32Array) || estimate.length === 0) {
    throw new RangeError('secondaryPathEstimate must be a non-empty Float32Array');
  }
  for (let i = 0; i < estimate.length; i++) {
    if (!Number.isFinite(estimate[i])) throw new RangeError(`secondaryPathEstimate tap ${i} is not finite`);
  }
  const positive = ['stepSize', 'forgettingFactor', 'initialInverseCorrelation', 'outputLimit', 'blockSize'] as const;
  for (const key of positive) {
    const value = options[key];
    if (value !== undefined && !(value > 0 && Number.isFinite(value))) throw new RangeError(`${key} must be a positive number, got ${value}`);
  }
  const nonNegative = ['leakage', 'regularization', 'referenceRegularization', 'processNoise'] as const;
  for (const key of nonNegative) {
    const value = options[key];
    if (value !== undefined && !(value >= 0 && Number.isFinite(value))) throw new RangeError(`${key} must be zero or positive, got ${value}`);
  }
  if (options.forgettingFactor !== undefined && options.forgettingFactor > 1) {
    throw new RangeError(`forgettingFactor must be in (0, 1], got ${options.forgettingFactor}`);
  }
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionedBlockFilter } from './partitioned-block.js';
import { Random } from '../random.js';

function gaussian(n: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: n }, () => random.gaussian());
}

function convolve(x: Float32Array, h: ArrayLike<number>): Float32Array {
  const y = new Float32Array(x.length);
  for (let n = 0; n < x.length; n++) {
    let sum = 0;
    for (let k = 0; k < h.length && k <= n; k++) sum += h[k] * x[n - k];
    y[n] = sum;
  }
  return y;
}

function misalignmentDb(w: Float32Array, h: Float32Array): number {
  let error = 0;
  let energy = 0;
  for (let i = 0; i < h.length; i++) {
    error += (w[i] - h[i]) ** 2;
    energy += h[i] ** 2;
  }
  return 10 * Math.log10(error / energy);
}

// A room-like unknown system: 1024 taps of Gaussian noise decaying by 1/e every 200 taps (≈ 37 dB over the filter).
const unknown = gaussian(1024, 1).map((v, i) => v * Math.exp(-i / 200));
const input = gaussian(16384, 2);
const desired = convolve(input, unknown);

for (const constraint of ['aumdf', 'round-robin', 'all'] as const) {
  test(`pbfdaf (${constraint}), B = 128, identifies a 1024-tap decaying random filter to ≥ 30 dB misalignment reduction in 1 s`, () => {
    const filter = new PartitionedBlockFilter({ taps: 1024, blockSize: 128, stepSize: 0.5, constraint });
    assert.equal(filter.partitions, 8);
    // Starting from w = 0 the misalignment is 0 dB.
    filter.filter(input, desired, new Float32Array(input.length), new Float32Array(input.length));
    const misalignment = misalignmentDb(filter.weights(), unknown);
    assert.ok(misalignment <= -30, `misalignment ${misalignment.toFixed(1)} dB`);
  });
}

test('per-bin normalisation: a strongly coloured (AR(1), pole 0.9) input still converges to ≥ 25 dB', () => {
  // Time-domain NLMS slows down by the eigenvalue spread (≈ 360 here); the per-bin step equalises it.
  const white = gaussian(32768, 3);
  const coloured = new Float32Array(white.length);
  for (let i = 0, s = 0; i < white.length; i++) coloured[i] = s = 0.9 * s + white[i];
  const h = unknown.subarray(0, 256);
  const filter = new PartitionedBlockFilter({ taps: 256, blockSize: 64, stepSize: 0.5 });
  filter.filter(coloured, convolve(coloured, h), new Float32Array(coloured.length), new Float32Array(coloured.length));
  const misalignment = misalignmentDb(filter.weights(), h);
  assert.ok(misalignment <= -25, `misalignment ${misalignment.toFixed(1)} dB`);
});

test('with preset weights and nothing to learn, the output is the exact linear convolution (L not a multiple of B)', () => {
  const h = gaussian(300, 4);
  const filter = new PartitionedBlockFilter({ taps: 300, blockSize: 64, stepSize: 0.5 });
  assert.equal(filter.partitions, 5);
  filter.setWeights(h);
  const x = gaussian(640, 5);
  const y = new Float32Array(640);
  const e = new Float32Array(640);
  const expected = convolve(x, h);
  filter.filter(x, expected, y, e);
  for (let n = 0; n < 640; n++) assert.ok(Math.abs(y[n] - expected[n]) < 1e-4, `y[${n}] = ${y[n]}, expected ${expected[n]}`);
  const w = filter.weights();
  for (let i = 0; i < 300; i++) assert.ok(Math.abs(w[i] - h[i]) < 1e-4);
});

test('snapshot mid-stream, restore into a fresh filter: the continuation is bit-identical', () => {
  const options = { taps: 200, blockSize: 32, stepSize: 0.3, leakage: 1e-4 };
  const original = new PartitionedBlockFilter(options);
  const x = input.subarray(0, 32 * 64);
  const d = desired.subarray(0, 32 * 64);
  const half = 32 * 32;
  original.filter(x.subarray(0, half), d.subarray(0, half), new Float32Array(half), new Float32Array(half));
  const restored = new PartitionedBlockFilter(options);
  restored.restore(original.snapshot());
  const ya = new Float32Array(half);
  const yb = new Float32Array(half);
  original.filter(x.subarray(half), d.subarray(half), ya, new Float32Array(half));
  restored.filter(x.subarray(half), d.subarray(half), yb, new Float32Array(half));
  assert.deepEqual(yb, ya);
  assert.deepEqual(restored.weights(), original.weights());
  assert.throws(() => new PartitionedBlockFilter({ ...options, constraint: 'all' }).restore(original.snapshot()), /snapshot is of a filter/);
});

test('options are checked: the block must be a power of two', () => {
  assert.throws(() => new PartitionedBlockFilter({ taps: 100, blockSize: 48, stepSize: 0.5 }), /power of two/);
  assert.equal(new PartitionedBlockFilter({ taps: 100, stepSize: 0.5 }).blockSize, 128);
  assert.equal(new PartitionedBlockFilter({ taps: 4096, stepSize: 0.5 }).blockSize, 128);
});

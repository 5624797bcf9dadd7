import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignedCorrelation, circularAlignedCorrelation } from './correlation.js';
import { Random } from '../random.js';

test('alignedCorrelation finds a delayed, scaled copy (r = 1) and tells noise from it', () => {
  const random = new Random(3);
  const x = Float32Array.from({ length: 4000 }, () => random.gaussian());
  const delayed = new Float32Array(4100);
  for (let i = 0; i < x.length; i++) delayed[i + 37] = -0.5 * x[i];
  const inverted = alignedCorrelation(x.map((v) => -v), delayed, 100);
  assert.equal(inverted.lag, 37);
  assert.ok(Math.abs(inverted.r - 1) < 1e-6);
  assert.ok(Math.abs(inverted.gain - 0.5) < 1e-3);
  assert.ok(alignedCorrelation(x, delayed, 100).r < 0.1, 'the wrong sign does not match');
  const other = Float32Array.from({ length: 4000 }, () => random.gaussian());
  assert.ok(alignedCorrelation(x, other, 100).r < 0.1);
  assert.equal(alignedCorrelation(x, new Float32Array(4000), 10).r, 0, 'silence correlates with nothing');
});

test('circularAlignedCorrelation finds the point of a loop, whatever the lag', () => {
  const random = new Random(4);
  const x = Float32Array.from({ length: 1024 }, () => random.gaussian());
  const heard = Float32Array.from(x, (_, i) => 0.25 * x[(i + 1024 - 700) % 1024]);
  const found = circularAlignedCorrelation(x, heard);
  assert.equal(found.lag, 700);
  assert.ok(Math.abs(found.r - 1) < 1e-6, `r ${found.r}`);
  assert.ok(Math.abs(found.gain - 0.25) < 1e-6);
  assert.ok(circularAlignedCorrelation(x, Float32Array.from({ length: 1024 }, () => random.gaussian())).r < 0.15);
});

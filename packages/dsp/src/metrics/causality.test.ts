import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { causalityMarginMs, causalityMarginSamples, pathDelaySamples } from './causality.js';

const PATHS = fileURLToPath(new URL('../../../../../shared/data/paths/', import.meta.url));
const noData = existsSync(PATHS) ? false : `shared data not found at ${PATHS}`;
const taps = (name: string): number[] => (JSON.parse(readFileSync(PATHS + name, 'utf8')) as { taps: number[] }).taps;

test('pathDelaySamples is the index of the largest |tap|, the first on a tie', () => {
  assert.equal(pathDelaySamples([0, 0.2, -0.9, 0.5]), 2, 'a negative direct sound counts by magnitude');
  assert.equal(pathDelaySamples(Float32Array.of(0.1, 0.7, 0.7, 0.1)), 1, 'even-length linear phase: first centre tap');
  assert.equal(pathDelaySamples([1]), 0);
  assert.throws(() => pathDelaySamples([]), /at least one tap/);
});

test('causality margin = delay(P) − (delay(S) + loop latency), in samples and ms', () => {
  const primary = new Float32Array(64);
  primary[40] = 1;
  const secondary = new Float32Array(32);
  secondary[8] = -1;
  assert.equal(causalityMarginSamples(primary, secondary), 32);
  assert.equal(causalityMarginSamples(primary, secondary, 40), -8);
  assert.equal(causalityMarginMs(primary, secondary, 16000), 2);
  assert.equal(causalityMarginMs(primary, secondary, 16000, 40), -0.5);
  assert.throws(() => causalityMarginMs(primary, secondary, 0), /sampleRate must be positive/);
});

test('SFANC paths: 255 − 127 = 128 samples (8 ms at 16 kHz), the peak of every pre-trained control filter', { skip: noData }, () => {
  const primary = taps('primary.json');
  const secondary = taps('secondary.json');
  assert.equal(pathDelaySamples(primary), 255);
  assert.equal(pathDelaySamples(secondary), 127);
  assert.equal(causalityMarginSamples(primary, secondary), 128);
  assert.equal(causalityMarginMs(primary, secondary, 16000), 8);
  // A networked loop adding 10 ms (160 samples) makes broadband cancellation impossible: −2 ms.
  assert.equal(causalityMarginMs(primary, secondary, 16000, 160), -2);
});

test('measured Sugiura paths leave a 1-sample margin; Shi paths 62 − 12 = 50', { skip: noData }, () => {
  assert.equal(causalityMarginSamples(taps('sugiura-primary.json'), taps('sugiura-secondary.json')), 200 - 199);
  assert.equal(causalityMarginSamples(taps('shi-kalman-primary.json'), taps('shi-kalman-secondary.json')), 62 - 12);
});

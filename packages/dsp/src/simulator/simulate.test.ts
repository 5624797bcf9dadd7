/**
 * Cancellation figures as a physical loop with an identified Ŝ (never a copy of S). The figures in the names are
 * the acceptance criteria; a reference loop with Ŝ = S reached 29.5 dB (Sugiura) and 31.8 dB (SFANC).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { causalityMarginSamples, chirp, generateScene, noiseReductionDb, simulate } from '../index.js';
import { sharedDataMissing, sharedNoise, sharedPath } from '../../../../test/support/shared-data.js';

const RATE = 16000;

test('Sugiura measured paths (impulsiveRepo2025 trims) + cleaner.wav: FxNLMS 512 taps, default step, ≥ 28 dB over the last 5 s', { skip: sharedDataMissing }, () => {
  const result = simulate({
    noise: sharedNoise('extra/cleaner.wav', RATE),
    sampleRate: RATE,
    primaryPath: sharedPath('sugiura-primary.json', 'impulsiveRepo2025').taps,
    secondaryPath: sharedPath('sugiura-secondary.json', 'impulsiveRepo2025').taps,
    algorithm: 'fxnlms',
    controller: { taps: 512 },
  });
  assert.ok(result.steadyStateNrDb >= 28, `steady-state NR ${result.steadyStateNrDb.toFixed(1)} dB`);
  assert.equal(result.controller.health.divergences, 0);
});

test('SFANC paths + Traffic.wav: FxNLMS 512 taps, default step, ≥ 30 dB in second 5', { skip: sharedDataMissing }, () => {
  const result = simulate({
    noise: sharedNoise('Traffic.wav', RATE).subarray(0, 6 * RATE),
    sampleRate: RATE,
    primaryPath: sharedPath('primary.json').taps,
    secondaryPath: sharedPath('secondary.json').taps,
    algorithm: 'fxnlms',
    controller: { taps: 512 },
  });
  assert.ok(result.perSecondNrDb[4] >= 30, `NR in second 5: ${result.perSecondNrDb[4].toFixed(1)} dB`);
  assert.equal(result.controller.health.divergences, 0);
});

test('engine harmonics behind a negative causality margin are still cancelled by ≥ 30 dB (periodic noise is predictable)', () => {
  // P gives the noise an 8-sample lead; S plus the loop takes 20 + 16 + one block: broadband could not be cancelled.
  const primary = new Float32Array(64);
  primary[8] = 0.8;
  primary[12] = 0.3;
  primary[30] = -0.1;
  const secondary = new Float32Array(48);
  secondary[20] = 0.6;
  secondary[22] = 0.25;
  secondary[25] = -0.1;
  const loopLatency = 16;
  const result = simulate({
    noise: generateScene('engine', { sampleRate: RATE, durationS: 6 }),
    sampleRate: RATE,
    primaryPath: primary,
    secondaryPath: secondary,
    algorithm: 'pbfxlms',
    controller: { taps: 1024 },
    loopLatency,
  });
  assert.ok(causalityMarginSamples(primary, secondary, loopLatency + result.blockSize) < 0);
  assert.ok(result.steadyStateNrDb >= 30, `steady-state NR ${result.steadyStateNrDb.toFixed(1)} dB`);
});

test('the Kalman-type RLS controller tracks a 20→1600 Hz chirp over 0.25 s better than FxLMS (Shi tutorial paths)', { skip: sharedDataMissing }, () => {
  const noise = chirp(RATE, 0.25, 20, 1600);
  const primaryPath = sharedPath('shi-kalman-primary.json').taps;
  const secondaryPath = sharedPath('shi-kalman-secondary.json').taps;
  const run = (algorithm: 'fxlms' | 'fxrls', controller: { taps: number; stepSize?: number; processNoise?: number; forgettingFactor?: number }) => {
    const r = simulate({ noise, sampleRate: RATE, primaryPath, secondaryPath, algorithm, controller });
    return noiseReductionDb(r.disturbance, r.error);
  };
  // The tutorial's settings: FxLMS with 80 taps and μ = 0.0005; Kalman filter with q = 0.005 (here λ = 1).
  const fxlms = run('fxlms', { taps: 80, stepSize: 0.0005 });
  const kalman = run('fxrls', { taps: 80, forgettingFactor: 1, processNoise: 0.005 });
  assert.ok(kalman >= fxlms + 10, `Kalman ${kalman.toFixed(1)} dB vs FxLMS ${fxlms.toFixed(1)} dB over the chirp`);
  assert.ok(kalman >= 20, `Kalman reaches ${kalman.toFixed(1)} dB`);
});

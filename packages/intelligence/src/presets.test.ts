import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AcousticPlant, createController, identifySecondaryPathOffline, perSecondNoiseReductionDb, type Controller } from '@antiphase/dsp';
import { sharedDataMissing, sharedNoise, sharedPath } from '../../../test/support/shared-data.js';
import { bandLimitedNoise, HybridController, presetBankFromJson, presetBankToJson, sfancBands, trainPresetBank, type PresetBank } from './presets.js';

const RATE = 16000;

function firstSecondsNr(controllerFor: (estimate: Float32Array) => Controller, noise: Float32Array, primary: Float32Array, secondary: Float32Array): number[] {
  const plant = new AcousticPlant({ primaryPath: primary, secondaryPath: secondary });
  const { estimate } = identifySecondaryPathOffline(plant, { taps: 272, sampleRate: RATE, blockSize: 1 });
  const controller = controllerFor(estimate);
  const n = noise.length;
  const [x, d, e, y] = [0, 0, 0, 0].map(() => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    plant.capture(noise.subarray(i, i + 1), x.subarray(i, i + 1), d.subarray(i, i + 1), e.subarray(i, i + 1));
    controller.process(x.subarray(i, i + 1), e.subarray(i, i + 1), y.subarray(i, i + 1));
    plant.play(y.subarray(i, i + 1));
  }
  return perSecondNoiseReductionDb(d, e, RATE);
}

test('SFANC band set: the full band, halves, quarters and eighths of 20–7980 Hz', () => {
  const bands = sfancBands(RATE);
  assert.equal(bands.length, 15);
  assert.deepEqual(bands[0], [20, 7960]);
  assert.ok(Math.abs(bands[14][1] - 7960) < 1e-9 && Math.abs(bands[7][0] - 20) < 1e-9);
});

test('hybrid SFANC-FxNLMS on the SFANC paths: ≥ 20 dB in the first second with Aircraft.wav and Traffic.wav, where FxNLMS from zero stays far below', { skip: sharedDataMissing }, () => {
  const primary = sharedPath('primary.json').taps;
  const secondary = sharedPath('secondary.json').taps;
  const taps = 1024;
  const bank: PresetBank = presetBankFromJson(
    JSON.parse(JSON.stringify(presetBankToJson(trainPresetBank({ profile: 'sfanc', sampleRate: RATE, primaryPath: primary, secondaryPath: secondary, taps, durationS: 4, kinds: ['bands'] })))),
  );
  for (const file of ['Aircraft.wav', 'Traffic.wav']) {
    const noise = sharedNoise(file, RATE).subarray(0, 2 * RATE);
    const hybrid = firstSecondsNr((estimate) => new HybridController({ bank, controller: { taps, secondaryPathEstimate: estimate } }), noise, primary, secondary);
    const fromZero = firstSecondsNr((estimate) => createController('fxnlms', { taps, secondaryPathEstimate: estimate }), noise, primary, secondary);
    assert.ok(hybrid[0] >= 20, `${file}: hybrid NR in the first second ${hybrid[0].toFixed(1)} dB`);
    assert.ok(hybrid[0] >= fromZero[0] + 10, `${file}: hybrid ${hybrid[0].toFixed(1)} dB vs FxNLMS from zero ${fromZero[0].toFixed(1)} dB`);
  }
});

test('a preset bank with the wrong filter length is refused by name', () => {
  assert.throws(() => presetBankFromJson({ profile: 'x', sampleRate: RATE, taps: 4, presets: [{ id: 'a', weights: [1, 2] }] }), /preset a must have 4 weights/);
  assert.throws(() => presetBankFromJson({ nope: true }), /not a preset bank/);
});

test('when the noise moves to another band, the hybrid switches to the preset that predicts the smaller residual', () => {
  const primary = new Float32Array(48);
  primary[20] = 0.8;
  primary[23] = -0.3;
  const secondary = new Float32Array(12);
  secondary[4] = 0.6;
  secondary[6] = 0.2;
  const taps = 64;
  const trained = trainPresetBank({ profile: 'small room', sampleRate: RATE, primaryPath: primary, secondaryPath: secondary, taps, durationS: 1.5, kinds: ['bands'] });
  // Without the full-band preset the bank starts on the low half, which is wrong once the noise moves up.
  const bank = { ...trained, presets: trained.presets.slice(1) };
  const lowNoise = bandNoise(RATE, [100, 1000], 1);
  const highNoise = bandNoise(RATE, [6200, 7700], 2);
  const noise = new Float32Array(4 * RATE);
  noise.set(lowNoise.subarray(0, 2 * RATE));
  noise.set(highNoise.subarray(0, 2 * RATE), 2 * RATE);
  let hybrid: HybridController | null = null;
  firstSecondsNr((estimate) => (hybrid = new HybridController({ bank, controller: { taps, stepSize: 1e-6, secondaryPathEstimate: estimate } })), noise, primary, secondary);
  const state = (hybrid as unknown as HybridController).state;
  assert.ok(state.switches >= 1, 'switched at least once');
  const chosen = bank.presets.find((p) => p.id === state.presetId)!.bandHz!;
  assert.ok(chosen[0] <= 6200 && chosen[1] >= 7700, `the last preset (${state.presetId}) covers the high band the noise moved to`);
});

function bandNoise(sampleRate: number, band: [number, number], seed: number): Float32Array {
  return bandLimitedNoise(sampleRate, 2 * sampleRate, band, seed);
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readWav, writeWav } from '@antiphase/dsp';
import { cancelRecording, CancelInputError, inspectWav, resolveCancelOptions } from './cancel.js';

function recordings(n: number, rate = 16000): { primary: Uint8Array; reference: Uint8Array; clean: Uint8Array } {
  let seed = 1;
  const noise = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    noise[i] = (seed / 2 ** 32 - 0.5) * 0.5;
  }
  const signal = Float32Array.from({ length: n }, (_, i) => 0.05 * Math.sin(2 * Math.PI * 300 * i / rate));
  const primary = Float32Array.from({ length: n }, (_, i) => signal[i] + 0.8 * (noise[i - 2] ?? 0) - 0.3 * (noise[i - 6] ?? 0));
  const wav = (x: Float32Array): Uint8Array => writeWav({ sampleRate: rate, channels: [x] }, { format: 'float32' });
  return { primary: wav(primary), reference: wav(noise), clean: wav(signal) };
}

test('Widrow ANC removes the reference-correlated noise from the primary', () => {
  const r = recordings(16000);
  const { cleanedWav, report } = cancelRecording(r.primary, r.reference, { taps: 16, stepSize: 0.1, passes: 2 }, r.clean);
  assert.equal(readWav(cleanedWav).channels[0].length, 16000);
  assert.ok(report.noiseReductionDb > 8, `NR ${report.noiseReductionDb}`);
  assert.ok(report.outputSnrDb! > report.inputSnrDb! + 20, `SNR ${report.inputSnrDb} → ${report.outputSnrDb}`);
  assert.equal(report.lengthNote, null);
});

test('inputs and options are checked with messages that name the defect', () => {
  const r = recordings(1000);
  assert.throws(() => inspectWav(new TextEncoder().encode('hello world!'), 'primary'), /primary is not a WAV file/);
  assert.deepEqual(inspectWav(r.primary, 'primary'), { sampleRate: 16000, channels: 1 });
  const r8 = recordings(1000, 8000);
  assert.throws(() => cancelRecording(r.primary, r8.reference), (e: unknown) => e instanceof CancelInputError && /sample rates differ/.test(e.message));
  assert.throws(() => resolveCancelOptions({ taps: 0 }), /config\.taps/);
  assert.throws(() => resolveCancelOptions({ stepSize: 2 }), /config\.stepSize/);
  assert.throws(() => resolveCancelOptions([]), /config must be a JSON object/);
  assert.deepEqual(resolveCancelOptions(undefined), { taps: 256, stepSize: 0.02, passes: 2 });
});

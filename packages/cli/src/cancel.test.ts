import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random, convolve, readWav, signalToNoiseRatioDb } from '@antiphase/dsp';
import { antiphase, isCleanError, tempDir, writeWavFile } from './test-support.js';

const FS = 8000;

/** A vowel-like test signal: 140 Hz glottal harmonics shaped by two formants, amplitude-modulated at a syllable rate. */
function vowel(seconds: number): Float32Array {
  const formant = (f: number) => Math.exp(-(((f - 700) / 250) ** 2)) + 0.5 * Math.exp(-(((f - 1200) / 300) ** 2));
  return Float32Array.from({ length: seconds * FS }, (_, n) => {
    const t = n / FS;
    let v = 0;
    for (let k = 1; 140 * k < FS / 2; k++) v += formant(140 * k) * Math.sin(2 * Math.PI * 140 * k * t + k);
    return 0.15 * v * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t));
  });
}

function whiteNoise(seconds: number, rms: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: seconds * FS }, () => rms * random.gaussian());
}

/** The acoustic path from the noise source to the primary mic: a 24-tap decaying FIR with a 3-sample delay. */
const NOISE_PATH = Float32Array.from({ length: 24 }, (_, k) => (k < 3 ? 0 : Math.exp(-(k - 3) / 5) * Math.cos(0.9 * k)));

test('cancel removes reference-correlated noise: the output SNR improves by ≥ 15 dB and NR is reported', async (t) => {
  const dir = tempDir(t);
  const signal = vowel(3);
  const noise = whiteNoise(3, 0.1, 3);
  const noiseAtPrimary = convolve(noise, NOISE_PATH);
  const primary = signal.map((s, i) => s + noiseAtPrimary[i]);
  const out = join(dir, 'clean.wav');
  const run = await antiphase([
    'cancel', '--primary', writeWavFile(join(dir, 'primary.wav'), FS, primary),
    '--reference', writeWavFile(join(dir, 'reference.wav'), FS, noise), '--out', out, '--taps', '64', '--json',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const clean = readWav(readFileSync(out));
  assert.equal(clean.sampleRate, FS);
  assert.equal(clean.channels[0].length, primary.length);
  const snrIn = signalToNoiseRatioDb(signal, primary);
  const snrOut = signalToNoiseRatioDb(signal, clean.channels[0]);
  t.diagnostic(`SNR ${snrIn.toFixed(1)} dB -> ${snrOut.toFixed(1)} dB; reported NR ${report.noiseReductionDb.toFixed(1)} dB`);
  assert.ok(snrOut - snrIn >= 15, `SNR ${snrIn.toFixed(1)} dB -> ${snrOut.toFixed(1)} dB`);
  // NR of the primary = 10·log10(Σprimary² / Σclean²): the noise energy removed, as the CLI reports it.
  const energy = (x: Float32Array) => x.reduce((s, v) => s + v * v, 0);
  const expectedNr = 10 * Math.log10(energy(primary) / energy(clean.channels[0]));
  assert.ok(Math.abs(report.noiseReductionDb - expectedNr) < 0.01, `${report.noiseReductionDb} vs ${expectedNr}`);
  assert.ok(report.noiseReductionDb > 2, 'removing noise of about the signal power lowers the level by ≥ 2 dB');
  assert.equal(report.processedSamples, primary.length);
  assert.equal(report.lengthNote, null);
});

test('cancel processes the common length of different-length files and says so', async (t) => {
  const dir = tempDir(t);
  const noise = whiteNoise(2, 0.1, 5);
  const primary = convolve(noise, NOISE_PATH).subarray(0, 1.5 * FS);
  const out = join(dir, 'clean.wav');
  const args = ['cancel', '--primary', writeWavFile(join(dir, 'p.wav'), FS, primary), '--reference', writeWavFile(join(dir, 'r.wav'), FS, noise), '--out', out];
  const [human, json] = await Promise.all([antiphase(args), antiphase([...args.slice(0, -1), join(dir, 'clean2.wav'), '--json'])]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stderr, /lengths differ \(primary 12000 samples, reference 16000\); processed the common 12000 samples \(1\.500 s\)/);
  assert.match(human.stdout, /noise reduction of the primary\s+\d+\.\d dB/);
  assert.equal(readWav(readFileSync(out)).channels[0].length, 12000);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(json.stderr, '');
  assert.match(JSON.parse(json.stdout).lengthNote, /processed the common 12000 samples/);
});

test('cancel refuses mismatched rates, missing files and missing options without writing --out', async (t) => {
  const dir = tempDir(t);
  const p = writeWavFile(join(dir, 'p.wav'), FS, whiteNoise(1, 0.1, 1));
  const r16k = writeWavFile(join(dir, 'r16k.wav'), 16000, whiteNoise(1, 0.1, 2));
  const out = join(dir, 'clean.wav');
  const cases: { args: string[]; code: number; message: RegExp }[] = [
    { args: ['--primary', p, '--reference', r16k, '--out', out], code: 1, message: /primary recording '.*p\.wav' is 8000 Hz but reference recording '.*r16k\.wav' is 16000 Hz/ },
    { args: ['--primary', p, '--reference', join(dir, 'none.wav'), '--out', out], code: 1, message: /cannot read reference recording '.*none\.wav': no such file/ },
    { args: ['--primary', p, '--reference', p], code: 2, message: /missing --out/ },
    { args: ['--primary', p, '--reference', p, '--out', join(dir, 'no-such-dir', 'c.wav')], code: 1, message: /directory '.*no-such-dir' does not exist/ },
    { args: ['--primary', p, '--reference', p, '--out', out, '--step-size', '3'], code: 2, message: /--step-size must be a finite number > 0 and ≤ 2, got '3'/ },
  ];
  const runs = await Promise.all(cases.map((c) => antiphase(['cancel', ...c.args])));
  runs.forEach((run, i) => {
    assert.equal(run.code, cases[i].code, run.stderr);
    assert.match(run.stderr, cases[i].message);
    assert.ok(isCleanError(run.stderr, 'cancel'), run.stderr);
  });
  assert.ok(!existsSync(out), 'no output on failure');
});

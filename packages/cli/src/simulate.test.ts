import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWav, writeWav } from '@antiphase/dsp';
import { antiphase, isCleanError, sharedFile, tempDir, writePathFile, writeWavFile } from './test-support.js';

const FS = 8000;

/** A small room at 8 kHz: P = 10-sample lead + two reflections; S = 2 samples + a little colouring. */
function smallPaths(dir: string, sampleRate = FS) {
  const p = new Float32Array(48);
  p[10] = 0.9;
  p[17] = -0.3;
  p[29] = 0.15;
  const s = new Float32Array(12);
  s[2] = 0.8;
  s[3] = 0.3;
  s[4] = -0.1;
  return {
    primary: writePathFile(join(dir, 'p.json'), sampleRate, p, { direct: [5, 48], late: [20, 48] }),
    secondary: writePathFile(join(dir, 's.json'), sampleRate, s, { direct: [0, 12], late: [1, 12] }),
  };
}

function noise(seconds: number, sampleRate = FS): Float32Array {
  // Deterministic pseudo-noise (LCG), about −15 dBFS.
  let state = 12345;
  return Float32Array.from({ length: Math.round(seconds * sampleRate) }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state / 2 ** 32 - 0.5) * 0.6;
  });
}

const last5Mean = (values: number[]) => values.slice(-5).reduce((a, b) => a + b, 0) / Math.min(5, values.length);

test('simulate --scene engine --json prints one JSON object with the NR measures and cancels ≥ 20 dB', async (t) => {
  const dir = tempDir(t);
  const { primary, secondary } = smallPaths(dir);
  const run = await antiphase(['simulate', '--scene', 'engine', '--primary', primary, '--secondary', secondary, '--taps', '128', '--duration', '4', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '', 'nothing on stderr in --json mode');
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one line of JSON');
  const report = JSON.parse(lines[0]);
  assert.equal(report.algorithm, 'fxnlms');
  assert.equal(report.taps, 128);
  assert.equal(report.sampleRate, FS);
  assert.equal(report.durationS, 4);
  assert.equal(report.perSecondNrDb.length, 4);
  assert.ok(report.perSecondNrDb.every((v: unknown) => typeof v === 'number'));
  assert.ok(report.steadyStateNrDb >= 20, `steady-state NR ${report.steadyStateNrDb} dB`);
  assert.ok(typeof report.convergenceTimeS === 'number' && report.convergenceTimeS <= 4);
  // delay(P) 10 − delay(S) 2 − one sample of loop buffering.
  assert.equal(report.causalityMarginSamples, 7);
  assert.equal(report.causalityMarginMs, (7 * 1000) / FS);
  assert.ok(report.stepSize > 0, 'the controller default step size is reported');
  assert.equal(report.stepSizeSource, 'controller default');
  assert.equal(report.divergences, 0);
  assert.ok(report.identificationResidualDb < -30, `Ŝ residual ${report.identificationResidualDb} dB`);
  assert.ok(Array.isArray(report.octaveBands) && report.octaveBands.length > 0);
  for (const band of report.octaveBands) assert.ok(band.attenuationDb === null || Number.isFinite(band.attenuationDb));
});

test('simulate writes d.wav, e.wav and y.wav with --out, mixing and resampling the noise file', async (t) => {
  const dir = tempDir(t);
  const { primary, secondary } = smallPaths(dir);
  // Stereo at 16 kHz; the paths are at 8 kHz.
  const left = noise(2, 16000);
  const file = writeWavFile(join(dir, 'noise.wav'), 16000, left, left.map((v) => 0.5 * v));
  const outDir = join(dir, 'run');
  const run = await antiphase(['simulate', '--noise', file, '--primary', primary, '--secondary', secondary, '--algorithm', 'fxlms', '--taps', '64', '--step-size', '0.1', '--out', outDir]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /fxlms, 64 taps, step size 0\.1 \(option\)/);
  assert.match(run.stdout, /resampled from 16000 Hz/);
  assert.match(run.stdout, /mixed from 2 channels/);
  assert.match(run.stdout, /steady-state NR\s+-?\d+\.\d dB/);
  assert.match(run.stdout, /causality margin\s+7 samples \(0\.88 ms\)/);
  const [d, e, y] = ['d.wav', 'e.wav', 'y.wav'].map((name) => readWav(readFileSync(join(outDir, name))));
  for (const audio of [d, e, y]) {
    assert.equal(audio.sampleRate, FS);
    assert.equal(audio.channels.length, 1);
    assert.equal(audio.channels[0].length, 2 * FS);
  }
  const energy = (x: Float32Array, from: number) => x.subarray(from).reduce((s, v) => s + v * v, 0);
  assert.ok(energy(e.channels[0], FS) < energy(d.channels[0], FS) / 10, 'e is quieter than d after a second');
});

test('simulate on the Sugiura paths (impulsiveRepo2025 trim) cancels cleaner.wav by ≥ 28 dB over the last 5 s', async (t) => {
  const p = sharedFile('paths', 'sugiura-primary.json');
  const s = sharedFile('paths', 'sugiura-secondary.json');
  const n = sharedFile('noise-real', 'extra', 'cleaner.wav');
  const skip = p.skip || s.skip || n.skip;
  if (skip) return t.skip(skip);
  const run = await antiphase(['simulate', '--noise', n.path, '--primary', p.path, '--secondary', s.path, '--trim', 'impulsiveRepo2025', '--algorithm', 'fxnlms', '--taps', '512', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.ok(last5Mean(report.perSecondNrDb) >= 28, `last 5 s: ${report.perSecondNrDb.slice(-5)}`);
  assert.ok(report.steadyStateNrDb >= 28, `steady state ${report.steadyStateNrDb}`);
  assert.equal(report.causalityMarginSamples, (200 - 179) - (199 - 195) - 1);
  assert.equal(report.primaryPath.taps, 601 - 179);
  assert.equal(report.secondaryPath.taps, 315 - 195);
});

test('simulate on the SFANC paths cancels Traffic.wav (44.1 kHz, resampled) by ≥ 30 dB in second 5', async (t) => {
  const p = sharedFile('paths', 'primary.json');
  const s = sharedFile('paths', 'secondary.json');
  const n = sharedFile('noise-real', 'Traffic.wav');
  const skip = p.skip || s.skip || n.skip;
  if (skip) return t.skip(skip);
  const run = await antiphase(['simulate', '--noise', n.path, '--primary', p.path, '--secondary', s.path, '--duration', '5', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.noise.resampled, true);
  assert.ok(report.perSecondNrDb[4] >= 30, `per-second NR ${report.perSecondNrDb}`);
});

test('simulate refuses bad input with a clear message, the right exit code and no output files', async (t) => {
  const dir = tempDir(t);
  const { primary, secondary } = smallPaths(dir);
  const good = writeWavFile(join(dir, 'good.wav'), FS, noise(1.5));
  const short = writeWavFile(join(dir, 'short.wav'), FS, noise(0.3));
  const otherRate = writePathFile(join(dir, 's16k.json'), 16000, [0, 0, 1]);
  const noTrims = writePathFile(join(dir, 'plain.json'), FS, [0, 0, 1]);
  const badRate = join(dir, 'bad-rate.json');
  writeFileSync(badRate, JSON.stringify({ sampleRate: -8000, taps: [1] }));
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, '{"sampleRate": 8000, "taps": [1,');
  const empty = join(dir, 'empty.wav');
  writeFileSync(empty, new Uint8Array(0));
  const noFrames = join(dir, 'no-frames.wav');
  writeFileSync(noFrames, writeWav({ sampleRate: FS, channels: [new Float32Array(0)] }, { format: 'float32' }));
  // A float WAV whose fourth sample is NaN (writeWav refuses to write one, so patch the bytes: data starts at 58).
  const nanWav = join(dir, 'nan.wav');
  const bytes = writeWav({ sampleRate: FS, channels: [noise(1.5)] }, { format: 'float32' });
  new DataView(bytes.buffer).setFloat32(58 + 3 * 4, NaN, true);
  writeFileSync(nanWav, bytes);

  const base = ['--primary', primary, '--secondary', secondary];
  const cases: { name: string; args: string[]; code: number; message: RegExp }[] = [
    { name: 'both noise sources', args: ['--noise', good, '--scene', 'engine', ...base], code: 2, message: /either --noise FILE\.wav or --scene NAME, not both/ },
    { name: 'no noise source', args: base, code: 2, message: /missing noise: give --noise FILE\.wav or --scene NAME/ },
    { name: 'unknown algorithm', args: ['--scene', 'engine', '--algorithm', 'magic', ...base], code: 2, message: /unknown algorithm 'magic'; known algorithms: fxlms, fxnlms, fxrls, fdfxlms, pbfxlms/ },
    { name: 'unknown scene', args: ['--scene', 'rain', ...base], code: 2, message: /unknown scene 'rain'; known scenes: engine, broadband/ },
    { name: 'unknown option', args: ['--scene', 'engine', '--tapz', '3', ...base], code: 2, message: /unknown option '--tapz'/ },
    { name: 'non-numeric taps', args: ['--scene', 'engine', '--taps', 'many', ...base], code: 2, message: /--taps must be a whole number from 1 to 65536, got 'many'/ },
    { name: 'zero step size', args: ['--scene', 'engine', '--step-size', '0', ...base], code: 2, message: /--step-size must be a finite number > 0, got '0'/ },
    { name: 'pbfxlms block not a power of two', args: ['--scene', 'engine', '--algorithm', 'pbfxlms', '--block', '48', ...base], code: 2, message: /--block must be a power of two for pbfxlms, got 48/ },
    { name: 'missing secondary', args: ['--scene', 'engine', '--primary', primary], code: 2, message: /missing --secondary/ },
    { name: 'unknown trim', args: ['--scene', 'engine', '--trim', 'middle', ...base], code: 1, message: /unknown trim 'middle'; available trims: direct, late/ },
    { name: 'trim of a path without trims', args: ['--scene', 'engine', '--trim', 'direct', '--primary', noTrims, '--secondary', secondary], code: 1, message: /plain\.json'.*trim 'direct' requested but the path has no trims/ },
    { name: 'paths at different rates', args: ['--scene', 'engine', '--primary', primary, '--secondary', otherRate], code: 1, message: /primary path '.*p\.json' is 8000 Hz but secondary path '.*s16k\.json' is 16000 Hz/ },
    { name: 'negative path rate', args: ['--scene', 'engine', '--primary', badRate, '--secondary', secondary], code: 1, message: /bad-rate\.json'.*sampleRate must be a positive finite number of Hz, got -8000/ },
    { name: 'path file not JSON', args: ['--scene', 'engine', '--primary', notJson, '--secondary', secondary], code: 1, message: /primary path '.*not\.json' is not valid JSON/ },
    { name: 'missing path file', args: ['--scene', 'engine', '--primary', join(dir, 'nope.json'), '--secondary', secondary], code: 1, message: /cannot read primary path '.*nope\.json': no such file or directory/ },
    { name: 'missing noise file', args: ['--noise', join(dir, 'nope.wav'), ...base], code: 1, message: /cannot read noise file '.*nope\.wav': no such file or directory/ },
    { name: 'empty noise file', args: ['--noise', empty, ...base], code: 1, message: /noise file '.*empty\.wav' is not a usable WAV file: empty file \(0 bytes\)/ },
    { name: 'WAV without samples', args: ['--noise', noFrames, ...base], code: 1, message: /noise file '.*no-frames\.wav' is empty: it holds no audio samples/ },
    { name: 'NaN sample', args: ['--noise', nanWav, ...base], code: 1, message: /noise file '.*nan\.wav' contains a non-finite sample \(NaN\) at frame 3 of channel 0/ },
    { name: 'noise shorter than a second', args: ['--noise', short, ...base], code: 1, message: /the noise is 0\.30 s long; simulate needs at least 1 s/ },
  ];
  const results = await Promise.all(
    cases.map((c, i) => antiphase(['simulate', ...c.args, '--out', join(dir, `out-${i}`)])),
  );
  results.forEach((run, i) => {
    const c = cases[i];
    assert.equal(run.code, c.code, `${c.name}: exit code (stderr: ${run.stderr})`);
    assert.match(run.stderr, c.message, c.name);
    assert.ok(isCleanError(run.stderr, 'simulate'), `${c.name}: one clean error line, got ${run.stderr}`);
    assert.equal(run.stdout, '', `${c.name}: nothing on stdout`);
    assert.ok(!existsSync(join(dir, `out-${i}`)), `${c.name}: no output written`);
  });
});

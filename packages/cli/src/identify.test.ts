import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random, convolve, parsePath } from '@antiphase/dsp';
import { antiphase, isCleanError, tempDir, writeWavFile } from './test-support.js';

const FS = 16000;

/** A known 64-tap FIR: 5-sample delay, then a decaying resonance (a loudspeaker-like secondary path). */
const TRUE_PATH = Float32Array.from({ length: 64 }, (_, k) => (k < 5 ? 0 : 0.8 * Math.exp(-(k - 5) / 10) * Math.cos(0.7 * (k - 5))));

/** 10·log10(‖ŵ − w‖² / ‖w‖²), comparing over the longer of the two (missing taps count as 0). */
function misalignmentDb(estimate: ArrayLike<number>, truth: ArrayLike<number>): number {
  let error = 0;
  let norm = 0;
  for (let k = 0; k < Math.max(estimate.length, truth.length); k++) {
    const w = truth[k] ?? 0;
    error += ((estimate[k] ?? 0) - w) ** 2;
    norm += w * w;
  }
  return 10 * Math.log10(error / norm);
}

test('identify recovers a known 64-tap FIR within −40 dB misalignment, with RLS and with NLMS', async (t) => {
  const dir = tempDir(t);
  const random = new Random(11);
  const excitation = Float32Array.from({ length: FS }, () => 0.1 * random.gaussian());
  const x = writeWavFile(join(dir, 'x.wav'), FS, excitation);
  const y = writeWavFile(join(dir, 'y.wav'), FS, convolve(excitation, TRUE_PATH));
  const rlsOut = join(dir, 'rls.json');
  const nlmsOut = join(dir, 'nlms.json');
  const [rls, nlms] = await Promise.all([
    antiphase(['identify', '--excitation', x, '--response', y, '--out', rlsOut, '--taps', '64', '--json']),
    antiphase(['identify', '--excitation', x, '--response', y, '--out', nlmsOut, '--taps', '96', '--algorithm', 'nlms']),
  ]);
  assert.equal(rls.code, 0, rls.stderr);
  assert.equal(JSON.parse(rls.stdout).algorithm, 'rls', 'auto picks RLS for 64 taps');
  assert.equal(nlms.code, 0, nlms.stderr);
  assert.match(nlms.stdout, /NLMS \(step 0\.5 annealed to 0\.05\), 96 taps/);
  assert.match(nlms.stdout, /delay \(peak tap\)\s+5 samples/);
  for (const file of [rlsOut, nlmsOut]) {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(json.source, 'antiphase identify');
    assert.equal(typeof json.note, 'string');
    const path = parsePath(json); // usable as a --primary/--secondary file
    assert.equal(path.sampleRate, FS);
    const m = misalignmentDb(path.taps, TRUE_PATH);
    t.diagnostic(`${file.endsWith('rls.json') ? 'RLS' : 'NLMS'} misalignment ${m.toFixed(1)} dB`);
    assert.ok(m <= -40, `${file}: misalignment ${m.toFixed(1)} dB`);
  }
});

test('identify refuses mismatched rates and too-short recordings without writing --out', async (t) => {
  const dir = tempDir(t);
  const random = new Random(2);
  const x = writeWavFile(join(dir, 'x.wav'), FS, Float32Array.from({ length: FS }, () => random.gaussian() * 0.1));
  const y8k = writeWavFile(join(dir, 'y8k.wav'), 8000, new Float32Array(8000));
  const tiny = writeWavFile(join(dir, 'tiny.wav'), FS, new Float32Array(100));
  const out = join(dir, 's.json');
  const runs = await Promise.all([
    antiphase(['identify', '--excitation', x, '--response', y8k, '--out', out]),
    antiphase(['identify', '--excitation', x, '--response', tiny, '--out', out, '--taps', '64']),
    antiphase(['identify', '--excitation', x, '--response', x, '--out', out, '--algorithm', 'kalman']),
  ]);
  assert.equal(runs[0].code, 1);
  assert.match(runs[0].stderr, /excitation recording '.*x\.wav' is 16000 Hz but response recording '.*y8k\.wav' is 8000 Hz/);
  assert.equal(runs[1].code, 1);
  assert.match(runs[1].stderr, /100 common samples; identifying 64 taps needs at least 128/);
  assert.equal(runs[2].code, 2);
  assert.match(runs[2].stderr, /unknown algorithm 'kalman'; known algorithms: auto, nlms, rls/);
  for (const run of runs) assert.ok(isCleanError(run.stderr, 'identify'), run.stderr);
  assert.ok(!existsSync(out));
});

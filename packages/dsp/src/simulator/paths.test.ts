import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PathError, parsePath } from './paths.js';

// ../shared sits next to the repository root: <root>/packages/dsp/src/simulator/ → <root>/../shared.
const pathsDir = fileURLToPath(new URL('../../../../../shared/data/paths/', import.meta.url));
const sharedMissing = existsSync(pathsDir) ? false : `measured paths not found at ${pathsDir} (needs ../shared next to the repo)`;

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(pathsDir + file, 'utf8'));
}

test("Sugiura's measured paths trimmed as in the 2025 impulsive-noise repo: primary 422 taps, secondary 120", { skip: sharedMissing }, () => {
  const primaryJson = readJson('sugiura-primary.json') as { taps: number[] };
  const primary = parsePath(primaryJson, { trim: 'impulsiveRepo2025', name: 'sugiura-primary' });
  assert.equal(primary.sampleRate, 16000);
  assert.equal(primary.name, 'sugiura-primary');
  assert.equal(primary.taps.length, 422);
  // taps[179:601]: the first kept tap is the file's tap 179.
  assert.equal(primary.taps[0], Math.fround(primaryJson.taps[179]));

  const secondaryJson = readJson('sugiura-secondary.json') as { taps: number[] };
  const secondary = parsePath(secondaryJson, { trim: 'impulsiveRepo2025' });
  assert.equal(secondary.taps.length, 120);
  // The direct-sound peak (file index 199, −0.1242) lands at index 4 of taps[195:315].
  let peakIndex = 0;
  for (let i = 1; i < secondary.taps.length; i++) if (Math.abs(secondary.taps[i]) > Math.abs(secondary.taps[peakIndex])) peakIndex = i;
  assert.equal(peakIndex, 4);
  assert.ok(Math.abs(secondary.taps[4] + 0.1242) < 1e-4);

  assert.equal(parsePath(secondaryJson).taps.length, 601);
  assert.throws(() => parsePath(secondaryJson, { trim: 'nope' }), /unknown trim 'nope'; available trims: matlab2019, impulsiveRepo2025/);
});

test('parsePath() reads a minimal path and does not mutate its input', () => {
  const json = { sampleRate: 8000, taps: [1, 0.5, -0.25], name: 'toy' };
  const frozen = structuredClone(json);
  const path = parsePath(json);
  assert.deepEqual(path, { sampleRate: 8000, taps: Float32Array.from([1, 0.5, -0.25]), name: 'toy' });
  assert.deepEqual(json, frozen);
  assert.equal(parsePath(json, { name: 'other' }).name, 'other');
  assert.deepEqual(parsePath({ sampleRate: 8000, taps: [0, 1, 2, 3], trims: { mid: [1, 3] } }, { trim: 'mid' }).taps, Float32Array.from([1, 2]));
});

test('parsePath() errors name the problem', () => {
  const cases: [unknown, RegExp, string?][] = [
    [null, /expected an object/],
    [[1, 2], /expected an object/],
    [{ taps: [1] }, /sampleRate must be a positive finite number of Hz, got undefined/],
    [{ sampleRate: -1, taps: [1] }, /sampleRate .* got -1/],
    [{ sampleRate: '16000', taps: [1] }, /sampleRate .* got "16000"/],
    [{ sampleRate: 16000 }, /taps must be an array of numbers/],
    [{ sampleRate: 16000, taps: [] }, /taps is empty/],
    [{ sampleRate: 16000, taps: [0, 1, null] }, /taps\[2\] is null/],
    [{ sampleRate: 16000, taps: [0, 'x'] }, /taps\[1\] is "x"/],
    [{ sampleRate: 16000, taps: [1] }, /no trims/, 'a'],
    [{ sampleRate: 16000, taps: [1], trims: {} }, /unknown trim 'a'; available trims: \(none\)/, 'a'],
    [{ sampleRate: 16000, taps: [1, 2], trims: { a: [0, 3] } }, /trims\.a = \[0, 3\) is outside the 2 taps/, 'a'],
    [{ sampleRate: 16000, taps: [1, 2], trims: { a: [1, 1] } }, /is outside the 2 taps or empty/, 'a'],
    [{ sampleRate: 16000, taps: [1, 2], trims: { a: [0.5, 1] } }, /trims\.a must be \[start, end\) integer indices/, 'a'],
  ];
  for (const [json, message, trim] of cases) {
    assert.throws(() => parsePath(json, trim === undefined ? {} : { trim }), (error: unknown) => {
      assert.ok(error instanceof PathError);
      assert.match(error.message, message);
      return true;
    });
  }
});

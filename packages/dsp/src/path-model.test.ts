import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convolve } from './fir.js';
import { SecondaryPathModel } from './path-model.js';
import { Random } from './random.js';

const M = 96;
const N = 40;
const H = 120;

/** Ŝ with the playout delay's leading zeros, as a session's identified path. */
function delayedPath(random: Random): Float32Array {
  const path = new Float32Array(M);
  for (let k = 30; k < M; k++) path[k] = random.gaussian() * Math.exp(-(k - 30) / 20);
  return path;
}

for (const kernel of ['wasm-simd', 'scalar'] as const) {
  test(`${kernel}: the full window is the convolution Ŝ*q over the frame`, () => {
    const random = new Random(11);
    const model = new SecondaryPathModel({ taps: M, historyLength: H + N, histories: 1, maxBlock: N, kernel });
    assert.equal(model.kernel, kernel);
    const path = delayedPath(random);
    model.setPath(path);
    assert.equal(model.significantTaps, M - 30);
    const played = Float32Array.from({ length: H + N }, () => random.gaussian());
    model.history(0).set(played);
    const out = new Float32Array(N);
    model.filter(0, H - M + 1, out);
    // The history ends with the current frame: output i is sample H + i of S*q.
    const expected = convolve(played, path).subarray(H, H + N);
    for (let i = 0; i < N; i++) assert.ok(Math.abs(out[i] - expected[i]) < 1e-4, `sample ${i}: ${out[i]} vs ${expected[i]}`);
  });

  test(`${kernel}: narrowed lag ranges sum exactly the lags asked for`, () => {
    const random = new Random(12);
    const model = new SecondaryPathModel({ taps: M, historyLength: H + N, histories: 2, maxBlock: N, kernel });
    const path = delayedPath(random);
    model.setPath(path);
    const h = model.history(1);
    h.set(Float32Array.from({ length: H + N }, () => random.gaussian()));
    const start = H - M + 1;
    for (const [fromBase, endBase] of [[0, M - 1], [25, 60], [-10, 200], [N + 5, M - 1], [10, 5]]) {
      const out = new Float32Array(N);
      model.filter(1, start, out, fromBase, endBase);
      for (let i = 0; i < N; i++) {
        let expected = 0;
        for (let k = Math.max(0, fromBase - i); k < Math.min(endBase - i, M - 30); k++) expected += path[M - 1 - k] * h[start + i + k];
        assert.ok(Math.abs(out[i] - expected) < 1e-4, `range [${fromBase}, ${endBase}) sample ${i}: ${out[i]} vs ${expected}`);
      }
    }
  });
}

test('a window past the history, a block past maxBlock and a path of the wrong length are refused', () => {
  const model = new SecondaryPathModel({ taps: M, historyLength: H + N, histories: 1, maxBlock: N });
  assert.throws(() => model.setPath(new Float32Array(M - 1)), /must have 96 taps/);
  model.setPath(Float32Array.from({ length: M }, () => 1));
  assert.throws(() => model.filter(0, H, new Float32Array(N)), /past the history/);
  assert.throws(() => model.filter(0, 0, new Float32Array(N + 1)), /exceeds maxBlock/);
  assert.throws(() => model.history(1), /no history 1/);
  assert.throws(() => new SecondaryPathModel({ taps: 0, historyLength: 1, histories: 1, maxBlock: 1 }), /taps must be/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '@antiphase/dsp';
import { FEATURE_COUNT } from './features.js';
import { parseModel } from './model.js';
import { trainMlp } from './trainer.js';

/** Three separable synthetic classes in feature space (the trainer does not care what the features mean). */
function data(): { x: Float32Array[]; y: number[] } {
  const rng = new Random(5);
  const x = Array.from({ length: 300 }, (_, n) => Float32Array.from({ length: FEATURE_COUNT }, (_, i) => rng.gaussian() + (i % 7 === n % 3 ? 2 : 0)));
  return { x, y: x.map((_, n) => n % 3) };
}

test('an ensemble model is its members merged: the same probabilities as the members\' mean logits', () => {
  const { x, y } = data();
  const classes = ['a', 'b', 'c'];
  const options = { hidden: [8, 4], epochs: 3 };
  const members = [0, 1, 2].map((k) => parseModel({ ...trainMlp(x, y, classes, { ...options, seed: 10 + k }), version: '1.0.0' }));
  const json = trainMlp(x, y, classes, { ...options, seed: 10, ensemble: 3 });
  assert.deepEqual(json.layers.map((l) => [l.inputs, l.outputs]), [[FEATURE_COUNT, 24], [24, 12], [12, 3]]);
  const merged = parseModel({ ...json, version: '1.0.0' });
  for (const v of x.slice(0, 30)) {
    const logs = members.map((m) => Array.from(m.predict(v), Math.log));
    const mean = logs[0].map((_, k) => logs.reduce((s, l) => s + l[k], 0) / logs.length);
    const z = mean.map(Math.exp);
    const sum = z.reduce((s, e) => s + e, 0);
    const p = merged.predict(v);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(p[k] - z[k] / sum) < 1e-5, `${p[k]} vs ${z[k] / sum}`);
  }
  assert.throws(() => trainMlp(x, y, classes, { ...options, ensemble: 0 }), /ensemble/);
});

test('safetyWeight 1 is the unweighted loss; other weights change the model, bad ones are refused', () => {
  const { x, y } = data();
  const classes = ['alarm', 'office', 'siren'];
  const options = { hidden: [8], epochs: 2, seed: 3 };
  assert.deepEqual(trainMlp(x, y, classes, { ...options, safetyWeight: 1 }), trainMlp(x, y, classes, options));
  assert.notDeepEqual(trainMlp(x, y, classes, { ...options, safetyWeight: 3 }).layers, trainMlp(x, y, classes, options).layers);
  assert.throws(() => trainMlp(x, y, classes, { ...options, safetyWeight: 0 }), /safetyWeight/);
});

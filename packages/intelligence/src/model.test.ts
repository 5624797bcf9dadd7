import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { Random } from '@antiphase/dsp';
import { FEATURE_COUNT } from './features.js';
import { ModelError, parseModel } from './model.js';
import { trainMlp } from './trainer.js';
import { NoiseClassifier } from './classify.js';
import { evaluatePredictions } from './evaluate.js';
import { exampleSeed, generateExample } from './generator/generate.js';
import { NOISE_CLASSES, SILENCE_LABEL } from './taxonomy.js';
import { loadModelFile, sha256Hex, SHIPPED_MODEL_CARD_PATH, SHIPPED_MODEL_PATH } from './node/model-file.js';

function blobs(seed: number, n: number) {
  const rng = new Random(seed);
  const x: Float32Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    x.push(Float32Array.from({ length: FEATURE_COUNT }, (_, j) => (j % 3 === k ? 2 : 0) + rng.gaussian()));
    y.push(k);
  }
  return { x, y };
}

test('the trainer learns separable classes and is deterministic for a seed', () => {
  const { x, y } = blobs(1, 300);
  const a = trainMlp(x, y, ['a', 'b', 'c'], { epochs: 8, hidden: [16], seed: 3 });
  const b = trainMlp(x, y, ['a', 'b', 'c'], { epochs: 8, hidden: [16], seed: 3 });
  assert.deepEqual(a, b);
  const model = parseModel(a);
  const test = blobs(2, 150);
  const correct = test.x.filter((v, i) => model.predict(v).indexOf(Math.max(...model.predict(v))) === test.y[i]).length;
  assert.ok(correct / 150 > 0.95, `accuracy ${correct / 150}`);
});

test('parseModel rejects documents that are not a usable model, naming the defect', () => {
  const { x, y } = blobs(1, 30);
  const good = trainMlp(x, y, ['a', 'b', 'c'], { epochs: 1, hidden: [4] });
  assert.throws(() => parseModel(null), ModelError);
  assert.throws(() => parseModel({ ...good, format: 'other' }), /not a noise-classifier model/);
  assert.throws(() => parseModel({ ...good, formatVersion: 99 }), /formatVersion/);
  assert.throws(() => parseModel({ ...good, classes: ['a', 'b'] }), /outputs for 2 classes/);
  assert.throws(() => parseModel({ ...good, features: { ...good.features, names: good.features.names.slice(1) } }), /different feature set/);
  // A model of the 205-feature set (1.2.0 and before, without the low-frequency and co-modulation features).
  const names205 = good.features.names.slice(0, 205);
  assert.ok(names205.length < FEATURE_COUNT);
  assert.throws(() => parseModel({
    ...good,
    features: { ...good.features, names: names205 },
    normalisation: { mean: good.normalisation.mean.slice(0, 205), std: good.normalisation.std.slice(0, 205) },
  }), /trained on a different feature set/);
  const broken = structuredClone(good);
  broken.layers[0].weights[0] = Number.NaN;
  assert.throws(() => parseModel(broken), /non-finite/);
});

test('metrics: safety recall counts alarm↔siren as detected; false bypass counts other→safety; unknown labels excluded', () => {
  const r = evaluatePredictions(
    ['siren', 'alarm', 'engine', 'engine', 'babble', 'weather'],
    ['alarm', 'alarm', 'siren', 'engine', 'babble', 'engine'],
    ['engine', 'babble', 'alarm', 'siren'],
    { coreMinClips: 2 },
  );
  assert.equal(r.clips, 5);
  assert.equal(r.accuracy, 3 / 5);
  assert.equal(r.safetyRecall, 1);
  assert.equal(r.falseBypassRate, 1 / 3);
  assert.deepEqual(r.excluded, { weather: 1 });
  assert.deepEqual(r.coreAccuracy.classes, ['engine']);
  assert.equal(r.perClassRecall.siren, 0);
  assert.deepEqual(r.confusion.matrix[3], [0, 0, 1, 0]);
});

test('the shipped model is ≤ 1 MB, pinned by the sha256 in its model card, and knows the taxonomy', () => {
  const bytes = readFileSync(SHIPPED_MODEL_PATH);
  assert.ok(statSync(SHIPPED_MODEL_PATH).size <= 1_000_000);
  const card = readFileSync(SHIPPED_MODEL_CARD_PATH, 'utf8');
  assert.match(card, new RegExp(`sha256 \\| \`${sha256Hex(bytes)}\``));
  const model = loadModelFile();
  assert.deepEqual(model.classes, [...NOISE_CLASSES]);
  assert.deepEqual(model.safetyClasses, ['alarm', 'siren']);
});

test('the shipped model on fresh generated data (a seed never used in training) — held-out accuracy', () => {
  const classifier = new NoiseClassifier(loadModelFile());
  const truth: string[] = [];
  const predicted: string[] = [];
  for (let i = 0; i < 12; i++) {
    NOISE_CLASSES.forEach((label, c) => {
      truth.push(label);
      predicted.push(classifier.classify(generateExample(label, exampleSeed(990001, c, i)).samples).label);
    });
  }
  const report = evaluatePredictions(truth, predicted, NOISE_CLASSES);
  // Model 1.3.0: 93.3 % on these 120 examples, safety recall 100 %; the model card has the 1000-example figure
  // (92.1 %). The target is 98 %: not reached yet (see docs/eval-classifier.md).
  assert.ok(report.accuracy >= 0.8, `held-out generated accuracy ${report.accuracy}`);
  assert.ok((report.safetyRecall ?? 0) >= 0.9, `safety recall ${report.safetyRecall}`);
});

test('classify(): silence, short, non-finite input and other sample rates have defined answers', () => {
  const classifier = new NoiseClassifier(loadModelFile());
  assert.equal(classifier.classify(new Float32Array(16000)).label, SILENCE_LABEL);
  assert.throws(() => classifier.classify(new Float32Array(3000)), /too short/);
  const bad = new Float32Array(16000).fill(0.1);
  bad[5] = Number.NaN;
  assert.throws(() => classifier.classify(bad), /non-finite/);
  const ex = generateExample('siren', 77, { minDurationS: 3, maxDurationS: 3 }).samples;
  const r16 = classifier.classify(ex, 16000);
  assert.equal(r16.top.length, 3);
  assert.ok(Math.abs(r16.probabilities.reduce((s, p) => s + p.probability, 0) - 1) < 1e-9);
  // The same audio at 48 kHz (3× repetition of each sample is a crude upsampling; the class must survive).
  const up = new Float32Array(ex.length * 3).map((_, i) => ex[Math.floor(i / 3)]);
  assert.equal(classifier.classify(up, 48000).label, r16.label);
});

/**
 * `npm run train:classifier [-- options]`: trains the noise classifier reproducibly on generated data and writes
 * packages/intelligence/model/noise-classifier.json and MODEL_CARD.md (Node-only; the same pipeline as
 * `antiphase classifier train`).
 *
 *   --seed N        training seed (default 20240611)
 *   --examples N    generated examples per class (default TRAINING_DEFAULTS.examplesPerClass, 1200)
 *   --data DIR      add a user's labelled clips (manifest.csv or <class>/*.wav)
 *   --out DIR       output folder (default packages/intelligence/model)
 *   --eval DIR      also evaluate on a real labelled folder for the model card (never trained on)
 *   --epochs N      training epochs (default TRAIN_DEFAULTS.epochs)
 *   --workers N     worker threads generating the examples (default: 2, or 1 on a single-core machine); the model
 *                   does not depend on it
 */
import { parseArgs } from 'node:util';
import { dirname } from 'node:path';
import { availableParallelism } from 'node:os';
import { runTrainingInWorkers, writeTrainingOutputs } from './node/train.js';
import { SHIPPED_MODEL_PATH } from './node/model-file.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    examples: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    eval: { type: 'string' },
    epochs: { type: 'string' },
    workers: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write('Usage: npm run train:classifier -- [--seed N] [--examples N] [--data DIR] [--out DIR] [--eval DIR] [--epochs N] [--workers N]\n');
  process.exit(0);
}
const int = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) {
    process.stderr.write(`train:classifier: error: --${name} must be a whole number, got '${v}'\n`);
    process.exit(2);
  }
  return Number(v);
};
const epochs = int(values.epochs, 'epochs');
const workers = int(values.workers, 'workers') ?? Math.min(2, availableParallelism());
if (workers < 1) {
  process.stderr.write('train:classifier: error: --workers must be at least 1\n');
  process.exit(2);
}
const result = await runTrainingInWorkers({
  workers,
  seed: int(values.seed, 'seed'),
  examplesPerClass: int(values.examples, 'examples'),
  dataDir: values.data,
  evalDir: values.eval,
  train: epochs !== undefined ? { epochs } : undefined,
  log: (line) => process.stderr.write(`train:classifier: ${line}\n`),
});
const paths = writeTrainingOutputs(result, values.out ?? dirname(SHIPPED_MODEL_PATH));
process.stdout.write(`wrote ${paths.model} (${Buffer.byteLength(result.modelText)} bytes, sha256 ${result.sha256})\nwrote ${paths.card}\n`);
if (result.heldOut) process.stdout.write(`held-out generated accuracy: ${(100 * result.heldOut.accuracy).toFixed(2)}%\n`);
if (result.real) process.stdout.write(`real-data accuracy: ${(100 * result.real.accuracy).toFixed(2)}%, safety recall ${result.real.safetyRecall}, false bypass ${result.real.falseBypassRate}\n`);

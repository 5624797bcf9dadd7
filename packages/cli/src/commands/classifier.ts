/**
 * `antiphase classifier train|eval`: trains the noise classifier (on generated data, reproducibly, optionally with
 * the user's labelled clips) and evaluates a model on a labelled folder (manifest.csv with file,label columns, or
 * one sub-folder per class). Same pipeline as `npm run train:classifier` (packages/intelligence/src/node/train.ts).
 */
import { join } from 'node:path';
import { BYPASS_CONFIDENCE, BYPASS_WINDOW_S, formatReport, ModelError } from '@antiphase/intelligence';
import {
  DatasetError, evaluateFolder, MODEL_CARD_FILE_NAME, MODEL_FILE_NAME, runTraining, TRAINING_DEFAULTS,
} from '@antiphase/intelligence/node';
import { integerOption, parseOptions, required } from '../args.js';
import { note, out, type Command } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { checkOutputDirectory, writeFilesAtomically } from '../files.js';
import { fixed, keyValueTable, toJsonLine } from '../format.js';
import { loadClassifier } from './classify.js';

const DEFAULT_OUT = 'classifier-model';

const TRAIN_OPTIONS = {
  data: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  examples: { type: 'string' },
  epochs: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const EVAL_OPTIONS = {
  data: { type: 'string' },
  model: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const HELP = `Usage: antiphase classifier train [--data DIR] [--out DIR] [--seed N] [--examples N] [--epochs N] [--json]
       antiphase classifier eval --data DIR [--model MODEL.json] [--json]

train  Trains the noise classifier on procedurally generated examples of every class (reproducible: same seed,
       same model) and writes DIR/${MODEL_FILE_NAME} plus DIR/${MODEL_CARD_FILE_NAME} (data, features, metrics, sha256).
  --data DIR        also train on your labelled clips: DIR/manifest.csv (columns file,label) or DIR/<class>/*.wav;
                    labels outside the built-in taxonomy become new classes
  --out DIR         output folder (default ./${DEFAULT_OUT}; created if missing; files written atomically)
  --seed N          training seed (default ${TRAINING_DEFAULTS.seed})
  --examples N      generated examples per class (default ${TRAINING_DEFAULTS.examplesPerClass}; 0 = your data only)
  --epochs N        training epochs (default 60)
  The shipped model is made by 'npm run train:classifier' (same pipeline, output packages/intelligence/model).

eval   Classifies every clip of a labelled folder and prints accuracy, macro recall, per-class recall, safety
       recall (alarm/siren clips detected as alarm or siren), false bypass rate (other clips classified as alarm
       or siren) and the confusion matrix. Labels the model does not know are excluded and counted. Then what a
       session would do ("session" in --json): the share of safety and of other clips on which the emergency
       bypass would start, from the classifier on each second (a safety class >= ${BYPASS_CONFIDENCE}) or the detector.
  --data DIR        DIR/manifest.csv (columns file,label; paths relative to DIR) or DIR/<class>/*.wav
  --model MODEL.json  model to evaluate (default: the shipped model)

Common:
  --json            print one JSON object instead of text
  -h, --help        show this help
`;

export const classifierCommand: Command = {
  name: 'classifier',
  summary: 'train the noise classifier (generated data) or evaluate it on a labelled folder',
  help: HELP,
  run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'train') return train(rest);
    if (sub === 'eval') return evaluate(rest);
    if (sub === undefined) throw new UsageError("missing subcommand: 'train' or 'eval' (see --help)");
    throw new UsageError(`unknown subcommand '${sub}'; subcommands: train, eval (see --help)`);
  },
};

function train(argv: string[]): void {
  const values = parseOptions(argv, TRAIN_OPTIONS);
  const outDir = values.out ?? DEFAULT_OUT;
  const seed = integerOption(values.seed, 'seed', { min: 0, max: 0xffffffff });
  const examples = integerOption(values.examples, 'examples', { min: 0, max: 100000 });
  const epochs = integerOption(values.epochs, 'epochs', { min: 1, max: 10000 });
  const json = values.json ?? false;
  if (examples === 0 && values.data === undefined) throw new UsageError('--examples 0 needs --data DIR (nothing to train on)');
  checkOutputDirectory(outDir, 'the model');
  let result;
  try {
    result = runTraining({
      seed,
      examplesPerClass: examples,
      dataDir: values.data,
      train: epochs !== undefined ? { epochs } : undefined,
      log: (line) => {
        if (!json) note('classifier', line);
      },
    });
  } catch (error) {
    if (error instanceof DatasetError || error instanceof RangeError) throw new CliError(error.message);
    throw error;
  }
  const modelPath = join(outDir, MODEL_FILE_NAME);
  const cardPath = join(outDir, MODEL_CARD_FILE_NAME);
  writeFilesAtomically([{ path: modelPath, data: result.modelText }, { path: cardPath, data: result.card }], { createDirectories: true });
  const report = {
    command: 'classifier train',
    model: modelPath,
    card: cardPath,
    bytes: Buffer.byteLength(result.modelText),
    sha256: result.sha256,
    classes: result.model.classes,
    trainingWindows: result.trainingWindows,
    userClips: result.userClips,
    heldOutAccuracy: result.heldOut?.accuracy ?? null,
    seconds: result.seconds,
  };
  if (json) {
    out(toJsonLine(report));
    return;
  }
  out(
    [
      'antiphase classifier train',
      keyValueTable([
        ['model', `${modelPath} (${report.bytes} bytes, sha256 ${result.sha256})`],
        ['model card', cardPath],
        ['classes', result.model.classes.join(', ')],
        ['trained on', `${result.trainingWindows} windows${result.userClips > 0 ? ` (incl. ${result.userClips} of your clips)` : ''}`],
        ['held-out accuracy', report.heldOutAccuracy === null ? 'n/a' : `${fixed(100 * report.heldOutAccuracy, 2)}% (generated, fresh seed)`],
        ['time', `${fixed(result.seconds, 0)} s`],
      ]),
    ].join('\n'),
  );
}

function evaluate(argv: string[]): void {
  const values = parseOptions(argv, EVAL_OPTIONS);
  const dataDir = required(values.data, 'data');
  const json = values.json ?? false;
  const { classifier, modelPath } = loadClassifier(values.model);
  let result;
  try {
    result = evaluateFolder(classifier, dataDir);
  } catch (error) {
    if (error instanceof DatasetError || error instanceof ModelError) throw new CliError(error.message);
    throw error;
  }
  if (result.report.clips === 0) throw new CliError(`no clip of '${dataDir}' carries a label the model knows (${classifier.model.classes.join(', ')})`);
  if (json) {
    out(toJsonLine({
      command: 'classifier eval', data: dataDir, model: { path: modelPath, version: classifier.model.version }, ...result.report,
      session: result.session, skipped: result.skipped,
    }));
    return;
  }
  const session = result.session;
  const pct = (x: number): string => `${fixed(100 * x, 1)}%`;
  const lines = [
    `antiphase classifier eval: ${dataDir} with model ${classifier.model.version} (${modelPath})`, formatReport(result.report), '',
    `in a session (each ${BYPASS_WINDOW_S} s classified, bypass on a safety class ≥ ${BYPASS_CONFIDENCE}, or an emergency-detector onset):`,
    `  bypass on safety clips      ${pct(session.safetyRecall)}  (classifier ${pct(session.classifierSafetyRecall)}, detector ${pct(session.detectorSafetyRecall)}; ${session.safetyClips} clips)`,
    `  bypass on other clips       ${pct(session.falseBypassRate)}  (classifier ${pct(session.classifierFalseBypassRate)}, detector ${pct(session.detectorFalseBypassRate)}; ${session.otherClips} clips)`,
  ];
  if (result.skipped.length > 0) {
    lines.push('', `skipped ${result.skipped.length} clip(s) that could not be classified:`);
    for (const s of result.skipped) lines.push(`  ${s.file}: ${s.reason}`);
  }
  out(lines.join('\n'));
}

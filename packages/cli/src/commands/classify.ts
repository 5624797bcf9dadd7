/**
 * `antiphase classify FILE.wav`: noise type of a recording with the noise classifier of @antiphase/intelligence
 * (shipped model packages/intelligence/model/noise-classifier.json unless --model says otherwise). Any sample rate
 * is resampled to 16 kHz; clips longer than 3 s are classified in 3 s windows (hop 1 s) whose probabilities are
 * averaged. Silence (RMS below −80 dBFS) answers 'silence'; clips shorter than 0.25 s, empty or corrupt files are
 * errors (exit 1).
 */
import { ClassifierInputError, LOW_CONFIDENCE, MIN_DURATION_S, ModelError, NoiseClassifier, SILENCE_RMS_DBFS } from '@antiphase/intelligence';
import { loadModelFile, SHIPPED_MODEL_PATH } from '@antiphase/intelligence/node';
import { parseOptions } from '../args.js';
import { out, type Command } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { loadMonoWav } from '../files.js';
import { fixed, keyValueTable, toJsonLine } from '../format.js';

const OPTIONS = {
  model: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const HELP = `Usage: antiphase classify FILE.wav [--model MODEL.json] [--json]

Classifies the kind of noise in a recording: traffic, aircraft, engine, construction, hvac, babble, office,
household, alarm or siren (alarm and siren are safety classes: ANC must not cancel them). Multichannel files are
mixed to mono and any sample rate is resampled to 16 kHz; clips longer than 3 s are classified in 3 s windows
(hop 1 s) whose probabilities are averaged.

Options:
  --model MODEL.json   classifier model (default: the shipped model, packages/intelligence/model/noise-classifier.json)
  --json               print one JSON object (label, confidence, lowConfidence, safety, top, probabilities, …)
  -h, --help           show this help

Answers: the winning class with its probability and the top 3. A clip quieter than ${SILENCE_RMS_DBFS} dBFS RMS is
'silence'; a winning probability below ${LOW_CONFIDENCE} is flagged "low confidence". Clips shorter than
${MIN_DURATION_S} s, empty or corrupt files are errors (exit 1).
`;

/** Splits `FILE.wav` (the one positional argument) from the options, so option errors keep the shared wording. */
export function splitPositionals(argv: string[], valueOptions: readonly string[]): { positionals: string[]; rest: string[] } {
  const positionals: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      rest.push(arg);
      if (valueOptions.includes(arg) && i + 1 < argv.length) rest.push(argv[++i]);
    } else positionals.push(arg);
  }
  return { positionals, rest };
}

export function loadClassifier(modelPath: string | undefined): { classifier: NoiseClassifier; modelPath: string } {
  const path = modelPath ?? SHIPPED_MODEL_PATH;
  try {
    return { classifier: new NoiseClassifier(loadModelFile(path)), modelPath: path };
  } catch (error) {
    if (error instanceof ModelError) throw new CliError(error.message);
    throw error;
  }
}

export const classifyCommand: Command = {
  name: 'classify',
  summary: 'classify the noise type of a recording (traffic, engine, babble, … alarm, siren)',
  help: HELP,
  run(argv) {
    const { positionals, rest } = splitPositionals(argv, ['--model']);
    const values = parseOptions(rest, OPTIONS);
    if (positionals.length === 0) throw new UsageError('missing FILE.wav (see --help)');
    if (positionals.length > 1) throw new UsageError(`expected one FILE.wav, got ${positionals.length}: ${positionals.map((p) => `'${p}'`).join(' ')}`);
    const file = positionals[0];
    const json = values.json ?? false;
    const { classifier, modelPath } = loadClassifier(values.model);
    const audio = loadMonoWav(file, 'recording');
    let result;
    try {
      result = classifier.classify(audio.samples, audio.sampleRate);
    } catch (error) {
      if (error instanceof ClassifierInputError) throw new CliError(`recording '${file}': ${error.message}`);
      throw error;
    }
    const report = {
      command: 'classify',
      file,
      ...result,
      sampleRate: audio.sampleRate,
      channels: audio.channels,
      model: { path: modelPath, version: classifier.model.version },
    };
    if (json) {
      out(toJsonLine(report));
      return;
    }
    const pct = (p: number) => `${fixed(100 * p, 1)}%`;
    const headline =
      result.top.length === 0
        ? `silence (RMS ${fixed(result.rmsDbfs)} dBFS, below ${SILENCE_RMS_DBFS} dBFS)`
        : `${result.label} (${pct(result.confidence)})${result.lowConfidence ? ' — low confidence' : ''}${result.safety ? ' — SAFETY class: bypass ANC' : ''}`;
    const rows: [string, string][] = [['class', headline]];
    if (result.top.length > 0) rows.push(['top 3', result.top.map((t) => `${t.label} ${pct(t.probability)}`).join(', ')]);
    rows.push(
      ['audio', `${fixed(result.durationS, 2)} s, ${audio.sampleRate} Hz, ${audio.channels} channel${audio.channels === 1 ? '' : 's'}, RMS ${fixed(result.rmsDbfs)} dBFS`],
      ['windows', `${result.windows} (3 s, hop 1 s, probabilities averaged)`],
      ['model', `${classifier.model.version} (${modelPath})`],
    );
    out([`antiphase classify: ${file}`, keyValueTable(rows)].join('\n'));
  },
};

/**
 * `antiphase presets train|upload`: control-filter preset banks for the hybrid SFANC-FxNLMS warm start. `train`
 * pre-trains one filter per SFANC frequency band and per noise class with the platform's own FxNLMS on a device or
 * room profile (primary/secondary path pair and its loop latency) and writes the bank as JSON; `upload` stores it
 * in the service (POST /api/v1/presets), after which sessions name it in their config's `presets`.
 */
import { presetBankToJson, trainPresetBank } from '@antiphase/intelligence';
import { integerOption, parseOptions, required } from '../args.js';
import { note, out, type Command } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { loadPath, readInputFile, writeFilesAtomically } from '../files.js';
import { ProgressBar } from '../progress.js';
import { splitPositionals } from './classify.js';
import { LIVE_DEFAULTS, liveError, loadClient, parseLiveOptions } from './stream.js';

const TRAIN_OPTIONS = {
  primary: { type: 'string' },
  secondary: { type: 'string' },
  trim: { type: 'string' },
  'loop-latency': { type: 'string' },
  taps: { type: 'string' },
  kinds: { type: 'string' },
  profile: { type: 'string' },
  duration: { type: 'string' },
  out: { type: 'string' },
} as const;

const UPLOAD_OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
} as const;

const HELP = `Usage: antiphase presets train --primary P.json --secondary S.json --out BANK.json [options]
       antiphase presets upload BANK.json --api-key KEY [--url URL]

train: pre-trains control filters for one device or room profile with FxNLMS (one per SFANC band: the full band,
halves, quarters, eighths; and one per noise class, on its generated noise) and writes the bank.
  --primary P.json, --secondary S.json   the profile's paths (JSON {sampleRate, taps, trims?}, same rate)
  --trim NAME           cut both paths to their [start, end) range NAME in each file's "trims"
  --loop-latency N      samples from capturing a reference sample to playing the anti-noise computed from it,
                        beyond the acoustic paths (default 1, a sample-by-sample local loop; a network session:
                        playoutDelayFrames × frameSize)
  --taps N              control filter length (default 256; sessions using the bank must use the same)
  --kinds LIST          bands, classes or bands,classes (default bands,classes; classes need 16 kHz paths)
  --profile NAME        name stored with the bank (default: the primary path's file name)
  --duration S          seconds of training noise per preset (default 6)
  --out BANK.json       where to write the bank

upload: stores BANK.json in the service and prints its id (sessions then use {"presets": "<id>"}).
  --api-key KEY         your API key (POST /api/v1/api-keys): the bank belongs to its owner
  --url URL             the service (default ${LIVE_DEFAULTS.url})
`;

export const presetsCommand: Command = {
  name: 'presets',
  summary: 'train control-filter preset banks (hybrid SFANC-FxNLMS warm start) and upload them to the service',
  help: HELP,
  run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'train') return train(rest);
    if (sub === 'upload') return upload(rest);
    if (sub === undefined) throw new UsageError("missing subcommand: 'train' or 'upload' (see --help)");
    throw new UsageError(`unknown subcommand '${sub}'; subcommands: train, upload (see --help)`);
  },
};

function train(argv: string[]): void {
  const values = parseOptions(argv, TRAIN_OPTIONS);
  const primaryFile = required(values.primary, 'primary');
  const secondaryFile = required(values.secondary, 'secondary');
  const outFile = required(values.out, 'out');
  const primary = loadPath(primaryFile, 'primary path', values.trim);
  const secondary = loadPath(secondaryFile, 'secondary path', values.trim);
  if (primary.sampleRate !== secondary.sampleRate) {
    throw new CliError(`the paths have different sample rates (${primary.sampleRate} and ${secondary.sampleRate} Hz)`);
  }
  const kinds = (values.kinds ?? 'bands,classes').split(',').map((k) => k.trim());
  for (const kind of kinds) if (kind !== 'bands' && kind !== 'classes') throw new UsageError(`--kinds takes bands and/or classes, got '${kind}'`);
  if (kinds.includes('classes') && primary.sampleRate !== 16000) {
    throw new CliError(`class presets are trained on generated 16 kHz noise; these paths are ${primary.sampleRate} Hz (use --kinds bands)`);
  }
  const durationS = values.duration === undefined ? 6 : Number(values.duration);
  if (!(durationS >= 0.5 && durationS <= 600)) throw new UsageError(`--duration must be 0.5 to 600 seconds, got '${values.duration}'`);
  const progress = new ProgressBar('training presets');
  const bank = trainPresetBank({
    profile: values.profile ?? primaryFile.replace(/^.*\//, '').replace(/\.json$/, ''),
    sampleRate: primary.sampleRate,
    primaryPath: primary.taps,
    secondaryPath: secondary.taps,
    // The training loop plays each anti-noise sample one sample after computing it: that sample is part of the delay.
    loopLatency: Math.max(0, (integerOption(values['loop-latency'], 'loop-latency', { min: 1, max: 1_000_000 }) ?? 1) - 1),
    taps: integerOption(values.taps, 'taps', { min: 1, max: 8192 }) ?? 256,
    kinds: kinds as ('bands' | 'classes')[],
    durationS,
    onProgress: (done, total) => progress.update(done / total),
  });
  progress.done();
  writeFilesAtomically([{ path: outFile, data: `${JSON.stringify(presetBankToJson(bank))}\n` }]);
  out(`wrote ${outFile}: ${bank.presets.length} presets of ${bank.taps} taps at ${bank.sampleRate} Hz for profile '${bank.profile}'`);
}

async function upload(argv: string[]): Promise<void> {
  const { positionals, rest } = splitPositionals(argv, ['--url', '--api-key']);
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing BANK.json (see --help)' : `expected one BANK.json, got ${positionals.length}`);
  const file = positionals[0];
  const values = parseOptions(rest, UPLOAD_OPTIONS);
  const options = parseLiveOptions(values);
  if (options.apiKey === undefined) throw new UsageError('missing --api-key: a bank belongs to its owner (create a key with POST /api/v1/api-keys)');
  let bank: unknown;
  try {
    bank = JSON.parse(readInputFile(file, 'preset bank').toString('utf8'));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const sdk = await loadClient();
  const api = new sdk.ApiClient({ baseUrl: options.url, apiKey: options.apiKey });
  let stored: { id: string; presets: string[] };
  try {
    stored = await api.request('POST', '/presets', bank);
  } catch (error) {
    throw liveError(error, options, 'uploading the preset bank');
  }
  note('presets', `stored ${stored.presets.length} presets; use {"presets": "${stored.id}"} in a session config`);
  out(stored.id);
}

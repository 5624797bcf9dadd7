/**
 * `antiphase cancel`: Widrow's two-channel adaptive noise cancelling of recordings (Widrow et al., "Adaptive noise
 * cancelling: principles and applications", Proc. IEEE 63(12), 1975; DESIGN.md §1). The primary recording holds
 * signal + noise, the reference recording holds noise correlated with it (a second mic near the source). An NLMS
 * filter predicts the primary's noise from the reference: input = reference, desired = primary, and the error
 * e = primary − prediction is the cleaned signal.
 *
 * Offline, the whole recording is available, so by default the filter first adapts over it once and the output is
 * taken from a second pass that starts from those weights (still adapting): the start of the recording is then
 * cleaned as well as the end. --passes 1 gives the causal, single-pass behaviour of a live canceller.
 */
import { Nlms, noiseReductionDb, writeWav } from '@antiphase/dsp';
import { integerOption, numberOption, parseOptions, required } from '../args.js';
import { note, out, type Command } from '../command.js';
import { CliError } from '../errors.js';
import { checkOutputFile, loadMonoWav, writeFilesAtomically } from '../files.js';
import { fixed, keyValueTable, toJsonLine } from '../format.js';
import { ProgressBar } from '../progress.js';

export const CANCEL_DEFAULTS = {
  /** Taps of the noise-path filter (16 ms at 16 kHz). */
  taps: 256,
  /**
   * NLMS normalised step. The signal in the primary acts as measurement noise for the filter: the excess error it
   * leaves in the output is ≈ μ/(2 − μ) of the signal power (Haykin ch. 7), so 0.02 keeps it near −20 dB.
   */
  stepSize: 0.02,
  passes: 2,
} as const;

const OPTIONS = {
  primary: { type: 'string' },
  reference: { type: 'string' },
  out: { type: 'string' },
  taps: { type: 'string' },
  'step-size': { type: 'string' },
  passes: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const HELP = `Usage: antiphase cancel --primary IN.wav --reference REF.wav --out CLEAN.wav [options]

Two-channel adaptive noise cancelling (Widrow 1975) of recordings: an NLMS filter predicts the noise in the
primary recording (signal + noise) from the reference recording (the noise alone, e.g. a mic near the source)
and subtracts it. Multichannel files are mixed to mono. Both files must have the same sample rate; if their
lengths differ, the common length is processed (and the report says so).

Options:
  --primary IN.wav      recording to clean: signal + noise
  --reference REF.wav   noise reference, correlated with the noise in the primary
  --out CLEAN.wav       cleaned recording (32-bit float WAV, written atomically)
  --taps N              filter length, taps (default ${CANCEL_DEFAULTS.taps}); must cover the delay spread from reference to primary
  --step-size MU        NLMS normalised step, 0 < MU < 2 (default ${CANCEL_DEFAULTS.stepSize}); larger converges faster but
                        distorts the signal more (excess error ≈ MU/(2-MU) of the signal power)
  --passes N            adaptation passes over the recording; the output comes from the last (default ${CANCEL_DEFAULTS.passes};
                        1 = causal, as a live canceller)
  --json                print one JSON object instead of the table
  -h, --help            show this help

Reported: noise reduction of the primary, NR = 10*log10(sum primary^2 / sum clean^2), in dB.
`;

export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'adaptive noise cancelling of a recording with a noise reference (Widrow, NLMS)',
  help: HELP,
  run(argv) {
    const values = parseOptions(argv, OPTIONS);
    const primaryFile = required(values.primary, 'primary');
    const referenceFile = required(values.reference, 'reference');
    const outFile = required(values.out, 'out');
    const taps = integerOption(values.taps, 'taps', { min: 1, max: 65536 }) ?? CANCEL_DEFAULTS.taps;
    const stepSize = numberOption(values['step-size'], 'step-size', { min: 0, exclusiveMin: true, max: 2 }) ?? CANCEL_DEFAULTS.stepSize;
    const passes = integerOption(values.passes, 'passes', { min: 1, max: 100 }) ?? CANCEL_DEFAULTS.passes;
    const json = values.json ?? false;
    checkOutputFile(outFile, 'cleaned output');

    const primary = loadMonoWav(primaryFile, 'primary recording');
    const reference = loadMonoWav(referenceFile, 'reference recording');
    if (primary.sampleRate !== reference.sampleRate) {
      throw new CliError(
        `sample rates differ: primary recording '${primaryFile}' is ${primary.sampleRate} Hz but reference recording ` +
          `'${referenceFile}' is ${reference.sampleRate} Hz; resample one of them first`,
      );
    }
    const sampleRate = primary.sampleRate;
    const length = Math.min(primary.samples.length, reference.samples.length);
    const lengthNote =
      primary.samples.length === reference.samples.length
        ? null
        : `lengths differ (primary ${primary.samples.length} samples, reference ${reference.samples.length}); ` +
          `processed the common ${length} samples (${fixed(length / sampleRate, 3)} s)`;
    if (lengthNote !== null && !json) note('cancel', `note: ${lengthNote}`);

    const desired = primary.samples.subarray(0, length);
    const input = reference.samples.subarray(0, length);
    const clean = new Float32Array(length);
    const prediction = new Float32Array(length);
    const filter = new Nlms({ taps, stepSize });
    const progress = new ProgressBar('cancelling', { json });
    const chunk = 4096;
    try {
      for (let pass = 0; pass < passes; pass++) {
        // Restart the signal history each pass (the recording does not wrap around), keep the weights.
        const weights = filter.weights();
        filter.reset();
        filter.setWeights(weights);
        for (let start = 0; start < length; start += chunk) {
          const end = Math.min(length, start + chunk);
          filter.filter(input.subarray(start, end), desired.subarray(start, end), prediction.subarray(start, end), clean.subarray(start, end));
          progress.update((pass + end / length) / passes);
        }
      }
    } finally {
      progress.done();
    }

    const report = {
      command: 'cancel',
      noiseReductionDb: noiseReductionDb(desired, clean),
      sampleRate,
      taps,
      stepSize,
      passes,
      processedSamples: length,
      durationS: length / sampleRate,
      primary: { file: primaryFile, samples: primary.samples.length, channels: primary.channels },
      reference: { file: referenceFile, samples: reference.samples.length, channels: reference.channels },
      lengthNote,
      out: outFile,
    };
    writeFilesAtomically([{ path: outFile, data: writeWav({ sampleRate, channels: [clean] }, { format: 'float32' }) }]);

    if (json) {
      out(toJsonLine(report));
      return;
    }
    out(
      [
        `antiphase cancel: NLMS, ${taps} taps, step size ${stepSize}, ${passes} pass${passes === 1 ? '' : 'es'}, ${sampleRate} Hz`,
        keyValueTable([
          ['noise reduction of the primary', `${fixed(report.noiseReductionDb)} dB (10*log10 sum primary^2 / sum clean^2)`],
          ['processed', `${length} samples (${fixed(report.durationS, 3)} s)${lengthNote ? ` — ${lengthNote}` : ''}`],
          ['wrote', outFile],
        ]),
      ].join('\n'),
    );
  },
};

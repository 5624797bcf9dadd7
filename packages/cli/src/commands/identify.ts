/**
 * `antiphase identify`: system identification of an FIR from a recorded excitation to the recorded response, e.g.
 * a secondary path S measured by playing white noise through the loudspeaker and recording the error mic
 * (Kuo & Morgan, "Active Noise Control Systems", 1996, §3.3.3). The adaptive filter's input is the excitation and
 * its desired signal the response; its converged weights are the impulse response.
 *
 *  - NLMS (Haykin, "Adaptive Filter Theory", ch. 7): step 0.5 over the first half, then annealed to 0.05 over the
 *    second half, so that measurement noise in the response leaves a quiet estimate.
 *  - RLS (Haykin ch. 10), O(L²) per sample: converges in a few times L samples whatever the excitation's
 *    colour; chosen automatically for short filters (≤ RLS_MAX_AUTO_TAPS).
 */
import { Lms, Rls, pathDelaySamples, type AdaptiveFilter } from '@antiphase/dsp';
import { integerOption, numberOption, parseOptions, required } from '../args.js';
import { note, out, type Command } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { checkOutputFile, loadMonoWav, writeFilesAtomically } from '../files.js';
import { fixed, keyValueTable, toJsonLine } from '../format.js';
import { ProgressBar } from '../progress.js';

export const IDENTIFY_DEFAULTS = {
  /** Taps of the identified FIR (32 ms at 16 kHz). */
  taps: 512,
  /** NLMS normalised step before annealing. */
  stepSize: 0.5,
  /** The step is annealed down to this fraction of stepSize over the second half. */
  finalStepFraction: 0.1,
  /** RLS forgetting factor: memory ≈ 1/(1 − λ) = 10⁴ samples. */
  forgettingFactor: 0.9999,
} as const;
/** `--algorithm auto` uses RLS up to this many taps (O(L²) per sample), NLMS above. */
export const RLS_MAX_AUTO_TAPS = 64;

const ALGORITHMS = ['auto', 'nlms', 'rls'] as const;
type Algorithm = (typeof ALGORITHMS)[number];

const OPTIONS = {
  excitation: { type: 'string' },
  response: { type: 'string' },
  out: { type: 'string' },
  taps: { type: 'string' },
  algorithm: { type: 'string' },
  'step-size': { type: 'string' },
  json: { type: 'boolean' },
} as const;

const HELP = `Usage: antiphase identify --excitation X.wav --response Y.wav --out S.json [options]

Identifies the FIR impulse response from an excitation recording (e.g. white noise sent to a loudspeaker) to
the response recording (e.g. the error mic) with an adaptive filter, and writes it as a path file usable by
'antiphase simulate' ({sampleRate, taps, source, note}). Multichannel files are mixed to mono; both files must
have the same sample rate; if their lengths differ, the common length is used.

Options:
  --excitation X.wav    signal that drove the system (broadband: white noise or a sweep works best)
  --response Y.wav      the system's recorded output, sample-aligned with the excitation
  --out S.json          identified path (JSON, written atomically)
  --taps N              FIR length, taps (default ${IDENTIFY_DEFAULTS.taps}); must cover the response's delay and decay
  --algorithm NAME      auto, nlms or rls (default auto: rls up to ${RLS_MAX_AUTO_TAPS} taps, nlms above; rls costs O(N^2))
  --step-size MU        NLMS normalised step, 0 < MU < 2 (default ${IDENTIFY_DEFAULTS.stepSize}, annealed to a tenth over the second half)
  --json                print one JSON object instead of the table
  -h, --help            show this help

Reported: the residual (response not explained by the FIR) over the last second, in dB relative to the
response (lower is better; about -40 dB or below means a clean identification), and the path's delay.
`;

export const identifyCommand: Command = {
  name: 'identify',
  summary: 'identify an FIR path (e.g. the secondary path) from excitation and response recordings',
  help: HELP,
  run(argv) {
    const values = parseOptions(argv, OPTIONS);
    const excitationFile = required(values.excitation, 'excitation');
    const responseFile = required(values.response, 'response');
    const outFile = required(values.out, 'out');
    const taps = integerOption(values.taps, 'taps', { min: 1, max: 65536 }) ?? IDENTIFY_DEFAULTS.taps;
    const requested = values.algorithm ?? 'auto';
    if (!(ALGORITHMS as readonly string[]).includes(requested)) {
      throw new UsageError(`unknown algorithm '${requested}'; known algorithms: ${ALGORITHMS.join(', ')}`);
    }
    const stepSize = numberOption(values['step-size'], 'step-size', { min: 0, exclusiveMin: true, max: 2 });
    const algorithm: 'nlms' | 'rls' = (requested as Algorithm) === 'auto' ? (taps <= RLS_MAX_AUTO_TAPS ? 'rls' : 'nlms') : (requested as 'nlms' | 'rls');
    if (stepSize !== undefined && algorithm === 'rls') throw new UsageError('--step-size applies to nlms only; rls has no step size');
    const json = values.json ?? false;
    checkOutputFile(outFile, 'identified path');

    const excitation = loadMonoWav(excitationFile, 'excitation recording');
    const response = loadMonoWav(responseFile, 'response recording');
    if (excitation.sampleRate !== response.sampleRate) {
      throw new CliError(
        `sample rates differ: excitation recording '${excitationFile}' is ${excitation.sampleRate} Hz but response ` +
          `recording '${responseFile}' is ${response.sampleRate} Hz; resample one of them first`,
      );
    }
    const sampleRate = excitation.sampleRate;
    const length = Math.min(excitation.samples.length, response.samples.length);
    if (length < 2 * taps) {
      throw new CliError(`the recordings hold ${length} common samples; identifying ${taps} taps needs at least ${2 * taps}`);
    }
    const lengthNote =
      excitation.samples.length === response.samples.length
        ? null
        : `lengths differ (excitation ${excitation.samples.length} samples, response ${response.samples.length}); used the common ${length}`;
    if (lengthNote !== null && !json) note('identify', `note: ${lengthNote}`);

    const mu = stepSize ?? IDENTIFY_DEFAULTS.stepSize;
    const filter: AdaptiveFilter =
      algorithm === 'rls'
        ? new Rls({ taps, forgettingFactor: IDENTIFY_DEFAULTS.forgettingFactor })
        : new Lms({ taps, stepSize: mu, normalized: true });
    const progress = new ProgressBar('identifying', { json });
    const input = excitation.samples.subarray(0, length);
    const desired = response.samples.subarray(0, length);
    const prediction = new Float32Array(length);
    const residual = new Float32Array(length);
    const chunk = 1024;
    try {
      for (let start = 0; start < length; start += chunk) {
        const end = Math.min(length, start + chunk);
        if (algorithm === 'nlms') {
          const progressed = start / length;
          const fraction = IDENTIFY_DEFAULTS.finalStepFraction;
          filter.stepSize = progressed < 0.5 ? mu : mu * Math.max(fraction, 1 - 2 * (1 - fraction) * (progressed - 0.5));
        }
        filter.filter(input.subarray(start, end), desired.subarray(start, end), prediction.subarray(start, end), residual.subarray(start, end));
        progress.update(end / length);
      }
    } finally {
      progress.done();
    }

    const weights = filter.weights();
    const lastSecond = Math.max(0, length - sampleRate);
    const residualDb = ratioDb(residual, desired, lastSecond);
    const delay = pathDelaySamples(weights);
    const method = algorithm === 'rls' ? `RLS (forgetting factor ${IDENTIFY_DEFAULTS.forgettingFactor})` : `NLMS (step ${mu} annealed to ${mu * IDENTIFY_DEFAULTS.finalStepFraction})`;
    const path = {
      sampleRate,
      taps: Array.from(weights, (w) => Number(w.toPrecision(9))),
      source: 'antiphase identify',
      note:
        `identified by ${method}, ${taps} taps, from excitation '${excitationFile}' to response '${responseFile}', ` +
        `${length} samples at ${sampleRate} Hz; residual over the last second ${fixed(residualDb)} dB; peak at tap ${delay}`,
    };
    writeFilesAtomically([{ path: outFile, data: `${JSON.stringify(path)}\n` }]);

    const report = {
      command: 'identify',
      algorithm,
      taps,
      stepSize: algorithm === 'nlms' ? mu : null,
      sampleRate,
      processedSamples: length,
      durationS: length / sampleRate,
      residualDb,
      delaySamples: delay,
      delayMs: (delay * 1000) / sampleRate,
      lengthNote,
      out: outFile,
    };
    if (json) {
      out(toJsonLine(report));
      return;
    }
    out(
      [
        `antiphase identify: ${method}, ${taps} taps, ${sampleRate} Hz`,
        keyValueTable([
          ['residual (last second)', `${fixed(residualDb)} dB relative to the response`],
          ['delay (peak tap)', `${delay} samples (${fixed(report.delayMs, 2)} ms)`],
          ['processed', `${length} samples (${fixed(report.durationS, 3)} s)${lengthNote ? ` — ${lengthNote}` : ''}`],
          ['wrote', outFile],
        ]),
      ].join('\n'),
    );
  },
};

/** 10·log10(Σa² / Σb²) over [start, end); −Infinity for a perfect fit, 0 dB for a silent response. */
function ratioDb(a: Float32Array, b: Float32Array, start: number): number {
  let ea = 0;
  let eb = 0;
  for (let i = start; i < a.length; i++) {
    ea += a[i] * a[i];
    eb += b[i] * b[i];
  }
  if (eb === 0) return 0;
  return 10 * Math.log10(ea / eb);
}

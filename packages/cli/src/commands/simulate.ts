/**
 * `antiphase simulate`: one feedforward ANC run in the acoustic simulator (DESIGN.md §1). The noise comes from a
 * WAV (mixed to mono, resampled to the paths' rate) or a generated scene; P and S come from impulse-response JSON
 * files. simulate() from @antiphase/dsp identifies Ŝ through the plant first (it is never copied from S), then
 * runs the controller sample by sample (or block by block) and measures NR, convergence and octave bands.
 */
import { join } from 'node:path';
import {
  CONTROLLER_ALGORITHMS, SCENE_NAMES, causalityMarginMs, causalityMarginSamples, describeScene, generateScene,
  isControllerAlgorithm, isSceneName, octaveBandAttenuation, pathDelaySamples, resample, simulate, writeWav,
  type ControllerAlgorithm, type SimulationResult,
} from '@antiphase/dsp';
import { integerOption, numberOption, parseOptions, required } from '../args.js';
import { note, out, type Command } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { checkOutputDirectory, loadMonoWav, loadPath, writeFilesAtomically } from '../files.js';
import { fixed, keyValueTable, table, toJsonLine } from '../format.js';
import { ProgressBar } from '../progress.js';

/** Default control-filter length, taps: long enough for measured rooms at 16 kHz; RLS is O(L²), so shorter. */
export const DEFAULT_TAPS: Record<ControllerAlgorithm, number> = { fxlms: 512, fxnlms: 512, fdfxlms: 512, pbfxlms: 512, fxrls: 64 };
export const DEFAULT_ALGORITHM: ControllerAlgorithm = 'fxnlms';
/** Length of a generated scene when --duration is not given, seconds. */
export const DEFAULT_SCENE_DURATION_S = 10;
/** Shortest run worth measuring (per-second NR needs whole seconds), seconds. */
const MIN_DURATION_S = 1;
/** Steady-state window of steadyStateNrDb's default: the last 5 s (or the second half of a shorter run). */
const STEADY_STATE_S = 5;

const OPTIONS = {
  noise: { type: 'string' },
  scene: { type: 'string' },
  seed: { type: 'string' },
  primary: { type: 'string' },
  secondary: { type: 'string' },
  trim: { type: 'string' },
  algorithm: { type: 'string' },
  taps: { type: 'string' },
  'step-size': { type: 'string' },
  latency: { type: 'string' },
  block: { type: 'string' },
  duration: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const HELP = `Usage: antiphase simulate (--noise FILE.wav | --scene NAME) --primary P.json --secondary S.json [options]

Simulates feedforward active noise control: noise reaches the error mic through the primary path P; the
controller's anti-noise reaches it through the secondary path S. The secondary-path estimate Ŝ is identified
first (white-noise probe through the simulated plant), then the controller adapts on the error signal.

Noise (exactly one):
  --noise FILE.wav      recorded noise; mixed to mono and resampled to the paths' sample rate
  --scene NAME          generated noise at the paths' rate, one of:
${SCENE_NAMES.map((name) => `                          ${name.padEnd(14)}${describeScene(name)}`).join('\n')}
  --seed N              scene random seed (default 1)

Paths (JSON {sampleRate, taps, trims?}; both must have the same sample rate):
  --primary P.json      primary path P: reference mic -> error mic
  --secondary S.json    secondary path S: loudspeaker -> error mic
  --trim NAME           cut BOTH paths to their [start, end) range named NAME in each file's "trims"

Controller:
  --algorithm NAME      ${CONTROLLER_ALGORITHMS.join(', ')} (default ${DEFAULT_ALGORITHM})
  --taps N              control filter length, taps (default 512; 64 for fxrls, whose cost is O(N^2))
  --step-size MU        step size (default: the controller's own; normalised for fxnlms/fdfxlms/pbfxlms,
                        absolute for fxlms, a gain scale (default 1) for fxrls)
  --latency SAMPLES     extra loop latency between controller output and loudspeaker (default 0)
  --block SAMPLES       samples per loop block (default 1 for fxlms/fxnlms/fxrls, 64 for fdfxlms/pbfxlms;
                        pbfxlms needs a power of two)
  --duration S          seconds to simulate (default: the whole file, or ${DEFAULT_SCENE_DURATION_S} s for a scene; at least ${MIN_DURATION_S} s)

Output:
  --out DIR             write d.wav (noise without control), e.wav (error mic with control) and y.wav
                        (anti-noise) as 32-bit float WAV into DIR (created if needed; written atomically)
  --json                print one JSON object instead of the table
  -h, --help            show this help

Reported: noise reduction NR = 10*log10(sum d^2 / sum e^2) per second and over the last 5 s (steady state),
convergence time (first second after which NR stays within 3 dB of steady state), causality margin =
delay(P) - delay(S) - loop delay (block buffering + --latency), in samples and ms (>= 0: broadband noise is
cancellable; < 0: only periodic noise), the Ŝ identification residual, divergences of the controller's guard,
and the attenuation per octave band over the steady-state window.

Examples:
  antiphase simulate --scene engine --primary primary.json --secondary secondary.json
  antiphase simulate --noise cleaner.wav --primary sugiura-primary.json --secondary sugiura-secondary.json \\
      --trim impulsiveRepo2025 --algorithm fxnlms --taps 512 --out run1 --json
`;

interface Noise {
  samples: Float32Array;
  description: string;
  json: Record<string, unknown>;
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'simulate ANC of a noise file or generated scene through given primary/secondary paths',
  help: HELP,
  run(argv) {
    const values = parseOptions(argv, OPTIONS);
    if (values.noise !== undefined && values.scene !== undefined) {
      throw new UsageError('give either --noise FILE.wav or --scene NAME, not both');
    }
    if (values.noise === undefined && values.scene === undefined) {
      throw new UsageError('missing noise: give --noise FILE.wav or --scene NAME (see --help)');
    }
    const algorithm = values.algorithm ?? DEFAULT_ALGORITHM;
    if (!isControllerAlgorithm(algorithm)) {
      throw new UsageError(`unknown algorithm '${algorithm}'; known algorithms: ${CONTROLLER_ALGORITHMS.join(', ')}`);
    }
    if (values.scene !== undefined && !isSceneName(values.scene)) {
      throw new UsageError(`unknown scene '${values.scene}'; known scenes: ${SCENE_NAMES.join(', ')}`);
    }
    const primaryFile = required(values.primary, 'primary');
    const secondaryFile = required(values.secondary, 'secondary');
    const taps = integerOption(values.taps, 'taps', { min: 1, max: 65536 }) ?? DEFAULT_TAPS[algorithm];
    const stepSize = numberOption(values['step-size'], 'step-size', { min: 0, exclusiveMin: true });
    const latency = integerOption(values.latency, 'latency', { min: 0 }) ?? 0;
    const block = integerOption(values.block, 'block', { min: 1 });
    if (block !== undefined && algorithm === 'pbfxlms' && (block & (block - 1)) !== 0) {
      throw new UsageError(`--block must be a power of two for pbfxlms, got ${block}`);
    }
    const durationS = numberOption(values.duration, 'duration', { min: 0, exclusiveMin: true });
    const seed = integerOption(values.seed, 'seed', { min: 0, max: 0xffffffff }) ?? 1;
    const json = values.json ?? false;
    if (values.out !== undefined) checkOutputDirectory(values.out, 'simulation outputs');

    const primary = loadPath(primaryFile, 'primary path', values.trim);
    const secondary = loadPath(secondaryFile, 'secondary path', values.trim);
    if (primary.sampleRate !== secondary.sampleRate) {
      throw new CliError(
        `the paths have different sample rates: primary path '${primaryFile}' is ${primary.sampleRate} Hz but ` +
          `secondary path '${secondaryFile}' is ${secondary.sampleRate} Hz; both must share one rate`,
      );
    }
    const sampleRate = primary.sampleRate;
    if (!Number.isInteger(sampleRate) || sampleRate < 2000) {
      throw new CliError(`the paths' sample rate ${sampleRate} Hz is not a whole number of Hz ≥ 2000`);
    }

    const noise = values.noise !== undefined
      ? loadNoiseFile(values.noise, sampleRate, durationS, json)
      : sceneNoise(values.scene as string, sampleRate, durationS ?? DEFAULT_SCENE_DURATION_S, seed);
    if (noise.samples.length < MIN_DURATION_S * sampleRate) {
      throw new CliError(`the noise is ${fixed(noise.samples.length / sampleRate, 2)} s long; simulate needs at least ${MIN_DURATION_S} s`);
    }

    const progress = new ProgressBar('simulating', { json });
    let result: SimulationResult;
    try {
      result = simulate({
        noise: noise.samples,
        sampleRate,
        primaryPath: primary.taps,
        secondaryPath: secondary.taps,
        algorithm,
        controller: stepSize === undefined ? { taps } : { taps, stepSize },
        blockSize: block,
        loopLatency: latency,
        onProgress: (fraction) => progress.update(fraction),
      });
    } finally {
      progress.done();
    }

    const loopDelay = result.blockSize + latency;
    const window = Math.min(Math.round(STEADY_STATE_S * sampleRate), Math.floor(result.error.length / 2));
    const report = {
      command: 'simulate',
      algorithm,
      taps,
      stepSize: result.initialStepSize,
      stepSizeSource: stepSize === undefined ? 'controller default' : 'option',
      sampleRate,
      durationS: result.error.length / sampleRate,
      blockSize: result.blockSize,
      latencySamples: latency,
      noise: noise.json,
      primaryPath: { file: primaryFile, taps: primary.taps.length, delaySamples: pathDelaySamples(primary.taps), trim: values.trim ?? null },
      secondaryPath: { file: secondaryFile, taps: secondary.taps.length, delaySamples: pathDelaySamples(secondary.taps), trim: values.trim ?? null },
      perSecondNrDb: result.perSecondNrDb,
      steadyStateNrDb: result.steadyStateNrDb,
      steadyStateWindowS: window / sampleRate,
      convergenceTimeS: result.convergenceTimeS,
      causalityMarginSamples: causalityMarginSamples(primary.taps, secondary.taps, loopDelay),
      causalityMarginMs: causalityMarginMs(primary.taps, secondary.taps, sampleRate, loopDelay),
      loopDelaySamples: loopDelay,
      identificationResidualDb: result.identificationResidualDb,
      secondaryEstimateTaps: result.secondaryPathEstimate.length,
      divergences: result.controller.health.divergences,
      // Over the steady-state window (as steadyStateNrDb: the last min(5 s, half the run)), not the convergence.
      octaveBands: octaveBandAttenuation(result.disturbance.subarray(-window), result.error.subarray(-window), sampleRate).map((band) => ({
        centerHz: band.centerHz,
        attenuationDb: band.attenuationDb,
        levelBeforeDb: band.levelBeforeDb,
        levelAfterDb: band.levelAfterDb,
      })),
      outputs: values.out === undefined ? [] : ['d.wav', 'e.wav', 'y.wav'].map((name) => join(values.out as string, name)),
    };

    if (values.out !== undefined) {
      const wav = (samples: Float32Array) => writeWav({ sampleRate, channels: [samples] }, { format: 'float32' });
      writeFilesAtomically(
        [
          { path: report.outputs[0], data: wav(result.disturbance) },
          { path: report.outputs[1], data: wav(result.error) },
          { path: report.outputs[2], data: wav(result.antiNoise) },
        ],
        { createDirectories: true },
      );
    }

    out(json ? toJsonLine(report) : humanReport(report, noise.description));
  },
};

function loadNoiseFile(file: string, sampleRate: number, durationS: number | undefined, json: boolean): Noise {
  const audio = loadMonoWav(file, 'noise file');
  let samples = audio.samples;
  if (audio.sampleRate !== sampleRate) samples = resample(samples, audio.sampleRate, sampleRate);
  if (durationS !== undefined) {
    const wanted = Math.round(durationS * sampleRate);
    if (wanted > samples.length && !json) {
      note('simulate', `note: --duration ${durationS} s is longer than the noise file (${fixed(samples.length / sampleRate, 2)} s); simulating the whole file`);
    }
    samples = samples.subarray(0, Math.min(samples.length, wanted));
  }
  const conversions = [
    audio.channels > 1 ? `mixed from ${audio.channels} channels` : '',
    audio.sampleRate !== sampleRate ? `resampled from ${audio.sampleRate} Hz` : '',
  ].filter(Boolean);
  return {
    samples,
    description: `file '${file}'${conversions.length > 0 ? ` (${conversions.join(', ')})` : ''}`,
    json: { kind: 'file', file, fileSampleRate: audio.sampleRate, channels: audio.channels, resampled: audio.sampleRate !== sampleRate },
  };
}

function sceneNoise(scene: string, sampleRate: number, durationS: number, seed: number): Noise {
  if (!isSceneName(scene)) throw new UsageError(`unknown scene '${scene}'; known scenes: ${SCENE_NAMES.join(', ')}`);
  return {
    samples: generateScene(scene, { sampleRate, durationS, seed }),
    description: `scene '${scene}' (${describeScene(scene)}), seed ${seed}`,
    json: { kind: 'scene', scene, seed },
  };
}

type Report = {
  algorithm: string; taps: number; stepSize: number; stepSizeSource: string; sampleRate: number; durationS: number;
  blockSize: number; latencySamples: number; perSecondNrDb: number[]; steadyStateNrDb: number; steadyStateWindowS: number;
  convergenceTimeS: number | null; causalityMarginSamples: number; causalityMarginMs: number; loopDelaySamples: number;
  identificationResidualDb: number; divergences: number; octaveBands: { centerHz: number; attenuationDb: number }[];
  primaryPath: { file: string; taps: number; delaySamples: number }; secondaryPath: { file: string; taps: number; delaySamples: number };
  outputs: string[];
};

function humanReport(r: Report, noiseDescription: string): string {
  const margin = r.causalityMarginSamples;
  const causality = `${margin} samples (${fixed(r.causalityMarginMs, 2)} ms) = delay P ${r.primaryPath.delaySamples} - delay S ` +
    `${r.secondaryPath.delaySamples} - loop ${r.loopDelaySamples} (block ${r.blockSize} + latency ${r.latencySamples}); ` +
    (margin >= 0 ? 'broadband noise is cancellable' : 'negative: only periodic (predictable) noise can be cancelled');
  const perSecond = table(['second', 'NR dB'], r.perSecondNrDb.map((nr, i) => [String(i + 1), fixed(nr)]));
  const summary = keyValueTable([
    ['steady-state NR', `${fixed(r.steadyStateNrDb)} dB (last ${fixed(r.steadyStateWindowS)} s)`],
    ['convergence time', r.convergenceTimeS === null ? 'not converged' : `${r.convergenceTimeS} s (to within 3 dB of steady state)`],
    ['causality margin', causality],
    ['Ŝ identification residual', `${fixed(r.identificationResidualDb)} dB`],
    ['divergences', String(r.divergences)],
    ['octave-band NR', `${r.octaveBands.map((b) => `${b.centerHz} Hz ${fixed(b.attenuationDb)}`).join(' | ')} (dB, last ${fixed(r.steadyStateWindowS)} s)`],
    ...(r.outputs.length > 0 ? ([['wrote', r.outputs.join(', ')]] as [string, string][]) : []),
  ]);
  return [
    `antiphase simulate: ${r.algorithm}, ${r.taps} taps, step size ${Number(r.stepSize.toPrecision(4))} (${r.stepSizeSource}), ` +
      `${r.sampleRate} Hz, ${fixed(r.durationS)} s`,
    `  noise: ${noiseDescription}`,
    `  paths: primary '${r.primaryPath.file}' (${r.primaryPath.taps} taps), secondary '${r.secondaryPath.file}' (${r.secondaryPath.taps} taps)`,
    '',
    perSecond,
    '',
    summary,
  ].join('\n');
}

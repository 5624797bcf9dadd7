/**
 * `antiphase demo` (what `npm start` runs): a live FxNLMS demo paced to the wall clock, on paths synthesised here
 * so that it needs no data files. One line per second reports the noise reduction; Ctrl-C stops it cleanly.
 *
 * Built-in room at 16 kHz (DESIGN.md §1):
 *   P = a 2 ms acoustic lead (32 samples: about 69 cm of air) to the direct sound, then three discrete
 *       reflections and a short exponentially decaying diffuse tail;
 *   S = 0.5 ms (8 samples) to the loudspeaker's direct sound, coloured by a damped resonance (a small driver).
 * The causality margin is therefore positive, so broadband scenes are cancellable as well as engine harmonics.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AcousticPlant, Random, SCENE_NAMES, causalityMarginSamples, createController, describeScene, generateScene,
  identifySecondaryPathOffline, isSceneName, noiseReductionDb, pathDelaySamples, rmsDbfs, type SceneName,
} from '@antiphase/dsp';
import { integerOption, parseOptions } from '../args.js';
import { out, type Command } from '../command.js';
import { EXIT_INTERRUPTED, UsageError } from '../errors.js';
import { fixed } from '../format.js';

export const DEMO_SAMPLE_RATE = 16000;
export const DEMO_DEFAULTS = { seconds: 8, scene: 'engine' as SceneName, taps: 256, seed: 1 } as const;
/** Audio processed per wall-clock tick, ms. */
const TICK_MS = 50;
/** Length of the white-noise probe that identifies Ŝ before control, seconds. */
const IDENTIFICATION_S = 3;
/** Taps of Ŝ: the built-in S is 32 taps; the estimate also covers the one-sample loop delay. */
const ESTIMATE_TAPS = 48;

/** Built-in primary path: 2 ms lead, reflections, decaying diffuse tail (seeded, so every run is the same). */
export function demoPrimaryPath(): Float32Array {
  const taps = new Float32Array(192);
  const lead = 32;
  taps[lead] = 0.8;
  for (const [delay, gain] of [[21, -0.35], [47, 0.22], [90, -0.12]] as const) taps[lead + delay] += gain;
  const random = new Random(7);
  for (let n = lead + 1; n < taps.length; n++) taps[n] += 0.04 * Math.exp(-(n - lead) / 30) * random.gaussian();
  return taps;
}

/** Built-in secondary path: 0.5 ms delay, then a damped resonance near 0.12·fs (a small loudspeaker's colouring). */
export function demoSecondaryPath(): Float32Array {
  const taps = new Float32Array(32);
  const delay = 8;
  for (let k = 0; delay + k < taps.length; k++) taps[delay + k] = 0.7 * Math.exp(-k / 3) * Math.cos(2 * Math.PI * 0.12 * k);
  return taps;
}

const OPTIONS = {
  seconds: { type: 'string' },
  scene: { type: 'string' },
  seed: { type: 'string' },
} as const;

const HELP = `Usage: antiphase demo [--seconds N] [--scene NAME]

A live active-noise-control demo in the simulator, paced to the wall clock: a generated noise scene reaches an
error mic through a built-in primary path (2 ms acoustic lead + reflections); the controller's anti-noise reaches
it through a built-in secondary path (0.5 ms + loudspeaker colouring). The secondary path is identified first
with a short white-noise probe, then FxNLMS adapts in real time and one line per second reports the noise
reduction NR = 10*log10(sum d^2 / sum e^2) of that second. Ctrl-C stops it cleanly (exit code 130).

Options:
  --seconds N           how long to run, whole seconds (default ${DEMO_DEFAULTS.seconds})
  --scene NAME          noise scene (default ${DEMO_DEFAULTS.scene}): ${SCENE_NAMES.join(', ')}
  --seed N              scene random seed (default ${DEMO_DEFAULTS.seed})
  -h, --help            show this help
`;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'live real-time FxNLMS demo on a generated scene and built-in paths (what npm start runs)',
  help: HELP,
  async run(argv) {
    const values = parseOptions(argv, OPTIONS);
    const seconds = integerOption(values.seconds, 'seconds', { min: 1, max: 3600 }) ?? DEMO_DEFAULTS.seconds;
    const scene = values.scene ?? DEMO_DEFAULTS.scene;
    if (!isSceneName(scene)) throw new UsageError(`unknown scene '${scene}'; known scenes: ${SCENE_NAMES.join(', ')}`);
    const seed = integerOption(values.seed, 'seed', { min: 0, max: 0xffffffff }) ?? DEMO_DEFAULTS.seed;

    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.once('SIGINT', onSigint);
    try {
      return await runDemo({ seconds, scene, seed, signal: stop.signal });
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};

interface DemoOptions {
  seconds: number;
  scene: SceneName;
  seed: number;
  signal: AbortSignal;
}

async function runDemo({ seconds, scene, seed, signal }: DemoOptions): Promise<number> {
  const fs = DEMO_SAMPLE_RATE;
  const primary = demoPrimaryPath();
  const secondary = demoSecondaryPath();
  const plant = new AcousticPlant({ primaryPath: primary, secondaryPath: secondary });
  const blockSize = 1;
  const margin = causalityMarginSamples(primary, secondary, blockSize);
  out(`antiphase demo: ${scene} scene (${describeScene(scene)}), ${fs} Hz, FxNLMS ${DEMO_DEFAULTS.taps} taps, ${seconds} s in real time (Ctrl-C stops)`);
  out(
    `  built-in paths: P = ${fixed((pathDelaySamples(primary) * 1000) / fs, 1)} ms acoustic lead + reflections, ` +
      `S = ${fixed((pathDelaySamples(secondary) * 1000) / fs, 1)} ms + loudspeaker colouring; causality margin ${margin} samples ` +
      `(${fixed((margin * 1000) / fs, 2)} ms)`,
  );

  const identified = identifySecondaryPathOffline(plant, { taps: ESTIMATE_TAPS, sampleRate: fs, blockSize, durationS: IDENTIFICATION_S });
  out(`  identified Ŝ with a ${IDENTIFICATION_S} s white-noise probe: residual ${fixed(identified.residualDb)} dB`);
  const controller = createController('fxnlms', { taps: DEMO_DEFAULTS.taps, secondaryPathEstimate: identified.estimate });

  const noise = generateScene(scene, { sampleRate: fs, durationS: seconds, seed });
  const total = noise.length;
  const reference = new Float32Array(total);
  const disturbance = new Float32Array(total);
  const error = new Float32Array(total);
  const antiNoise = new Float32Array(total);
  const tick = Math.round((fs * TICK_MS) / 1000);
  const started = performance.now();
  let busyMs = 0;
  let done = 0;
  let reported = 0;
  while (done < total && !signal.aborted) {
    const end = Math.min(total, done + tick);
    const before = performance.now();
    for (let n = done; n < end; n++) {
      const x = reference.subarray(n, n + 1);
      const e = error.subarray(n, n + 1);
      const y = antiNoise.subarray(n, n + 1);
      plant.capture(noise.subarray(n, n + 1), x, disturbance.subarray(n, n + 1), e);
      controller.process(x, e, y);
      plant.play(y);
    }
    busyMs += performance.now() - before;
    done = end;
    // One line per completed second of audio.
    while ((reported + 1) * fs <= done) {
      const from = reported * fs;
      const to = from + fs;
      reported++;
      const nr = noiseReductionDb(disturbance, error, from, to);
      out(
        `t=${reported}s  NR ${fixed(nr).padStart(5)} dB  noise ${fixed(rmsDbfs(disturbance.subarray(from, to))).padStart(6)} dBFS -> ` +
          `${fixed(rmsDbfs(error.subarray(from, to))).padStart(6)} dBFS  ${bar(nr)}`,
      );
    }
    // Pace to the wall clock: audio time `done / fs` must not run ahead of real time.
    const wait = started + (done * 1000) / fs - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
  }

  const elapsedS = (performance.now() - started) / 1000;
  const cpu = `CPU ${fixed((100 * busyMs) / Math.max(1, elapsedS * 1000), 0)}% of real time`;
  if (signal.aborted) {
    out(`interrupted at t=${fixed(done / fs, 1)}s after ${reported} full second${reported === 1 ? '' : 's'}; ${cpu}`);
    return EXIT_INTERRUPTED;
  }
  const lastS = Math.min(4, Math.ceil(seconds / 2));
  const steady = noiseReductionDb(disturbance, error, total - lastS * fs, total);
  out(`done: NR over the last ${lastS} s ${fixed(steady)} dB, divergences ${controller.health.divergences}; ${cpu}`);
  return 0;
}

/** A bar of one '#' per 2 dB of NR, up to 40 dB. */
function bar(nrDb: number): string {
  const filled = Math.max(0, Math.min(20, Math.round((Number.isFinite(nrDb) ? nrDb : 40) / 2)));
  return `|${'#'.repeat(filled)}${' '.repeat(20 - filled)}|`;
}

/**
 * DSP throughput benchmark: x-real-time (seconds of audio processed per second of time on one core) of every
 * controller of @antiphase/dsp, against a textbook FxNLMS in plain JavaScript measured in the same run, and
 * SpeexDSP's MDF (C) beside the partitioned-block controller when libspeexdsp is installed.
 *
 *   npm run bench:dsp                       full grid, Markdown tables on stdout, progress on stderr
 *   npm run --silent bench:dsp -- --json    JSON array on stdout (--silent keeps npm's banner off stdout)
 *   npm run bench:dsp -- --quick            same grid, shorter runs (3 × 0.1 s)
 *   options: --runs N  --min-seconds S  --warmup-seconds S  --taps 256,1024  --rates 16000  --algorithms fxnlms,pbfxlms
 *
 * The job (docs/benchmarks.md says the same):
 *  - Controllers run open loop on white noise: reference x uniform in ±0.5, error e independent uniform in ±1e-3
 *    (so the weights stay small and the divergence guard stays quiet; the `divergences` field shows it did). The
 *    plant is not simulated: the figure is the controller's own cost.
 *  - Ŝ has 256 taps (a decaying random response) at every sample rate.
 *  - Time-domain controllers (fxlms, fxnlms, fxrls, textbook baseline) get process() calls of 128 samples.
 *    pbfxlms: block B = 128 (FFTs of 256 points), calls of 128, default kernel (wasm-simd). fdfxlms: its default block B = min(L, 64)
 *    (FFTs of nextPow2(max(L, 256) + B − 1) points), calls of max(128, B).
 *  - fxlms/fxnlms run with both kernels, 'scalar' (the TypeScript reference) and 'wasm-simd'; the kernel that
 *    actually ran (controller.kernel) is what is reported.
 *  - fxrls is O(L²) per sample, so it runs only up to 256 taps.
 *  - Timing (bench/lib/timing.ts): per (sample rate, filter length) group every configuration warms up, then the runs
 *    go round-robin across the group; the median run is reported. The headline clock is the process's CPU time (the
 *    machine is shared, and CPU time is nearly blind to time spent descheduled); wall time is reported beside it.
 *    The ratio column divides by the baseline of the same group.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createController, Random, type Controller, type ControllerAlgorithm, type KernelName } from '@antiphase/dsp';
import { TextbookFxnlms } from './lib/textbook-fxnlms.js';
import { measureInterleaved, median, type TimedEntry, type TimingOptions } from './lib/timing.js';
import { type MdfResult, prepareMdfBench } from './speexdsp/mdf.js';

const ALL_TAPS = [64, 128, 256, 512, 1024, 2048, 4096];
const ALL_RATES = [16000, 48000];
const SECONDARY_TAPS = 256;
const CALL_SAMPLES = 128;
const PB_BLOCK = 128;
const FXRLS_MAX_TAPS = 256;
const SIGNAL_SAMPLES = 1 << 15; // cycled; a multiple of every chunk length used
const BASELINE = 'textbook-fxnlms';

/** One configuration's result; the JSON output is an array of these. */
export interface BenchRow {
  algorithm: ControllerAlgorithm | typeof BASELINE | 'speexdsp-mdf';
  kernel: KernelName | 'js' | 'c';
  taps: number;
  secondaryTaps: number;
  sampleRate: number;
  /** Controller block size B (1 for sample-by-sample controllers). */
  blockSize: number;
  /** Samples per process() call. */
  callSamples: number;
  /** Median x-real-time, by the process's CPU time (the headline; see bench/lib/timing.ts). */
  xRealTime: number;
  /** Median x-real-time by wall time (what the shared machine delivered at that moment). */
  xRealTimeWall: number;
  /** xRealTime / the textbook baseline's, same taps and sample rate. */
  vsBaseline: number;
  /** Every run's x-real-time. */
  runs: number[];
  /** Divergence-guard firings during the measurement (should be 0). */
  divergences: number;
  /** 'grid': the x-real-time grid; 'vs-mdf': the alternated pbfxlms-vs-SpeexDSP head to head (its own runs). */
  series: 'grid' | 'vs-mdf';
  /** speexdsp-mdf and the pbfxlms row it is compared with: xRealTime(pbfxlms) / xRealTime(mdf). */
  pbfxlmsVsMdf?: number;
}

interface Config {
  algorithm: BenchRow['algorithm'];
  kernel?: KernelName;
}

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'min-seconds': { type: 'string' },
    'warmup-seconds': { type: 'string' },
    taps: { type: 'string' },
    rates: { type: 'string' },
    algorithms: { type: 'string' },
  },
});

const timing: TimingOptions = {
  runs: Number(args.runs ?? (args.quick ? 3 : 5)),
  minSeconds: Number(args['min-seconds'] ?? (args.quick ? 0.1 : 0.3)),
  warmupSeconds: Number(args['warmup-seconds'] ?? (args.quick ? 0.05 : 0.15)),
};
const tapsList = args.taps ? args.taps.split(',').map(Number) : ALL_TAPS;
const rates = args.rates ? args.rates.split(',').map(Number) : ALL_RATES;
const onlyAlgorithms = args.algorithms ? new Set(args.algorithms.split(',')) : null;

const CONFIGS: Config[] = [
  { algorithm: BASELINE },
  { algorithm: 'fxlms', kernel: 'scalar' },
  { algorithm: 'fxlms', kernel: 'wasm-simd' },
  { algorithm: 'fxnlms', kernel: 'scalar' },
  { algorithm: 'fxnlms', kernel: 'wasm-simd' },
  { algorithm: 'fxrls' },
  { algorithm: 'fdfxlms' },
  { algorithm: 'pbfxlms' },
];

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function whiteNoise(seed: number, length: number, amplitude: number): Float32Array {
  const random = new Random(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = random.uniform(-amplitude, amplitude);
  return out;
}

function secondaryPathEstimate(): Float32Array {
  const random = new Random(7);
  const s = new Float32Array(SECONDARY_TAPS);
  for (let j = 0; j < s.length; j++) s[j] = random.uniform(-1, 1) * Math.exp(-j / 48);
  return s;
}

const reference = whiteNoise(1, SIGNAL_SAMPLES, 0.5);
const errorSignal = whiteNoise(2, SIGNAL_SAMPLES, 1e-3);
const antiNoise = new Float32Array(SIGNAL_SAMPLES);
const estimate = secondaryPathEstimate();

interface Prepared {
  config: Config;
  entry: TimedEntry;
  kernel: BenchRow['kernel'];
  blockSize: number;
  controller: Controller | null;
}

function prepare(config: Config, taps: number): Prepared {
  let run: (x: Float32Array, e: Float32Array, y: Float32Array) => void;
  let controller: Controller | null = null;
  let blockSize = 1;
  let kernel: BenchRow['kernel'] = 'js';
  if (config.algorithm === BASELINE) {
    const baseline = new TextbookFxnlms(taps, estimate);
    run = (x, e, y) => baseline.process(x, e, y);
  } else if (config.algorithm === 'speexdsp-mdf') {
    throw new Error('speexdsp-mdf runs in its own process');
  } else {
    const created = createController(config.algorithm, {
      taps,
      secondaryPathEstimate: estimate,
      kernel: config.kernel,
      blockSize: config.algorithm === 'pbfxlms' ? PB_BLOCK : undefined,
      // Open loop, independent error: keep FxLMS's absolute step small so W stays bounded; the rest use defaults.
      stepSize: config.algorithm === 'fxlms' ? 1e-5 : undefined,
    });
    controller = created;
    blockSize = created.blockSize;
    kernel = created.kernel;
    run = (x, e, y) => created.process(x, e, y);
  }
  const chunk = Math.max(CALL_SAMPLES, blockSize);
  // Views made once, so the timed loop allocates nothing of its own (no GC charged to the controller).
  const views: [Float32Array, Float32Array, Float32Array][] = [];
  for (let at = 0; at < SIGNAL_SAMPLES; at += chunk) {
    views.push([reference.subarray(at, at + chunk), errorSignal.subarray(at, at + chunk), antiNoise.subarray(at, at + chunk)]);
  }
  let next = 0;
  const step = (): void => {
    const [x, e, y] = views[next];
    run(x, e, y);
    next = next + 1 === views.length ? 0 : next + 1;
  };
  return { config, entry: { step, chunkSamples: chunk }, kernel, blockSize, controller };
}

function included(config: Config, taps: number): boolean {
  if (config.algorithm === 'fxrls' && taps > FXRLS_MAX_TAPS) return false;
  if (config.algorithm === BASELINE) return true; // every ratio needs it
  return onlyAlgorithms === null || onlyAlgorithms.has(config.algorithm);
}

function benchGrid(): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const sampleRate of rates) {
    for (const taps of tapsList) {
      const prepared = CONFIGS.filter((c) => included(c, taps)).map((c) => prepare(c, taps));
      const started = Date.now();
      const results = measureInterleaved(prepared.map((p) => p.entry), sampleRate, timing);
      const baseline = results[prepared.findIndex((p) => p.config.algorithm === BASELINE)].xRealTime;
      prepared.forEach((p, i) => {
        rows.push({
          series: 'grid',
          algorithm: p.config.algorithm,
          kernel: p.kernel,
          taps,
          secondaryTaps: SECONDARY_TAPS,
          sampleRate,
          blockSize: p.blockSize,
          callSamples: p.entry.chunkSamples,
          xRealTime: round(results[i].xRealTime),
          xRealTimeWall: round(results[i].xRealTimeWall),
          vsBaseline: round(results[i].xRealTime / baseline),
          runs: results[i].runs.map(round),
          divergences: p.controller?.health.divergences ?? 0,
        });
      });
      log(`  ${sampleRate / 1000} kHz, L = ${taps}: ${prepared.length} configurations in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }
  return rows;
}

/**
 * pbfxlms (L = 1024, B = 128, 16 kHz) against MDF (filter 1024, frame 128, 16 kHz), alternating three rounds so that
 * both see the same machine load; medians over all runs of each.
 */
function headToHead(): { pb: BenchRow; mdf: BenchRow } | { skipped: string } {
  if (onlyAlgorithms !== null && !onlyAlgorithms.has('pbfxlms')) return { skipped: '--algorithms leaves out pbfxlms' };
  const mdfBench = prepareMdfBench();
  if (!mdfBench.available) return { skipped: mdfBench.reason };
  log(`  SpeexDSP ${mdfBench.version}: ${mdfBench.compileCommand}`);
  try {
    const taps = 1024;
    const sampleRate = 16000;
    const pb = prepare({ algorithm: 'pbfxlms' }, taps);
    const base = prepare({ algorithm: BASELINE }, taps);
    const round1 = { ...timing, runs: Math.max(1, Math.ceil(timing.runs / 2)) };
    const pbRuns: number[] = [];
    const baseRuns: number[] = [];
    const mdfRuns: number[] = [];
    const pbWall: number[] = [];
    const mdfWall: number[] = [];
    const mdfResults: MdfResult[] = [];
    for (let r = 0; r < 3; r++) {
      const [pbResult, baseResult] = measureInterleaved([pb.entry, base.entry], sampleRate, round1);
      pbRuns.push(...pbResult.runs);
      pbWall.push(...pbResult.runsWall);
      baseRuns.push(...baseResult.runs);
      const m = mdfBench.run({ frame: PB_BLOCK, filter: taps, sampleRate, ...round1 });
      mdfRuns.push(...m.runs);
      mdfWall.push(...m.runsWall);
      mdfResults.push(m);
    }
    const pbX = median(pbRuns);
    const mdfX = median(mdfRuns);
    const baseX = median(baseRuns);
    const common = { series: 'vs-mdf' as const, taps, secondaryTaps: SECONDARY_TAPS, sampleRate, blockSize: PB_BLOCK, callSamples: PB_BLOCK };
    const attenuation = median(mdfResults.map((m) => m.echoAttenuationDb));
    log(`  MDF echo attenuation over its last runs: ${attenuation.toFixed(1)} dB (it adapts)`);
    return {
      pb: {
        algorithm: 'pbfxlms', kernel: pb.kernel, ...common, xRealTime: round(pbX), xRealTimeWall: round(median(pbWall)), vsBaseline: round(pbX / baseX),
        runs: pbRuns.map(round), divergences: pb.controller?.health.divergences ?? 0, pbfxlmsVsMdf: round(pbX / mdfX),
      },
      mdf: {
        algorithm: 'speexdsp-mdf', kernel: 'c', ...common, secondaryTaps: 0, xRealTime: round(mdfX), xRealTimeWall: round(median(mdfWall)),
        vsBaseline: round(mdfX / baseX), runs: mdfRuns.map(round), divergences: 0, pbfxlmsVsMdf: round(pbX / mdfX),
      },
    };
  } finally {
    mdfBench.close();
  }
}

function round(value: number): number {
  return Number(value.toPrecision(4));
}

function label(row: Pick<BenchRow, 'algorithm' | 'kernel'>): string {
  return row.kernel === 'js' || row.kernel === 'c' ? row.algorithm : `${row.algorithm} (${row.kernel})`;
}

function formatX(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function markdown(rows: BenchRow[], h2h: ReturnType<typeof headToHead>): string {
  const lines: string[] = [];
  lines.push(`x-real-time by process CPU time, median of ${timing.runs} runs of ≥ ${timing.minSeconds} s CPU after `
    + `${timing.warmupSeconds} s warm-up; (×r) = ratio to ${BASELINE} at the same L and rate. Ŝ = ${SECONDARY_TAPS} taps.`);
  for (const sampleRate of rates) {
    const here = rows.filter((r) => r.sampleRate === sampleRate);
    const labels = [...new Set(here.map(label))];
    lines.push('', `### ${sampleRate / 1000} kHz`, '');
    lines.push(`| controller | block | ${tapsList.map((t) => `L = ${t}`).join(' | ')} |`);
    lines.push(`|---|---|${tapsList.map(() => '---:').join('|')}|`);
    for (const name of labels) {
      const byTaps = new Map(here.filter((r) => label(r) === name).map((r) => [r.taps, r]));
      const blocks = [...new Set([...byTaps.values()].map((r) => r.blockSize))];
      const block = name.startsWith('fdfxlms') && blocks.length > 1 ? 'min(L, 64)' : blocks.join('/');
      const cells = tapsList.map((t) => {
        const r = byTaps.get(t);
        if (!r) return '—';
        const flag = r.divergences > 0 ? ` ⚠${r.divergences}` : '';
        return r.algorithm === BASELINE ? `${formatX(r.xRealTime)}${flag}` : `${formatX(r.xRealTime)} (×${r.vsBaseline.toFixed(2)})${flag}`;
      });
      lines.push(`| ${name} | ${block} | ${cells.join(' | ')} |`);
    }
  }
  lines.push('', '### Key figures', '');
  const key = rows.find((r) => r.algorithm === 'fxnlms' && r.kernel === 'wasm-simd' && r.taps === 256 && r.sampleRate === 16000);
  if (key) {
    lines.push(`- FxNLMS (wasm-simd), L = 256, Ŝ = 256, 16 kHz: ${formatX(key.xRealTime)}× real time `
      + `(target ≥ 500×: ${key.xRealTime >= 500 ? 'met' : 'NOT met'}); runs ${key.runs.map(formatX).join(', ')}; `
      + `wall-time median ${formatX(key.xRealTimeWall)}×.`);
  }
  if ('skipped' in h2h) {
    lines.push(`- SpeexDSP MDF row skipped: ${h2h.skipped}.`);
  } else {
    lines.push(`- pbfxlms L = 1024, B = 128, 16 kHz: ${formatX(h2h.pb.xRealTime)}× real time; SpeexDSP MDF (1024, 128, 16 kHz, `
      + `C -O2): ${formatX(h2h.mdf.xRealTime)}×; pbfxlms / MDF = ${h2h.pb.pbfxlmsVsMdf?.toFixed(2)} `
      + `(target ≥ 1: ${(h2h.pb.pbfxlmsVsMdf ?? 0) >= 1 ? 'met' : 'NOT met'}). Alternated 3 rounds, medians of `
      + `${h2h.pb.runs.length} runs each; by wall time ${formatX(h2h.pb.xRealTimeWall)}× vs ${formatX(h2h.mdf.xRealTimeWall)}× `
      + `(${(h2h.pb.xRealTimeWall / h2h.mdf.xRealTimeWall).toFixed(2)}).`);
  }
  const diverged = rows.filter((r) => r.divergences > 0);
  if (diverged.length > 0) lines.push(`- ⚠ divergence guard fired in ${diverged.map((r) => `${label(r)} L=${r.taps}@${r.sampleRate}`).join(', ')}.`);
  return lines.join('\n');
}

function main(): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  log(`bench:dsp — ${cpus().length} × ${cpu}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`timing: ${timing.runs} runs × ≥ ${timing.minSeconds} s after ${timing.warmupSeconds} s warm-up, round-robin per group`);
  const started = Date.now();
  const rows = benchGrid();
  log('  head to head: pbfxlms vs SpeexDSP MDF (1024 taps, 128 block, 16 kHz)');
  const h2h = headToHead();
  if ('skipped' in h2h) log(`  skipped: ${h2h.skipped}`);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (args.json) {
    const all = 'skipped' in h2h ? rows : [...rows, h2h.pb, h2h.mdf];
    process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
  } else {
    process.stdout.write(`${markdown(rows, h2h)}\n`);
  }
}

main();

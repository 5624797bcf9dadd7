/**
 * Throughput timing shared by the benchmarks: x-real-time = seconds of audio processed per second of time on one
 * core. The machine is shared, so two clocks are read:
 *  - CPU time of this process (process.cpuUsage(), user + system): what the work cost on the core it ran on, and
 *    nearly blind to time spent descheduled while other jobs ran. This is the headline figure (`xRealTime`).
 *  - Wall time (performance.now()): what a listener would see on this machine at that moment (`xRealTimeWall`).
 * Each measurement warms up first (JIT tiers, WASM tier-up, caches), then takes the median of several runs; each run
 * processes whole chunks until at least `minSeconds` of CPU time have passed. The clocks are read every `stride`
 * chunks, with the stride chosen during warm-up so that a clock read lands about every millisecond of work (reading
 * CPU time is a system call, which would otherwise bias the fastest configurations).
 */
import { performance } from 'node:perf_hooks';

export interface TimingOptions {
  /** Timed runs; the median is reported. */
  runs: number;
  /** Least CPU time per run, s. */
  minSeconds: number;
  /** CPU time spent warming up before the first run, s. */
  warmupSeconds: number;
}

export interface Throughput {
  /** Median x-real-time over the runs, CPU time. */
  xRealTime: number;
  /** Median x-real-time over the runs, wall time. */
  xRealTimeWall: number;
  /** Every run's x-real-time (CPU time), in run order. */
  runs: number[];
  /** Every run's x-real-time (wall time), in run order. */
  runsWall: number[];
}

/** A unit of work: processes one chunk of samples. */
export type ChunkProcessor = () => void;

/** One configuration of a group measured by measureInterleaved. */
export interface TimedEntry {
  step: ChunkProcessor;
  chunkSamples: number;
}

const CHECK_EVERY_SECONDS = 1e-3;

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

interface Run {
  chunks: number;
  cpu: number;
  wall: number;
}

function runFor(step: ChunkProcessor, minSeconds: number, stride: number): Run {
  const cpuStart = cpuSeconds();
  const wallStart = performance.now();
  let chunks = 0;
  let cpu: number;
  do {
    for (let i = 0; i < stride; i++) step();
    chunks += stride;
    cpu = cpuSeconds() - cpuStart;
  } while (cpu < minSeconds);
  return { chunks, cpu, wall: (performance.now() - wallStart) / 1000 };
}

/** Warms `step` up and returns the clock-read stride for it. */
function warmUp(step: ChunkProcessor, seconds: number): number {
  const run = runFor(step, seconds, 1);
  const perChunk = run.cpu / run.chunks;
  return Math.max(1, Math.floor(CHECK_EVERY_SECONDS / perChunk));
}

/**
 * Times several configurations at one sample rate round-robin: all warm up, then run 1 of each, run 2 of each, …
 * On a shared machine, load that comes and goes then hits every configuration alike, so their ratios stay honest.
 */
export function measureInterleaved(entries: readonly TimedEntry[], sampleRate: number, options: TimingOptions): Throughput[] {
  const strides = entries.map((entry) => warmUp(entry.step, options.warmupSeconds));
  const cpuRuns: number[][] = entries.map(() => []);
  const wallRuns: number[][] = entries.map(() => []);
  for (let r = 0; r < options.runs; r++) {
    entries.forEach((entry, i) => {
      const run = runFor(entry.step, options.minSeconds, strides[i]);
      const audioSeconds = (run.chunks * entry.chunkSamples) / sampleRate;
      cpuRuns[i].push(audioSeconds / run.cpu);
      wallRuns[i].push(audioSeconds / run.wall);
    });
  }
  return cpuRuns.map((values, i) => ({
    xRealTime: median(values), xRealTimeWall: median(wallRuns[i]), runs: values, runsWall: wallRuns[i],
  }));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Throughput timing shared by the benchmarks: x-real-time = seconds of audio processed per second of wall time, on
 * the one core this process runs on. Each measurement warms up first (JIT tiers, WASM tier-up, caches), then takes
 * the median of several runs; each run processes whole chunks until at least `minSeconds` of wall time has passed.
 */
import { performance } from 'node:perf_hooks';

export interface TimingOptions {
  /** Timed runs; the median is reported. */
  runs: number;
  /** Least wall time per run, s. */
  minSeconds: number;
  /** Wall time spent warming up before the first run, s. */
  warmupSeconds: number;
}

export interface Throughput {
  /** Median x-real-time over the runs. */
  xRealTime: number;
  /** Every run's x-real-time, in run order. */
  runs: number[];
}

/** A unit of work: processes `chunk` samples and returns nothing. */
export type ChunkProcessor = () => void;

/** Times `step` (which processes `chunkSamples` samples at `sampleRate`) and returns the median x-real-time. */
export function measureThroughput(step: ChunkProcessor, chunkSamples: number, sampleRate: number, options: TimingOptions): Throughput {
  runFor(step, options.warmupSeconds);
  const runs: number[] = [];
  for (let r = 0; r < options.runs; r++) {
    const { chunks, seconds } = runFor(step, options.minSeconds);
    runs.push((chunks * chunkSamples) / sampleRate / seconds);
  }
  return { xRealTime: median(runs), runs };
}

/** One configuration of a group measured by measureInterleaved. */
export interface TimedEntry {
  step: ChunkProcessor;
  chunkSamples: number;
}

/**
 * Times several configurations at one sample rate round-robin: all warm up, then run 1 of each, run 2 of each, …
 * On a shared machine, load that comes and goes then hits every configuration alike, so their ratios stay honest.
 */
export function measureInterleaved(entries: readonly TimedEntry[], sampleRate: number, options: TimingOptions): Throughput[] {
  for (const entry of entries) runFor(entry.step, options.warmupSeconds);
  const runs: number[][] = entries.map(() => []);
  for (let r = 0; r < options.runs; r++) {
    entries.forEach((entry, i) => {
      const { chunks, seconds } = runFor(entry.step, options.minSeconds);
      runs[i].push((chunks * entry.chunkSamples) / sampleRate / seconds);
    });
  }
  return runs.map((values) => ({ xRealTime: median(values), runs: values }));
}

function runFor(step: ChunkProcessor, minSeconds: number): { chunks: number; seconds: number } {
  const start = performance.now();
  let chunks = 0;
  let elapsed = 0;
  // A chunk is ≥ 128 samples (≥ several µs of work), so reading the clock after every chunk costs little.
  do {
    step();
    chunks++;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < minSeconds);
  return { chunks, seconds: elapsed };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

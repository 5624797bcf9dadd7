/**
 * Node-only: features of generated examples, computed in worker threads (`workers` > 1) or in this thread.
 *
 * The answer does not depend on the number of workers: every example is generated from its own seed
 * (exampleSeed(seed, class, index)) and the feature vectors come back in a fixed order — index-major, then the
 * class order given — exactly the order of the single-threaded loop. Each example is one entry holding the feature
 * vectors of its windows (FeatureExtractor.windows).
 */
import { Worker } from 'node:worker_threads';
import { FeatureExtractor, FEATURE_COUNT } from '../features.js';
import { exampleSeed, generateExample, type GeneratorOptions } from '../generator/generate.js';
import { NOISE_CLASSES, type NoiseClass } from '../taxonomy.js';

export interface FeatureJob {
  seed: number;
  classes: NoiseClass[];
  /** Example indices [from, to) of every class. */
  from: number;
  to: number;
  generator?: GeneratorOptions;
}

export interface FeatureJobReply {
  /** Windows per example, in job order (index-major, then class). */
  counts: Int32Array<ArrayBuffer>;
  /** All windows' features, FEATURE_COUNT each, concatenated. */
  values: Float32Array<ArrayBuffer>;
}

export interface GeneratedFeatures {
  /** One entry per example, in index-major, class order. */
  labels: NoiseClass[];
  windows: Float32Array[][];
}

/** Runs a job in this thread. */
export function runFeatureJob(job: FeatureJob): FeatureJobReply {
  const extractor = new FeatureExtractor();
  const counts: number[] = [];
  const chunks: Float32Array[] = [];
  for (let i = job.from; i < job.to; i++) {
    for (const cls of job.classes) {
      const ex = generateExample(cls, exampleSeed(job.seed, NOISE_CLASSES.indexOf(cls), i), job.generator);
      const windows = extractor.extract(ex.samples);
      counts.push(windows.length);
      chunks.push(...windows);
    }
  }
  const values = new Float32Array(chunks.length * FEATURE_COUNT);
  chunks.forEach((v, k) => values.set(v, k * FEATURE_COUNT));
  return { counts: Int32Array.from(counts), values };
}

const WORKER_URL = new URL('./generate-worker-entry.mjs', import.meta.url);

function runInWorker(job: FeatureJob): Promise<FeatureJobReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL);
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.once('message', (reply: FeatureJobReply) => settle(() => resolve(reply)));
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => reject(new Error(`feature worker exited with code ${code}`))));
    worker.postMessage(job);
  });
}

export interface GenerateFeaturesOptions {
  seed: number;
  perClass: number;
  classes?: readonly NoiseClass[];
  generator?: GeneratorOptions;
  /** Worker threads (default 1: this thread). */
  workers?: number;
  /** Examples per job (default 50 indices × classes); smaller jobs balance better, larger ones cost fewer threads. */
  chunk?: number;
  log?: (line: string) => void;
}

/** Features of `perClass` generated examples of every class, in the single-threaded order. */
export async function generateFeatures(options: GenerateFeaturesOptions): Promise<GeneratedFeatures> {
  const classes = [...(options.classes ?? NOISE_CLASSES)];
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  const chunk = Math.max(1, options.chunk ?? 50);
  const jobs: FeatureJob[] = [];
  for (let from = 0; from < options.perClass; from += chunk) {
    jobs.push({ seed: options.seed, classes, from, to: Math.min(options.perClass, from + chunk), generator: options.generator });
  }
  const replies: FeatureJobReply[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const t0 = Date.now();
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const k = next++;
      replies[k] = workers === 1 ? runFeatureJob(jobs[k]) : await runInWorker(jobs[k]);
      done++;
      options.log?.(`generated ${done}/${jobs.length} blocks of ${chunk} examples per class (${Math.round((Date.now() - t0) / 1000)} s)`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, lane));
  const labels: NoiseClass[] = [];
  const windows: Float32Array[][] = [];
  jobs.forEach((job, k) => {
    const { counts, values } = replies[k];
    let e = 0;
    let offset = 0;
    for (let i = job.from; i < job.to; i++) {
      for (const cls of job.classes) {
        const list: Float32Array[] = [];
        for (let w = 0; w < counts[e]; w++) {
          list.push(values.slice(offset, offset + FEATURE_COUNT));
          offset += FEATURE_COUNT;
        }
        labels.push(cls);
        windows.push(list);
        e++;
      }
    }
  });
  return { labels, windows };
}

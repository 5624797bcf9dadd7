/**
 * The inline engine's background thread: classification and analysis, the sessions' off-path work, on a worker
 * thread of their own, so that the thread answering frames only copies windows out and applies outcomes.
 *
 * Why: with the sessions inline (two cores or fewer, engine.ts), a second of audio classified (~1.3 ms) and a
 * window analysed (~2 ms, every other second) are a fifth of the thread's work at a few dozen sessions, and each is
 * a task that holds every other session's frame up while it runs. Frames never cross the hop, so the per-frame
 * latency of the inline engine stays; a second's work crosses it once.
 *
 * Flow: SessionHost.takeNextWork() copies a due session's windows → submit() transfers them → background-worker.ts
 * classifies and/or analyses → onResult on this thread applies the outcome to the session (host.applyBackground).
 * A session has at most one classification and one analysis out: if the next falls due before the last came back
 * (the thread is behind), it is skipped and counted — the classifier's cadence gives way, the emergency detector, which
 * runs with every frame, does not. A crashed thread is replaced; the jobs it held are lost, and counted as skipped.
 */
import { Worker } from 'node:worker_threads';
import type { AnalyserOptions, AnalysisWindow } from './analysis.js';
import type { ClassificationOutcome } from './noise-monitor.js';
import type { SessionAnalysis } from './types.js';

/** One session's off-path work: a second of reference audio to classify, a window to analyse, or both. */
export interface BackgroundWork {
  sessionId: string;
  sampleRate: number;
  classify: Float32Array | null;
  analysis: { options: AnalyserOptions; window: AnalysisWindow } | null;
}

export interface BackgroundResult {
  sessionId: string;
  classification: ClassificationOutcome | null;
  analysis: SessionAnalysis | null;
}

export const CLASSIFY = 1;
export const ANALYSE = 2;

export type ToBackground = ({ t: 'work' } & BackgroundWork) | { t: 'forget'; sessionId: string } | { t: 'crash' };
/** `kinds`: what the job asked for (CLASSIFY | ANALYSE), answered or failed. */
export type FromBackground = { t: 'done'; kinds: number } & BackgroundResult;

export class BackgroundThread {
  /** Jobs not run: the session's previous job was still out, or a crashed thread took it along. */
  skipped = 0;
  private worker: Worker;
  /** Per session, the kinds of job out (CLASSIFY | ANALYSE). */
  private readonly outstanding = new Map<string, number>();
  private closed = false;

  constructor(private readonly classifierModel: unknown, private readonly onResult: (result: BackgroundResult) => void) {
    this.worker = this.spawn();
  }

  /** Sessions with a job out. */
  get pending(): number {
    return this.outstanding.size;
  }

  submit(work: BackgroundWork): void {
    if (this.closed) return;
    const out = this.outstanding.get(work.sessionId) ?? 0;
    let { classify, analysis } = work;
    if (classify && out & CLASSIFY) {
      classify = null;
      this.skipped++;
    }
    if (analysis && out & ANALYSE) {
      analysis = null;
      this.skipped++;
    }
    if (!classify && !analysis) return;
    this.outstanding.set(work.sessionId, out | (classify ? CLASSIFY : 0) | (analysis ? ANALYSE : 0));
    const transfer: ArrayBuffer[] = [];
    if (classify) transfer.push(classify.buffer as ArrayBuffer);
    if (analysis) transfer.push(analysis.window.samples.buffer as ArrayBuffer, analysis.window.path.buffer as ArrayBuffer);
    this.worker.postMessage({ t: 'work', ...work, classify, analysis } satisfies ToBackground, transfer);
  }

  /** The session ended: the thread drops what it keeps for it; an outcome still on its way is ignored by the host. */
  forget(sessionId: string): void {
    if (this.closed) return;
    this.worker.postMessage({ t: 'forget', sessionId } satisfies ToBackground);
  }

  /** Test hook (Engine.crashBackgroundForTesting): the thread throws an uncaught error. */
  crashForTesting(): void {
    this.worker.postMessage({ t: 'crash' } satisfies ToBackground);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
      workerData: { module: './background-worker.ts', classifierModel: this.classifierModel },
    });
    worker.unref(); // off-path work never keeps the process alive
    worker.on('message', (message: FromBackground) => {
      const out = (this.outstanding.get(message.sessionId) ?? 0) & ~message.kinds;
      if (out === 0) this.outstanding.delete(message.sessionId);
      else this.outstanding.set(message.sessionId, out);
      if (!this.closed) this.onResult(message);
    });
    const replace = (): void => {
      if (this.closed || this.worker !== worker) return;
      for (const out of this.outstanding.values()) this.skipped += (out & CLASSIFY ? 1 : 0) + (out & ANALYSE ? 1 : 0);
      this.outstanding.clear();
      this.worker = this.spawn();
    };
    worker.on('error', replace);
    worker.on('exit', replace);
    return worker;
  }
}

/**
 * File jobs: uploads are written to <dataDir>/jobs/<id>/, recorded as 'queued', and run one worker thread each
 * (at most `concurrency` at a time) so the event loop that serves audio never waits on them.
 *
 * Restarts: the inputs stay on disk until the job is done, so a job that was running when the server stopped
 * (gracefully or not) is put back to 'queued' and run again from the start at the next start-up — the
 * cancellation is deterministic, so the re-run gives the same result.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ApiError } from '../errors.js';
import type { ServerMetrics } from '../metrics.js';
import type { JobRecord, Store } from '../store/types.js';
import type { CancelOptions } from './cancel.js';
import type { CancelReply, CancelTask } from './worker.js';

const WORKER_URL = new URL('./worker-entry.mjs', import.meta.url);

/** Runs one cancellation in a fresh worker thread. `signal` terminates it (the promise then rejects). */
export function runCancelInWorker(task: CancelTask, signal?: AbortSignal): Promise<CancelReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL);
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = (): void => settle(() => reject(new Error('the job was stopped (server shutdown)')));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: CancelReply) => settle(() => resolve(reply)));
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => reject(new Error(`job worker exited with code ${code}`))));
    worker.postMessage(task);
  });
}

export interface JobUpload {
  primary: Uint8Array;
  reference: Uint8Array;
  clean?: Uint8Array;
  options: CancelOptions;
}

export class JobRunner {
  private readonly running = new Map<string, AbortController>();
  private readonly waiters = new Set<() => void>();
  private closed = false;
  private pumping = false;
  private pumpAgain = false;

  constructor(
    private readonly store: Store,
    private readonly jobsDir: string,
    private readonly concurrency: number,
    private readonly metrics: ServerMetrics,
  ) {
    mkdirSync(jobsDir, { recursive: true });
  }

  /** Re-queues jobs a stopped server left running and starts the queue. */
  async start(): Promise<void> {
    await this.store.requeueRunningJobs();
    this.pump();
  }

  async submit(userId: string, upload: JobUpload): Promise<JobRecord> {
    if (this.closed) throw new ApiError('OVERLOADED', 'the server is shutting down');
    const id = randomUUID();
    const dir = join(this.jobsDir, id);
    mkdirSync(dir, { recursive: true });
    const inputPaths: JobRecord['inputPaths'] = { primary: join(dir, 'primary.wav'), reference: join(dir, 'reference.wav') };
    writeFileSync(inputPaths.primary, upload.primary);
    writeFileSync(inputPaths.reference, upload.reference);
    if (upload.clean) {
      inputPaths.clean = join(dir, 'clean.wav');
      writeFileSync(inputPaths.clean, upload.clean);
    }
    const job = await this.store.createJob({ id, userId, createdAt: new Date().toISOString(), inputPaths, options: upload.options });
    this.pump();
    return job;
  }

  /** Resolves when no job is queued or running (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || (await this.store.listJobs('queued')).length > 0) {
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        do {
          this.pumpAgain = false;
          if (this.closed) return;
          const free = this.concurrency - this.running.size;
          if (free <= 0) continue;
          const queued = (await this.store.listJobs('queued')).filter((j) => !this.running.has(j.id)).slice(0, free);
          for (const job of queued) void this.run(job);
        } while (this.pumpAgain);
      } finally {
        this.pumping = false;
        this.notify();
      }
    })();
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }

  private async run(job: JobRecord): Promise<void> {
    const controller = new AbortController();
    this.running.set(job.id, controller);
    try {
      await this.store.setJobRunning(job.id);
      const task: CancelTask = {
        primary: readFileSync(job.inputPaths.primary),
        reference: readFileSync(job.inputPaths.reference),
        options: job.options as CancelOptions,
      };
      if (job.inputPaths.clean) task.clean = readFileSync(job.inputPaths.clean);
      const reply = await runCancelInWorker(task, controller.signal);
      if (reply.ok) {
        const resultPath = join(this.jobsDir, job.id, 'result.wav');
        writeFileSync(resultPath, reply.cleanedWav);
        await this.store.finishJob(job.id, { status: 'done', finishedAt: new Date().toISOString(), resultPath, report: reply.report });
        this.metrics.jobs.inc({ status: 'done' });
      } else {
        await this.store.finishJob(job.id, { status: 'failed', finishedAt: new Date().toISOString(), error: reply.message });
        this.metrics.jobs.inc({ status: 'failed' });
      }
      this.removeInputs(job);
    } catch (error) {
      if (controller.signal.aborted) return; // stays 'running'; re-queued on close / next start
      await this.store.finishJob(job.id, { status: 'failed', finishedAt: new Date().toISOString(), error: (error as Error).message }).catch(() => undefined);
      this.metrics.jobs.inc({ status: 'failed' });
    } finally {
      this.running.delete(job.id);
      this.pump();
    }
  }

  private removeInputs(job: JobRecord): void {
    for (const path of Object.values(job.inputPaths)) rmSync(path, { force: true });
  }

  /** Stops the running jobs and puts them back in the queue for the next start. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
    await this.store.requeueRunningJobs().catch(() => undefined);
    this.notify();
  }
}

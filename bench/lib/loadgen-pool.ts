/**
 * The load generator on several threads (bench/lib/loadgen-thread.ts, one LoadGenerator each), so that the
 * generator's own event loop is not what limits a step: on one thread, against a server that does nothing
 * (bench/lib/floor-server.ts), 200 WebSocket rooms already sent frames up to 9 ms late at p99. The rooms are split
 * evenly; a step's counters are merged from every thread. process.cpuUsage() in the bench counts all threads.
 */
import { Worker } from 'node:worker_threads';
import { addStepValues, newCounters, type LoadOptions, type StepCounters } from './loadgen.js';
import type { ThreadCommand, ThreadReply } from './loadgen-thread.js';

export class LoadGeneratorPool {
  private readonly threads: Worker[];
  private readonly pending = new Map<number, (reply: ThreadReply) => void>();
  private nextId = 1;
  /** Rooms running. */
  size = 0;

  constructor(options: LoadOptions, threadCount: number) {
    this.threads = Array.from({ length: Math.max(1, threadCount) }, () => {
      const worker = new Worker(new URL('./loadgen-thread-entry.mjs', import.meta.url), { workerData: options });
      worker.on('message', (reply: ThreadReply) => {
        this.pending.get(reply.id)?.(reply);
        this.pending.delete(reply.id);
      });
      worker.on('error', (error) => {
        throw error;
      });
      return worker;
    });
  }

  get threadCount(): number {
    return this.threads.length;
  }

  private async all(command: (index: number) => ThreadCommand): Promise<ThreadReply[]> {
    const replies = await Promise.all(this.threads.map((worker, index) => new Promise<ThreadReply>((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      worker.postMessage({ ...command(index), id });
    })));
    const failed = replies.find((reply) => reply.error !== undefined);
    if (failed) throw new Error(failed.error);
    return replies;
  }

  /** Opens or closes rooms until `n` run, split evenly over the threads. */
  async resize(n: number): Promise<void> {
    const k = this.threads.length;
    await this.all((i) => ({ t: 'resize', n: Math.floor(n / k) + (i < n % k ? 1 : 0) }));
    this.size = n;
  }

  async beginStep(): Promise<void> {
    await this.all(() => ({ t: 'begin' }));
  }

  async endStep(): Promise<void> {
    await this.all(() => ({ t: 'end' }));
  }

  /** The step's counters over every thread, and how many rooms' streams have closed; the threads forget the step. */
  async collectStep(): Promise<{ counters: StepCounters; roomsClosed: number }> {
    const counters = newCounters();
    let roomsClosed = 0;
    for (const { step, roomsClosed: closed = 0 } of await this.all(() => ({ t: 'collect' }))) {
      roomsClosed += closed;
      if (step) addStepValues(counters, step);
    }
    return { counters, roomsClosed };
  }

  async close(): Promise<void> {
    await this.all(() => ({ t: 'close' })).catch(() => undefined);
    await Promise.all(this.threads.map((worker) => worker.terminate()));
  }
}

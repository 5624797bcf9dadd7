/**
 * One load-generator thread of bench/lib/loadgen-pool.ts: a LoadGenerator (bench/lib/loadgen.ts) with its share
 * of the rooms, driven by messages from the pool. Each request carries an id that its reply echoes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LoadGenerator, stepValueBuffers, stepValues, type LoadOptions, type Step, type StepValues } from './loadgen.js';

export type ThreadCommand = { t: 'resize'; n: number } | { t: 'begin' } | { t: 'end' } | { t: 'collect' } | { t: 'close' };
export type ThreadRequest = ThreadCommand & { id: number };

export type ThreadReply = { id: number; error?: string; step?: StepValues; roomsClosed?: number };

const port = parentPort!;
const gen = new LoadGenerator(workerData as LoadOptions);
let step: Step | null = null;

port.on('message', async (request: ThreadRequest) => {
  const reply: ThreadReply = { id: request.id };
  try {
    if (request.t === 'resize') await gen.resize(request.n);
    else if (request.t === 'begin') step = gen.beginStep();
    else if (request.t === 'end') gen.endStep();
    else if (request.t === 'collect' && step) {
      gen.forgetStep(step);
      reply.step = stepValues(step);
      reply.roomsClosed = gen.roomsClosed();
      step = null;
    } else if (request.t === 'close') await gen.close();
  } catch (error) {
    reply.error = (error as Error).message;
  }
  port.postMessage(reply, reply.step ? stepValueBuffers(reply.step) : []);
});

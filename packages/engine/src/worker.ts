/**
 * Worker-thread entry: a SessionHost behind a MessagePort (STYLE.md §1: a thin wrapper around the pure core).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { NoiseClassifier, parseModel } from '@antiphase/intelligence';
import { serializeError } from './errors.js';
import { SessionHost } from './host.js';
import type { FrameResult, FromWorker, ToWorker } from './port.js';
import type { SessionConfig, SessionPatch } from './types.js';

if (!parentPort) throw new Error('worker.ts runs in a worker thread');
const port = parentPort;
const { index, overrunLimit, classifierModel, presetBanks } = workerData as {
  index: number; overrunLimit: number; classifierModel: unknown; presetBanks: Record<string, unknown>;
};
// The engine validated the model before spawning us; null: the detector alone drives the bypass.
const classifier = classifierModel === null ? null : new NoiseClassifier(parseModel(classifierModel));
const host = new SessionHost({ worker: index, overrunLimit, classifier }, presetBanks);
let classifyScheduled = false;

port.on('message', (message: ToWorker) => {
  switch (message.t) {
    case 'frames':
      processFrames(message.jobs);
      break;
    case 'call':
      call(message.id, message.method, message.args);
      break;
    case 'crash':
      setTimeout(() => {
        throw new Error(message.message);
      });
      break;
  }
});

/** Results of a long batch go back in slices of about this much processing time, so early frames do not wait for the last. */
const REPLY_SLICE_MS = 0.5;

function processFrames(jobs: Extract<ToWorker, { t: 'frames' }>['jobs']): void {
  let results: FrameResult[] = [];
  let transfer: ArrayBuffer[] = [];
  let sliceStart = performance.now();
  for (const job of jobs) {
    if (results.length > 0 && performance.now() - sliceStart > REPLY_SLICE_MS) {
      post({ t: 'results', results }, transfer);
      results = [];
      transfer = [];
      sliceStart = performance.now();
    }
    const all = new Float32Array(job.samples);
    const reference = all.subarray(0, job.referenceLength);
    const error = all.subarray(job.referenceLength, job.referenceLength + job.errorLength);
    const output = all.subarray(job.referenceLength + job.errorLength);
    try {
      const result = host.process(
        {
          sessionId: job.sessionId, sequence: job.sequence, captureTimestampUs: job.captureTimestampUs, reference, error,
          antiNoiseMissing: job.antiNoiseMissing,
        },
        output,
      );
      const stats = host.statsDue;
      const events = host.eventsDue;
      if (result) {
        results.push({
          id: job.id, ok: true, samples: job.samples, length: output.length, computeUs: result.computeUs, phase: result.phase, nrDb: result.nrDb,
          noiseType: result.noiseType, emergencyBypass: result.emergencyBypass, stats, events,
        });
        transfer.push(job.samples);
      } else {
        results.push({ id: job.id, ok: true, samples: null, length: 0, computeUs: 0, phase: 'ended', nrDb: 0, noiseType: null, emergencyBypass: false, stats, events });
      }
    } catch (error) {
      results.push({ id: job.id, ok: false, error: serializeError(error), stats: null, events: null });
    }
  }
  post({ t: 'results', results }, transfer);
  if (!classifyScheduled && host.classificationPending) {
    // After the answers are posted, so a classification never delays the frames of this batch.
    classifyScheduled = true;
    setImmediate(classifyNext);
  }
}

/** One classification per event-loop turn: frames that arrive meanwhile are answered between two of them. */
function classifyNext(): void {
  const events = host.classifyNext();
  if (events === null) {
    classifyScheduled = false;
    return;
  }
  if (events.length > 0) post({ t: 'noise', events });
  setImmediate(classifyNext);
}

function call(id: number, method: string, args: unknown[]): void {
  try {
    const value = invoke(method, args);
    const transfer = value instanceof Uint8Array ? [value.buffer as ArrayBuffer] : [];
    post({ t: 'reply', id, ok: true, value }, transfer);
  } catch (error) {
    post({ t: 'reply', id, ok: false, error: serializeError(error) });
  }
}

function invoke(method: string, args: unknown[]): unknown {
  switch (method) {
    case 'create':
      return host.create(args[0] as string, args[1] as SessionConfig);
    case 'restore':
      return host.restore(args[0] as string, args[1] as SessionConfig, args[2] as Uint8Array);
    case 'update':
      return host.update(args[0] as string, args[1] as SessionPatch);
    case 'stats':
      return host.stats(args[0] as string);
    case 'end':
      return host.end(args[0] as string);
    case 'snapshot':
      return host.snapshot(args[0] as string);
    case 'list':
      return host.list();
    case 'registerPresetBank':
      return host.registerPresetBank(args[0] as string, args[1]);
    default:
      throw new Error(`unknown method ${method}`);
  }
}

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/**
 * The background thread's side (background.ts): classifies windows and analyses them, one job at a time. It keeps
 * one DisturbanceAnalyser per session (its FFT of Ŝ and its buffers) until the session is forgotten.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { NoiseClassifier, parseModel } from '@antiphase/intelligence';
import { DisturbanceAnalyser } from './analysis.js';
import { ANALYSE, CLASSIFY, type FromBackground, type ToBackground } from './background.js';
import type { ClassificationOutcome } from './noise-monitor.js';
import type { SessionAnalysis } from './types.js';

if (!parentPort) throw new Error('background-worker.ts runs in a worker thread');
lowerThreadPriority();
const port = parentPort;
const { classifierModel } = workerData as { classifierModel: unknown };
const classifier = classifierModel === null ? null : new NoiseClassifier(parseModel(classifierModel));
const analysers = new Map<string, DisturbanceAnalyser>();

port.on('message', (message: ToBackground) => {
  if (message.t === 'crash') {
    setTimeout(() => {
      throw new Error('simulated crash');
    });
    return;
  }
  if (message.t === 'forget') {
    analysers.delete(message.sessionId);
    return;
  }
  const { sessionId, sampleRate, classify, analysis } = message;
  let classification: ClassificationOutcome | null = null;
  if (classify) {
    try {
      if (!classifier) throw new Error('no classifier model in the background thread');
      const { label, confidence } = classifier.classify(classify, sampleRate);
      classification = { label, confidence };
    } catch (error) {
      classification = { error: (error as Error).message };
    }
  }
  let result: SessionAnalysis | null = null;
  if (analysis) {
    try {
      let analyser = analysers.get(sessionId);
      if (!analyser) analysers.set(sessionId, (analyser = new DisturbanceAnalyser(analysis.options)));
      analyser.loadWindow(analysis.window);
      result = analyser.analyse();
    } catch {
      analysers.delete(sessionId); // a bad window: this one has no analysis, the next starts afresh
    }
  }
  const kinds = (classify ? CLASSIFY : 0) | (analysis ? ANALYSE : 0);
  port.postMessage({ t: 'done', kinds, sessionId, classification, analysis: result } satisfies FromBackground);
});

/**
 * This thread yields to the ones answering frames: on Linux a thread has its own nice value, set through its id
 * (/proc/thread-self → <pid>/task/<tid>). Elsewhere, or where that is not allowed, it keeps the process's.
 */
function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // not Linux, or no /proc: the same priority as the process
  }
}

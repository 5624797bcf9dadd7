/** Worker thread of generate-features.ts: answers one FeatureJob with its features (buffers transferred). */
import { parentPort } from 'node:worker_threads';
import { runFeatureJob, type FeatureJob } from './generate-features.js';

parentPort!.once('message', (job: FeatureJob) => {
  const reply = runFeatureJob(job);
  parentPort!.postMessage(reply, [reply.counts.buffer, reply.values.buffer]);
});

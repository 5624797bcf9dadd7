/**
 * Worker-thread entry of a file job: runs cancelRecording on the bytes it is given and posts the result back.
 * Input errors come back as { ok: false, inputError: true } so the caller can tell a bad upload from a fault.
 */
import { parentPort } from 'node:worker_threads';
import { cancelRecording, CancelInputError, type CancelOptions } from './cancel.js';

export interface CancelTask {
  primary: Uint8Array;
  reference: Uint8Array;
  clean?: Uint8Array;
  options: CancelOptions;
}

export type CancelReply =
  | { ok: true; cleanedWav: Uint8Array; report: unknown }
  | { ok: false; inputError: boolean; message: string };

parentPort?.once('message', (task: CancelTask) => {
  let reply: CancelReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const { cleanedWav, report } = cancelRecording(task.primary, task.reference, task.options, task.clean);
    reply = { ok: true, cleanedWav, report };
    if (cleanedWav.buffer instanceof ArrayBuffer) transfer.push(cleanedWav.buffer);
  } catch (error) {
    reply = { ok: false, inputError: error instanceof CancelInputError, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply, transfer);
});

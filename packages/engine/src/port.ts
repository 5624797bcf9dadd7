/**
 * Messages between the engine and its worker threads. Frames travel as one ArrayBuffer each
 *
 *   | reference (referenceLength f32) | error (errorLength f32) | anti-noise (referenceLength f32) |
 *
 * transferred, never copied: the worker writes the anti-noise into the last part and transfers the same buffer
 * back, so the worker allocates nothing per frame. Frames submitted in the same event-loop turn for the same worker travel in one message.
 */
import type { SerializedEngineError } from './errors.js';
import type { NoiseEvent } from './noise-monitor.js';
import type { SessionPhase, SessionStats } from './types.js';

export interface FrameJob {
  id: number;
  sessionId: string;
  sequence: number;
  captureTimestampUs: number;
  /** AudioFrame.antiNoiseMissing. */
  antiNoiseMissing: boolean;
  referenceLength: number;
  errorLength: number;
  /** See the layout above. */
  samples: ArrayBuffer;
}

export type HostMethod = 'create' | 'restore' | 'update' | 'stats' | 'end' | 'snapshot' | 'list' | 'registerPresetBank';

export type ToWorker =
  | { t: 'frames'; jobs: FrameJob[] }
  | { t: 'call'; id: number; method: HostMethod; args: unknown[] }
  /** Test hook: throw an uncaught error in the worker. */
  | { t: 'crash'; message: string };

export type FrameResult =
  | {
    id: number;
    ok: true;
    /** null: dropped as late. Otherwise the anti-noise is the last `length` floats. */
    samples: ArrayBuffer | null;
    length: number;
    computeUs: number;
    phase: SessionPhase;
    nrDb: number;
    noiseType: string | null;
    emergencyBypass: boolean;
    stats: SessionStats | null;
    events: NoiseEvent[] | null;
  }
  | { id: number; ok: false; error: SerializedEngineError; stats: SessionStats | null; events: null };

export type FromWorker =
  | { t: 'results'; results: FrameResult[] }
  /** Noise events of the classification pass that ran after a batch. */
  | { t: 'noise'; events: NoiseEvent[] }
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; error: SerializedEngineError };

/**
 * Widrow two-channel adaptive noise cancellation of recordings (Widrow et al., "Adaptive noise cancelling:
 * principles and applications", Proc. IEEE 63(12), 1975; DESIGN.md §1) — the same approach and defaults as the
 * CLI's `antiphase cancel` (packages/cli/src/commands/cancel.ts): an NLMS filter predicts the primary's noise from
 * the reference (input = reference, desired = primary) and the error e = primary − prediction is the cleaned
 * signal; by default two passes, the output taken from the second, so the start of the recording is cleaned too.
 *
 * Pure: bytes in, bytes and a report out; no I/O. The server runs it in a worker thread (jobs/worker.ts) so it
 * never stalls the event loop that serves audio. It is a candidate to move into @antiphase/dsp and be shared
 * with the CLI.
 */
import { Nlms, noiseReductionDb, readWav, signalToNoiseRatioDb, toMono, WavError, writeWav } from '@antiphase/dsp';

export const CANCEL_DEFAULTS = { taps: 256, stepSize: 0.02, passes: 2 } as const;
export const CANCEL_LIMITS = { taps: { min: 1, max: 65536 }, passes: { min: 1, max: 100 } } as const;

export interface CancelOptions {
  taps: number;
  /** NLMS normalised step, 0 < μ < 2. */
  stepSize: number;
  passes: number;
}

export interface CancelReport {
  algorithm: 'nlms';
  /** 10·log10(Σprimary² / Σclean²) over the processed samples, dB. */
  noiseReductionDb: number;
  /** With a clean reference recording: SNR of the primary and of the output against it, dB; else null. */
  inputSnrDb: number | null;
  outputSnrDb: number | null;
  sampleRate: number;
  taps: number;
  stepSize: number;
  passes: number;
  processedSamples: number;
  durationS: number;
  primary: { samples: number; channels: number };
  reference: { samples: number; channels: number };
  lengthNote: string | null;
}

/** A defect in the caller's input (not a server fault): the message names the file and the problem. */
export class CancelInputError extends Error {
  override readonly name = 'CancelInputError';
}

/** Validates options (unknown keys, ranges) and fills the defaults. */
export function resolveCancelOptions(value: unknown): CancelOptions {
  if (value === undefined || value === null) return { ...CANCEL_DEFAULTS };
  if (typeof value !== 'object' || Array.isArray(value)) throw new CancelInputError('config must be a JSON object like {"taps": 256, "stepSize": 0.02, "passes": 2}');
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!['taps', 'stepSize', 'passes'].includes(key)) throw new CancelInputError(`config.${key} is not an option (taps, stepSize, passes)`);
  }
  const int = (name: 'taps' | 'passes'): number => {
    const x = v[name] ?? CANCEL_DEFAULTS[name];
    const { min, max } = CANCEL_LIMITS[name];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) throw new CancelInputError(`config.${name} must be an integer from ${min} to ${max}`);
    return x;
  };
  const stepSize = v.stepSize ?? CANCEL_DEFAULTS.stepSize;
  if (typeof stepSize !== 'number' || !(stepSize > 0 && stepSize < 2)) throw new CancelInputError('config.stepSize must be a number with 0 < stepSize < 2');
  return { taps: int('taps'), stepSize, passes: int('passes') };
}

/**
 * Checks that `bytes` start like a WAV file and returns its sample rate, without decoding samples (cheap enough for
 * an upload handler). The full decode happens in the job.
 */
export function inspectWav(bytes: Uint8Array, role: string): { sampleRate: number; channels: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number): string => String.fromCharCode(bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]);
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
    throw new CancelInputError(`${role} is not a WAV file (expected "RIFF" at byte 0 and "WAVE" at byte 8)`);
  }
  for (let offset = 12; offset + 8 <= bytes.byteLength;) {
    const size = view.getUint32(offset + 4, true);
    if (tag(offset) === 'fmt ') {
      if (size < 16 || offset + 8 + 16 > bytes.byteLength) throw new CancelInputError(`${role} has a truncated fmt chunk`);
      const channels = view.getUint16(offset + 10, true);
      const sampleRate = view.getUint32(offset + 12, true);
      if (channels === 0 || sampleRate === 0) throw new CancelInputError(`${role} declares ${channels} channels at ${sampleRate} Hz`);
      return { sampleRate, channels };
    }
    offset += 8 + size + (size & 1);
  }
  throw new CancelInputError(`${role} has no fmt chunk`);
}

function decode(bytes: Uint8Array, role: string): { sampleRate: number; samples: Float32Array; channels: number } {
  let audio;
  try {
    audio = readWav(bytes);
  } catch (error) {
    if (error instanceof WavError) throw new CancelInputError(`${role} is not a usable WAV file: ${error.message}`);
    throw error;
  }
  const frames = audio.channels[0]?.length ?? 0;
  if (frames === 0) throw new CancelInputError(`${role} holds no audio samples`);
  for (const [c, channel] of audio.channels.entries()) {
    for (let i = 0; i < channel.length; i++) {
      if (!Number.isFinite(channel[i])) throw new CancelInputError(`${role} contains a non-finite sample at frame ${i} of channel ${c}`);
    }
  }
  return { sampleRate: audio.sampleRate, samples: toMono(audio), channels: audio.channels.length };
}

/** Cleans `primaryWav` using `referenceWav`; with `cleanWav` (the signal alone, for evaluation) also reports SNR. */
export function cancelRecording(
  primaryWav: Uint8Array,
  referenceWav: Uint8Array,
  options: CancelOptions = { ...CANCEL_DEFAULTS },
  cleanWav?: Uint8Array,
): { cleanedWav: Uint8Array; report: CancelReport } {
  const primary = decode(primaryWav, 'primary');
  const reference = decode(referenceWav, 'reference');
  if (primary.sampleRate !== reference.sampleRate) {
    throw new CancelInputError(`sample rates differ: primary is ${primary.sampleRate} Hz, reference is ${reference.sampleRate} Hz; resample one of them first`);
  }
  const sampleRate = primary.sampleRate;
  const length = Math.min(primary.samples.length, reference.samples.length);
  const lengthNote = primary.samples.length === reference.samples.length
    ? null
    : `lengths differ (primary ${primary.samples.length} samples, reference ${reference.samples.length}); processed the common ${length} samples`;
  const desired = primary.samples.subarray(0, length);
  const input = reference.samples.subarray(0, length);
  const clean = new Float32Array(length);
  const prediction = new Float32Array(length);
  const filter = new Nlms({ taps: options.taps, stepSize: options.stepSize });
  const chunk = 4096;
  for (let pass = 0; pass < options.passes; pass++) {
    // Restart the signal history each pass (the recording does not wrap around), keep the weights.
    const weights = filter.weights();
    filter.reset();
    filter.setWeights(weights);
    for (let start = 0; start < length; start += chunk) {
      const end = Math.min(length, start + chunk);
      filter.filter(input.subarray(start, end), desired.subarray(start, end), prediction.subarray(start, end), clean.subarray(start, end));
    }
  }
  let inputSnrDb: number | null = null;
  let outputSnrDb: number | null = null;
  if (cleanWav) {
    const truth = decode(cleanWav, 'clean');
    if (truth.sampleRate !== sampleRate) throw new CancelInputError(`clean is ${truth.sampleRate} Hz, primary is ${sampleRate} Hz`);
    const n = Math.min(length, truth.samples.length);
    inputSnrDb = finiteOrNull(signalToNoiseRatioDb(truth.samples.subarray(0, n), desired.subarray(0, n)));
    outputSnrDb = finiteOrNull(signalToNoiseRatioDb(truth.samples.subarray(0, n), clean.subarray(0, n)));
  }
  const report: CancelReport = {
    algorithm: 'nlms',
    noiseReductionDb: finiteOrNull(noiseReductionDb(desired, clean)) ?? 0,
    inputSnrDb,
    outputSnrDb,
    sampleRate,
    taps: options.taps,
    stepSize: options.stepSize,
    passes: options.passes,
    processedSamples: length,
    durationS: length / sampleRate,
    primary: { samples: primary.samples.length, channels: primary.channels },
    reference: { samples: reference.samples.length, channels: reference.channels },
    lengthNote,
  };
  return { cleanedWav: writeWav({ sampleRate, channels: [clean] }, { format: 'float32' }), report };
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

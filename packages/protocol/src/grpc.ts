/**
 * The gRPC side of the contract: where anc.proto lives, and the messages as @grpc/proto-loader hands them over.
 *
 * Servers and clients load anc.proto at run time; nothing is generated. Load it with
 *   protoLoader.load(fileURLToPath(ANC_PROTO_PATH), ANC_PROTO_LOADER_OPTIONS)
 * (proto-loader takes a path string, and this package stays free of `node:` imports so browsers can import it).
 * With `keepCase: false` field names arrive in camelCase; with `defaults: true` every field is present, which is
 * what the interfaces below describe. `bytes` fields arrive as Buffers (a Uint8Array subclass: use bytesToFloat32,
 * never a Float32Array view, because pooled Buffers start at arbitrary byte offsets).
 */

import { ProtocolError } from './errors.js';
import { float32Bytes, HOST_LITTLE_ENDIAN } from './frame.js';

/** anc.proto beside this file. In Node: `fileURLToPath(ANC_PROTO_PATH)`; bundlers resolve it as an asset. */
export const ANC_PROTO_PATH: URL = new URL('./anc.proto', import.meta.url);

/** The proto package and service: `grpc.loadPackageDefinition(def).anc.ANCService`. */
export const ANC_PROTO_PACKAGE = 'anc';
export const ANC_SERVICE_NAME = 'ANCService';

/** The @grpc/proto-loader options the interfaces below assume. */
export const ANC_PROTO_LOADER_OPTIONS = {
  keepCase: false,
  defaults: true,
  oneofs: true,
} as const;

/** anc.AudioChunk: client → server, one frame of planar float32 reference + error. */
export interface AudioChunk {
  /** float32 little-endian PCM, planar: frameSize reference samples, then frameSize error samples. */
  audioData: Uint8Array;
  /** Hz. */
  sampleRate: number;
  /** 2: reference + error. */
  channels: number;
  /** Capture time of the first sample, client clock, µs. */
  timestampUs: number;
  sessionId: string;
  sequence: number;
  /** Samples per channel. */
  frameSize: number;
  /** First chunk only, to create a session (same JSON as POST /api/v1/sessions). */
  configJson: string;
  /**
   * The anti-noise due in this chunk's capture period (the answer to sequence − playoutDelayFrames) did not arrive
   * in time, so the loudspeaker played silence during it (the audio frame's flags bit 1). false when absent.
   */
  antiNoiseMissing: boolean;
}

/** anc.AntiNoiseChunk: server → client, the answer to one AudioChunk. */
export interface AntiNoiseChunk {
  /** float32 little-endian PCM, one channel, frameSize samples. */
  antiNoiseData: Uint8Array;
  /** The session's current noise-reduction estimate, dB. */
  cancellationDb: number;
  /** Server processing time of this chunk, µs. */
  latencyUs: number;
  /** Current noise class, empty until classified. */
  noiseType: string;
  sessionId: string;
  sequence: number;
  /** Echo of AudioChunk.timestampUs. */
  timestampUs: number;
  /** identifying | controlling | disabled | bypassed */
  phase: string;
  /** Non-zero: this chunk reports an error (ErrorCode). */
  errorCode: number;
  errorMessage: string;
  /** Non-empty: this chunk carries a noise event (JSON, as the WebSocket event frame) and no audio. */
  eventJson: string;
}

/** anc.AudioFileRequest: two-channel adaptive noise cancellation of a recording. */
export interface AudioFileRequest {
  /** WAV bytes: signal + noise. */
  primaryWav: Uint8Array;
  /** WAV bytes: the noise reference. */
  referenceWav: Uint8Array;
  /** e.g. {"taps": 256, "stepSize": 0.1} */
  configJson: string;
}

export interface AudioFileResponse {
  cleanedWav: Uint8Array;
  reportJson: string;
}

/** Concatenates channels as planar float32 little-endian PCM (AudioChunk.audioData, AntiNoiseChunk.antiNoiseData). */
export function planarFloat32ToBytes(...channels: Float32Array[]): Uint8Array {
  const frameSize = channels.length === 0 ? 0 : channels[0].length;
  for (const ch of channels) {
    if (ch.length !== frameSize) throw new RangeError(`channels differ in length: ${ch.length} vs ${frameSize}`);
  }
  const out = new Uint8Array(frameSize * channels.length * 4);
  if (HOST_LITTLE_ENDIAN) {
    for (let c = 0; c < channels.length; c++) out.set(float32Bytes(channels[c]), c * frameSize * 4);
    return out;
  }
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const ch of channels) {
    for (let i = 0; i < frameSize; i++, offset += 4) view.setFloat32(offset, ch[i], true);
  }
  return out;
}

/**
 * Reads float32 little-endian PCM into a fresh, aligned Float32Array, whatever the byteOffset of `bytes`.
 * Throws ProtocolError: MALFORMED_FRAME when the length is not a multiple of 4, INVALID_AUDIO at the first NaN/±∞
 * (`sampleIndex` counts from the start of `bytes`, across channels).
 */
export function bytesToFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) {
    throw new ProtocolError('MALFORMED_FRAME', `${bytes.byteLength} bytes is not a whole number of float32 samples`);
  }
  const n = bytes.byteLength / 4;
  const out = new Float32Array(n);
  if (HOST_LITTLE_ENDIAN) {
    float32Bytes(out).set(bytes);
    for (let i = 0; i < n; i++) {
      const s = out[i];
      if (!Number.isFinite(s)) throw new ProtocolError('INVALID_AUDIO', `non-finite sample ${s} at index ${i}`, { sampleIndex: i });
    }
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) {
    const s = view.getFloat32(4 * i, true);
    if (!Number.isFinite(s)) {
      throw new ProtocolError('INVALID_AUDIO', `non-finite sample ${s} at index ${i}`, { sampleIndex: i });
    }
    out[i] = s;
  }
  return out;
}

/**
 * Validates an AudioChunk's layout (2 channels, audioData = frameSize × 2 float32) and returns its channels as
 * subarrays of one aligned copy. Checks against the session's negotiated format are the session's job.
 */
export function audioChunkChannels(chunk: Pick<AudioChunk, 'audioData' | 'channels' | 'frameSize'>): {
  reference: Float32Array;
  error: Float32Array;
} {
  checkAudioChunkLayout(chunk);
  const samples = bytesToFloat32(chunk.audioData);
  return { reference: samples.subarray(0, chunk.frameSize), error: samples.subarray(chunk.frameSize) };
}

/**
 * audioChunkChannels into the caller's arrays of frameSize samples (a connection reuses them frame after frame):
 * the same checks and errors, nothing allocated. On INVALID_AUDIO the arrays hold a partial frame.
 */
export function audioChunkChannelsInto(
  chunk: Pick<AudioChunk, 'audioData' | 'channels' | 'frameSize'>, reference: Float32Array, error: Float32Array,
): void {
  checkAudioChunkLayout(chunk);
  const n = chunk.frameSize;
  if (reference.length !== n || error.length !== n) throw new RangeError(`the arrays must have frameSize (${n}) samples`);
  const bytes = chunk.audioData;
  if (HOST_LITTLE_ENDIAN) {
    float32Bytes(reference).set(bytes.subarray(0, 4 * n));
    float32Bytes(error).set(bytes.subarray(4 * n, 8 * n));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) {
      reference[i] = view.getFloat32(4 * i, true);
      error[i] = view.getFloat32(4 * (n + i), true);
    }
  }
  for (let i = 0; i < 2 * n; i++) {
    const s = i < n ? reference[i] : error[i - n];
    if (!Number.isFinite(s)) throw new ProtocolError('INVALID_AUDIO', `non-finite sample ${s} at index ${i}`, { sampleIndex: i });
  }
}

function checkAudioChunkLayout(chunk: Pick<AudioChunk, 'audioData' | 'channels' | 'frameSize'>): void {
  if (chunk.channels !== 2) {
    throw new ProtocolError('MALFORMED_FRAME', `AudioChunk has ${chunk.channels} channels, expected 2 (reference + error)`);
  }
  const expected = chunk.frameSize * 2 * 4;
  if (chunk.frameSize <= 0 || chunk.audioData.byteLength !== expected) {
    throw new ProtocolError(
      'MALFORMED_FRAME',
      `AudioChunk carries ${chunk.audioData.byteLength} bytes, frameSize ${chunk.frameSize} × 2 channels × float32 needs ${expected}`,
    );
  }
}

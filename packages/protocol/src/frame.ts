/**
 * The Antiphase binary frame, version 1 (docs/protocol.md). One codec for every streaming transport: WebSocket
 * messages, gRPC `bytes` and WebRTC data-channel messages. Little-endian throughout.
 *
 *  0       1       2               4                               8
 *  +-------+-------+---------------+-------------------------------+
 *  |version| type  |    flags      |           sequence            |
 *  +-------+-------+---------------+-------------------------------+
 *  8                                                               16
 *  |              captureTimestampUs (float64, µs)                 |
 *  +---------------------------------------------------------------+
 *  16                              20              22      23      24
 *  |          sampleRate           |   frameSize   |channel|  rsvd |
 *  +-------------------------------+---------------+-------+-------+
 *  24                              28                              32
 *  |         payloadLength         | processingUs (server→client)  |
 *  +-------------------------------+-------------------------------+
 *  32 … payload (payloadLength bytes)
 *
 *  version u8 = 1 · type u8 (FrameType) · flags u16 (bit 0: PCM is int16, else float32; bit 1, audio frames only:
 *  antiNoiseMissing; other bits 0) ·
 *  sequence u32 · captureTimestampUs f64 · sampleRate u32 · frameSize u16 (samples per channel) · channels u8 ·
 *  rsvd u8 (written 0, ignored) · payloadLength u32 · processingUs u32 (antiNoise only, else 0)
 *
 *  payload   audio      planar PCM: frameSize reference samples, then frameSize error samples (channels = 2)
 *            antiNoise  planar PCM: frameSize anti-noise samples (channels = 1)
 *            error      code u16, then a UTF-8 message
 *            event, hello, ready   UTF-8 JSON
 *
 * The decoder runs in a fixed order, each step a gate the frame must pass before the next one reads it:
 *   size ≤ MAX_FRAME_BYTES (FRAME_TOO_LARGE) → size ≥ HEADER_BYTES (MALFORMED_FRAME) → version (UNSUPPORTED_VERSION)
 *   → type (UNKNOWN_TYPE) → flags, payloadLength = bytes after the header (MALFORMED_FRAME)
 *   → audio: channels, frameSize × channels × bytesPerSample = payloadLength (MALFORMED_FRAME), every float sample
 *     finite (INVALID_AUDIO) · error: code present, UTF-8 valid · JSON types: UTF-8 and JSON valid (MALFORMED_FRAME).
 * Session-level checks (the negotiated sample rate, frame size and format: FORMAT_MISMATCH) belong to the session.
 */

import { ErrorCode, ProtocolError, errorCodeName, type ErrorCodeName } from './errors.js';

export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 32;
/** Largest frame either side sends or accepts: a header plus 4096 samples × 2 channels × float32. */
export const MAX_FRAME_BYTES = HEADER_BYTES + 4096 * 2 * 4;

export const FrameType = {
  audio: 1,
  antiNoise: 2,
  error: 3,
  event: 4,
  hello: 5,
  ready: 6,
} as const;
export type FrameTypeName = keyof typeof FrameType;
export type JsonFrameTypeName = 'event' | 'hello' | 'ready';

/** Bits of the header's flags field. */
export const FrameFlag = {
  /** PCM samples are int16 (value / 32768) rather than float32. */
  int16: 0x0001,
  /**
   * Audio frames only: the anti-noise due in this frame's capture period (the answer to frame sequence − D, D the
   * session's playoutDelayFrames) did not arrive in time, so the loudspeaker played silence during this frame.
   */
  antiNoiseMissing: 0x0002,
} as const;
const KNOWN_FLAGS = FrameFlag.int16 | FrameFlag.antiNoiseMissing;

export type SampleFormat = 'float32' | 'int16';

/** Channels carried by each audio frame type: audio = reference + error, antiNoise = one channel. */
export const AUDIO_CHANNELS = { audio: 2, antiNoise: 1 } as const;

const TYPE_NAMES: readonly (FrameTypeName | undefined)[] = [
  undefined,
  'audio',
  'antiNoise',
  'error',
  'event',
  'hello',
  'ready',
];

// Header field offsets (bytes), as drawn above.
const OFF_VERSION = 0;
const OFF_TYPE = 1;
const OFF_FLAGS = 2;
const OFF_SEQUENCE = 4;
const OFF_TIMESTAMP = 8;
const OFF_SAMPLE_RATE = 16;
const OFF_FRAME_SIZE = 20;
const OFF_CHANNELS = 22;
const OFF_PAYLOAD_LENGTH = 24;
const OFF_PROCESSING = 28;

const UINT32_MAX = 0xffffffff;
/** int16 full scale: a sample s is sent as round(s × 32768), clipped to [−32768, 32767], and read as value / 32768. */
const INT16_SCALE = 32768;

export function bytesPerSample(format: SampleFormat): 2 | 4 {
  return format === 'int16' ? 2 : 4;
}

/** Total bytes of an audio or anti-noise frame: size a reusable `target` buffer with this. */
export function audioFrameBytes(frameSize: number, channels: number, format: SampleFormat = 'float32'): number {
  return HEADER_BYTES + frameSize * channels * bytesPerSample(format);
}

// ---------------------------------------------------------------------------------------------------------------
// Header

/** Every header field, decoded. `readFrameHeader` fills one of these; hot paths pass the same object each time. */
export interface FrameHeader {
  version: number;
  type: FrameTypeName;
  flags: number;
  sampleFormat: SampleFormat;
  /** Audio frames: flags bit 1 (FrameFlag.antiNoiseMissing), false for every other type. */
  antiNoiseMissing: boolean;
  sequence: number;
  captureTimestampUs: number;
  sampleRate: number;
  frameSize: number;
  channels: number;
  payloadLength: number;
  processingUs: number;
}

export function createFrameHeader(): FrameHeader {
  return {
    version: PROTOCOL_VERSION,
    type: 'audio',
    flags: 0,
    sampleFormat: 'float32',
    antiNoiseMissing: false,
    sequence: 0,
    captureTimestampUs: 0,
    sampleRate: 0,
    frameSize: 0,
    channels: 0,
    payloadLength: 0,
    processingUs: 0,
  };
}

/** Float32 samples are little-endian on the wire: on such a host they are copied byte for byte, not one by one. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The bytes of a Float32Array (a view, no copy). */
export function float32Bytes(samples: Float32Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Validates everything the header alone can tell (size, version, type, flags, payload length and, for audio frame
 * types, channel count and frameSize × channels × bytesPerSample) and fills `into`. Throws ProtocolError.
 */
export function readFrameHeader(bytes: Uint8Array, into: FrameHeader = createFrameHeader()): FrameHeader {
  if (bytes.byteLength > MAX_FRAME_BYTES) {
    throw new ProtocolError('FRAME_TOO_LARGE', `frame of ${bytes.byteLength} bytes exceeds ${MAX_FRAME_BYTES}`);
  }
  if (bytes.byteLength < HEADER_BYTES) {
    throw new ProtocolError('MALFORMED_FRAME', `frame of ${bytes.byteLength} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  }
  const view = viewOf(bytes);
  const version = view.getUint8(OFF_VERSION);
  if (version !== PROTOCOL_VERSION) {
    throw new ProtocolError('UNSUPPORTED_VERSION', `protocol version ${version} is not supported (this side speaks ${PROTOCOL_VERSION})`);
  }
  const typeCode = view.getUint8(OFF_TYPE);
  const type = TYPE_NAMES[typeCode];
  if (type === undefined) throw new ProtocolError('UNKNOWN_TYPE', `unknown frame type ${typeCode}`);
  const flags = view.getUint16(OFF_FLAGS, true);
  if ((flags & ~KNOWN_FLAGS) !== 0) {
    throw new ProtocolError('MALFORMED_FRAME', `unknown flag bits 0x${(flags & ~KNOWN_FLAGS).toString(16)}`);
  }
  if ((flags & FrameFlag.antiNoiseMissing) !== 0 && type !== 'audio') {
    throw new ProtocolError('MALFORMED_FRAME', `flag bit 1 (antiNoiseMissing) is only defined for audio frames, got it on ${type}`);
  }
  const payloadLength = view.getUint32(OFF_PAYLOAD_LENGTH, true);
  const actual = bytes.byteLength - HEADER_BYTES;
  if (payloadLength !== actual) {
    throw new ProtocolError('MALFORMED_FRAME', `header says ${payloadLength} payload bytes, frame carries ${actual}`);
  }
  const sampleFormat: SampleFormat = (flags & FrameFlag.int16) !== 0 ? 'int16' : 'float32';
  const frameSize = view.getUint16(OFF_FRAME_SIZE, true);
  const channels = view.getUint8(OFF_CHANNELS);
  if (type === 'audio' || type === 'antiNoise') {
    const expectedChannels = AUDIO_CHANNELS[type];
    if (channels !== expectedChannels) {
      throw new ProtocolError('MALFORMED_FRAME', `${type} frame has ${channels} channels, expected ${expectedChannels}`);
    }
    if (frameSize === 0) throw new ProtocolError('MALFORMED_FRAME', `${type} frame has frameSize 0`);
    const expectedPayload = frameSize * channels * bytesPerSample(sampleFormat);
    if (payloadLength !== expectedPayload) {
      throw new ProtocolError(
        'MALFORMED_FRAME',
        `${type} frame carries ${payloadLength} payload bytes, frameSize ${frameSize} × ${channels} channels × ${sampleFormat} needs ${expectedPayload}`,
      );
    }
  }
  into.version = version;
  into.type = type;
  into.flags = flags;
  into.sampleFormat = sampleFormat;
  into.antiNoiseMissing = (flags & FrameFlag.antiNoiseMissing) !== 0;
  into.sequence = view.getUint32(OFF_SEQUENCE, true);
  into.captureTimestampUs = view.getFloat64(OFF_TIMESTAMP, true);
  into.sampleRate = view.getUint32(OFF_SAMPLE_RATE, true);
  into.frameSize = frameSize;
  into.channels = channels;
  into.payloadLength = payloadLength;
  into.processingUs = view.getUint32(OFF_PROCESSING, true);
  return into;
}

function writeHeader(
  view: DataView,
  type: FrameTypeName,
  flags: number,
  sequence: number,
  captureTimestampUs: number,
  sampleRate: number,
  frameSize: number,
  channels: number,
  payloadLength: number,
  processingUs: number,
): void {
  view.setUint8(OFF_VERSION, PROTOCOL_VERSION);
  view.setUint8(OFF_TYPE, FrameType[type]);
  view.setUint16(OFF_FLAGS, flags, true);
  view.setUint32(OFF_SEQUENCE, sequence, true);
  view.setFloat64(OFF_TIMESTAMP, captureTimestampUs, true);
  view.setUint32(OFF_SAMPLE_RATE, sampleRate, true);
  view.setUint16(OFF_FRAME_SIZE, frameSize, true);
  view.setUint8(OFF_CHANNELS, channels);
  view.setUint8(OFF_CHANNELS + 1, 0);
  view.setUint32(OFF_PAYLOAD_LENGTH, payloadLength, true);
  view.setUint32(OFF_PROCESSING, processingUs, true);
}

// ---------------------------------------------------------------------------------------------------------------
// Samples

/** Reads `out.length` samples of one channel starting at byte `offset`. Throws INVALID_AUDIO at the first NaN/±∞. */
function readChannel(view: DataView, offset: number, format: SampleFormat, out: Float32Array, channel: number): void {
  const n = out.length;
  if (format === 'int16') {
    for (let i = 0; i < n; i++) out[i] = view.getInt16(offset + 2 * i, true) / INT16_SCALE;
    return;
  }
  if (HOST_LITTLE_ENDIAN) {
    float32Bytes(out).set(new Uint8Array(view.buffer, view.byteOffset + offset, 4 * n));
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(out[i])) throw invalidSample(out[i], channel, i);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const s = view.getFloat32(offset + 4 * i, true);
    if (!Number.isFinite(s)) throw invalidSample(s, channel, i);
    out[i] = s;
  }
}

function invalidSample(s: number, channel: number, i: number): ProtocolError {
  return new ProtocolError('INVALID_AUDIO', `non-finite sample ${s} in channel ${channel} at index ${i}`, {
    channel,
    sampleIndex: i,
  });
}

/** Writes one channel at byte `offset`. Throws INVALID_AUDIO at the first NaN/±∞: a frame the peer would reject. */
function writeChannel(view: DataView, offset: number, format: SampleFormat, samples: Float32Array, channel: number): void {
  const n = samples.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(samples[i])) {
      throw new ProtocolError('INVALID_AUDIO', `non-finite sample ${samples[i]} in channel ${channel} at index ${i}`, {
        channel,
        sampleIndex: i,
      });
    }
  }
  if (format === 'float32') {
    if (HOST_LITTLE_ENDIAN) {
      // Already in place when the caller had the samples computed straight into `target`.
      if (samples.buffer !== view.buffer || samples.byteOffset !== view.byteOffset + offset) {
        new Uint8Array(view.buffer, view.byteOffset + offset, 4 * n).set(float32Bytes(samples));
      }
    } else for (let i = 0; i < n; i++) view.setFloat32(offset + 4 * i, samples[i], true);
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = Math.round(samples[i] * INT16_SCALE);
    view.setInt16(offset + 2 * i, v > 32767 ? 32767 : v < -32768 ? -32768 : v, true);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Encoders

export interface AudioFrame {
  /** uint32 per-session counter, +1 per audio frame; wrap with `(sequence + 1) >>> 0`. */
  sequence: number;
  /** Capture time of the first sample, client clock, µs. */
  captureTimestampUs: number;
  /** Hz. */
  sampleRate: number;
  reference: Float32Array;
  error: Float32Array;
  /** Default 'float32'. */
  sampleFormat?: SampleFormat;
  /**
   * The loudspeaker played silence during this frame's capture because the anti-noise due in it (the answer to
   * frame sequence − playoutDelayFrames) did not arrive in time (flags bit 1). Default false.
   */
  antiNoiseMissing?: boolean;
}

export interface AntiNoiseFrame {
  /** Echo of the audio frame's sequence. */
  sequence: number;
  /** Echo of the audio frame's capture timestamp, µs. */
  captureTimestampUs: number;
  /** Hz. */
  sampleRate: number;
  antiNoise: Float32Array;
  /** Server time from receiving the audio frame to sending this one, µs (rounded, clipped to uint32). */
  processingUs: number;
  /** Default 'float32'. */
  sampleFormat?: SampleFormat;
}

function checkUint32(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
    throw new RangeError(`${name} must be an integer in [0, ${UINT32_MAX}], got ${value}`);
  }
}

function checkTimestamp(value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`captureTimestampUs must be finite, got ${value}`);
}

function checkFrameBytes(total: number, what: string): void {
  if (total > MAX_FRAME_BYTES) {
    throw new ProtocolError('FRAME_TOO_LARGE', `${what} of ${total} bytes exceeds ${MAX_FRAME_BYTES}`);
  }
}

/** `target` itself, or its first `length` bytes; a fresh buffer when no target is given. */
function outputBuffer(length: number, target: Uint8Array | undefined): Uint8Array {
  if (target === undefined) return new Uint8Array(length);
  if (target.byteLength < length) {
    throw new RangeError(`target of ${target.byteLength} bytes cannot hold a ${length}-byte frame`);
  }
  return target.byteLength === length ? target : target.subarray(0, length);
}

function encodePcmFrame(
  type: 'audio' | 'antiNoise',
  channels: readonly Float32Array[],
  sequence: number,
  captureTimestampUs: number,
  sampleRate: number,
  processingUs: number,
  format: SampleFormat,
  target: Uint8Array | undefined,
  extraFlags = 0,
): Uint8Array {
  checkUint32('sequence', sequence);
  checkTimestamp(captureTimestampUs);
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > UINT32_MAX) {
    throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`);
  }
  const frameSize = channels[0].length;
  if (frameSize === 0) throw new RangeError(`${type} frame needs at least one sample per channel`);
  for (const ch of channels) {
    if (ch.length !== frameSize) throw new RangeError(`${type} channels differ in length: ${ch.length} vs ${frameSize}`);
  }
  const bps = bytesPerSample(format);
  const total = audioFrameBytes(frameSize, channels.length, format);
  checkFrameBytes(total, `${type} frame`);
  const out = outputBuffer(total, target);
  const view = viewOf(out);
  const flags = (format === 'int16' ? FrameFlag.int16 : 0) | extraFlags;
  writeHeader(view, type, flags, sequence, captureTimestampUs, sampleRate, frameSize, channels.length, total - HEADER_BYTES, processingUs);
  for (let c = 0; c < channels.length; c++) {
    writeChannel(view, HEADER_BYTES + c * frameSize * bps, format, channels[c], c);
  }
  return out;
}

/**
 * Encodes a client → server audio frame. With `target` (e.g. a buffer reused every frame, sized by
 * `audioFrameBytes(frameSize, 2, format)`) nothing is allocated but views; the result is `target` or its prefix.
 */
export function encodeAudioFrame(frame: AudioFrame, target?: Uint8Array): Uint8Array {
  return encodePcmFrame(
    'audio',
    [frame.reference, frame.error],
    frame.sequence,
    frame.captureTimestampUs,
    frame.sampleRate,
    0,
    frame.sampleFormat ?? 'float32',
    target,
    frame.antiNoiseMissing === true ? FrameFlag.antiNoiseMissing : 0,
  );
}

/** Encodes a server → client anti-noise frame; `target` as for encodeAudioFrame (sized for 1 channel). */
export function encodeAntiNoiseFrame(frame: AntiNoiseFrame, target?: Uint8Array): Uint8Array {
  const processingUs = Number.isFinite(frame.processingUs)
    ? Math.min(UINT32_MAX, Math.max(0, Math.round(frame.processingUs)))
    : 0;
  return encodePcmFrame(
    'antiNoise',
    [frame.antiNoise],
    frame.sequence,
    frame.captureTimestampUs,
    frame.sampleRate,
    processingUs,
    frame.sampleFormat ?? 'float32',
    target,
  );
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Largest error message, in UTF-8 bytes; longer messages are cut at a character boundary. */
export const MAX_ERROR_MESSAGE_BYTES = MAX_FRAME_BYTES - HEADER_BYTES - 2;

/** Length of the longest prefix of `utf8` not longer than `max` that ends on a character boundary. */
function utf8Prefix(utf8: Uint8Array, max: number): number {
  if (utf8.length <= max) return utf8.length;
  let end = max;
  while (end > 0 && (utf8[end] & 0xc0) === 0x80) end--;
  return end;
}

/**
 * Encodes an error frame: code (uint16) then the UTF-8 message, cut to fit the maximum frame rather than failing
 * while reporting a failure. `sequence` names the audio frame at fault, 0 when none.
 */
export function encodeErrorFrame(code: number | ErrorCodeName, message: string, sequence = 0): Uint8Array {
  const numeric = typeof code === 'string' ? ErrorCode[code] : code;
  if (!Number.isInteger(numeric) || numeric < 1 || numeric > 0xffff) {
    throw new RangeError(`error code must be an integer in [1, 65535], got ${String(code)}`);
  }
  checkUint32('sequence', sequence);
  const utf8 = textEncoder.encode(message);
  const messageBytes = utf8Prefix(utf8, MAX_ERROR_MESSAGE_BYTES);
  const out = new Uint8Array(HEADER_BYTES + 2 + messageBytes);
  const view = viewOf(out);
  writeHeader(view, 'error', 0, sequence, 0, 0, 0, 0, 2 + messageBytes, 0);
  view.setUint16(HEADER_BYTES, numeric, true);
  out.set(messageBytes === utf8.length ? utf8 : utf8.subarray(0, messageBytes), HEADER_BYTES + 2);
  return out;
}

/** Encodes an event, hello or ready frame whose payload is `JSON.stringify(value)`. */
export function encodeJsonFrame(type: JsonFrameTypeName, value: unknown, sequence = 0): Uint8Array {
  if (type !== 'event' && type !== 'hello' && type !== 'ready') {
    throw new RangeError(`${String(type)} is not a JSON frame type`);
  }
  checkUint32('sequence', sequence);
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) throw new TypeError(`${type} frame value is not JSON-serialisable`);
  const utf8 = textEncoder.encode(json);
  checkFrameBytes(HEADER_BYTES + utf8.length, `${type} frame`);
  const out = new Uint8Array(HEADER_BYTES + utf8.length);
  writeHeader(viewOf(out), type, 0, sequence, 0, 0, 0, 0, utf8.length, 0);
  out.set(utf8, HEADER_BYTES);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Decoders

interface PcmFrameFields {
  sequence: number;
  captureTimestampUs: number;
  sampleRate: number;
  frameSize: number;
  sampleFormat: SampleFormat;
}

export interface DecodedAudioFrame extends PcmFrameFields {
  type: 'audio';
  reference: Float32Array;
  error: Float32Array;
  /** flags bit 1: the loudspeaker played silence during this frame (see AudioFrame.antiNoiseMissing). */
  antiNoiseMissing: boolean;
}

export interface DecodedAntiNoiseFrame extends PcmFrameFields {
  type: 'antiNoise';
  antiNoise: Float32Array;
  processingUs: number;
}

export interface DecodedErrorFrame {
  type: 'error';
  sequence: number;
  code: number;
  /** undefined for a code this version does not know. */
  codeName: ErrorCodeName | undefined;
  message: string;
}

export interface DecodedJsonFrame {
  type: JsonFrameTypeName;
  sequence: number;
  /** The parsed JSON payload; its shape is checked by whoever handles the frame. */
  value: unknown;
}

export type DecodedFrame = DecodedAudioFrame | DecodedAntiNoiseFrame | DecodedErrorFrame | DecodedJsonFrame;

function decodeText(bytes: Uint8Array, what: string): string {
  try {
    return textDecoder.decode(bytes);
  } catch (cause) {
    throw new ProtocolError('MALFORMED_FRAME', `${what} is not valid UTF-8`, { cause });
  }
}

/**
 * Decodes and validates one frame. Audio channels are fresh, aligned Float32Array copies, whatever the byteOffset of
 * `bytes` (pooled Node Buffers start anywhere). Throws ProtocolError with the code of the first defect found.
 */
export function decodeFrame(bytes: Uint8Array): DecodedFrame {
  const header = readFrameHeader(bytes);
  const view = viewOf(bytes);
  const { type, sequence } = header;
  switch (type) {
    case 'audio':
    case 'antiNoise': {
      const channels: Float32Array[] = [];
      for (let c = 0; c < header.channels; c++) channels.push(new Float32Array(header.frameSize));
      readPcm(view, header, channels);
      const fields: PcmFrameFields = {
        sequence,
        captureTimestampUs: header.captureTimestampUs,
        sampleRate: header.sampleRate,
        frameSize: header.frameSize,
        sampleFormat: header.sampleFormat,
      };
      return type === 'audio'
        ? { type, ...fields, reference: channels[0], error: channels[1], antiNoiseMissing: header.antiNoiseMissing }
        : { type, ...fields, antiNoise: channels[0], processingUs: header.processingUs };
    }
    case 'error': {
      if (header.payloadLength < 2) {
        throw new ProtocolError('MALFORMED_FRAME', `error frame payload of ${header.payloadLength} bytes has no code`);
      }
      const code = view.getUint16(HEADER_BYTES, true);
      const message = decodeText(bytes.subarray(HEADER_BYTES + 2), 'error message');
      return { type, sequence, code, codeName: errorCodeName(code), message };
    }
    case 'event':
    case 'hello':
    case 'ready': {
      const text = decodeText(bytes.subarray(HEADER_BYTES), `${type} payload`);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (cause) {
        throw new ProtocolError('MALFORMED_FRAME', `${type} payload is not valid JSON`, { cause });
      }
      return { type, sequence, value };
    }
  }
}

function readPcm(view: DataView, header: FrameHeader, channels: readonly Float32Array[]): void {
  const channelBytes = header.frameSize * bytesPerSample(header.sampleFormat);
  for (let c = 0; c < header.channels; c++) {
    readChannel(view, HEADER_BYTES + c * channelBytes, header.sampleFormat, channels[c], c);
  }
}

/**
 * The hot path: validates a frame and, when it is an audio or anti-noise frame, writes its channels into the
 * caller's arrays (audio: [reference, error]; antiNoise: [antiNoise]) without allocating sample storage. Other frame
 * types leave the arrays untouched: check `header.type` and hand those to decodeFrame. The arrays' lengths are the
 * session's frame size, so a frame of another size is FORMAT_MISMATCH. On INVALID_AUDIO the arrays hold a partial
 * frame and must be discarded.
 */
export function decodeFrameInto(
  bytes: Uint8Array,
  channels: readonly Float32Array[],
  header: FrameHeader = createFrameHeader(),
): FrameHeader {
  readFrameHeader(bytes, header);
  if (header.type === 'audio' || header.type === 'antiNoise') decodeSamplesInto(bytes, header, channels);
  return header;
}

/**
 * decodeFrameInto for a frame whose header the caller has just read with readFrameHeader (a receiver that
 * dispatches on the type first): the header is not parsed twice. `header` must be of an audio or anti-noise frame.
 */
export function decodeSamplesInto(bytes: Uint8Array, header: FrameHeader, channels: readonly Float32Array[]): void {
  if (channels.length !== header.channels) {
    throw new ProtocolError('FORMAT_MISMATCH', `${header.type} frame has ${header.channels} channels, ${channels.length} expected`);
  }
  for (let c = 0; c < channels.length; c++) {
    if (channels[c].length !== header.frameSize) {
      throw new ProtocolError('FORMAT_MISMATCH', `frame size ${header.frameSize} differs from the session's ${channels[c].length}`);
    }
  }
  readPcm(viewOf(bytes), header, channels);
}

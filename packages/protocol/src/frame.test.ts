import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, ProtocolError, type ErrorCodeName } from './errors.js';
import {
  FrameType,
  HEADER_BYTES,
  MAX_ERROR_MESSAGE_BYTES,
  MAX_FRAME_BYTES,
  audioFrameBytes,
  createFrameHeader,
  decodeFrame,
  decodeFrameInto,
  decodeSamplesInto,
  encodeAntiNoiseFrame,
  encodeAudioFrame,
  encodeErrorFrame,
  encodeJsonFrame,
  readFrameHeader,
  type DecodedFrame,
} from './frame.js';

// ---- fixture builder: the header drawn in frame.ts, assembled by hand (not by the encoder under test) ----

interface RawFrame {
  version?: number;
  type?: number;
  flags?: number;
  sequence?: number;
  captureTimestampUs?: number;
  sampleRate?: number;
  frameSize?: number;
  channels?: number;
  /** Defaults to payload.length. */
  payloadLength?: number;
  processingUs?: number;
  payload?: Uint8Array;
}

function raw(f: RawFrame): Uint8Array {
  const payload = f.payload ?? new Uint8Array(0);
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, f.version ?? 1);
  v.setUint8(1, f.type ?? FrameType.audio);
  v.setUint16(2, f.flags ?? 0, true);
  v.setUint32(4, f.sequence ?? 0, true);
  v.setFloat64(8, f.captureTimestampUs ?? 0, true);
  v.setUint32(16, f.sampleRate ?? 48000, true);
  v.setUint16(20, f.frameSize ?? 0, true);
  v.setUint8(22, f.channels ?? 0);
  v.setUint32(24, f.payloadLength ?? payload.length, true);
  v.setUint32(28, f.processingUs ?? 0, true);
  out.set(payload, HEADER_BYTES);
  return out;
}

function float32Payload(...channels: number[][]): Uint8Array {
  const samples = channels.flat();
  const out = new Uint8Array(samples.length * 4);
  const v = new DataView(out.buffer);
  samples.forEach((s, i) => v.setFloat32(4 * i, s, true));
  return out;
}

function audio(reference: number[], error: number[], extra: RawFrame = {}): Uint8Array {
  return raw({ type: FrameType.audio, frameSize: reference.length, channels: 2, payload: float32Payload(reference, error), ...extra });
}

const utf8 = (s: string) => new TextEncoder().encode(s);

// ---- defective frames, one per defect ----

const fixtures: Record<string, { bytes: Uint8Array; code: ErrorCodeName }> = {
  empty: { bytes: new Uint8Array(0), code: 'MALFORMED_FRAME' },
  truncatedHeader: { bytes: audio([0.1], [0.2]).subarray(0, HEADER_BYTES - 1), code: 'MALFORMED_FRAME' },
  versionTwo: { bytes: audio([0.1], [0.2], { version: 2 }), code: 'UNSUPPORTED_VERSION' },
  versionZero: { bytes: audio([0.1], [0.2], { version: 0 }), code: 'UNSUPPORTED_VERSION' },
  typeZero: { bytes: raw({ type: 0 }), code: 'UNKNOWN_TYPE' },
  typeSeven: { bytes: raw({ type: 7 }), code: 'UNKNOWN_TYPE' },
  oversized: { bytes: new Uint8Array(MAX_FRAME_BYTES + 1), code: 'FRAME_TOO_LARGE' },
  oversizedVersionTwo: {
    bytes: raw({ version: 2, type: 99, payload: new Uint8Array(MAX_FRAME_BYTES - HEADER_BYTES + 1) }),
    code: 'FRAME_TOO_LARGE',
  },
  unknownFlagBit: { bytes: audio([0.1], [0.2], { flags: 0x0004 }), code: 'MALFORMED_FRAME' },
  antiNoiseMissingOnAntiNoise: {
    bytes: raw({ type: FrameType.antiNoise, flags: 0x0002, frameSize: 1, channels: 1, payload: float32Payload([0.1]) }),
    code: 'MALFORMED_FRAME',
  },
  antiNoiseMissingOnHello: { bytes: raw({ type: FrameType.hello, flags: 0x0002, payload: utf8('{}') }), code: 'MALFORMED_FRAME' },
  payloadLongerThanHeaderSays: { bytes: audio([0.1, 0.2], [0.3, 0.4], { payloadLength: 12 }), code: 'MALFORMED_FRAME' },
  payloadShorterThanHeaderSays: { bytes: audio([0.1, 0.2], [0.3, 0.4], { payloadLength: 20 }), code: 'MALFORMED_FRAME' },
  frameSizeDisagreesWithPayload: { bytes: audio([0.1, 0.2], [0.3, 0.4], { frameSize: 3 }), code: 'MALFORMED_FRAME' },
  int16FlagOnFloat32Payload: { bytes: audio([0.1, 0.2], [0.3, 0.4], { flags: 0x0001 }), code: 'MALFORMED_FRAME' },
  audioWithOneChannel: {
    bytes: raw({ type: FrameType.audio, frameSize: 2, channels: 1, payload: float32Payload([0.1, 0.2]) }),
    code: 'MALFORMED_FRAME',
  },
  antiNoiseWithTwoChannels: {
    bytes: raw({ type: FrameType.antiNoise, frameSize: 1, channels: 2, payload: float32Payload([0.1], [0.2]) }),
    code: 'MALFORMED_FRAME',
  },
  audioWithZeroFrameSize: { bytes: raw({ type: FrameType.audio, frameSize: 0, channels: 2 }), code: 'MALFORMED_FRAME' },
  nanInErrorChannel: { bytes: audio([0.1, 0.2, 0.3], [0.4, NaN, 0.6]), code: 'INVALID_AUDIO' },
  infinityInReference: { bytes: audio([0.1, -Infinity], [0.3, 0.4]), code: 'INVALID_AUDIO' },
  nanInAntiNoise: {
    bytes: raw({ type: FrameType.antiNoise, frameSize: 2, channels: 1, payload: float32Payload([NaN, 0]) }),
    code: 'INVALID_AUDIO',
  },
  errorFrameWithoutCode: { bytes: raw({ type: FrameType.error, payload: new Uint8Array([6]) }), code: 'MALFORMED_FRAME' },
  errorMessageInvalidUtf8: {
    bytes: raw({ type: FrameType.error, payload: new Uint8Array([1, 0, 0xc3, 0x28]) }),
    code: 'MALFORMED_FRAME',
  },
  helloWithBrokenJson: { bytes: raw({ type: FrameType.hello, payload: utf8('{"sessionId": ') }), code: 'MALFORMED_FRAME' },
  readyWithEmptyPayload: { bytes: raw({ type: FrameType.ready }), code: 'MALFORMED_FRAME' },
  eventWithInvalidUtf8: { bytes: raw({ type: FrameType.event, payload: new Uint8Array([0x22, 0xff, 0x22]) }), code: 'MALFORMED_FRAME' },
};

function rejects(bytes: Uint8Array, code: ErrorCodeName, decode: (b: Uint8Array) => unknown = decodeFrame): ProtocolError {
  let caught: unknown;
  try {
    decode(bytes);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ProtocolError, `expected a ProtocolError, got ${String(caught)}`);
  assert.equal(caught.codeName, code, caught.message);
  assert.equal(caught.code, ErrorCode[code]);
  return caught;
}

for (const [name, { bytes, code }] of Object.entries(fixtures)) {
  test(`decodeFrame rejects ${name} with ${code}`, () => {
    rejects(bytes, code);
  });
}

test('every frame-level error code of the catalogue has a fixture', () => {
  const covered = new Set(Object.values(fixtures).map((f) => f.code));
  for (const code of ['MALFORMED_FRAME', 'UNSUPPORTED_VERSION', 'UNKNOWN_TYPE', 'FRAME_TOO_LARGE', 'INVALID_AUDIO'] as const) {
    assert.ok(covered.has(code), code);
  }
});

test('INVALID_AUDIO names the channel and index of the first bad sample', () => {
  const err = rejects(fixtures.nanInErrorChannel.bytes, 'INVALID_AUDIO');
  assert.equal(err.channel, 1);
  assert.equal(err.sampleIndex, 1);
  assert.match(err.message, /channel 1 at index 1/);
  const ref = rejects(fixtures.infinityInReference.bytes, 'INVALID_AUDIO');
  assert.equal(ref.channel, 0);
  assert.equal(ref.sampleIndex, 1);
});

test('a frame exactly MAX_FRAME_BYTES long (4096 samples × 2 float32 channels) is accepted', () => {
  const reference = new Float32Array(4096).fill(0.25);
  const error = new Float32Array(4096).fill(-0.5);
  const bytes = encodeAudioFrame({ sequence: 1, captureTimestampUs: 0, sampleRate: 48000, reference, error });
  assert.equal(bytes.byteLength, MAX_FRAME_BYTES);
  const frame = decodeFrame(bytes);
  assert.equal(frame.type, 'audio');
});

// ---- round trips ----

function randomSamples(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

function asAudio(frame: DecodedFrame) {
  assert.equal(frame.type, 'audio');
  return frame as Extract<DecodedFrame, { type: 'audio' }>;
}

test('float32 audio frames round-trip exactly', () => {
  const reference = randomSamples(256, 1, 1.5);
  const error = randomSamples(256, 2);
  const bytes = encodeAudioFrame({ sequence: 0xfffffffe, captureTimestampUs: 1_234_567.875, sampleRate: 16000, reference, error });
  assert.equal(bytes.byteLength, audioFrameBytes(256, 2));
  const frame = asAudio(decodeFrame(bytes));
  assert.equal(frame.sequence, 0xfffffffe);
  assert.equal(frame.captureTimestampUs, 1_234_567.875);
  assert.equal(frame.sampleRate, 16000);
  assert.equal(frame.frameSize, 256);
  assert.equal(frame.sampleFormat, 'float32');
  assert.deepEqual(frame.reference, reference);
  assert.deepEqual(frame.error, error);
});

test('int16 audio frames round-trip within 1/32768 and clip beyond full scale', () => {
  const reference = randomSamples(128, 3);
  const error = Float32Array.from([1, -1, 1.5, -1.5, 0, 0.5, -0.5, 32767 / 32768, ...randomSamples(120, 4)]);
  const bytes = encodeAudioFrame({ sequence: 5, captureTimestampUs: 10, sampleRate: 48000, reference, error, sampleFormat: 'int16' });
  assert.equal(bytes.byteLength, HEADER_BYTES + 128 * 2 * 2);
  const frame = asAudio(decodeFrame(bytes));
  assert.equal(frame.sampleFormat, 'int16');
  for (let i = 0; i < 128; i++) {
    assert.ok(Math.abs(frame.reference[i] - reference[i]) <= 1 / 32768, `reference[${i}]`);
    const expected = Math.max(-1, Math.min(32767 / 32768, error[i]));
    assert.ok(Math.abs(frame.error[i] - expected) <= 1 / 32768, `error[${i}]`);
  }
  assert.equal(frame.error[0], 32767 / 32768);
  assert.equal(frame.error[1], -1);
  assert.equal(frame.error[2], 32767 / 32768);
  assert.equal(frame.error[3], -1);
  assert.equal(frame.error[5], 0.5);
});

test('the antiNoiseMissing flag (bit 1) round-trips on audio frames, alone and with int16, and defaults to false', () => {
  const reference = randomSamples(16, 6);
  const error = randomSamples(16, 7);
  const plain = encodeAudioFrame({ sequence: 3, captureTimestampUs: 0, sampleRate: 16000, reference, error });
  assert.equal(new DataView(plain.buffer).getUint16(2, true), 0);
  assert.equal(asAudio(decodeFrame(plain)).antiNoiseMissing, false);
  const flagged = encodeAudioFrame({ sequence: 4, captureTimestampUs: 0, sampleRate: 16000, reference, error, antiNoiseMissing: true });
  assert.equal(new DataView(flagged.buffer).getUint16(2, true), 0x0002, 'flags bit 1 on the wire');
  const frame = asAudio(decodeFrame(flagged));
  assert.equal(frame.antiNoiseMissing, true);
  assert.deepEqual(frame.reference, reference);
  const both = encodeAudioFrame({ sequence: 5, captureTimestampUs: 0, sampleRate: 16000, reference, error, sampleFormat: 'int16', antiNoiseMissing: true });
  assert.equal(new DataView(both.buffer).getUint16(2, true), 0x0003);
  const header = decodeFrameInto(both, [new Float32Array(16), new Float32Array(16)]);
  assert.ok(header.antiNoiseMissing && header.sampleFormat === 'int16');
  // The hot path's reused header object forgets the flag on the next frame without it.
  assert.equal(decodeFrameInto(plain, [new Float32Array(16), new Float32Array(16)], header).antiNoiseMissing, false);
  // A hand-built frame (not the encoder under test) with bit 1 decodes the same way.
  assert.equal(asAudio(decodeFrame(audio([0.1], [0.2], { flags: 0x0002 }))).antiNoiseMissing, true);
});

test('anti-noise frames round-trip with processingUs rounded into uint32', () => {
  const antiNoise = randomSamples(64, 5);
  const bytes = encodeAntiNoiseFrame({ sequence: 9, captureTimestampUs: 42.5, sampleRate: 48000, antiNoise, processingUs: 812.6 });
  const frame = decodeFrame(bytes);
  assert.equal(frame.type, 'antiNoise');
  if (frame.type !== 'antiNoise') return;
  assert.deepEqual(frame.antiNoise, antiNoise);
  assert.equal(frame.processingUs, 813);
  assert.equal(frame.sequence, 9);
  assert.equal(frame.captureTimestampUs, 42.5);
  const int16 = decodeFrame(encodeAntiNoiseFrame({ sequence: 1, captureTimestampUs: 0, sampleRate: 8000, antiNoise, processingUs: -3, sampleFormat: 'int16' }));
  assert.ok(int16.type === 'antiNoise' && int16.processingUs === 0 && int16.sampleFormat === 'int16');
  for (let i = 0; i < 64; i++) assert.ok(Math.abs(int16.antiNoise[i] - antiNoise[i]) <= 1 / 32768);
});

test('encoded header bytes sit where the diagram puts them', () => {
  const bytes = encodeAudioFrame({
    sequence: 0x01020304,
    captureTimestampUs: 2.5,
    sampleRate: 44100,
    reference: new Float32Array(3),
    error: new Float32Array(3),
    sampleFormat: 'int16',
  });
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  assert.equal(bytes[0], 1);
  assert.equal(bytes[1], FrameType.audio);
  assert.equal(v.getUint16(2, true), 1);
  assert.deepEqual([...bytes.subarray(4, 8)], [4, 3, 2, 1]);
  assert.equal(v.getFloat64(8, true), 2.5);
  assert.equal(v.getUint32(16, true), 44100);
  assert.equal(v.getUint16(20, true), 3);
  assert.equal(bytes[22], 2);
  assert.equal(bytes[23], 0);
  assert.equal(v.getUint32(24, true), 12);
  assert.equal(v.getUint32(28, true), 0);
});

test('error frames round-trip every catalogue code, and unknown codes keep their number', () => {
  for (const [name, code] of Object.entries(ErrorCode)) {
    const frame = decodeFrame(encodeErrorFrame(code, `because ${name} — ünïcode`, 17));
    assert.deepEqual(frame, { type: 'error', sequence: 17, code, codeName: name, message: `because ${name} — ünïcode` });
  }
  const byName = decodeFrame(encodeErrorFrame('OVERLOADED', 'busy'));
  assert.deepEqual(byName, { type: 'error', sequence: 0, code: 11, codeName: 'OVERLOADED', message: 'busy' });
  const future = decodeFrame(encodeErrorFrame(999, 'from a newer peer'));
  assert.ok(future.type === 'error' && future.code === 999 && future.codeName === undefined);
  assert.throws(() => encodeErrorFrame(0, 'no'), RangeError);
  assert.throws(() => encodeErrorFrame(70000, 'no'), RangeError);
});

test('an over-long error message is cut at a character boundary to fit the maximum frame', () => {
  const bytes = encodeErrorFrame('INTERNAL', '€'.repeat(20_000));
  assert.ok(bytes.byteLength <= MAX_FRAME_BYTES);
  const frame = decodeFrame(bytes);
  assert.ok(frame.type === 'error');
  assert.equal(frame.message, '€'.repeat(Math.floor(MAX_ERROR_MESSAGE_BYTES / 3)));
});

test('JSON frames round-trip hello, ready and event values', () => {
  const values = {
    hello: { config: { sampleRate: 48000, frameSize: 128, controller: 'fxlms', stepSize: 0.01 } },
    ready: { sessionId: 'sess_ä1', phase: 'identifying', secondaryPathTaps: 64 },
    event: { kind: 'phase', phase: 'controlling', cancellationDb: -18.5 },
  } as const;
  for (const type of ['hello', 'ready', 'event'] as const) {
    const frame = decodeFrame(encodeJsonFrame(type, values[type]));
    assert.deepEqual(frame, { type, sequence: 0, value: values[type] });
  }
  assert.throws(() => encodeJsonFrame('event', undefined), TypeError);
  assert.throws(() => encodeJsonFrame('event', 'x'.repeat(MAX_FRAME_BYTES)), (e) => e instanceof ProtocolError && e.codeName === 'FRAME_TOO_LARGE');
});

// ---- encoders ----

test('encoders write into a caller-owned target and return it (or its prefix) without copying', () => {
  const reference = randomSamples(32, 6);
  const error = randomSamples(32, 7);
  const exact = new Uint8Array(audioFrameBytes(32, 2));
  const out = encodeAudioFrame({ sequence: 1, captureTimestampUs: 0, sampleRate: 48000, reference, error }, exact);
  assert.equal(out, exact);
  const roomy = new Uint8Array(MAX_FRAME_BYTES);
  const prefix = encodeAudioFrame({ sequence: 1, captureTimestampUs: 0, sampleRate: 48000, reference, error }, roomy);
  assert.equal(prefix.buffer, roomy.buffer);
  assert.equal(prefix.byteLength, exact.byteLength);
  assert.deepEqual(prefix, exact);
  // A target at an odd offset inside a larger buffer works too.
  const backing = new Uint8Array(exact.byteLength + 3);
  const odd = encodeAudioFrame({ sequence: 1, captureTimestampUs: 0, sampleRate: 48000, reference, error }, backing.subarray(3));
  assert.deepEqual(odd, exact);
  assert.throws(() => encodeAudioFrame({ sequence: 1, captureTimestampUs: 0, sampleRate: 48000, reference, error }, new Uint8Array(10)), RangeError);
});

test('encoders refuse frames the peer would reject', () => {
  const ok = { sequence: 1, captureTimestampUs: 0, sampleRate: 48000 };
  const tooLarge = () => encodeAudioFrame({ ...ok, reference: new Float32Array(4097), error: new Float32Array(4097) });
  assert.throws(tooLarge, (e) => e instanceof ProtocolError && e.codeName === 'FRAME_TOO_LARGE');
  const withNan = () => encodeAntiNoiseFrame({ ...ok, antiNoise: Float32Array.from([0, 0, NaN]), processingUs: 1 });
  assert.throws(withNan, (e) => e instanceof ProtocolError && e.codeName === 'INVALID_AUDIO' && e.sampleIndex === 2 && e.channel === 0);
  assert.throws(() => encodeAudioFrame({ ...ok, reference: new Float32Array(4), error: new Float32Array(5) }), RangeError);
  assert.throws(() => encodeAudioFrame({ ...ok, reference: new Float32Array(0), error: new Float32Array(0) }), RangeError);
  assert.throws(() => encodeAudioFrame({ ...ok, sequence: -1, reference: new Float32Array(1), error: new Float32Array(1) }), RangeError);
  assert.throws(() => encodeAudioFrame({ ...ok, sequence: 2 ** 32, reference: new Float32Array(1), error: new Float32Array(1) }), RangeError);
  assert.throws(() => encodeAudioFrame({ ...ok, captureTimestampUs: NaN, reference: new Float32Array(1), error: new Float32Array(1) }), RangeError);
  assert.throws(() => encodeAudioFrame({ ...ok, sampleRate: 0, reference: new Float32Array(1), error: new Float32Array(1) }), RangeError);
});

// ---- alignment ----

test('decodes from a Buffer at an odd byteOffset into aligned copies', () => {
  const reference = randomSamples(100, 8);
  const error = randomSamples(100, 9);
  const encoded = encodeAudioFrame({ sequence: 3, captureTimestampUs: 1, sampleRate: 48000, reference, error });
  const backing = new ArrayBuffer(encoded.byteLength + 8);
  const buf = Buffer.from(backing, 3, encoded.byteLength);
  buf.set(encoded);
  assert.equal(buf.byteOffset % 4, 3);
  const frame = asAudio(decodeFrame(buf));
  assert.deepEqual(frame.reference, reference);
  assert.deepEqual(frame.error, error);
  assert.notEqual(frame.reference.buffer, backing);
  assert.equal(frame.reference.byteOffset % 4, 0);
  buf.fill(0); // the decoded channels are copies, not views of the input
  assert.deepEqual(frame.reference, reference);
});

// ---- the hot path ----

test('decodeFrameInto fills caller arrays without allocating channels and reuses the header object', () => {
  const reference = randomSamples(64, 10);
  const error = randomSamples(64, 11);
  const bytes = encodeAudioFrame({ sequence: 77, captureTimestampUs: 5, sampleRate: 48000, reference, error });
  const channels = [new Float32Array(64), new Float32Array(64)];
  const header = createFrameHeader();
  const odd = new Uint8Array(bytes.byteLength + 1).subarray(1);
  odd.set(bytes);
  const out = decodeFrameInto(odd, channels, header);
  assert.equal(out, header);
  assert.equal(header.type, 'audio');
  assert.equal(header.sequence, 77);
  assert.deepEqual(channels[0], reference);
  assert.deepEqual(channels[1], error);

  const antiNoise = [new Float32Array(64)];
  decodeFrameInto(encodeAntiNoiseFrame({ sequence: 77, captureTimestampUs: 5, sampleRate: 48000, antiNoise: reference, processingUs: 4 }), antiNoise, header);
  assert.equal(header.type, 'antiNoise');
  assert.equal(header.processingUs, 4);
  assert.deepEqual(antiNoise[0], reference);
});

test('decodeSamplesInto decodes the samples of a frame whose header was read first, with the same checks', () => {
  const reference = randomSamples(32, 12);
  const error = randomSamples(32, 13);
  const bytes = encodeAudioFrame({ sequence: 5, captureTimestampUs: 0, sampleRate: 16000, reference, error, sampleFormat: 'int16' });
  const header = readFrameHeader(bytes);
  const channels = [new Float32Array(32), new Float32Array(32)];
  decodeSamplesInto(bytes, header, channels);
  const direct = [new Float32Array(32), new Float32Array(32)];
  decodeFrameInto(bytes, direct);
  assert.deepEqual(channels, direct);
  assert.ok(Math.abs(channels[1][7] - error[7]) < 1 / 32767);
  rejects(bytes, 'FORMAT_MISMATCH', (b) => decodeSamplesInto(b, header, [new Float32Array(160), new Float32Array(160)]));
  const nan = fixtures.nanInErrorChannel.bytes;
  rejects(nan, 'INVALID_AUDIO', (b) => decodeSamplesInto(b, readFrameHeader(b), [new Float32Array(3), new Float32Array(3)]));
});

test('decodeFrameInto leaves the arrays alone for control frames', () => {
  const channels = [new Float32Array(4).fill(9), new Float32Array(4).fill(9)];
  const header = decodeFrameInto(encodeJsonFrame('hello', { sessionId: 'abc' }), channels);
  assert.equal(header.type, 'hello');
  assert.deepEqual([...channels[0]], [9, 9, 9, 9]);
  assert.deepEqual(decodeFrame(encodeJsonFrame('hello', { sessionId: 'abc' })), { type: 'hello', sequence: 0, value: { sessionId: 'abc' } });
});

test('decodeFrameInto reports a frame size other than the session\'s as FORMAT_MISMATCH', () => {
  const bytes = encodeAudioFrame({ sequence: 1, captureTimestampUs: 0, sampleRate: 48000, reference: new Float32Array(32), error: new Float32Array(32) });
  rejects(bytes, 'FORMAT_MISMATCH', (b) => decodeFrameInto(b, [new Float32Array(64), new Float32Array(64)]));
  rejects(bytes, 'FORMAT_MISMATCH', (b) => decodeFrameInto(b, [new Float32Array(32)]));
  rejects(fixtures.nanInErrorChannel.bytes, 'INVALID_AUDIO', (b) => decodeFrameInto(b, [new Float32Array(3), new Float32Array(3)]));
  rejects(fixtures.versionTwo.bytes, 'UNSUPPORTED_VERSION', (b) => decodeFrameInto(b, []));
});

test('readFrameHeader validates the header without touching the samples', () => {
  const header = readFrameHeader(fixtures.nanInErrorChannel.bytes);
  assert.equal(header.type, 'audio');
  assert.equal(header.frameSize, 3);
  assert.equal(header.channels, 2);
  assert.equal(header.payloadLength, 24);
  rejects(fixtures.payloadLongerThanHeaderSays.bytes, 'MALFORMED_FRAME', readFrameHeader);
});

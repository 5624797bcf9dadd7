/**
 * The float32 sample paths copy bytes on little-endian hosts instead of converting sample by sample: the bytes on
 * the wire and the samples decoded must be exactly those of the per-sample DataView conversion, at any alignment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from './errors.js';
import { HEADER_BYTES, decodeFrameInto, encodeAntiNoiseFrame, encodeAudioFrame } from './frame.js';
import { audioChunkChannels, audioChunkChannelsInto, bytesToFloat32, planarFloat32ToBytes } from './grpc.js';

/** Awkward values: ±0, subnormals, the extremes of float32, and noise. */
function samples(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  const special = [0, -0, 1.4e-45, -1.4e-45, 1.1754942e-38, 3.4028235e38, -3.4028235e38, 1, -1];
  let state = seed >>> 0;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = i < special.length ? special[i] : (state / 2 ** 32 - 0.5) * 2 ** ((state % 40) - 20);
  }
  return out;
}

/** The reference: what the per-sample little-endian conversion writes. */
function leBytes(...channels: Float32Array[]): Uint8Array {
  const n = channels.reduce((sum, ch) => sum + ch.length, 0);
  const out = new Uint8Array(4 * n);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const ch of channels) for (const s of ch) view.setFloat32((offset += 4) - 4, s, true);
  return out;
}

test('encoded samples are the little-endian float32 bytes; decoding them back is exact at every alignment', () => {
  const reference = samples(160, 1);
  const error = samples(160, 2);
  const audio = encodeAudioFrame({ sequence: 7, captureTimestampUs: 1234, sampleRate: 16000, reference, error });
  assert.deepEqual(audio.subarray(HEADER_BYTES), leBytes(reference, error));
  const answer = encodeAntiNoiseFrame({ sequence: 7, captureTimestampUs: 1234, sampleRate: 16000, antiNoise: error, processingUs: 3 });
  assert.deepEqual(answer.subarray(HEADER_BYTES), leBytes(error));
  for (let shift = 0; shift < 4; shift++) {
    // The frame at byte offset `shift` of a larger buffer (a socket library hands out such slices).
    const backing = new Uint8Array(audio.byteLength + 8);
    backing.set(audio, shift);
    const slice = backing.subarray(shift, shift + audio.byteLength);
    const into = [new Float32Array(160), new Float32Array(160)];
    decodeFrameInto(slice, into);
    assert.deepEqual(leBytes(into[0]), leBytes(reference), `reference, offset ${shift}`);
    assert.deepEqual(leBytes(into[1]), leBytes(error), `error, offset ${shift}`);
    assert.ok(Object.is(into[0][1], -0));
  }
});

test('the first non-finite sample is reported with its channel and index, as before', () => {
  const reference = samples(32, 3);
  const error = samples(32, 4);
  const frame = encodeAudioFrame({ sequence: 1, captureTimestampUs: 0, sampleRate: 16000, reference, error });
  const view = new DataView(frame.buffer, frame.byteOffset);
  view.setFloat32(HEADER_BYTES + 4 * (32 + 5), Number.POSITIVE_INFINITY, true);
  view.setFloat32(HEADER_BYTES + 4 * (32 + 9), Number.NaN, true);
  assert.throws(() => decodeFrameInto(frame, [new Float32Array(32), new Float32Array(32)]), (e: unknown) => {
    assert.ok(e instanceof ProtocolError);
    assert.equal(e.codeName, 'INVALID_AUDIO');
    assert.match(e.message, /non-finite sample Infinity in channel 1 at index 5/);
    return true;
  });
  const bad = new Float32Array(reference);
  bad[3] = Number.NaN;
  assert.throws(() => encodeAudioFrame({ sequence: 1, captureTimestampUs: 0, sampleRate: 16000, reference: bad, error }), /channel 0 at index 3/);
});

test('gRPC planar bytes: the little-endian float32 bytes, read back exactly from any offset, NaN refused', () => {
  const a = samples(160, 5);
  const b = samples(160, 6);
  const bytes = planarFloat32ToBytes(a, b);
  assert.deepEqual(bytes, leBytes(a, b));
  for (let shift = 0; shift < 4; shift++) {
    const backing = new Uint8Array(bytes.byteLength + 8);
    backing.set(bytes, shift);
    const back = bytesToFloat32(backing.subarray(shift, shift + bytes.byteLength));
    assert.deepEqual(leBytes(back), bytes, `offset ${shift}`);
  }
  const withNaN = new Uint8Array(bytes);
  new DataView(withNaN.buffer).setFloat32(4 * 200, Number.NaN, true);
  assert.throws(() => bytesToFloat32(withNaN), (e: unknown) => e instanceof ProtocolError && e.codeName === 'INVALID_AUDIO' && /index 200/.test(e.message));
});

test('audioChunkChannelsInto: the samples and the errors of audioChunkChannels, into reused arrays', () => {
  const reference = samples(160, 7);
  const error = samples(160, 8);
  const reuse = [new Float32Array(160).fill(9), new Float32Array(160).fill(9)];
  for (let shift = 0; shift < 4; shift++) {
    const backing = new Uint8Array(1280 + 8);
    backing.set(planarFloat32ToBytes(reference, error), shift);
    const chunk = { audioData: backing.subarray(shift, shift + 1280), channels: 2, frameSize: 160 };
    audioChunkChannelsInto(chunk, reuse[0], reuse[1]);
    const fresh = audioChunkChannels(chunk);
    assert.deepEqual(leBytes(reuse[0], reuse[1]), leBytes(fresh.reference, fresh.error), `offset ${shift}`);
  }
  const errorOf = (f: () => void): string => {
    try {
      f();
    } catch (e) {
      return `${(e as ProtocolError).codeName}: ${(e as Error).message}`;
    }
    return 'no error';
  };
  const bad = planarFloat32ToBytes(reference, error);
  new DataView(bad.buffer).setFloat32(4 * 170, Number.NEGATIVE_INFINITY, true);
  for (const chunk of [
    { audioData: bad, channels: 2, frameSize: 160 },
    { audioData: bad, channels: 1, frameSize: 160 },
    { audioData: bad.subarray(4), channels: 2, frameSize: 160 },
  ]) {
    assert.equal(errorOf(() => audioChunkChannelsInto(chunk, reuse[0], reuse[1])), errorOf(() => audioChunkChannels(chunk)));
  }
});

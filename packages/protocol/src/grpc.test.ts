import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ProtocolError } from './errors.js';
import {
  ANC_PROTO_PATH,
  audioChunkChannels,
  bytesToFloat32,
  planarFloat32ToBytes,
  type AntiNoiseChunk,
  type AudioChunk,
  type AudioFileRequest,
  type AudioFileResponse,
} from './grpc.js';

/** Field names of each message in anc.proto, camelCased as @grpc/proto-loader does with keepCase: false. */
function protoFields(proto: string, message: string): string[] {
  const body = new RegExp(`message ${message} \\{([^}]*)\\}`).exec(proto)?.[1];
  assert.ok(body, `anc.proto defines ${message}`);
  return [...body.matchAll(/^\s*\w+\s+(\w+)\s*=\s*\d+;/gm)].map((m) => m[1].replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
}

// Records keyed by the interfaces' keys: the compiler insists each lists every field, and no others.
const fields: Record<string, Record<string, true>> = {
  AudioChunk: {
    audioData: true, sampleRate: true, channels: true, timestampUs: true, sessionId: true, sequence: true, frameSize: true, configJson: true,
    antiNoiseMissing: true,
  } satisfies Record<keyof AudioChunk, true>,
  AntiNoiseChunk: {
    antiNoiseData: true, cancellationDb: true, latencyUs: true, noiseType: true, sessionId: true, sequence: true, timestampUs: true,
    phase: true, errorCode: true, errorMessage: true, eventJson: true,
  } satisfies Record<keyof AntiNoiseChunk, true>,
  AudioFileRequest: { primaryWav: true, referenceWav: true, configJson: true } satisfies Record<keyof AudioFileRequest, true>,
  AudioFileResponse: { cleanedWav: true, reportJson: true } satisfies Record<keyof AudioFileResponse, true>,
};

test('ANC_PROTO_PATH points at anc.proto beside the code', () => {
  assert.equal(ANC_PROTO_PATH.protocol, 'file:');
  const proto = readFileSync(fileURLToPath(ANC_PROTO_PATH), 'utf8');
  assert.match(proto, /^package anc;$/m);
  assert.match(proto, /service ANCService/);
});

test('the TypeScript interfaces mirror every field of anc.proto in camelCase', () => {
  const proto = readFileSync(ANC_PROTO_PATH, 'utf8');
  for (const [message, expected] of Object.entries(fields)) {
    assert.deepEqual(protoFields(proto, message).sort(), Object.keys(expected).sort(), message);
  }
});

test('planar float32 bytes round-trip and decode from a Buffer at an odd byteOffset', () => {
  const reference = Float32Array.from([0.5, -0.25, 1e-30, 3]);
  const error = Float32Array.from([-1, 0, 0.125, -7.5]);
  const bytes = planarFloat32ToBytes(reference, error);
  assert.equal(bytes.byteLength, 32);
  assert.equal(new DataView(bytes.buffer).getFloat32(16, true), -1);
  const backing = Buffer.alloc(bytes.byteLength + 5);
  const odd = backing.subarray(1, 1 + bytes.byteLength);
  odd.set(bytes);
  const samples = bytesToFloat32(odd);
  assert.deepEqual(samples, Float32Array.from([...reference, ...error]));
  assert.equal(samples.byteOffset, 0);
  assert.deepEqual(bytesToFloat32(planarFloat32ToBytes(reference)), reference);
  assert.throws(() => planarFloat32ToBytes(reference, new Float32Array(3)), RangeError);
});

test('bytesToFloat32 rejects a ragged length and non-finite samples', () => {
  assert.throws(() => bytesToFloat32(new Uint8Array(7)), (e) => e instanceof ProtocolError && e.codeName === 'MALFORMED_FRAME');
  const bytes = planarFloat32ToBytes(Float32Array.from([0, 1, Infinity]));
  assert.throws(() => bytesToFloat32(bytes), (e) => e instanceof ProtocolError && e.codeName === 'INVALID_AUDIO' && e.sampleIndex === 2);
});

test('audioChunkChannels splits a valid AudioChunk and rejects a malformed one', () => {
  const reference = Float32Array.from([0.1, 0.2]);
  const error = Float32Array.from([0.3, 0.4]);
  const audioData = planarFloat32ToBytes(reference, error);
  const { reference: r, error: e } = audioChunkChannels({ audioData, channels: 2, frameSize: 2 });
  assert.deepEqual(r, reference);
  assert.deepEqual(e, error);
  const malformed = (chunk: Pick<AudioChunk, 'audioData' | 'channels' | 'frameSize'>) => () => audioChunkChannels(chunk);
  const isMalformed = (x: unknown) => x instanceof ProtocolError && x.codeName === 'MALFORMED_FRAME';
  assert.throws(malformed({ audioData, channels: 1, frameSize: 2 }), isMalformed);
  assert.throws(malformed({ audioData, channels: 2, frameSize: 3 }), isMalformed);
  assert.throws(malformed({ audioData: new Uint8Array(0), channels: 2, frameSize: 0 }), isMalformed);
});

test('the runtime sources import nothing from node: (the package runs in browsers)', () => {
  const dir = new URL('./', import.meta.url);
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  assert.ok(sources.includes('frame.ts'));
  for (const file of sources) {
    const text = readFileSync(new URL(file, dir), 'utf8');
    assert.doesNotMatch(text, /from\s+['"]node:|import\(\s*['"]node:|require\(/, file);
  }
});

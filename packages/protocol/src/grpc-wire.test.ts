import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import { ANC_PROTO_LOADER_OPTIONS, ANC_PROTO_PATH } from './grpc.js';
import { encodeAntiNoiseChunk, encodeAudioChunk } from './grpc-wire.js';

type Serialize = (value: object) => Uint8Array;

async function serializers(): Promise<{ audio: Serialize; antiNoise: Serialize }> {
  const definition = await protoLoader.load(fileURLToPath(ANC_PROTO_PATH), ANC_PROTO_LOADER_OPTIONS);
  const method = definition['anc.ANCService'] as unknown as Record<string, { requestSerialize: Serialize; responseSerialize: Serialize }>;
  return { audio: method.ProcessAudioStream.requestSerialize, antiNoise: method.ProcessAudioStream.responseSerialize };
}

let state = 12345;
const rand = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const pick = <T>(values: T[]): T => values[Math.floor(rand() * values.length)];
const bytes = (): Uint8Array => {
  const out = new Uint8Array(pick([0, 1, 127, 128, 640, 1280, 20000]));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  return out;
};
const text = (): string => pick(['', 'controlling', '0f8c2a9e-4b1d-4c7e-9f00-6a1b2c3d4e5f', 'é', 'naïve 🚨 siren', '日本語', JSON.stringify({ a: [1, 2], b: 'x' }), 'x'.repeat(300)]);
const uint = (): number => pick([0, 1, 127, 128, 16383, 16384, 2 ** 21, 2 ** 28, 2 ** 32 - 1, 16000, 160, -1, 3.7]);
const double = (): number => pick([0, -0, 1.5, -2.25e-7, 1e300, Number.MAX_VALUE, 1234567.891, Number.NaN]);
/** Present with probability 0.8, so that absent fields are covered too. */
const maybe = <T>(value: () => T): T | undefined => (rand() < 0.8 ? value() : undefined);

/** An allocation full of 0xaa: a byte the encoder forgot to write would show. */
const garbage = (n: number): Uint8Array => new Uint8Array(n).fill(0xaa);

function strip(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

test('AntiNoiseChunk: the same bytes as proto-loader (protobufjs), present fields, defaults and absent fields alike', async () => {
  const { antiNoise } = await serializers();
  for (let i = 0; i < 2000; i++) {
    const chunk = strip({
      antiNoiseData: maybe(bytes), cancellationDb: maybe(double), latencyUs: maybe(double), noiseType: maybe(text), sessionId: maybe(text),
      sequence: maybe(uint), timestampUs: maybe(double), phase: maybe(text), errorCode: maybe(uint), errorMessage: maybe(text), eventJson: maybe(text),
    });
    assert.deepEqual(new Uint8Array(encodeAntiNoiseChunk(chunk, garbage)!), new Uint8Array(antiNoise(chunk)), JSON.stringify(chunk).slice(0, 300));
  }
});

test('AudioChunk: the same bytes as proto-loader (protobufjs)', async () => {
  const { audio } = await serializers();
  for (let i = 0; i < 2000; i++) {
    const chunk = strip({
      audioData: maybe(bytes), sampleRate: maybe(uint), channels: maybe(uint), timestampUs: maybe(double), sessionId: maybe(text),
      sequence: maybe(uint), frameSize: maybe(uint), configJson: maybe(text), antiNoiseMissing: maybe(() => rand() < 0.5),
    });
    assert.deepEqual(new Uint8Array(encodeAudioChunk(chunk, garbage)!), new Uint8Array(audio(chunk)), JSON.stringify(chunk).slice(0, 300));
  }
});

test('what protobufjs converts itself is left to it: bytes as base64, lone surrogates', () => {
  const alloc = (n: number): Uint8Array => new Uint8Array(n);
  assert.equal(encodeAntiNoiseChunk({ antiNoiseData: 'AAAA' as unknown as Uint8Array }, alloc), null);
  assert.equal(encodeAntiNoiseChunk({ errorMessage: 'bad \ud800 half' }, alloc), null);
  assert.equal(encodeAudioChunk({ sessionId: '\udc00' }, alloc), null);
});

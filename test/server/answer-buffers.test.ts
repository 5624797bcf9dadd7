/**
 * With the engine inline (workers 0), the streaming transports have the engine write each answer's anti-noise
 * straight into the buffer that goes out (ws.ts, grpc.ts). Every answer gets a buffer of its own: with many
 * frames in flight on several connections at once, each answer must still carry exactly the anti-noise that the
 * same session computes on its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Engine } from '@antiphase/engine';
import {
  ANC_PROTO_LOADER_OPTIONS, ANC_PROTO_PATH, encodeAudioFrame, planarFloat32ToBytes, type AntiNoiseChunk, type AudioChunk,
  type DecodedAntiNoiseFrame,
} from '@antiphase/protocol';
import { noiseFrame, sessionConfig, startTestServer, StreamClient, userToken } from './helpers.js';

const FRAME = 160;
const CLIENTS = 4;
const BATCHES = 30;
/** Frames sent before waiting for their answers (the connection's pipeline takes 8 at a time into the engine). */
const BATCH = 8;
const config = { ...sessionConfig(FRAME), emergencyBypass: false };

/** Client c's frame k: its own audio, so that answers mixed up between connections would show. */
function frameOf(c: number, k: number): { reference: Float32Array; error: Float32Array } {
  return noiseFrame(FRAME, k + 1000 * c);
}

/** The anti-noise of each frame, from a session of the same config on an engine of this test's own. */
async function expected(c: number, frames: number): Promise<Float32Array[]> {
  const engine = new Engine({ workers: 0, classifierModel: null });
  try {
    const { sessionId } = await engine.createSession(config);
    const out: Float32Array[] = [];
    for (let k = 0; k < frames; k++) {
      const result = await engine.processFrame({ sessionId, sequence: k, captureTimestampUs: (k * FRAME * 1e6) / 16000, ...frameOf(c, k) });
      out.push(new Float32Array(result!.antiNoise));
    }
    return out;
  } finally {
    await engine.close();
  }
}

test('WebSocket, inline engine: answers in flight on several connections keep their own anti-noise', async (t) => {
  const server = await startTestServer(t, { workers: 0 });
  const token = await userToken(server, 'buffers-ws@example.com');
  const clients = await Promise.all(Array.from({ length: CLIENTS }, async () => {
    const client = await StreamClient.connect(server, token);
    t.after(() => client.close());
    client.hello({ config });
    await client.next('ready');
    return client;
  }));
  const answers = (client: StreamClient): DecodedAntiNoiseFrame[] => client.frames.filter((f): f is DecodedAntiNoiseFrame => f.type === 'antiNoise');
  for (let b = 0; b < BATCHES; b++) {
    for (let i = 0; i < BATCH; i++) {
      for (let c = 0; c < CLIENTS; c++) {
        const k = b * BATCH + i;
        clients[c].send(encodeAudioFrame({ sequence: k, captureTimestampUs: (k * FRAME * 1e6) / 16000, sampleRate: 16000, ...frameOf(c, k) }));
      }
    }
    await Promise.all(clients.map((client) => client.until(() => answers(client).length === (b + 1) * BATCH)));
  }
  for (let c = 0; c < CLIENTS; c++) {
    const want = await expected(c, BATCHES * BATCH);
    const got = answers(clients[c]);
    assert.equal(got.length, want.length);
    for (let k = 0; k < want.length; k++) {
      assert.equal(got[k].sequence, k);
      assert.deepEqual(got[k].antiNoise, want[k], `client ${c}, frame ${k}`);
    }
  }
});

test('gRPC, inline engine: answers in flight on several calls keep their own anti-noise', async (t) => {
  const server = await startTestServer(t, { workers: 0 });
  const token = await userToken(server, 'buffers-grpc@example.com');
  const definition = await protoLoader.load(fileURLToPath(ANC_PROTO_PATH), ANC_PROTO_LOADER_OPTIONS);
  const Service = (grpc.loadPackageDefinition(definition).anc as grpc.GrpcObject).ANCService as grpc.ServiceClientConstructor;
  const frames = BATCHES * BATCH;
  const results = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => new Promise<AntiNoiseChunk[]>((resolve, reject) => {
    const client = new Service(`127.0.0.1:${server.grpcPort}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    t.after(() => client.close());
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    const call = (client as unknown as { ProcessAudioStream(m: grpc.Metadata): grpc.ClientDuplexStream<AudioChunk, AntiNoiseChunk> }).ProcessAudioStream(metadata);
    const replies: AntiNoiseChunk[] = [];
    const send = (k: number): void => {
      const { reference, error } = frameOf(c, k);
      call.write({
        audioData: planarFloat32ToBytes(reference, error), sampleRate: 16000, channels: 2, frameSize: FRAME, sequence: k,
        timestampUs: (k * FRAME * 1e6) / 16000, sessionId: '', configJson: k === 0 ? JSON.stringify(config) : '', antiNoiseMissing: false,
      });
    };
    call.on('data', (reply: AntiNoiseChunk) => {
      if (reply.errorCode !== 0) return reject(new Error(`error ${reply.errorCode}: ${reply.errorMessage}`));
      if (reply.eventJson !== '') return; // a noise event (the classifier's noise type), not an answer
      replies.push(reply);
      if (replies.length === frames) {
        call.end();
        resolve(replies);
      } else if (replies.length % BATCH === 0) {
        for (let i = 0; i < BATCH; i++) send(replies.length + i);
      }
    });
    call.on('error', reject);
    for (let i = 0; i < BATCH; i++) send(i);
  })));
  for (let c = 0; c < CLIENTS; c++) {
    const want = await expected(c, frames);
    for (let k = 0; k < frames; k++) {
      const reply = results[c][k];
      assert.equal(reply.sequence, k);
      const data = reply.antiNoiseData;
      assert.deepEqual(new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)), want[k], `call ${c}, frame ${k}`);
    }
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  ANC_PROTO_LOADER_OPTIONS, ANC_PROTO_PATH, bytesToFloat32, planarFloat32ToBytes, type AntiNoiseChunk, type AudioChunk,
  type AudioFileResponse,
} from '@antiphase/protocol';
import { readWav } from '@antiphase/dsp';
import { api, ENGINE_MODES, noiseFrame, recordingPair, sessionConfig, startTestServer, userToken } from './helpers.js';

const FRAME = 160;
const PROTO = fileURLToPath(ANC_PROTO_PATH);

interface AncClient extends grpc.Client {
  ProcessAudioStream(metadata: grpc.Metadata): grpc.ClientDuplexStream<AudioChunk, AntiNoiseChunk>;
  ProcessAudioFile(request: object, metadata: grpc.Metadata, callback: (error: grpc.ServiceError | null, response?: AudioFileResponse) => void): void;
}

async function client(t: { after: (fn: () => void) => void }, port: number): Promise<AncClient> {
  const definition = await protoLoader.load(PROTO, ANC_PROTO_LOADER_OPTIONS);
  const anc = grpc.loadPackageDefinition(definition).anc as grpc.GrpcObject;
  const Service = anc.ANCService as grpc.ServiceClientConstructor;
  const c = new Service(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as AncClient;
  t.after(() => c.close());
  return c;
}

function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

function chunk(k: number, extra: Partial<AudioChunk> = {}): Partial<AudioChunk> {
  const { reference, error } = noiseFrame(FRAME, k);
  return {
    audioData: planarFloat32ToBytes(reference, error), sampleRate: 16000, channels: 2, frameSize: FRAME, sequence: k,
    timestampUs: (k * FRAME * 1e6) / 16000, ...extra,
  };
}

/** Streams `chunks` and collects every reply until the server ends the call. */
function roundTrip(c: AncClient, token: string, chunks: Partial<AudioChunk>[]): Promise<{ replies: AntiNoiseChunk[]; status: grpc.StatusObject | grpc.ServiceError }> {
  return new Promise((resolve) => {
    const call = c.ProcessAudioStream(bearer(token));
    const replies: AntiNoiseChunk[] = [];
    call.on('data', (reply: AntiNoiseChunk) => replies.push(reply));
    call.on('error', (error: grpc.ServiceError) => resolve({ replies, status: error }));
    call.on('status', (status: grpc.StatusObject) => {
      if (status.code === grpc.status.OK) resolve({ replies, status });
    });
    for (const item of chunks) call.write(item as AudioChunk);
    call.end();
  });
}

for (const [mode, workers] of ENGINE_MODES) {
  test(`ProcessAudioStream from Node: config_json on the first chunk, one AntiNoiseChunk per AudioChunk (${mode})`, async (t) => {
    const server = await startTestServer(t, { workers });
    const token = await userToken(server, 'grpc@example.com');
    const c = await client(t, server.grpcPort);
    const chunks = Array.from({ length: 50 }, (_, k) => chunk(k, k === 0 ? { configJson: JSON.stringify(sessionConfig(FRAME)) } : {}));
    const { replies, status } = await roundTrip(c, token, chunks);
    assert.equal(status.code, grpc.status.OK);
    assert.deepEqual(replies.filter((r) => r.errorCode !== 0).map((r) => r.errorMessage), []);
    assert.deepEqual(replies.map((r) => r.sequence), [...Array(50).keys()]);
    for (const r of replies) {
      assert.equal(r.timestampUs, (r.sequence * FRAME * 1e6) / 16000);
      assert.equal(bytesToFloat32(r.antiNoiseData).length, FRAME);
      assert.equal(r.phase, 'controlling');
      assert.ok(r.latencyUs > 0);
      assert.ok(Number.isFinite(r.cancellationDb));
    }
    // The call created the session, so it ended with the call and was stored.
    const stored = await api(server, 'GET', `/api/v1/sessions/${replies[0].sessionId}`, { token });
    assert.equal(stored.body.transport, 'grpc');
    assert.equal(stored.body.live, false);
    assert.equal(stored.body.stats.framesProcessed, 50);
  });
}

for (const [mode, workers] of ENGINE_MODES) {
  test(`ProcessAudioStream into a REST-created session; bad chunks become error chunks; bad credentials are UNAUTHENTICATED (${mode})`, async (t) => {
    const server = await startTestServer(t, { workers });
    const token = await userToken(server, 'rest-grpc@example.com');
    const other = await userToken(server, 'other@example.com');
    const c = await client(t, server.grpcPort);
    const session = await api(server, 'POST', '/api/v1/sessions', { token, json: sessionConfig(FRAME) });
    const nan = noiseFrame(FRAME, 3);
    nan.reference[2] = NaN;
    const { replies } = await roundTrip(c, token, [
      chunk(0, { sessionId: session.body.id }),
      chunk(1),
      chunk(2, { sampleRate: 8000 }),
      { ...chunk(3), audioData: planarFloat32ToBytes(nan.reference, nan.error) },
      chunk(4, { channels: 1 }),
      chunk(5),
    ]);
    // Error chunks are answered at once, anti-noise after the engine: compare by sequence.
    assert.deepEqual(replies.map((r) => [r.sequence, r.errorCode]).sort((a, b) => a[0] - b[0]), [[0, 0], [1, 0], [2, 5], [3, 6], [4, 1], [5, 0]]);
    const live = await api(server, 'GET', `/api/v1/sessions/${session.body.id}`, { token });
    assert.equal(live.body.live, true, 'a REST session outlives the call');

    const stolen = await roundTrip(c, other, [chunk(0, { sessionId: session.body.id })]);
    assert.equal(stolen.replies[0].errorCode, 7); // UNKNOWN_SESSION: another user's session does not exist for them

    const denied = await roundTrip(c, 'bad-token', [chunk(0, { configJson: JSON.stringify(sessionConfig(FRAME)) })]);
    assert.equal(denied.status.code, grpc.status.UNAUTHENTICATED);
    assert.equal(denied.replies.length, 0);
  });
}

test('ProcessAudioFile cleans a recording synchronously and reports NR', async (t) => {
  const server = await startTestServer(t);
  const token = await userToken(server, 'file@example.com');
  const c = await client(t, server.grpcPort);
  const pair = recordingPair(1);
  const response = await new Promise<AudioFileResponse>((resolve, reject) => {
    c.ProcessAudioFile({ primaryWav: pair.primary, referenceWav: pair.reference, configJson: '{"taps": 32, "stepSize": 0.1}' }, bearer(token), (error, res) => (error ? reject(error) : resolve(res!)));
  });
  const cleaned = readWav(response.cleanedWav);
  assert.equal(cleaned.sampleRate, 16000);
  assert.equal(cleaned.channels[0].length, 16000);
  const report = JSON.parse(response.reportJson);
  assert.ok(report.noiseReductionDb > 3, `NR ${report.noiseReductionDb} dB`);
  assert.equal(report.taps, 32);
  const bad = await new Promise<grpc.ServiceError | null>((resolve) => {
    c.ProcessAudioFile({ primaryWav: Buffer.from('not a wav file at all'), referenceWav: pair.reference }, bearer(token), (error) => resolve(error));
  });
  assert.equal(bad?.code, grpc.status.INVALID_ARGUMENT);
  assert.match(bad!.details, /primary_wav is not a WAV file/);
});

test('ProcessAudioStream from Python (Debian python3-grpcio, stubs generated from anc.proto)', async (t) => {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import grpc, grpc_tools'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip('/usr/bin/python3 lacks grpc: apt-get install -y python3-grpcio python3-grpc-tools');
    return;
  }
  const server = await startTestServer(t);
  const token = await userToken(server, 'python@example.com');
  const script = fileURLToPath(new URL('./grpc_client.py', import.meta.url));
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile('/usr/bin/python3', [script, PROTO, `127.0.0.1:${server.grpcPort}`, token, '50'], { timeout: 60_000 }, (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)));
  });
  const result = JSON.parse(stdout.trim().split('\n').pop()!);
  assert.deepEqual(result.errors, []);
  assert.equal(result.received, 50);
  assert.deepEqual(result.sequences, [...Array(50).keys()]);
  assert.deepEqual(result.timestamps, result.sequences.map((k: number) => (k * FRAME * 1e6) / 16000));
  assert.ok(result.samples.every((n: number) => n === FRAME));
  assert.equal(new Set(result.session_ids).size, 1);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  encodeAudioFrame, ErrorCode, HEADER_BYTES, MAX_FRAME_BYTES, type DecodedAntiNoiseFrame, type DecodedErrorFrame,
  type DecodedJsonFrame,
} from '@antiphase/protocol';
import { api, audioFrameBytes, ENGINE_MODES, noiseFrame, sessionConfig, startTestServer, StreamClient, userToken } from './helpers.js';

const FRAME = 160;

function errors(client: StreamClient): DecodedErrorFrame[] {
  return client.frames.filter((f): f is DecodedErrorFrame => f.type === 'error');
}

function antiNoise(client: StreamClient): DecodedAntiNoiseFrame[] {
  return client.frames.filter((f): f is DecodedAntiNoiseFrame => f.type === 'antiNoise');
}

async function readyClient(server: { url: string }, token: string): Promise<{ client: StreamClient; ready: DecodedJsonFrame }> {
  const client = await StreamClient.connect(server, token);
  client.hello({ config: sessionConfig(FRAME) });
  const ready = (await client.next('ready')) as DecodedJsonFrame;
  return { client, ready };
}

test('the upgrade is refused with HTTP 401 without valid credentials', async (t) => {
  const server = await startTestServer(t);
  for (const headers of [{}, { authorization: 'Bearer not-a-token' }, { authorization: 'Bearer ap_00000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }]) {
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(server.url.replace('http', 'ws') + '/api/v1/stream', { headers });
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c; });
        res.on('end', () => {
          assert.equal(JSON.parse(body).error.code, 'UNAUTHORIZED');
          resolve(res.statusCode ?? 0);
        });
      });
      socket.once('open', () => reject(new Error('the upgrade was accepted')));
      socket.once('error', () => undefined);
    });
    assert.equal(status, 401);
  }
});

for (const [mode, workers] of ENGINE_MODES) {
  test(`hello → ready, then each audio frame is answered by an antiNoise frame echoing sequence and timestamp (${mode})`, async (t) => {
    const server = await startTestServer(t, { workers });
    const token = await userToken(server, 'ws@example.com');
    const client = await StreamClient.connect(server, token, 'query'); // browsers: ?token=
    t.after(() => client.close());
    client.hello({ config: sessionConfig(FRAME) });
    const ready = (await client.next('ready')) as DecodedJsonFrame;
    const info = ready.value as Record<string, unknown>;
    assert.equal(info.sampleRate, 16000);
    assert.equal(info.frameSize, FRAME);
    assert.equal(info.created, true);
    assert.equal(typeof info.sessionId, 'string');
    for (let k = 0; k < 20; k++) client.send(audioFrameBytes(FRAME, k));
    await client.until(() => antiNoise(client).length === 20);
    const frames = antiNoise(client);
    assert.deepEqual(frames.map((f) => f.sequence), [...Array(20).keys()]);
    for (const f of frames) {
      assert.equal(f.antiNoise.length, FRAME);
      assert.equal(f.captureTimestampUs, (f.sequence * FRAME * 1e6) / 16000);
      assert.ok(f.antiNoise.every(Number.isFinite));
    }
    assert.ok(frames.some((f) => f.antiNoise.some((x) => x !== 0)), 'the controller produced anti-noise');
    // The session is visible over REST while the connection lives, and ends with it.
    const sessionId = info.sessionId as string;
    const live = await api(server, 'GET', `/api/v1/sessions/${sessionId}`, { token });
    assert.equal(live.body.live, true);
    assert.equal(live.body.transport, 'ws');
    assert.equal(live.body.stats.framesProcessed, 20);
    await client.close();
    let after = live;
    for (let i = 0; i < 100 && after.body.live; i++) {
      await new Promise((r) => setTimeout(r, 20));
      after = await api(server, 'GET', `/api/v1/sessions/${sessionId}`, { token });
    }
    assert.equal(after.body.live, false);
    assert.equal(after.body.phase, 'ended');
    assert.equal(after.body.stats.endReason, 'connection closed');
  });
}

for (const [mode, workers] of ENGINE_MODES) {
  test(`malformed, oversized, NaN and mismatched frames get their error frames while concurrent good clients keep getting anti-noise (${mode})`, async (t) => {
    const server = await startTestServer(t, { workers });
    const token = await userToken(server, 'mixed@example.com');
    const good = await Promise.all([0, 1, 2].map(() => readyClient(server, token)));
    const bad = await readyClient(server, token);
    t.after(async () => {
      for (const { client } of [...good, bad]) await client.close();
    });

    const nan = noiseFrame(FRAME, 0);
    nan.error[7] = NaN;
    const nanBytes = new Uint8Array(encodeAudioFrame({ sequence: 1, captureTimestampUs: 0, sampleRate: 16000, ...noiseFrame(FRAME, 0) }));
    new DataView(nanBytes.buffer).setFloat32(HEADER_BYTES + (FRAME + 7) * 4, NaN, true);
    const truncated = audioFrameBytes(FRAME, 2).subarray(0, 100);
    const oversized = new Uint8Array(MAX_FRAME_BYTES + 100);
    const wrongRate = encodeAudioFrame({ sequence: 3, captureTimestampUs: 0, sampleRate: 48000, ...noiseFrame(FRAME, 3) });
    const wrongSize = encodeAudioFrame({ sequence: 4, captureTimestampUs: 0, sampleRate: 16000, ...noiseFrame(FRAME * 2, 4) });
    const badVersion = audioFrameBytes(FRAME, 5).slice();
    badVersion[0] = 9;

    const rounds = 30;
    for (let k = 0; k < rounds; k++) {
      for (const { client } of good) client.send(audioFrameBytes(FRAME, k));
      if (k === 5) {
        bad.client.send(nanBytes);
        bad.client.send(truncated);
        bad.client.send(oversized);
        bad.client.send(wrongRate);
        bad.client.send(wrongSize);
        bad.client.send(badVersion);
        bad.client.socket.send('{"text": "not a frame"}');
      }
    }
    await bad.client.until(() => errors(bad.client).length === 7);
    for (const { client } of good) await client.until(() => antiNoise(client).length === rounds);

    const codes = errors(bad.client).map((e) => e.codeName);
    assert.deepEqual(codes, ['INVALID_AUDIO', 'MALFORMED_FRAME', 'FRAME_TOO_LARGE', 'FORMAT_MISMATCH', 'FORMAT_MISMATCH', 'UNSUPPORTED_VERSION', 'MALFORMED_FRAME']);
    assert.equal(errors(bad.client)[0].sequence, 1, 'the NaN frame is named by its sequence');
    for (const { client } of good) {
      assert.equal(errors(client).length, 0);
      assert.deepEqual(antiNoise(client).map((f) => f.sequence), [...Array(rounds).keys()]);
    }
    // After frame-level errors the bad client's stream is still open and still works.
    bad.client.send(audioFrameBytes(FRAME, 6));
    const answer = (await bad.client.next('antiNoise')) as DecodedAntiNoiseFrame;
    assert.equal(answer.sequence, 6);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const invalid = Number(/antiphase_frames_invalid_total\{transport="ws"\} (\d+)/.exec(metrics)?.[1]);
    assert.ok(invalid >= 4, `invalid ws frames counted (${invalid})`);
  });
}

for (const [mode, workers] of ENGINE_MODES) {
  test(`audio before ready is NOT_READY; an unknown or another user’s session is UNKNOWN_SESSION and closes the stream (${mode})`, async (t) => {
    const server = await startTestServer(t, { workers });
    const alice = await userToken(server, 'alice@example.com');
    const bob = await userToken(server, 'bob@example.com');

    const early = await StreamClient.connect(server, alice);
    t.after(() => early.close());
    early.send(audioFrameBytes(FRAME, 0));
    const notReady = (await early.next('error')) as DecodedErrorFrame;
    assert.equal(notReady.code, ErrorCode.NOT_READY);

    const unknown = await StreamClient.connect(server, alice);
    unknown.hello({ sessionId: 'no-such-session' });
    const error = (await unknown.next('error')) as DecodedErrorFrame;
    assert.equal(error.codeName, 'UNKNOWN_SESSION');
    await unknown.until(() => unknown.closeCode !== null).catch(() => undefined);
    assert.equal(unknown.closeCode, 1008);

    const bobs = await api(server, 'POST', '/api/v1/sessions', { token: bob, json: sessionConfig(FRAME) });
    assert.equal(bobs.status, 201);
    const intruder = await StreamClient.connect(server, alice);
    intruder.hello({ sessionId: bobs.body.id });
    assert.equal(((await intruder.next('error')) as DecodedErrorFrame).codeName, 'UNKNOWN_SESSION');

    // Bob himself can stream into his REST session; it outlives the connection.
    const owner = await StreamClient.connect(server, bob);
    owner.hello({ sessionId: bobs.body.id });
    const ready = (await owner.next('ready')) as DecodedJsonFrame;
    assert.equal((ready.value as { created: boolean }).created, false);
    owner.send(audioFrameBytes(FRAME, 0));
    await owner.next('antiNoise');
    await owner.close();
    await new Promise((r) => setTimeout(r, 50));
    const still = await api(server, 'GET', `/api/v1/sessions/${bobs.body.id}`, { token: bob });
    assert.equal(still.body.live, true);

    const badHello = await StreamClient.connect(server, alice);
    t.after(() => badHello.close());
    badHello.hello({ config: { sampleRate: 5, frameSize: FRAME } });
    const invalid = (await badHello.next('error')) as DecodedErrorFrame;
    assert.equal(invalid.codeName, 'INVALID_CONFIG');
    assert.match(invalid.message, /sampleRate/);
    badHello.hello({ config: sessionConfig(FRAME) }); // the stream stays open: a corrected hello works
    await badHello.next('ready');
  });
}

test('a flood of frames is bounded by the connection queue: every frame is answered or dropped and counted late', async (t) => {
  const server = await startTestServer(t, { streamQueueFrames: 8 });
  const token = await userToken(server, 'flood@example.com');
  const { client } = await readyClient(server, token);
  t.after(() => client.close());
  const total = 400;
  const batch: Uint8Array[] = [];
  for (let k = 0; k < total; k++) batch.push(audioFrameBytes(FRAME, k));
  for (const bytes of batch) client.send(bytes);
  // Wait until the server has seen every frame: answered + dropped = total.
  const counted = async (): Promise<{ answered: number; dropped: number }> => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const late = Number(/antiphase_frames_late_total\{transport="ws"\} (\d+)/.exec(metrics)?.[1]);
    return { answered: antiNoise(client).length, dropped: late };
  };
  let seen = await counted();
  for (let i = 0; i < 500 && seen.answered + seen.dropped < total; i++) {
    await new Promise((r) => setTimeout(r, 20));
    seen = await counted();
  }
  assert.equal(seen.answered + seen.dropped, total);
  const sequences = antiNoise(client).map((f) => f.sequence);
  assert.deepEqual(sequences, [...sequences].sort((a, b) => a - b), 'answers stay in order');
  assert.equal(errors(client).length, 0);
});

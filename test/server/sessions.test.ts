import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, encodeAudioFrame, type DecodedAntiNoiseFrame } from '@antiphase/protocol';
import { api, audioFrameBytes, noiseFrame, sessionConfig, startTestServer, userToken } from './helpers.js';

const FRAME = 160;

test('sessions: create, get (live stats), list, patch, delete (final stats stored); another user sees 404', async (t) => {
  const server = await startTestServer(t);
  const alice = await userToken(server, 'alice@example.com'); // admin (first user)
  const bob = await userToken(server, 'bob@example.com');
  const carol = await userToken(server, 'carol@example.com');

  const created = await api(server, 'POST', '/api/v1/sessions', { token: bob, json: sessionConfig(FRAME) });
  assert.equal(created.status, 201);
  const id = created.body.id;
  assert.equal(created.body.live, true);
  assert.equal(created.body.phase, 'controlling', 'a known secondary path skips identification');
  assert.equal(created.body.config.frameSize, FRAME);

  const invalid = await api(server, 'POST', '/api/v1/sessions', { token: bob, json: { sampleRate: 16000, frameSize: 3 } });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.error.code, 'INVALID_CONFIG');
  assert.match(invalid.body.error.message, /frameSize/);
  const unknownField = await api(server, 'POST', '/api/v1/sessions', { token: bob, json: { ...sessionConfig(), colour: 'blue' } });
  assert.equal(unknownField.status, 400);
  assert.match(unknownField.body.error.message, /colour/);

  for (const [method, path, json] of [
    ['GET', `/api/v1/sessions/${id}`, undefined],
    ['PATCH', `/api/v1/sessions/${id}`, { intensity: 0.5 }],
    ['POST', `/api/v1/sessions/${id}/process`, { reference: new Array(FRAME).fill(0), error: new Array(FRAME).fill(0) }],
    ['DELETE', `/api/v1/sessions/${id}`, undefined],
  ] as const) {
    const reply = await api(server, method, path, { token: carol, json });
    assert.equal(reply.status, 404, `${method} ${path} by another user`);
    assert.equal(reply.body.error.code, 'NOT_FOUND');
  }
  assert.equal((await api(server, 'GET', '/api/v1/sessions/does-not-exist', { token: bob })).status, 404);
  assert.equal((await api(server, 'GET', `/api/v1/sessions/${id}`)).status, 401);

  const patched = await api(server, 'PATCH', `/api/v1/sessions/${id}`, { token: bob, json: { intensity: 0.25, algorithm: 'fxlms', stepSize: 0.001 } });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.config.intensity, 0.25);
  assert.equal(patched.body.config.algorithm, 'fxlms');
  const frozen = await api(server, 'PATCH', `/api/v1/sessions/${id}`, { token: bob, json: { sampleRate: 8000 } });
  assert.equal(frozen.status, 400);
  assert.match(frozen.body.error.message, /sampleRate/);

  const mine = await api(server, 'GET', '/api/v1/sessions', { token: carol });
  assert.deepEqual(mine.body.sessions, []);
  assert.equal((await api(server, 'GET', '/api/v1/sessions?all=true', { token: carol })).status, 403);
  const all = await api(server, 'GET', '/api/v1/sessions?all=true', { token: alice });
  assert.deepEqual(all.body.sessions.map((s: { id: string }) => s.id), [id]);
  assert.equal((await api(server, 'GET', '/api/v1/sessions', { token: bob })).body.sessions[0].id, id);

  const ended = await api(server, 'DELETE', `/api/v1/sessions/${id}`, { token: bob });
  assert.equal(ended.status, 200);
  assert.equal(ended.body.phase, 'ended');
  assert.equal(ended.body.sessionId, id);
  const stored = await api(server, 'GET', `/api/v1/sessions/${id}`, { token: bob });
  assert.equal(stored.body.live, false);
  assert.equal(stored.body.phase, 'ended');
  assert.ok(stored.body.endedAt);
  assert.equal(stored.body.stats.sessionId, id);
  const again = await api(server, 'PATCH', `/api/v1/sessions/${id}`, { token: bob, json: { intensity: 1 } });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'SESSION_ENDED');
});

test('POST /sessions/:id/process: one JSON chunk or one binary frame, synchronously', async (t) => {
  const server = await startTestServer(t);
  const token = await userToken(server, 'proc@example.com');
  const { body: session } = await api(server, 'POST', '/api/v1/sessions', { token, json: sessionConfig(FRAME) });
  const path = `/api/v1/sessions/${session.id}/process`;

  const { reference, error } = noiseFrame(FRAME, 0);
  const json = await api(server, 'POST', path, { token, json: { reference: Array.from(reference), error: Array.from(error), sequence: 0, captureTimestampUs: 10 } });
  assert.equal(json.status, 200);
  assert.equal(json.body.antiNoise.length, FRAME);
  assert.equal(json.body.sequence, 0);
  assert.equal(json.body.captureTimestampUs, 10);
  assert.equal(json.body.phase, 'controlling');
  assert.ok(json.body.processingUs > 0);

  const binary = await api(server, 'POST', path, { token, body: audioFrameBytes(FRAME, 1), headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(binary.status, 200);
  const frame = decodeFrame(binary.body) as DecodedAntiNoiseFrame;
  assert.equal(frame.type, 'antiNoise');
  assert.equal(frame.sequence, 1);
  assert.equal(frame.antiNoise.length, FRAME);

  const short = await api(server, 'POST', path, { token, json: { reference: [0, 1], error: [0, 1] } });
  assert.equal(short.status, 400);
  assert.equal(short.body.error.code, 'FORMAT_MISMATCH');
  // JSON has no NaN or Infinity; an overflowing literal (1e400) is the closest a JSON client gets: it parses to Infinity.
  const overflowing = Array.from(reference).map((x, i) => (i === 3 ? '1e400' : String(x))).join(',');
  const infinite = await api(server, 'POST', path, { token, body: `{"reference":[${overflowing}],"error":[${Array.from(error).join(',')}]}`, headers: { 'content-type': 'application/json' } });
  assert.equal(infinite.status, 400);
  assert.equal(infinite.body.error.code, 'INVALID_AUDIO');
  const wrongRate = encodeAudioFrame({ sequence: 2, captureTimestampUs: 0, sampleRate: 8000, reference, error });
  const mismatch = await api(server, 'POST', path, { token, body: wrongRate, headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.body.error.code, 'FORMAT_MISMATCH');
  const garbage = await api(server, 'POST', path, { token, body: new Uint8Array(10), headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(garbage.status, 400);
  assert.equal(garbage.body.error.code, 'BAD_REQUEST');

  const stats = await api(server, 'GET', `/api/v1/sessions/${session.id}`, { token });
  assert.equal(stats.body.stats.framesProcessed, 2);
});

test('a session read while it is being ended shows its final stats; a second end gets the same stats', async (t) => {
  const server = await startTestServer(t);
  const token = await userToken(server, 'ending@example.com');
  const { body: session } = await api(server, 'POST', '/api/v1/sessions', { token, json: sessionConfig(FRAME) });
  const processed = await api(server, 'POST', `/api/v1/sessions/${session.id}/process`, {
    token, body: audioFrameBytes(FRAME, 0), headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(processed.status, 200);
  const owner = { userId: session.userId, email: 'ending@example.com', role: 'admin', via: 'jwt' } as const;

  // A stream closing ends its session in the background; a client that reads the session at once (the gRPC and
  // WebSocket clients do, after the call) must not see an ended session without its stats.
  const ending = server.sessions.finish(session.id, 'call ended');
  const [view, again] = await Promise.all([server.sessions.get(owner, session.id), server.sessions.finish(session.id, 'connection closed')]);
  const stats = await ending;
  assert.equal(view.live, false);
  assert.equal(view.stats?.framesProcessed, 1);
  assert.equal(view.stats?.endReason, 'call ended');
  assert.equal(again, stats, 'the second end waits for the first');
});

test('a body over ANTIPHASE_MAX_BODY_BYTES is 413 with a clear error', async (t) => {
  const server = await startTestServer(t, { maxBodyBytes: 4096 });
  const token = await userToken(server, 'big@example.com');
  const big = { sampleRate: 16000, frameSize: 160, secondaryPathEstimate: new Array(2000).fill(0.001) };
  const reply = await api(server, 'POST', '/api/v1/sessions', { token, json: big });
  assert.equal(reply.status, 413);
  assert.equal(reply.body.error.code, 'PAYLOAD_TOO_LARGE');
  assert.match(reply.body.error.message, /4096 bytes \(ANTIPHASE_MAX_BODY_BYTES\)/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { API_ERRORS, CONFIG_VARIABLES } from '@antiphase/server';
import { api, audioFrameBytes, sessionConfig, startTestServer, StreamClient, userToken } from './helpers.js';

test('GET /health and GET /ready report liveness and readiness', async (t) => {
  const server = await startTestServer(t);
  assert.deepEqual((await api(server, 'GET', '/health')).body, { status: 'ok' });
  const ready = await api(server, 'GET', '/ready');
  assert.equal(ready.status, 200);
  assert.equal(ready.body.status, 'ready');
  assert.equal(ready.body.checks.database, 'ok');
  await server.store.close(); // the database goes away: not ready any more
  const notReady = await api(server, 'GET', '/ready');
  assert.equal(notReady.status, 503);
  assert.notEqual(notReady.body.checks.database, 'ok');
});

test('GET /metrics exposes frame latency by transport, active sessions, frame counters and HTTP durations', async (t) => {
  const server = await startTestServer(t);
  const token = await userToken(server, 'metrics@example.com');
  const client = await StreamClient.connect(server, token);
  t.after(() => client.close());
  client.hello({ config: sessionConfig() });
  await client.next('ready');
  for (let k = 0; k < 10; k++) client.send(audioFrameBytes(160, k));
  await client.until((fs) => fs.filter((f) => f.type === 'antiNoise').length === 10);
  const text = (await api(server, 'GET', '/metrics')).body as string;
  assert.match(text, /antiphase_frame_processing_seconds_bucket\{le="0\.00001",transport="ws"\} \d+/);
  assert.match(text, /antiphase_frame_processing_seconds_bucket\{le="0\.05",transport="ws"\} \d+/);
  assert.match(text, /antiphase_frame_processing_seconds_count\{transport="ws"\} 10/);
  assert.match(text, /antiphase_active_sessions\{transport="ws"\} 1/);
  assert.match(text, /antiphase_frames_total\{transport="ws"\} 10/);
  assert.match(text, /antiphase_frames_late_total\{transport="ws"\} 0/);
  assert.match(text, /antiphase_frames_lost_total\{transport="grpc"\} 0/);
  assert.match(text, /antiphase_frames_invalid_total\{transport="rest"\} 0/);
  assert.match(text, /antiphase_background_jobs_skipped_total 0/);
  assert.match(text, /antiphase_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/auth\/login",status="200"\} 1/);
});

test('GET /openapi.json describes every route with its schemas', async (t) => {
  const server = await startTestServer(t);
  const doc = (await api(server, 'GET', '/openapi.json')).body;
  assert.equal(doc.openapi, '3.0.3');
  for (const path of ['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/auth/me', '/api/v1/api-keys', '/api/v1/api-keys/{id}',
    '/api/v1/sessions', '/api/v1/sessions/{id}', '/api/v1/sessions/{id}/process', '/api/v1/jobs', '/api/v1/jobs/{id}',
    '/api/v1/jobs/{id}/result', '/api/v1/jobs/{id}/report', '/health', '/ready', '/metrics']) {
    assert.ok(doc.paths[path], `${path} is documented`);
  }
  // @fastify/websocket hides WebSocket routes from OpenAPI; /api/v1/stream is described in docs/protocol.md.
  const create = doc.paths['/api/v1/sessions'].post;
  assert.deepEqual(create.requestBody.content['application/json'].schema.required, ['sampleRate', 'frameSize']);
  assert.equal((await api(server, 'GET', '/no/such/route')).body.error.code, 'NOT_FOUND');
});

test('docs/configuration.md documents exactly the configuration variables', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `(ANTIPHASE_[A-Z_]+)` \|/gm)].map((m) => m[1]));
  assert.deepEqual([...documented].sort(), Object.keys(CONFIG_VARIABLES).sort());
});

test('packages/server/README.md lists exactly the REST error codes with their HTTP status', () => {
  const doc = readFileSync(new URL('../../packages/server/README.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
  assert.deepEqual(rows.sort(), Object.entries(API_ERRORS).map(([code, { status }]) => [code, status]).sort());
});

test('live sessions append a session_metrics row every ANTIPHASE_METRICS_INTERVAL, off the audio path', async (t) => {
  const server = await startTestServer(t, { metricsIntervalSeconds: 1 });
  const token = await userToken(server, 'rows@example.com');
  const client = await StreamClient.connect(server, token);
  t.after(() => client.close());
  client.hello({ config: sessionConfig() });
  const ready = await client.next('ready');
  const sessionId = (ready as { value: { sessionId: string } }).value.sessionId;
  // 1.2 s of audio (one stats event per second of audio), paced in bursts the connection queue holds.
  for (let k = 0; k < 120; k += 10) {
    for (let j = k; j < k + 10; j++) client.send(audioFrameBytes(160, j));
    await client.until((fs) => fs.filter((f) => f.type === 'antiNoise').length === k + 10);
  }
  let rows = await server.store.sessionMetrics(sessionId, 10);
  for (let i = 0; i < 60 && rows.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    rows = await server.store.sessionMetrics(sessionId, 10);
  }
  assert.equal(rows.length, 1, 'one row: nothing new was processed after it');
  assert.ok(rows[0].frames > 0 && rows[0].frames <= 120, `frames ${rows[0].frames}`);
  assert.ok(Number.isFinite(rows[0].nrDb));
  assert.ok(rows[0].processingUsP99 >= rows[0].processingUsP50);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readWav } from '@antiphase/dsp';
import { SqliteStore } from '@antiphase/server';
import { api, recordingPair, sessionConfig, startTestServer, tempDir, userToken } from './helpers.js';

test('a restart on the same data directory keeps users, API keys, sessions and jobs', async (t) => {
  const dataDir = tempDir(t);
  const first = await startTestServer(t, {}, dataDir);
  const token = await userToken(first, 'durable@example.com', 'durable password');
  const key = (await api(first, 'POST', '/api/v1/api-keys', { token, json: { name: 'ci' } })).body.key as string;
  const revoked = (await api(first, 'POST', '/api/v1/api-keys', { token, json: { name: 'old' } })).body;
  await api(first, 'DELETE', `/api/v1/api-keys/${revoked.id}`, { token });

  const ended = (await api(first, 'POST', '/api/v1/sessions', { token, json: sessionConfig() })).body.id as string;
  await api(first, 'DELETE', `/api/v1/sessions/${ended}`, { token });
  const running = (await api(first, 'POST', '/api/v1/sessions', { token, json: sessionConfig() })).body.id as string;

  const pair = recordingPair(0.5);
  const doneJob = (await api(first, 'POST', '/api/v1/jobs', { token, json: { primary: Buffer.from(pair.primary).toString('base64'), reference: Buffer.from(pair.reference).toString('base64'), config: { taps: 16 } } })).body.id;
  for (let i = 0; i < 400 && (await api(first, 'GET', `/api/v1/jobs/${doneJob}`, { token })).body.status !== 'done'; i++) await new Promise((r) => setTimeout(r, 25));
  // A longer job, still queued or running when the server stops: it goes back to the queue and runs after the restart.
  const long = recordingPair(4);
  const interruptedJob = (await api(first, 'POST', '/api/v1/jobs', { token, json: { primary: Buffer.from(long.primary).toString('base64'), reference: Buffer.from(long.reference).toString('base64'), config: { taps: 1024 } } })).body.id;
  await first.close();

  // A crash leaves a session open in the store: the next start marks it interrupted.
  const store = new SqliteStore({ path: join(dataDir, 'antiphase.db') });
  const userId = (await store.userByEmail('durable@example.com'))!.id;
  await store.createSession({ id: 'crashed-session', userId, config: sessionConfig(), phase: 'controlling', transport: 'ws', createdAt: new Date().toISOString() });
  await store.close();

  const second = await startTestServer(t, {}, dataDir);
  const login = await api(second, 'POST', '/api/v1/auth/login', { json: { email: 'durable@example.com', password: 'durable password' } });
  assert.equal(login.status, 200, 'the user survives');
  assert.equal((await api(second, 'GET', '/api/v1/auth/me', { token })).status, 200, 'a JWT issued before the restart still verifies (the secret is kept)');
  assert.equal((await api(second, 'GET', '/api/v1/auth/me', { token: key })).status, 200, 'the API key survives');
  assert.equal((await api(second, 'GET', '/api/v1/auth/me', { token: revoked.key })).status, 401, 'a revoked key stays revoked');

  const sessions = (await api(second, 'GET', '/api/v1/sessions', { token })).body.sessions as { id: string; phase: string; live: boolean; stats: { endReason: string } | null }[];
  const byId = new Map(sessions.map((s) => [s.id, s]));
  assert.equal(byId.get(ended)?.phase, 'ended');
  assert.equal(byId.get(ended)?.stats?.endReason, 'ended by request');
  assert.equal(byId.get(running)?.phase, 'ended');
  assert.equal(byId.get(running)?.stats?.endReason, 'server shutdown', 'a graceful shutdown ends live sessions and stores their stats');
  assert.equal(byId.get('crashed-session')?.phase, 'interrupted');
  assert.ok(sessions.every((s) => !s.live));

  const done = await api(second, 'GET', `/api/v1/jobs/${doneJob}/result`, { token });
  assert.equal(done.status, 200);
  assert.equal(readWav(done.body).channels[0].length, 8000);
  let status = '';
  for (let i = 0; i < 1200 && status !== 'done' && status !== 'failed'; i++) {
    status = (await api(second, 'GET', `/api/v1/jobs/${interruptedJob}`, { token })).body.status;
    if (status !== 'done') await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(status, 'done', 'the interrupted job was re-queued and finished');
  const report = (await api(second, 'GET', `/api/v1/jobs/${interruptedJob}/report`, { token })).body;
  assert.equal(report.processedSamples, 64000);
});

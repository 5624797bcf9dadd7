/**
 * StreamConnection, the frame protocol over any message socket (WebSocket, WebRTC data channel), on the real session
 * service, engine and store. With the engine on the connection's own thread (the default on 2 cores) a frame is
 * answered before onMessage returns: nothing is queued and no promise is made per frame.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '@antiphase/engine';
import { decodeFrame, encodeAudioFrame, encodeJsonFrame, type DecodedFrame } from '@antiphase/protocol';
import { ServerMetrics } from '../metrics.js';
import { SessionService } from '../sessions.js';
import { SqliteStore } from '../store/sqlite.js';
import { StreamConnection } from './ws.js';

const FRAME = 160;

async function readyConnection(t: TestContext, workers: number): Promise<{ connection: StreamConnection; received: DecodedFrame[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'antiphase-ws-'));
  const store = new SqliteStore({ path: join(dir, 'antiphase.db') });
  await store.migrate();
  const engine = new Engine({ workers, classifierModel: null });
  const sessions = new SessionService(engine, store, new ServerMetrics(), { maxSessions: 10, metricsIntervalSeconds: 60 });
  t.after(async () => {
    await sessions.close();
    await engine.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const user = await store.createUser({ id: 'u1', email: 'stream@example.com', passwordHash: 'x', createdAt: new Date().toISOString() });
  const received: DecodedFrame[] = [];
  const connection = new StreamConnection({
    sessions, principal: { userId: user.id, email: user.email, role: user.role, via: 'jwt' }, queueFrames: 16,
    socket: { send: (bytes) => received.push(decodeFrame(bytes)), close: () => undefined, bufferedAmount: () => 0 },
  });
  connection.onMessage(encodeJsonFrame('hello', { config: { sampleRate: 16000, frameSize: FRAME, taps: 32, secondaryPathEstimate: [0, 0.8, 0.2] } }));
  for (let i = 0; i < 200 && !received.some((f) => f.type === 'ready'); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(received.map((f) => f.type), ['ready']);
  return { connection, received };
}

function audio(sequence: number): Uint8Array {
  const reference = new Float32Array(FRAME).map((_, i) => Math.sin(0.1 * (sequence * FRAME + i)));
  return encodeAudioFrame({ sequence, captureTimestampUs: (sequence * FRAME * 1e6) / 16000, sampleRate: 16000, reference, error: reference });
}

test('with the engine inline, each audio frame is answered before onMessage returns', async (t) => {
  const { connection, received } = await readyConnection(t, 0);
  for (let k = 0; k < 5; k++) {
    connection.onMessage(audio(k));
    assert.equal(received.length, 2 + k, `frame ${k} answered synchronously`);
    const answer = received[1 + k];
    assert.equal(answer.type, 'antiNoise');
    assert.equal(answer.sequence, k);
  }
  connection.onClose();
});

test('with the engine on a worker thread, frames are queued and answered in order after the hop', async (t) => {
  const { connection, received } = await readyConnection(t, 1);
  for (let k = 0; k < 5; k++) connection.onMessage(audio(k));
  assert.equal(received.length, 1, 'nothing is answered before the worker replies');
  for (let i = 0; i < 200 && received.length < 6; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(received.slice(1).map((f) => [f.type, f.sequence]), [0, 1, 2, 3, 4].map((k) => ['antiNoise', k]));
  connection.onClose();
});

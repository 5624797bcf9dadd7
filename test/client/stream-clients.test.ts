/**
 * The stream clients' contract against a real server: connect errors carry the protocol's codes (docs/protocol.md) and say
 * whether the session can go on, int16 PCM works, close() is idempotent and send() after it fails clearly; and the
 * browser entry stays free of Node-only modules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '@antiphase/protocol';
import { GrpcStreamClient, StreamError, VirtualRoom, WsStreamClient } from '@antiphase/client';
import { signedUpClient, startTestServer } from './support.js';

test('connect failures are StreamErrors with protocol codes: UNAUTHORIZED for bad credentials, UNKNOWN_SESSION for a bad id', async (t) => {
  const server = await startTestServer(t);
  const api = await signedUpClient(server);
  const config = { sampleRate: 16000, frameSize: 160 };
  const attempts = [
    new WsStreamClient().connect({ url: server.url, token: 'not-a-token', config }),
    new GrpcStreamClient().connect({ url: `127.0.0.1:${server.grpcPort}`, token: 'not-a-token', config }),
    new WsStreamClient().connect({ url: server.url, token: api.token, sessionId: 'no-such-session', config }),
    new GrpcStreamClient().connect({ url: `127.0.0.1:${server.grpcPort}`, token: api.token, sessionId: 'no-such-session', config }),
    new WsStreamClient().connect({ url: server.url, token: api.token, config: { sampleRate: 16000, frameSize: 3 } }),
  ];
  const expected = [ErrorCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, ErrorCode.UNKNOWN_SESSION, ErrorCode.UNKNOWN_SESSION, ErrorCode.INVALID_CONFIG];
  const results = await Promise.allSettled(attempts);
  results.forEach((result, i) => {
    assert.equal(result.status, 'rejected', `attempt ${i}`);
    const error = (result as PromiseRejectedResult).reason as StreamError;
    assert.ok(error instanceof StreamError, `attempt ${i}: ${String(error)}`);
    assert.equal(error.code, expected[i], `attempt ${i}: ${error.codeName} ${error.message}`);
    assert.equal(error.fatal, true, `attempt ${i} is session-level`);
  });
});

test('an int16 session streams int16 PCM both ways; close() is idempotent and send() after it throws', async (t) => {
  const server = await startTestServer(t);
  const api = await signedUpClient(server);
  const room = new VirtualRoom({ scene: 'engine', frameSize: 160, pace: false, slotDeadlineMs: 250 });
  const client = new WsStreamClient();
  const ready = await client.connect({ url: server.url, token: api.token, config: room.sessionConfig({ sampleFormat: 'int16' }) });
  assert.equal(ready.sampleFormat, 'int16');
  const report = await room.run(client, { durationS: 1 });
  assert.equal(report.framesSent, 100);
  assert.equal(report.framesOnTime + report.framesLate, 100);
  assert.deepEqual(report.errors, {});
  const closes: boolean[] = [];
  client.on('close', (event) => closes.push(event.final));
  await client.close();
  await client.close();
  assert.deepEqual(closes, [true]);
  assert.equal(client.connected, false);
  assert.throws(() => client.send(new Float32Array(160), new Float32Array(160)), /send\(\) after close\(\)/);
});

test('send() refuses a frame of the wrong size before it reaches the wire, and the stream goes on', async (t) => {
  const server = await startTestServer(t);
  const api = await signedUpClient(server);
  const client = new WsStreamClient();
  t.after(() => client.close());
  await client.connect({ url: server.url, token: api.token, config: { sampleRate: 16000, frameSize: 160 } });
  assert.throws(() => client.send(new Float32Array(32), new Float32Array(32)), /frames carry 160 samples per channel/);
  const answered = new Promise<number>((resolve) => client.on('antiNoise', (event) => resolve(event.sequence)));
  const { sequence } = client.send(new Float32Array(160), new Float32Array(160));
  assert.equal(await answered, sequence);
  assert.equal(client.connected, true);
});

test('the browser entry imports nothing Node-only (no node:*, ws or @grpc)', () => {
  const src = fileURLToPath(new URL('../../packages/client/src/', import.meta.url));
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
      const specifier = match[1];
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else assert.ok(!/^(node:|ws$|@grpc\/)/.test(specifier), `${file} imports ${specifier}`);
    }
  };
  visit(join(src, 'browser.ts'));
  assert.ok(seen.size >= 6, [...seen].join(', '));
  assert.ok(!seen.has(join(src, 'grpc-client.ts')) && !seen.has(join(src, 'index.ts')));
});

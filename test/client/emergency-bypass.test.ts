/**
 * Emergency bypass end to end: a siren starts in the virtual room's street noise; the server's detector mutes the
 * anti-noise, the client gets event frames (WebSocket) or event chunks (gRPC), the webhook gets a POST, the events
 * are stored and counted in /metrics, and cancellation resumes after the siren plus the hold time.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GrpcStreamClient, VirtualRoom, WsStreamClient, type StreamClient } from '@antiphase/client';
import { Random } from '@antiphase/dsp';
import { siren, SOURCES } from '@antiphase/intelligence';
import { signedUpClient, startTestServer } from './support.js';

const SR = 16000;
const SIREN_START_S = 3;
const SIREN_END_S = 5;
const HOLD_S = 1;
const DURATION_S = 10;

interface NoiseEvent { sessionId: string; type: string; atS: number; t: string; detail: Record<string, unknown> }

function streetWithSiren(): Float32Array {
  const rng = new Random(8);
  const street = SOURCES.traffic(rng, DURATION_S * SR);
  const wail = siren(rng, (SIREN_END_S - SIREN_START_S) * SR, 'wail');
  const level = (x: Float32Array): number => Math.sqrt(x.reduce((sum, v) => sum + v * v, 0) / x.length);
  const gain = (3.16 * level(street)) / level(wail); // 10 dB over the street
  for (let i = 0; i < wail.length; i++) street[SIREN_START_S * SR + i] += gain * wail[i];
  const scale = 0.1 / level(street);
  return street.map((v) => v * scale);
}

async function webhookReceiver(t: TestContext): Promise<{ url: string; received: NoiseEvent[] }> {
  const received: NoiseEvent[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push(JSON.parse(body) as NoiseEvent);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

for (const transport of ['ws', 'grpc'] as const) {
  test(`over ${transport}, a siren in the room bypasses the anti-noise, tells client and webhook, and control resumes after the hold`, async (t) => {
    const hook = await webhookReceiver(t);
    const server = await startTestServer(t, { webhookUrl: hook.url });
    const api = await signedUpClient(server);
    const room = new VirtualRoom({ scene: streetWithSiren(), frameSize: 32, pace: false, slotDeadlineMs: 250, identificationS: 1 });
    const client: StreamClient = transport === 'ws' ? new WsStreamClient() : new GrpcStreamClient();
    t.after(() => client.close());
    const events: NoiseEvent[] = [];
    client.on('event', (event) => events.push(event as NoiseEvent));
    const noiseTypes = new Set<string>();
    client.on('antiNoise', (frame) => frame.noiseType && noiseTypes.add(frame.noiseType));
    const ready = await client.connect({
      url: transport === 'ws' ? server.url : `127.0.0.1:${server.grpcPort}`, token: api.token, config: { ...room.sessionConfig(), bypassHoldS: HOLD_S },
    });
    const report = await room.run(client, { durationS: DURATION_S });
    assert.equal(report.stoppedBy, 'done');
    const nr = report.nrDbPerSecond;
    t.diagnostic(`${transport}: NR per second ${nr.map((v) => v.toFixed(1)).join(' ')} dB; events ${events.map((e) => `${e.type}@${e.atS}`).join(' ')}`);

    const on = events.find((e) => e.type === 'bypass-on');
    const off = events.find((e) => e.type === 'bypass-off');
    assert.ok(on && on.atS >= SIREN_START_S && on.atS <= SIREN_START_S + 0.3, `bypass-on at ${on?.atS} s, the siren starts at ${SIREN_START_S} s`);
    assert.ok(off && off.atS >= SIREN_END_S + HOLD_S, `bypass-off at ${off?.atS} s: after the siren (until ${SIREN_END_S} s) and the hold (${HOLD_S} s)`);
    // The listener hears the street and the siren uncancelled meanwhile, and cancellation is back once the bypass ends.
    assert.ok(nr[SIREN_START_S + 1] < 3, `NR while bypassed ${nr[SIREN_START_S + 1].toFixed(1)} dB`);
    assert.ok(nr[SIREN_START_S - 1] >= 15, `NR before the siren ${nr[SIREN_START_S - 1].toFixed(1)} dB`);
    assert.ok(nr[DURATION_S - 1] >= 15, `NR after the bypass ${nr[DURATION_S - 1].toFixed(1)} dB`);
    if (transport === 'grpc') assert.ok(noiseTypes.has('traffic'), `noise_type in the chunks: ${[...noiseTypes].join(', ')}`);

    // Stored, delivered to the webhook, counted.
    const stored = (await (await fetch(`${server.url}/api/v1/sessions/${ready.sessionId}/events`, { headers: { authorization: `Bearer ${api.token}` } })).json()) as { events: NoiseEvent[] };
    assert.deepEqual(stored.events.map((e) => e.type), events.map((e) => e.type));
    assert.deepEqual(stored.events.find((e) => e.type === 'bypass-on')?.atS, on.atS);
    for (let wait = 0; hook.received.length < events.length && wait < 100; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(hook.received.map((e) => [e.type, e.atS]), events.map((e) => [e.type, e.atS]));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /antiphase_noise_events_total\{type="bypass-on"\} 1\b/);
    assert.match(metrics, /antiphase_sessions_bypassed 0\b/);
  });
}

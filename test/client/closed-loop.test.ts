/**
 * The acoustic loop closed over the network, end to end: a VirtualRoom here, the controller in a real server on
 * loopback. The room runs unpaced (the frame schedule is the same as in real time; each slot waits at most
 * SLOT_DEADLINE_MS for its anti-noise, so a loaded CI machine's scheduling stalls do not decide the acoustics —
 * late answers are still counted and discarded). The server identifies Ŝ for 1 s (playout delay included), then
 * controls; the thresholds apply to the 5th second of control, i.e. second 6 of the run.
 *
 * Geometry (virtual-room.ts): 32-sample frames at 16 kHz, playout 2 frames, P leads by 96 samples, S by 4, so
 * the causality margin is +28 samples and broadband noise is cancellable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcStreamClient, RtcStreamClient, VirtualRoom, WsStreamClient, type StreamClient, type VirtualRoomReport } from '@antiphase/client';
import type { SceneName } from '@antiphase/dsp';
import { signedUpClient, startTestServer } from './support.js';

const SLOT_DEADLINE_MS = 250;
const IDENTIFICATION_S = 1;
const CONTROL_S = 5;

async function runLoop(t: { after(fn: () => unknown): void; diagnostic(message: string): void }, transport: StreamClient['transport'], scene: SceneName): Promise<VirtualRoomReport> {
  const server = await startTestServer(t, { webrtcAddresses: ['127.0.0.1'] });
  const api = await signedUpClient(server);
  const room = new VirtualRoom({ scene, frameSize: 32, pace: false, slotDeadlineMs: SLOT_DEADLINE_MS, identificationS: IDENTIFICATION_S });
  assert.equal(room.causalityMarginSamples, 28);
  const client: StreamClient = transport === 'ws' ? new WsStreamClient() : transport === 'grpc' ? new GrpcStreamClient() : new RtcStreamClient();
  t.after(() => client.close());
  const url = transport === 'grpc' ? `127.0.0.1:${server.grpcPort}` : server.url;
  const ready = await client.connect({ url, token: api.token, config: room.sessionConfig() });
  assert.equal(ready.frameSize, 32);
  assert.equal(ready.sampleRate, 16000);
  assert.equal(ready.phase, 'identifying');
  const report = await room.run(client, { durationS: IDENTIFICATION_S + CONTROL_S });
  t.diagnostic(
    `${transport} ${scene}: NR per second ${report.nrDbPerSecond.map((v) => v.toFixed(1)).join(' ')} dB; ` +
      `rtt p50 ${(report.rttUs.p50 / 1000).toFixed(2)} ms p99 ${(report.rttUs.p99 / 1000).toFixed(2)} ms; ` +
      `sent ${report.framesSent} late ${report.framesLate} lost ${report.framesLost}; ${report.wallS.toFixed(1)} s wall`,
  );
  assert.equal(report.stoppedBy, 'done');
  assert.equal(report.framesSent, (IDENTIFICATION_S + CONTROL_S) * 500);
  assert.deepEqual(report.errors, {});
  return report;
}

for (const transport of ['ws', 'grpc', 'webrtc'] as const) {
  test(`over ${transport}, the closed loop cancels causal broadband noise by ≥ 20 dB within 5 s after a 1 s identification`, async (t) => {
    const report = await runLoop(t, transport, 'broadband');
    const nr = report.nrDbPerSecond[IDENTIFICATION_S + CONTROL_S - 1];
    assert.ok(nr >= 20, `NR in second ${IDENTIFICATION_S + CONTROL_S} is ${nr.toFixed(1)} dB`);
    // The first second is identification: the probe adds a little noise, nothing is cancelled yet.
    assert.ok(report.nrDbPerSecond[0] < 3);
  });

  test(`over ${transport}, the closed loop cancels engine harmonics by ≥ 30 dB within 5 s after a 1 s identification`, async (t) => {
    const report = await runLoop(t, transport, 'engine');
    const nr = report.nrDbPerSecond[IDENTIFICATION_S + CONTROL_S - 1];
    assert.ok(nr >= 30, `NR in second ${IDENTIFICATION_S + CONTROL_S} is ${nr.toFixed(1)} dB`);
  });
}

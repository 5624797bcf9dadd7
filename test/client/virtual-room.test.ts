/**
 * VirtualRoom on its own: the loop closed through an engine Session in this thread (no network), and the playout
 * schedule's rules — an answer after its slot is late (counted, discarded, the slot plays silence).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualRoom, ductGeometry } from '@antiphase/client';
import { pathDelaySamples } from '@antiphase/dsp';
import { InProcessStreamClient } from './support.js';

test('the duct geometry gives a +28-sample causality margin at 32-sample frames and −228 at 160', () => {
  const { primaryPath, secondaryPath } = ductGeometry(16000);
  assert.equal(pathDelaySamples(primaryPath), 96);
  assert.equal(pathDelaySamples(secondaryPath), 4);
  assert.equal(new VirtualRoom({ frameSize: 32 }).causalityMarginSamples, 28);
  assert.equal(new VirtualRoom().causalityMarginSamples, -228);
  const config = new VirtualRoom({ frameSize: 32 }).sessionConfig({ identification: { durationS: 2 } });
  assert.deepEqual(config.identification, { durationS: 2, level: 0.05, taps: 128 });
});

test('through an in-process engine session, broadband noise at 32-sample frames is cancelled by ≥ 20 dB', async () => {
  const room = new VirtualRoom({ scene: 'broadband', frameSize: 32, pace: false, slotDeadlineMs: 250 });
  const client = new InProcessStreamClient();
  await client.connect({ url: 'in-process', config: room.sessionConfig() });
  const report = await room.run(client, { durationS: 6 });
  assert.equal(report.framesLate, 0);
  assert.equal(report.framesLost, 0);
  assert.equal(report.silentSlots, 0);
  assert.ok(report.nrDbPerSecond[5] >= 20, `NR ${report.nrDbPerSecond[5]}`);
});

test('answers slower than the playout budget are late: counted, discarded, and their slots play silence', async () => {
  // Every answer is held back 20 ms while the budget is 2 frame periods (4 ms).
  class SlowClient extends InProcessStreamClient {
    protected override emit<K extends Parameters<InProcessStreamClient['on']>[0]>(event: K, value: never): void {
      setTimeout(() => super.emit(event, { ...(value as object), receivedAtMs: performance.now() } as never), 20);
    }
  }
  const room = new VirtualRoom({ scene: 'broadband', frameSize: 32, pace: false });
  const client = new SlowClient();
  await client.connect({ url: 'in-process', config: room.sessionConfig() });
  const report = await room.run(client, { durationS: 0.2 });
  assert.equal(report.framesSent, 100);
  // Only the last 2 answers can count as on time: their slots lie after the end of the run.
  assert.ok(report.framesLate >= 98, `late ${report.framesLate}`);
  assert.equal(report.framesOnTime + report.framesLate + report.framesLost, 100);
  assert.equal(report.silentSlots, 98);
  // ≥ 19 ms, not 20: a timer counts from libuv's cached loop time, which can be up to a millisecond before the send.
  assert.ok(report.rttUs.p50 >= 19000, `rtt p50 ${report.rttUs.p50} µs`);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from './errors.js';
import { Session } from './session.js';
import { causalRoom, SimulatedClient } from './test-support.js';
import type { SessionConfig } from './types.js';

const room = causalRoom(160, 1);
/** The loop's true Ŝ from the engine's view: one frame of playout, then S. */
const KNOWN_PATH = Array.from({ length: 200 }, (_, n) => (n >= 160 && n < 167 ? room.secondaryPath[n - 160] : 0));
const CONFIG: SessionConfig = { sampleRate: 16000, frameSize: 160, stepSize: 0.1, playoutDelayFrames: 1, secondaryPathEstimate: KNOWN_PATH };

function loop(session: Session, client: SimulatedClient, frames: number): void {
  for (let k = 0; k < frames; k++) client.receive(session.processFrame(client.capture(session.id)));
}

test('a known Ŝ skips identification; intensity 0.5 halves the anti-noise instead of being learnt away (≈ 6 dB NR)', () => {
  const session = new Session('half', { ...CONFIG, intensity: 0.5 });
  assert.equal(session.phase, 'controlling');
  const client = new SimulatedClient(room);
  loop(session, client, 300);
  const nr = client.trueNrDb(200, 300);
  assert.ok(Math.abs(nr - 6.02) < 1, `true NR at intensity 0.5: ${nr.toFixed(2)} dB`);
  session.update({ intensity: 1 });
  loop(session, client, 200);
  assert.ok(client.trueNrDb(400, 500) >= 20, 'full intensity cancels without re-adapting from scratch');
});

test('enabled: false emits silence and counts the frames', () => {
  const session = new Session('off', { ...CONFIG, enabled: false });
  assert.equal(session.phase, 'disabled');
  const client = new SimulatedClient(room);
  for (let k = 0; k < 20; k++) {
    const result = session.processFrame(client.capture('off'))!;
    assert.ok(result.antiNoise.every((v) => v === 0));
  }
  assert.equal(session.stats().framesProcessed, 20);
});

test('controlFilter starts the controller from a known filter: cancelling from the first frames, and a tiny step keeps it fixed', () => {
  const trained = new Session('trained', CONFIG);
  loop(trained, new SimulatedClient(room), 300);
  const controlFilter = Array.from(trained.controlFilter()!);
  const cold = new Session('cold', CONFIG);
  const coldClient = new SimulatedClient(room);
  loop(cold, coldClient, 20);
  const warm = new Session('warm', { ...CONFIG, controlFilter, stepSize: 1e-9 });
  const warmClient = new SimulatedClient(room);
  loop(warm, warmClient, 20);
  assert.ok(warmClient.trueNrDb(5, 20) >= 20, `warm start NR over frames 5–20: ${warmClient.trueNrDb(5, 20).toFixed(1)} dB`);
  assert.ok(coldClient.trueNrDb(5, 20) < 10, `from zero: ${coldClient.trueNrDb(5, 20).toFixed(1)} dB`);
  const drift = Math.max(...Array.from(warm.controlFilter()!, (w, i) => Math.abs(w - controlFilter[i])));
  assert.ok(drift < 1e-6, `the filter stayed put (max tap change ${drift})`);
  assert.throws(() => new Session('short', { ...CONFIG, controlFilter: [1, 2, 3] }), (e: EngineError) => e.code === 'INVALID_CONFIG' && e.field === 'controlFilter');
});

test('a session slower than real time for 50 frames in a row ends with OVERLOADED', () => {
  let clock = 0;
  const session = new Session('slow', CONFIG, { now: () => (clock += 12) }); // 12 ms per 10 ms frame
  const client = new SimulatedClient(room);
  loop(session, client, 50);
  assert.equal(session.phase, 'ended');
  assert.equal(session.stats().framesOverrun, 50);
  assert.throws(() => session.processFrame(client.capture('slow')), (e: EngineError) => e.code === 'OVERLOADED');
});

test('switching algorithm keeps the adapted filter', () => {
  const session = new Session('switch', CONFIG);
  const client = new SimulatedClient(room);
  loop(session, client, 300);
  session.update({ algorithm: 'fxlms' });
  loop(session, client, 20);
  assert.ok(client.trueNrDb(305, 320) >= 20, `NR after the switch ${client.trueNrDb(305, 320).toFixed(1)} dB (the new controller's histories refill over the first frames)`);
  assert.throws(() => session.update({ taps: 128 } as never), (e: EngineError) => e.code === 'INVALID_CONFIG' && e.field === 'taps');
});

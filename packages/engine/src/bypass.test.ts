import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '@antiphase/dsp';
import { siren, SOURCES } from '@antiphase/intelligence';
import { Engine } from './engine.js';
import type { NoiseEvent } from './noise-monitor.js';
import { causalRoom, SimulatedClient } from './test-support.js';
import type { SessionConfig } from './types.js';

const SR = 16000;
const N = 160;
const SIREN_START_S = 4;
const SIREN_END_S = 6;
const HOLD_S = 1;

/** Street traffic with a wail siren 10 dB over it from 4 s to 6 s, then traffic again until 12 s. */
function streetWithSiren(): Float32Array {
  const rng = new Random(3);
  const street = SOURCES.traffic(rng, 12 * SR);
  const wail = siren(rng, (SIREN_END_S - SIREN_START_S) * SR, 'wail');
  const gain = (3.16 * rms(street)) / rms(wail);
  for (let i = 0; i < wail.length; i++) street[SIREN_START_S * SR + i] += gain * wail[i];
  const scale = 0.1 / rms(street);
  for (let i = 0; i < street.length; i++) street[i] *= scale;
  return street;
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / (to - from));
}

const room = { ...causalRoom(N, 1), source: streetWithSiren() };
const KNOWN_PATH = Array.from({ length: 200 }, (_, n) => (n >= N && n < N + 7 ? room.secondaryPath[n - N] : 0));
const CONFIG: SessionConfig = { sampleRate: SR, frameSize: N, stepSize: 0.1, playoutDelayFrames: 1, secondaryPathEstimate: KNOWN_PATH, bypassHoldS: HOLD_S };

/** Runs the scene through an inline engine; returns the emitted anti-noise, the events and the client (true NR). */
async function runScene(engine: Engine, config: SessionConfig) {
  const events: NoiseEvent[] = [];
  engine.on('noiseEvent', (event) => events.push(event));
  const { sessionId } = await engine.createSession(config);
  const client = new SimulatedClient(room);
  const antiNoise = new Float32Array(12 * SR);
  for (let k = 0; k < (12 * SR) / N; k++) {
    const result = await engine.processFrame(client.capture(sessionId));
    antiNoise.set(result!.antiNoise, k * N);
    client.receive(result);
    await new Promise(setImmediate); // lets the classification pass run, as between real frames
  }
  return { antiNoise, events, client, stats: await engine.getStats(sessionId) };
}

const at = (s: number): number => Math.round(s * SR);

test('emergency bypass: a siren mutes the anti-noise by 40 dB within 300 ms; it returns after the siren plus the hold time', async (t) => {
  const engine = new Engine({ workers: 0 });
  t.after(() => engine.close());
  assert.equal(engine.classifierError, null, 'the shipped classifier loads');
  const { antiNoise, events, client } = await runScene(engine, CONFIG);

  const before = rms(antiNoise, at(SIREN_START_S - 1), at(SIREN_START_S));
  assert.ok(client.trueNrDb((SIREN_START_S - 1) * 100, SIREN_START_S * 100) >= 20, 'cancelling before the siren');
  const muted = rms(antiNoise, at(SIREN_START_S + 0.3), at(SIREN_END_S));
  const dropDb = 20 * Math.log10(muted / before);
  assert.ok(dropDb <= -40, `anti-noise from 300 ms after the onset to the siren's end: ${dropDb.toFixed(1)} dB re before`);

  const on = events.find((e) => e.type === 'bypass-on');
  const off = events.find((e) => e.type === 'bypass-off');
  assert.ok(on && on.atS >= SIREN_START_S && on.atS <= SIREN_START_S + 0.3, `bypass-on at ${on?.atS} s`);
  assert.ok(off && off.atS >= SIREN_END_S + HOLD_S, `bypass-off at ${off?.atS} s: after the siren ends (${SIREN_END_S} s) plus the hold (${HOLD_S} s)`);
  assert.ok(off.atS <= SIREN_END_S + HOLD_S + 2.5, `bypass-off at ${off.atS} s: the detector's release (1.6 s) and the hold, not later`);

  // Back on: the control filter from before the siren is restored, so cancellation resumes at once.
  const backFrom = off.atS + 0.6; // after the 0.5 s fade-in
  const after = rms(antiNoise, at(backFrom), at(backFrom + 1));
  assert.ok(Math.abs(20 * Math.log10(after / before)) < 6, `anti-noise level after the bypass ${(20 * Math.log10(after / before)).toFixed(1)} dB re before`);
  const nrAfter = client.trueNrDb(Math.ceil(backFrom * 100), Math.ceil(backFrom * 100) + 100);
  assert.ok(nrAfter >= 20, `NR in the second after the fade-in: ${nrAfter.toFixed(1)} dB`);
});

test('the classifier names the noise in stats and events; with no classifier the detector alone still bypasses', async (t) => {
  const engine = new Engine({ workers: 0 });
  t.after(() => engine.close());
  const { events, stats } = await runScene(engine, CONFIG);
  const types = events.filter((e) => e.type === 'noise-type').map((e) => e.detail.label);
  assert.ok(types.includes('traffic'), `noise types reported: ${types.join(', ')}`);
  assert.ok(types.includes('siren'), `noise types reported: ${types.join(', ')}`);
  assert.equal(stats.noiseType, 'traffic', 'the street after the siren');
  assert.ok(stats.noiseConfidence !== null && stats.noiseConfidence >= 0.5);
  assert.equal(stats.emergencyBypass, false);

  const broken = new Engine({ workers: 0, classifierModel: '/nonexistent/model.json' });
  t.after(() => broken.close());
  assert.match(broken.classifierError ?? '', /emergency detector still protects.*no such file/);
  const alone = await runScene(broken, CONFIG);
  assert.ok(alone.events.some((e) => e.type === 'bypass-on' && e.detail.source === 'detector'));
  assert.equal(alone.stats.noiseType, null);
  const muted = rms(alone.antiNoise, at(SIREN_START_S + 0.3), at(SIREN_END_S));
  assert.ok(muted < 0.01 * rms(alone.antiNoise, at(SIREN_START_S - 1), at(SIREN_START_S)));
});

test('emergencyBypass: false leaves the anti-noise on through the siren; bad bypass settings are refused by name', async (t) => {
  const engine = new Engine({ workers: 0, classifierModel: null });
  t.after(() => engine.close());
  const { antiNoise, events } = await runScene(engine, { ...CONFIG, emergencyBypass: false });
  assert.equal(events.filter((e) => e.type !== 'noise-type').length, 0);
  assert.ok(rms(antiNoise, at(SIREN_START_S + 0.3), at(SIREN_END_S)) > 0.3 * rms(antiNoise, at(SIREN_START_S - 1), at(SIREN_START_S)));
  await assert.rejects(engine.createSession({ ...CONFIG, bypassHoldS: -1 }), (e: Error & { field?: string }) => e.field === 'bypassHoldS');
  await assert.rejects(engine.createSession({ ...CONFIG, emergencyBypass: 'yes' as never }), (e: Error & { field?: string }) => e.field === 'emergencyBypass');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '@antiphase/dsp';
import { presetBankToJson, SOURCES, trainPresetBank } from '@antiphase/intelligence';
import { Engine } from './engine.js';
import { causalRoom, SimulatedClient } from './test-support.js';
import type { SessionConfig } from './types.js';

const SR = 16000;
const N = 160;
const room = { ...causalRoom(N, 1), source: scaled(SOURCES.traffic(new Random(21), 4 * SR)) };
/** The loop's Ŝ from the engine's view: one frame of playout, then S. */
const KNOWN_PATH = Array.from({ length: 200 }, (_, n) => (n >= N && n < N + 7 ? room.secondaryPath[n - N] : 0));
const CONFIG: SessionConfig = { sampleRate: SR, frameSize: N, playoutDelayFrames: 1, secondaryPathEstimate: KNOWN_PATH };

function scaled(x: Float32Array): Float32Array {
  const level = Math.sqrt(x.reduce((sum, v) => sum + v * v, 0) / x.length);
  return x.map((v) => (0.1 * v) / level);
}

async function firstSecondNr(engine: Engine, config: SessionConfig): Promise<{ nrDb: number; presetId: string | null }> {
  const { sessionId } = await engine.createSession(config);
  const client = new SimulatedClient(room);
  for (let k = 0; k < SR / N; k++) client.receive(await engine.processFrame(client.capture(sessionId)));
  const stats = await engine.getStats(sessionId);
  return { nrDb: client.trueNrDb(0, SR / N), presetId: stats.presetId };
}

test('presets: a bank trained for the loop warm-starts the controller, ≥ 20 dB in the first second where FxNLMS from zero is far below', async (t) => {
  // The device profile's loop as the session sees it, S behind one frame of playout (the training loop adds one sample itself).
  const bank = trainPresetBank({
    profile: 'causal room', sampleRate: SR, primaryPath: room.primaryPath, secondaryPath: room.secondaryPath, loopLatency: N - 1,
    taps: 256, kinds: ['bands'], durationS: 3,
  });
  const engine = new Engine({ workers: 1, classifierModel: null });
  t.after(() => engine.close());
  await engine.registerPresetBank('causal-room', presetBankToJson(bank));

  const fromZero = await firstSecondNr(engine, CONFIG);
  const hybrid = await firstSecondNr(engine, { ...CONFIG, presets: 'causal-room' });
  t.diagnostic(`first second of traffic noise: FxNLMS from zero ${fromZero.nrDb.toFixed(1)} dB, hybrid ${hybrid.nrDb.toFixed(1)} dB (preset ${hybrid.presetId})`);
  assert.ok(hybrid.nrDb >= 20, `hybrid ${hybrid.nrDb.toFixed(1)} dB`);
  assert.ok(hybrid.nrDb >= fromZero.nrDb + 6, `from zero ${fromZero.nrDb.toFixed(1)} dB`);
  assert.match(hybrid.presetId ?? '', /^band:/);
  assert.equal(fromZero.presetId, null);

  await assert.rejects(engine.createSession({ ...CONFIG, presets: 'no-such-bank' }), (e: Error & { field?: string }) => e.field === 'presets' && /no preset bank "no-such-bank"/.test(e.message));
  await assert.rejects(engine.createSession({ ...CONFIG, taps: 128, presets: 'causal-room' }), /holds 256-tap filters at 16000 Hz; the session runs 128 taps/);
  await assert.rejects(engine.registerPresetBank('broken', { profile: 'x', sampleRate: SR, taps: 4, presets: [{ id: 'a', weights: [1, 2] }] }), /must have 4 weights/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from './engine.js';
import { EngineError } from './errors.js';
import { Session } from './session.js';
import { causalRoom, SimulatedClient } from './test-support.js';
import type { NoiseEvent } from './noise-monitor.js';
import type { AudioFrame, SessionConfig, SessionStats } from './types.js';

const CONFIG: SessionConfig = { sampleRate: 16000, frameSize: 160, stepSize: 0.1 };

async function run(engine: Engine, client: SimulatedClient, id: string, frames: number, skip: (k: number) => boolean = () => false): Promise<void> {
  for (let i = 0; i < frames; i++) {
    const k = client.frame;
    const frame = client.capture(id);
    if (skip(k)) continue; // never reaches the engine: its slot plays silence
    client.receive(await engine.processFrame(frame));
  }
}

function frameOf(id: string, sequence: number, captureTimestampUs: number, value = 0): AudioFrame {
  return { sessionId: id, sequence, captureTimestampUs, reference: new Float32Array(160).fill(value), error: new Float32Array(160).fill(value) };
}

test('a closed loop through a worker identifies Ŝ, then cancels causal broadband noise by ≥ 20 dB within 5 s, and its own NR estimate tracks the true one', async (t) => {
  const engine = new Engine({ workers: 1 });
  t.after(() => engine.close());
  const client = new SimulatedClient(causalRoom(160, 2));
  const created = await engine.createSession(CONFIG, 'loop');
  assert.equal(created.phase, 'identifying');
  await run(engine, client, 'loop', 199);
  assert.equal((await engine.getStats('loop')).phase, 'identifying');
  await run(engine, client, 'loop', 301); // 500 frames = 5 s of audio
  const stats = await engine.getStats('loop');
  assert.equal(stats.phase, 'controlling');
  assert.equal(stats.secondaryPathDelaySamples, 2 * 160 + 4, 'Ŝ includes the two frames of playout delay');
  const trueNr = client.trueNrDb(400, 500);
  assert.ok(trueNr >= 20, `true NR over the 5th second ${trueNr.toFixed(1)} dB`);
  assert.equal(stats.nrHistoryDb.length, 3);
  assert.ok(Math.abs(stats.nrDb - trueNr) <= 3, `estimated ${stats.nrDb.toFixed(1)} dB vs true ${trueNr.toFixed(1)} dB`);
  assert.equal(stats.framesProcessed, 500);
  assert.equal(stats.worker, 0);
});

test('sequence gaps are counted as lost and keep the anti-noise aligned with later errors', async (t) => {
  const engine = new Engine({ workers: 0 });
  t.after(() => engine.close());
  const client = new SimulatedClient(causalRoom(160, 1));
  await engine.createSession({ ...CONFIG, playoutDelayFrames: 1 }, 'gap');
  // One gap while identifying (a misaligned probe would ruin Ŝ), one while controlling (it would ruin d̂).
  await run(engine, client, 'gap', 600, (k) => (k >= 100 && k < 103) || (k >= 350 && k < 353));
  const stats = await engine.getStats('gap');
  assert.equal(stats.framesLost, 6);
  assert.equal(stats.framesProcessed, 594);
  assert.equal(stats.secondaryPathDelaySamples, 160 + 4);
  const trueNr = client.trueNrDb(500, 600);
  assert.ok(trueNr >= 20, `true NR after the gaps ${trueNr.toFixed(1)} dB`);
  // The internal model's floor caps the estimate near 40 dB; below that it must track the truth.
  assert.ok(stats.nrDb >= Math.min(trueNr, 35) - 3 && stats.nrDb <= trueNr + 3, `estimated ${stats.nrDb.toFixed(1)} dB vs true ${trueNr.toFixed(1)} dB`);
});

/** ‖Ŝ − S‖² / ‖S‖², dB, against the loop's true path from the engine's view: D·N samples of playout, then S. */
function misalignmentDb(estimate: Float32Array, secondaryPath: number[], delay: number): number {
  let error = 0;
  let power = 0;
  for (let n = 0; n < estimate.length; n++) {
    const truth = n >= delay && n < delay + secondaryPath.length ? secondaryPath[n - delay] : 0;
    error += (estimate[n] - truth) ** 2;
    power += truth ** 2;
  }
  return 10 * Math.log10(error / power);
}

test('with 30 % of the answers late (their slots silent and flagged antiNoiseMissing), Ŝ is still identified and the played slots are cancelled by ≥ 15 dB; ignoring the flag would not', async (t) => {
  const engine = new Engine({ workers: 1 }); // the flag crosses the worker hop
  t.after(() => engine.close());
  const room = { ...causalRoom(160, 2), lateFraction: 0.3 };
  const client = new SimulatedClient(room);
  await engine.createSession({ ...CONFIG, playoutDelayFrames: 2 }, 'late30');
  await run(engine, client, 'late30', 700); // 2 s of identification, 5 s of control
  const stats = await engine.getStats('late30');
  const silent = client.silent.filter(Boolean).length;
  assert.ok(silent >= 0.25 * 700 && silent <= 0.35 * 700, `${silent} silent slots`);
  assert.equal(stats.framesSilentAtClient, silent);
  assert.equal(stats.phase, 'controlling');
  assert.equal(stats.secondaryPathDelaySamples, 2 * 160 + 4);
  // The worker does not hand Ŝ out: the same loop through a Session (same code, same numbers) does.
  const session = new Session('late30', { ...CONFIG, playoutDelayFrames: 2 });
  const replay = new SimulatedClient(room);
  for (let k = 0; k < 700; k++) replay.receive(session.processFrame(replay.capture('late30')));
  assert.deepEqual(session.stats().nrHistoryDb, stats.nrHistoryDb, 'the replay is the same loop');
  const misalignment = misalignmentDb(session.secondaryPathEstimate()!, room.secondaryPath, 2 * 160);
  assert.ok(misalignment <= -30, `Ŝ misalignment ${misalignment.toFixed(1)} dB`);
  // The slots that played anti-noise are cancelled; the silent ones cannot be (they cap the overall NR near 5 dB).
  const played = client.trueNrDb(500, 700, true);
  assert.ok(played >= 15, `true NR over the played slots of the last 2 s: ${played.toFixed(1)} dB`);
  const overall = client.trueNrDb(600, 700);
  assert.ok(Math.abs(stats.nrDb - overall) <= 3, `estimated ${stats.nrDb.toFixed(1)} dB vs true ${overall.toFixed(1)} dB (silent slots included)`);

  // Contrast: the same loop with the flags stripped. The engine then believes every answer was played: Ŝ comes
  // out scaled by the share actually played, and the controller overshoots to make up for the silent slots.
  const blind = new Session('blind', { ...CONFIG, playoutDelayFrames: 2 });
  const blindClient = new SimulatedClient(room);
  for (let k = 0; k < 700; k++) blindClient.receive(blind.processFrame({ ...blindClient.capture('blind'), antiNoiseMissing: false }));
  const blindMisalignment = misalignmentDb(blind.secondaryPathEstimate()!, room.secondaryPath, 2 * 160);
  const blindPlayed = blindClient.trueNrDb(500, 700, true);
  assert.ok(blindMisalignment > -15, `without the flag Ŝ misalignment ${blindMisalignment.toFixed(1)} dB`);
  assert.ok(blindPlayed < 10, `without the flag the played slots get ${blindPlayed.toFixed(1)} dB`);
  t.diagnostic(`flagged: misalignment ${misalignment.toFixed(1)} dB, NR played ${played.toFixed(1)} dB, overall ${overall.toFixed(1)} dB ` +
    `(estimate ${stats.nrDb.toFixed(1)} dB); flags ignored: misalignment ${blindMisalignment.toFixed(1)} dB, NR played ${blindPlayed.toFixed(1)} dB`);
});

test('late frames are dropped, counted, and answered with null', async (t) => {
  const engine = new Engine({ workers: 1 });
  t.after(() => engine.close());
  await engine.createSession({ ...CONFIG, maxLatencyMs: 50 }, 'late');
  for (let k = 0; k < 10; k++) assert.ok(await engine.processFrame(frameOf('late', k, k * 10_000)));
  assert.equal(await engine.processFrame(frameOf('late', 10, 30_000)), null, 'captured 60 ms before the newest frame');
  assert.equal(await engine.processFrame(frameOf('late', 5, 95_000)), null, 'its slot has passed');
  assert.ok(await engine.processFrame(frameOf('late', 11, 110_000)));
  const stats = await engine.getStats('late');
  assert.equal(stats.framesLate, 2);
  assert.equal(stats.framesLost, 0, 'a late frame is not also counted as lost');
  assert.equal(stats.framesProcessed, 11);
});

test('a frame overtaken by its successor is counted late, not also lost; one that never comes stays lost', async (t) => {
  const engine = new Engine({ workers: 1 });
  t.after(() => engine.close());
  await engine.createSession(CONFIG, 'reordered');
  for (const k of [0, 1, 3, 2, 4, 6, 7]) await engine.processFrame(frameOf('reordered', k, k * 10_000));
  const stats = await engine.getStats('reordered');
  assert.equal(stats.framesLate, 1, 'frame 2 came after frame 3 had taken its slot');
  assert.equal(stats.framesLost, 1, 'frame 5 never came');
  assert.equal(stats.framesProcessed, 6);
});

test('a snapshot keeps the frames counted lost, so one that arrives after a restore is counted late, not both', () => {
  const session = new Session('before', CONFIG);
  for (const k of [0, 1, 3]) session.processFrame(frameOf('before', k, k * 10_000));
  assert.equal(session.stats().framesLost, 1, 'frame 2 has not come (yet)');
  const restored = Session.fromSnapshot('after', CONFIG, session.snapshot());
  restored.processFrame(frameOf('after', 2, 20_000));
  const stats = restored.stats();
  assert.equal(stats.framesLate, 1);
  assert.equal(stats.framesLost, 0, 'frame 2 came, late');
});

test('the engine rejects non-finite audio and frames of the wrong size, and the session carries on', async (t) => {
  const engine = new Engine({ workers: 1 });
  t.after(() => engine.close());
  await engine.createSession(CONFIG, 'bad');
  const nan = frameOf('bad', 0, 0);
  nan.error[17] = NaN;
  await assert.rejects(engine.processFrame(nan), (e: EngineError) => e.code === 'INVALID_AUDIO' && /error sample 17/.test(e.message));
  const short = { ...frameOf('bad', 1, 10_000), reference: new Float32Array(100) };
  await assert.rejects(engine.processFrame(short), (e: EngineError) => e.code === 'FORMAT_MISMATCH');
  assert.ok(await engine.processFrame(frameOf('bad', 2, 20_000, 0.1)));
  const stats = await engine.getStats('bad');
  assert.equal(stats.framesInvalid, 2);
  assert.equal(stats.framesProcessed, 1);
  assert.equal(stats.framesLost, 0);
});

test('config errors name the field and carry INVALID_CONFIG', async (t) => {
  const engine = new Engine({ workers: 0 });
  t.after(() => engine.close());
  const cases: [Partial<SessionConfig> & Record<string, unknown>, string][] = [
    [{ sampleRate: 4000 }, 'sampleRate'],
    [{ frameSize: 8 }, 'frameSize'],
    [{ taps: 5000 }, 'taps'],
    [{ algorithm: 'fxrls', taps: 512 }, 'taps'],
    [{ algorithm: 'pbfxlms', blockSize: 48 }, 'blockSize'],
    [{ algorithm: 'fdfxlms', blockSize: 64 }, 'frameSize'],
    [{ stepSize: 0 }, 'stepSize'],
    [{ intensity: 1.5 }, 'intensity'],
    [{ maxLatencyMs: -1 }, 'maxLatencyMs'],
    [{ algorithm: 'magic' as never }, 'algorithm'],
    [{ identification: { level: 2 } }, 'identification.level'],
    [{ playoutDelayFrames: 0 }, 'playoutDelayFrames'],
    [{ playoutDelayFrames: 1.5 }, 'playoutDelayFrames'],
    [{ identification: { taps: 2 * 160 + 15 } }, 'identification.taps'], // nothing left after the playout delay
    [{ tapz: 3 }, 'tapz'],
  ];
  for (const [patch, field] of cases) {
    await assert.rejects(engine.createSession({ ...CONFIG, ...patch } as SessionConfig), (e: EngineError) => {
      assert.equal(e.code, 'INVALID_CONFIG');
      assert.equal(e.field, field, e.message);
      assert.ok(e.message.startsWith(field), e.message);
      return true;
    });
  }
  assert.equal((await engine.listSessions()).length, 0);
});

test('snapshot → restoreSession on another engine continues bit-identically (across the end of identification, with silent slots)', async (t) => {
  const a = new Engine({ workers: 1 });
  const b = new Engine({ workers: 0 });
  t.after(() => Promise.all([a.close(), b.close()]));
  const client = new SimulatedClient({ ...causalRoom(160, 2), lateFraction: 0.3 });
  await a.createSession(CONFIG, 's');
  await run(a, client, 's', 150);
  await b.restoreSession('s', CONFIG, await a.snapshot('s'));
  for (let k = 0; k < 120; k++) {
    const frame = client.capture('s');
    const [fromA, fromB] = await Promise.all([a.processFrame(frame), b.processFrame(frame)]);
    assert.deepEqual(fromB!.antiNoise, fromA!.antiNoise, `frame ${frame.sequence}`);
    assert.equal(fromB!.phase, fromA!.phase);
    client.receive(fromA);
  }
  const [statsA, statsB] = [await a.getStats('s'), await b.getStats('s')];
  assert.equal(statsB.phase, 'controlling');
  assert.deepEqual(statsB.nrHistoryDb, statsA.nrHistoryDb);
  assert.equal(statsB.framesProcessed, statsA.framesProcessed);
  assert.equal(statsB.framesSilentAtClient, statsA.framesSilentAtClient);
  assert.ok(statsB.framesSilentAtClient > 0);
  assert.equal(statsB.createdAt, statsA.createdAt);
  // Once more while controlling: the flags zero what the histories (the ring of the last D + 1 frames) hold.
  const c = new Engine({ workers: 0 });
  t.after(() => c.close());
  await c.restoreSession('s', CONFIG, await a.snapshot('s'));
  for (let k = 0; k < 40; k++) {
    const frame = client.capture('s');
    const [fromA, fromC] = await Promise.all([a.processFrame(frame), c.processFrame(frame)]);
    assert.deepEqual(fromC!.antiNoise, fromA!.antiNoise, `frame ${frame.sequence}`);
    assert.equal(fromC!.phase, 'controlling');
    client.receive(fromA);
  }
  const [statsA2, statsC] = [await a.getStats('s'), await c.getStats('s')];
  assert.deepEqual(statsC.nrHistoryDb, statsA2.nrHistoryDb, 'the NR sums in progress travel too');
  assert.equal(statsC.secondaryPathDelaySamples, statsA2.secondaryPathDelaySamples);
  await assert.rejects(b.restoreSession('t', { ...CONFIG, frameSize: 320 }, await a.snapshot('s')), (e: EngineError) => e.code === 'INVALID_SNAPSHOT' && e.field === 'frameSize');
  await assert.rejects(b.restoreSession('u', CONFIG, new Uint8Array(40)), (e: EngineError) => e.code === 'INVALID_SNAPSHOT');
});

test('a session fed bad frames does not change what its neighbour on the same worker computes', async (t) => {
  const shared = new Engine({ workers: 1 });
  const alone = new Engine({ workers: 1 });
  t.after(() => Promise.all([shared.close(), alone.close()]));
  await shared.createSession(CONFIG, 'good');
  await shared.createSession(CONFIG, 'bad');
  await alone.createSession(CONFIG, 'good');
  const client = new SimulatedClient(causalRoom());
  for (let k = 0; k < 60; k++) {
    const frame = client.capture('good');
    const bad = { ...frame, sessionId: 'bad', error: frame.error.map((v, i) => (i === 3 ? Infinity : v)) };
    const [fromShared, fromAlone, badResult] = await Promise.allSettled([shared.processFrame(frame), alone.processFrame(frame), shared.processFrame(bad)]);
    assert.equal(badResult.status, 'rejected');
    assert.ok(fromShared.status === 'fulfilled' && fromAlone.status === 'fulfilled');
    assert.deepEqual(fromShared.value!.antiNoise, fromAlone.value!.antiNoise);
    client.receive(fromAlone.value);
  }
  assert.equal((await shared.getStats('bad')).framesInvalid, 60);
});

test('sessions spread over 2 workers, least loaded first', async (t) => {
  const engine = new Engine({ workers: 2 });
  t.after(() => engine.close());
  const workers: (number | null)[] = [];
  for (let i = 0; i < 4; i++) workers.push((await engine.createSession(CONFIG, `s${i}`)).worker);
  assert.deepEqual(workers.sort(), [0, 0, 1, 1]);
  const frames = await Promise.all([0, 1, 2, 3].map((i) => engine.processFrame(frameOf(`s${i}`, 0, 0, 0.1))));
  assert.ok(frames.every((f) => f !== null && f.antiNoise.length === 160 && f.processingUs >= f.computeUs));
});

test('a worker crash fails only its own sessions, and the worker is replaced', async (t) => {
  const engine = new Engine({ workers: 2 });
  t.after(() => engine.close());
  const failed: string[] = [];
  engine.on('sessionFailed', ({ sessionId }) => failed.push(sessionId));
  const replaced = new Promise((resolve) => engine.once('workerReplaced', resolve));
  const placement = new Map<string, number | null>();
  for (let i = 0; i < 4; i++) placement.set(`s${i}`, (await engine.createSession(CONFIG, `s${i}`)).worker);
  engine.crashWorkerForTesting(0, 'boom');
  await replaced;
  const onCrashed = [...placement].filter(([, w]) => w === 0).map(([id]) => id);
  const onHealthy = [...placement].filter(([, w]) => w === 1).map(([id]) => id);
  assert.deepEqual(failed.sort(), onCrashed.sort());
  for (const id of onCrashed) {
    await assert.rejects(engine.processFrame(frameOf(id, 0, 0)), (e: EngineError) => e.code === 'SESSION_FAILED' && /worker 0 crashed: boom/.test(e.message));
    const final = await engine.endSession(id);
    assert.equal(final.phase, 'ended');
  }
  for (const id of onHealthy) assert.ok(await engine.processFrame(frameOf(id, 0, 0, 0.1)));
  const fresh = await engine.createSession(CONFIG, 'fresh');
  assert.equal(fresh.worker, 0, 'the replacement worker is empty, so least loaded');
  assert.ok(await engine.processFrame(frameOf('fresh', 0, 0, 0.1)));
});

test('admission: OVERLOADED when no worker has room, and the real-time budget caps fxrls taps', async (t) => {
  const engine = new Engine({ workers: 1, maxWorkerLoad: 0.01 });
  t.after(() => engine.close());
  await engine.createSession(CONFIG, 'first');
  await assert.rejects(engine.createSession({ ...CONFIG, taps: 4096 }, 'second'), (e: EngineError) => e.code === 'OVERLOADED');
  await assert.rejects(engine.createSession({ ...CONFIG, algorithm: 'fxrls', taps: 256 }), (e: EngineError) => e.code === 'INVALID_CONFIG' && e.field === 'taps');
  await assert.rejects(engine.createSession(CONFIG, 'first'), (e: EngineError) => e.code === 'SESSION_EXISTS');
});

test('close() is idempotent, ends sessions, and later calls fail with ENGINE_CLOSED', async () => {
  const engine = new Engine({ workers: 1 });
  await engine.createSession(CONFIG, 'x');
  const inFlight = assert.rejects(engine.processFrame(frameOf('x', 0, 0)), (e: EngineError) => e.code === 'ENGINE_CLOSED');
  const first = engine.close();
  assert.equal(engine.close(), first);
  await first;
  await inFlight;
  await assert.rejects(engine.processFrame(frameOf('x', 1, 0)), (e: EngineError) => e.code === 'ENGINE_CLOSED');
  await assert.rejects(engine.createSession(CONFIG), (e: EngineError) => e.code === 'ENGINE_CLOSED');
  await assert.rejects(engine.getStats('x'), (e: EngineError) => e.code === 'ENGINE_CLOSED');
});

test('endSession returns the final stats and later frames are refused', async (t) => {
  const engine = new Engine({ workers: 1 });
  t.after(() => engine.close());
  const stats: SessionStats[] = [];
  engine.on('stats', (s) => stats.push(s));
  await engine.createSession(CONFIG, 'e');
  const final = await engine.endSession('e');
  assert.equal(final.phase, 'ended');
  await assert.rejects(engine.processFrame(frameOf('e', 0, 0)), (e: EngineError) => e.code === 'UNKNOWN_SESSION');
});

/** Waits until the background thread has answered everything it was given (at most 5 s: a dead thread never does). */
async function backgroundIdle(engine: Engine): Promise<void> {
  for (let tries = 0; engine.backgroundPending > 0 && tries < 5000; tries++) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.equal(engine.backgroundPending, 0, 'the background thread stopped answering');
}

test('with a background thread, the inline engine classifies and analyses exactly what it would on its own thread, and no job is skipped', async (t) => {
  const onThread = new Engine({ workers: 0 });
  const background = new Engine({ workers: 0, backgroundThread: true });
  t.after(() => Promise.all([onThread.close(), background.close()]));
  const noiseEvents: NoiseEvent[][] = [[], []];
  onThread.on('noiseEvent', (event) => noiseEvents[0].push(event));
  background.on('noiseEvent', (event) => noiseEvents[1].push(event));
  const stats: SessionStats[] = [];
  for (const engine of [onThread, background]) {
    const client = new SimulatedClient(causalRoom(160, 2));
    await engine.createSession(CONFIG, 'room');
    for (let i = 0; i < 600; i++) {
      client.receive(await engine.processFrame(client.capture('room')));
      await new Promise(setImmediate); // the turn after the frame: where the off-path work is started
      // This stream runs many times faster than real time: let the thread keep up, or seconds would be skipped.
      await backgroundIdle(engine);
    }
    stats.push(await engine.getStats('room'));
  }
  const [own, offloaded] = stats;
  assert.ok(own.analysis !== null && own.analysis.octaveBands.length > 0);
  assert.deepEqual(offloaded.analysis, own.analysis, 'the same window gives the same spectra, bands and causality margin');
  assert.equal(offloaded.noiseType, own.noiseType);
  // The same events; they take effect (atS) when the outcome is back, a few frames later than on the thread itself.
  const withoutTime = (events: NoiseEvent[]): unknown[] => events.map((event) => ({ ...event, atS: undefined }));
  assert.deepEqual(withoutTime(noiseEvents[1]), withoutTime(noiseEvents[0]));
  assert.ok(noiseEvents[0].length > 0);
  noiseEvents[1].forEach((event, i) => assert.ok(event.atS >= noiseEvents[0][i].atS));
  assert.equal(background.backgroundSkipped, 0);
});

test('a crashed background thread is replaced: frames are answered throughout, and analysis and classification carry on', async (t) => {
  const engine = new Engine({ workers: 0, backgroundThread: true });
  t.after(() => engine.close());
  const client = new SimulatedClient(causalRoom(160, 2));
  await engine.createSession(CONFIG, 'room');
  const stream = async (frames: number): Promise<void> => {
    for (let i = 0; i < frames; i++) {
      const answer = await engine.processFrame(client.capture('room'));
      assert.ok(answer !== null, 'every frame is answered');
      client.receive(answer);
      await new Promise(setImmediate);
      await backgroundIdle(engine);
    }
  };
  await stream(400);
  const before = await engine.getStats('room');
  assert.ok(before.analysis !== null && before.noiseType !== null, 'analysed and classified before the crash');
  engine.crashBackgroundForTesting();
  await new Promise((resolve) => setTimeout(resolve, 200)); // the thread dies and is replaced
  await stream(400);
  const after = await engine.getStats('room');
  assert.ok(after.analysis !== null && after.analysis.toS > before.analysis.toS + 2, `analysis went on: ${before.analysis.toS} → ${after.analysis?.toS}`);
  assert.equal(after.phase, 'controlling');
  assert.equal(after.framesProcessed, 800);
});

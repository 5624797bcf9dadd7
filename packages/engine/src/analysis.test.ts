import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateScene, pathDelaySamples, type SceneName } from '@antiphase/dsp';
import { MAX_RIVAL_SHARE, MIN_PEAK_RATIO, welchAnalysis } from './analysis.js';
import { SessionHost } from './host.js';
import { Session } from './session.js';
import { causalRoom, SimulatedClient, type RoomOptions } from './test-support.js';
import type { SessionAnalysis, SessionConfig } from './types.js';

const FS = 16000;
const N = 160;
/** A band "has energy" when the true d's band level is within this many dB of its strongest band. */
const ENERGY_RANGE_DB = 30;

interface Run {
  session: Session;
  client: SimulatedClient;
  analyses: SessionAnalysis[];
}

/** Streams `seconds` of the scene through the room and the session, analysing each window as the host would. */
function run(room: RoomOptions, config: SessionConfig, seconds: number, scene?: SceneName, seed = 3): Run {
  const source = scene ? generateScene(scene, { sampleRate: FS, durationS: seconds, seed }) : undefined;
  const client = new SimulatedClient({ ...room, source });
  const session = new Session('a', config);
  const analyses: SessionAnalysis[] = [];
  for (let k = 0; k < (seconds * FS) / N; k++) {
    client.receive(session.processFrame(client.capture('a')));
    if (session.analysisDue) {
      session.analyse();
      analyses.push(session.stats().analysis!);
    }
  }
  return { session, client, analyses };
}

/** The true d and e of an analysis window, through the analysis' own estimators. */
function truth(client: SimulatedClient, analysis: SessionAnalysis): ReturnType<typeof welchAnalysis> {
  const from = Math.round(analysis.fromS * FS);
  const to = Math.round(analysis.toS * FS);
  return welchAnalysis(Float32Array.from(client.disturbance.slice(from, to)), Float32Array.from(client.error.slice(from, to)), FS);
}

/** Largest |estimate − truth| over the octave bands with energy: d̂ level, e level and attenuation, dB. */
function bandErrors(analysis: SessionAnalysis, real: ReturnType<typeof welchAnalysis>): { disturbance: number; error: number; attenuation: number; bands: number } {
  const strongest = Math.max(...real.octaveBands.map((b) => b.levelBeforeDb));
  const out = { disturbance: 0, error: 0, attenuation: 0, bands: 0 };
  real.octaveBands.forEach((band, i) => {
    const estimate = analysis.octaveBands[i];
    assert.equal(estimate.centerHz, band.centerHz);
    if (band.levelBeforeDb < strongest - ENERGY_RANGE_DB) return;
    out.bands++;
    out.disturbance = Math.max(out.disturbance, Math.abs(estimate.disturbanceDb! - band.levelBeforeDb));
    out.error = Math.max(out.error, Math.abs(estimate.errorDb! - band.levelAfterDb));
    out.attenuation = Math.max(out.attenuation, Math.abs(estimate.attenuationDb! - band.attenuationDb));
  });
  return out;
}

/** Largest |d̂ PSD − d PSD| over the grid points within 40 dB of the true d's peak. */
function spectrumError(analysis: SessionAnalysis, real: ReturnType<typeof welchAnalysis>): number {
  assert.deepEqual(analysis.spectrum.frequencyHz, real.frequencyHz);
  const peak = Math.max(...real.beforeDb.map((v) => v ?? -Infinity));
  let worst = 0;
  real.beforeDb.forEach((level, i) => {
    if (level === null || level < peak - 40) return;
    worst = Math.max(worst, Math.abs(analysis.spectrum.disturbanceDb[i]! - level));
  });
  return worst;
}

/** The loop's true margin: delay(P) − (D·N + delay(S)). */
function trueMargin(room: RoomOptions): number {
  return pathDelaySamples(room.primaryPath) - (room.playoutDelayFrames * room.frameSize + pathDelaySamples(room.secondaryPath));
}

const room = causalRoom(N, 2);
const identified: SessionConfig = { sampleRate: FS, frameSize: N, playoutDelayFrames: 2, stepSize: 0.1, identification: { durationS: 3, level: 0.05 } };

test('with Ŝ = S the rebuilt disturbance is the true d: spectra and octave bands agree to 0.05 dB, the margin to the sample', (t) => {
  const known = Array.from({ length: 2 * N + 64 }, (_, n) => (n >= 2 * N && n - 2 * N < room.secondaryPath.length ? room.secondaryPath[n - 2 * N] : 0));
  const { analyses, client } = run(room, { ...identified, secondaryPathEstimate: known }, 6, 'broadband');
  assert.ok(analyses.length >= 3, `${analyses.length} analyses in 6 s (one every 2 s)`);
  const last = analyses[analyses.length - 1];
  const real = truth(client, last);
  const errors = bandErrors(last, real);
  const spectrum = spectrumError(last, real);
  t.diagnostic(`Ŝ = S: ${errors.bands} bands; worst d̂ ${errors.disturbance.toFixed(3)} dB, attenuation ${errors.attenuation.toFixed(3)} dB, spectrum ${spectrum.toFixed(3)} dB`);
  assert.ok(errors.bands >= 6, `${errors.bands} bands with energy`);
  assert.ok(errors.disturbance <= 0.05 && errors.error <= 0.01 && errors.attenuation <= 0.05, JSON.stringify(errors));
  assert.ok(spectrum <= 0.05, `spectrum off by ${spectrum} dB`);
  assert.equal(last.causality.primaryPathDelaySamples, pathDelaySamples(room.primaryPath));
  assert.equal(last.causality.secondaryPathDelaySamples, 2 * N + pathDelaySamples(room.secondaryPath));
  assert.equal(last.causality.loopLatencySamples, 2 * N);
  assert.equal(last.causality.marginSamples, trueMargin(room));
  assert.equal(last.causality.marginMs, Math.round((trueMargin(room) * 1000 / FS) * 100) / 100);
});

for (const scene of ['broadband', 'engine'] as const) {
  test(`${scene} scene, Ŝ identified by the session: d̂'s octave bands within ±1.5 dB of the true d's, attenuation too, margin within 3 samples`, (t) => {
    const { analyses, client, session } = run(room, identified, 10, scene);
    const last = analyses[analyses.length - 1];
    const real = truth(client, last);
    const errors = bandErrors(last, real);
    const spectrum = spectrumError(last, real);
    t.diagnostic(`${scene}: ${errors.bands} bands with energy; worst band error d̂ ${errors.disturbance.toFixed(2)} dB, e ${errors.error.toFixed(2)} dB, ` +
      `attenuation ${errors.attenuation.toFixed(2)} dB; spectrum ${spectrum.toFixed(2)} dB; NR ${session.stats().nrDb.toFixed(1)} dB; ` +
      `margin ${last.causality.marginSamples} (true ${trueMargin(room)}), peak ratio ${last.causality.primaryPathPeakRatio}, rival share ${last.causality.primaryPathRivalShare}`);
    assert.ok(errors.bands >= 4, `${errors.bands} bands with energy`);
    assert.ok(errors.disturbance <= 1.5, `d̂ band error ${errors.disturbance} dB`);
    assert.ok(errors.attenuation <= 1.5, `attenuation error ${errors.attenuation} dB`);
    assert.ok(errors.error <= 0.01, `e is measured, not estimated: ${errors.error} dB`);
    assert.ok(spectrum <= 3, `spectrum off by ${spectrum} dB`);
    assert.ok(last.causality.marginSamples !== null && Math.abs(last.causality.marginSamples - trueMargin(room)) <= 3,
      `margin ${last.causality.marginSamples} vs ${trueMargin(room)}`);
  });
}

test('a non-causal loop (10 ms frames, a 6 ms acoustic lead) reports its negative margin', (t) => {
  const primaryPath = new Array<number>(100).fill(0);
  primaryPath[96] = 0.9;
  primaryPath[97] = 0.4;
  primaryPath[98] = 0.15;
  const duct: RoomOptions = { ...room, primaryPath };
  const { analyses } = run(duct, identified, 6, 'broadband');
  const last = analyses[analyses.length - 1];
  t.diagnostic(`non-causal loop: margin ${last.causality.marginSamples} samples (${last.causality.marginMs} ms), true ${trueMargin(duct)}`);
  assert.equal(trueMargin(duct), 96 - 324);
  assert.ok(last.causality.marginSamples !== null && Math.abs(last.causality.marginSamples - trueMargin(duct)) <= 3, `margin ${last.causality.marginSamples}`);
  assert.ok(last.causality.marginMs! < -14, `${last.causality.marginMs} ms`);
});

test('a purely periodic reference leaves the primary delay unresolved instead of guessing', (t) => {
  const seconds = 6;
  // Eight harmonics of 45 Hz falling 3 dB per order, like the engine scene without its broadband part.
  const source = Float32Array.from({ length: seconds * FS }, (_, n) => {
    let v = 0;
    for (let order = 1; order <= 8; order++) v += 0.08 * 10 ** (-3 * (order - 1) / 20) * Math.sin((2 * Math.PI * 45 * order * n) / FS + order);
    return v;
  });
  const client = new SimulatedClient({ ...room, source });
  const session = new Session('tones', identified);
  let analysis: SessionAnalysis | null = null;
  for (let k = 0; k < (seconds * FS) / N; k++) {
    client.receive(session.processFrame(client.capture('tones')));
    if (session.analysisDue) {
      session.analyse();
      analysis = session.stats().analysis;
    }
  }
  assert.ok(analysis, 'analysed');
  const { primaryPathPeakRatio: ratio, primaryPathRivalShare: rival } = analysis.causality;
  t.diagnostic(`harmonics: peak ratio ${ratio}, rival share ${rival}`);
  assert.ok(ratio < MIN_PEAK_RATIO || rival >= MAX_RIVAL_SHARE, `peak ratio ${ratio}, rival share ${rival}`);
  assert.equal(analysis.causality.primaryPathDelaySamples, null);
  assert.equal(analysis.causality.marginSamples, null);
  assert.equal(analysis.causality.marginMs, null);
  // The harmonics still show in their band.
  const band = analysis.octaveBands.find((b) => b.centerHz === 63)!;
  assert.ok(band.disturbanceDb! > -35, `63 Hz band ${band.disturbanceDb} dB`);
});

test('no analysis before Ŝ is known, none with analysis: false; a gap in the stream restarts the window', () => {
  const client = new SimulatedClient(room);
  const session = new Session('gaps', identified);
  const off = new Session('off', identified, { analysis: false });
  const offClient = new SimulatedClient(room);
  // Identification (3 s) and most of the first second of control: nothing to analyse yet.
  for (let k = 0; k < 3.5 * FS / N; k++) {
    client.receive(session.processFrame(client.capture('gaps')));
    offClient.receive(off.processFrame(offClient.capture('off')));
    assert.equal(session.analysisDue, false);
  }
  assert.equal(session.stats().analysis, null);
  // Frame 399 never arrives: the window restarts after it, so a full one needs another 100 frames.
  client.capture('gaps');
  const resumed = client.frame;
  while (!session.analysisDue) client.receive(session.processFrame(client.capture('gaps')));
  assert.equal(client.frame - resumed, FS / N, 'one second of contiguous frames after the gap');
  session.analyse();
  const analysis = session.stats().analysis!;
  assert.ok(analysis.fromS >= resumed * N / FS, `window from ${analysis.fromS} s, gap at ${resumed * N / FS} s`);
  assert.equal(analysis.toS, client.frame * N / FS);
  for (let k = 0; k < FS / N; k++) offClient.receive(off.processFrame(offClient.capture('off')));
  assert.equal(off.analysisDue, false);
  assert.equal(off.stats().analysis, null);
});

test('with control disabled nothing is played, so d̂ = e and every band reads 0 dB of attenuation', () => {
  const { analyses } = run(room, { ...identified, secondaryPathEstimate: Array.from({ length: 400 }, (_, n) => (n === 324 ? 0.8 : 0)), enabled: false }, 3, 'broadband');
  const last = analyses[analyses.length - 1];
  assert.ok(last.octaveBands.every((b) => b.attenuationDb === 0), JSON.stringify(last.octaveBands.map((b) => b.attenuationDb)));
});

test('the host runs the analysis between frames (classifyNext), never inside process()', () => {
  const host = new SessionHost({ classifier: null });
  host.create('h', { ...identified, secondaryPathEstimate: Array.from({ length: 400 }, (_, n) => (n >= 320 && n < 327 ? room.secondaryPath[n - 320] : 0)) });
  const client = new SimulatedClient(room);
  for (let k = 0; k < 1.5 * FS / N; k++) client.receive(host.process(client.capture('h')));
  assert.equal(host.stats('h').analysis, null, 'a window is full, but process() only captured it');
  assert.ok(host.classificationPending);
  while (host.classifyNext() !== null);
  assert.ok(host.stats('h').analysis !== null);
});

test('at 8 and 48 kHz the grid, the bands and the window follow the rate', () => {
  for (const [sampleRate, frameSize, bands] of [[8000, 80, 7], [48000, 480, 10]] as const) {
    const path = Array.from({ length: 2 * frameSize + 32 }, (_, n) => (n === 2 * frameSize + 3 ? 0.8 : n === 2 * frameSize + 4 ? 0.3 : 0));
    // emergencyBypass off: at 8 kHz the emergency detector refuses the rate (its band reaches Nyquist), a separate issue.
    const session = new Session(`fs${sampleRate}`, { sampleRate, frameSize, playoutDelayFrames: 2, secondaryPathEstimate: path, stepSize: 0.1, emergencyBypass: false });
    const noise = generateScene('broadband', { sampleRate, durationS: 2.5, seed: 4 });
    let analysis: SessionAnalysis | null = null;
    for (let k = 0; (k + 1) * frameSize <= noise.length; k++) {
      const x = noise.subarray(k * frameSize, (k + 1) * frameSize);
      session.processFrame({ sessionId: session.id, sequence: k, captureTimestampUs: k * 1e4, reference: x, error: x });
      if (session.analysisDue) {
        session.analyse();
        analysis = session.stats().analysis;
      }
    }
    assert.ok(analysis, `analysed at ${sampleRate} Hz`);
    assert.equal(analysis.octaveBands.length, bands);
    assert.ok(analysis.toS - analysis.fromS >= 0.99, `window of ${analysis.toS - analysis.fromS} s`);
    assert.ok(analysis.spectrum.frequencyHz.every((f) => f >= 20 && f < sampleRate / 2));
    assert.ok(analysis.spectrum.resolutionHz < 8, `${analysis.spectrum.resolutionHz} Hz bins`);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '@antiphase/dsp';
import { EmergencySoundDetector } from './detector.js';
import { generateExample } from './generator/generate.js';
import { siren, traffic, type SirenKind } from './generator/sources.js';
import { dbToGain, rms } from './generator/synth.js';

const SR = 16000;
const NON_SAFETY = ['traffic', 'aircraft', 'engine', 'construction', 'hvac', 'babble', 'office', 'household'] as const;

/** Street noise with a siren of `kind` (10 dB over it) starting at exactly 1.0 s. */
function sirenScene(seed: number, kind: SirenKind = 'wail'): Float32Array {
  const rng = new Random(seed);
  const x = traffic(rng, 4 * SR);
  const s = siren(rng, 3 * SR, kind);
  const gain = (dbToGain(10) * rms(x)) / rms(s);
  for (let i = 0; i < s.length; i++) x[SR + i] += gain * s[i];
  return x;
}

/** Onset latency after 1.0 s of each seed's scene (Infinity = missed); asserts nothing fires before the siren. */
function latencies(kind: SirenKind, seeds: number): number[] {
  const out: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const onset = run(new EmergencySoundDetector(), sirenScene(seed, kind)).find((e) => e.type === 'onset');
    assert.ok(onset === undefined || onset.timeS >= 1.0, `${kind} seed ${seed}: onset before the siren at ${onset?.timeS}`);
    out.push(onset ? onset.timeS - 1.0 : Infinity);
  }
  return out.sort((a, b) => a - b);
}

function run(detector: EmergencySoundDetector, audio: Float32Array, block = 128) {
  const events = [];
  for (let i = 0; i < audio.length; i += block) events.push(...detector.process(audio.subarray(i, i + block)));
  return events;
}

test('a generated wail siren starting at 1.0 s in street noise is detected within 200 ms', () => {
  const lat = latencies('wail', 10);
  // Measured: 8 of 10 seeds at 0.136–0.152 s, the other two at ≈ 0.2–0.23 s (Doppler/horn colouring).
  assert.ok(lat.every((t) => t <= 0.25), lat.join(' '));
  assert.ok(lat.filter((t) => t <= 0.2).length >= 8, lat.join(' '));
});

test('yelp and mechanical sirens are detected, most within 200 ms; hi-lo at its first tone change', () => {
  for (const kind of ['yelp', 'mechanical'] as const) {
    const lat = latencies(kind, 10);
    assert.ok(lat.filter((t) => t <= 0.5).length >= 7, `${kind}: ${lat.join(' ')}`);
    assert.ok(lat[4] <= 0.3, `${kind} median: ${lat.join(' ')}`);
  }
  const hilo = latencies('hilo', 10);
  assert.ok(hilo.filter((t) => t <= 1.6).length >= 8, `hilo: ${hilo.join(' ')}`);
});

test('a wail siren is detected within 200 ms at 8, 16, 44.1 and 48 kHz', () => {
  for (const rate of [8000, 16000, 44100, 48000]) {
    const n = rate * 3;
    const x = new Float32Array(n);
    const rng = new Random(rate);
    let phase = 0;
    for (let i = 0; i < n; i++) {
      const t = i / rate;
      const f = 700 * Math.pow(2, Math.abs(((t / 4) % 1) * 2 - 1) * 1.2); // wail 700 → 1600 Hz, 4 s period
      phase += (2 * Math.PI * f) / rate;
      x[i] = 0.05 * rng.gaussian() + (t >= 1 ? 0.2 * Math.sin(phase) : 0);
    }
    const events = run(new EmergencySoundDetector({ sampleRate: rate }), x);
    const onset = events.find((e) => e.type === 'onset');
    assert.ok(onset, `${rate} Hz: no onset`);
    assert.equal(onset.kind, 'siren');
    assert.ok(onset.timeS >= 1 && onset.timeS - 1 <= 0.2, `${rate} Hz: onset at ${onset.timeS}`);
  }
});

test('a T3 smoke alarm is reported as an alarm after its first beep, and released after it stops', () => {
  const n = 10 * SR;
  const x = new Float32Array(n);
  const rng = new Random(3);
  for (let i = 0; i < n; i++) {
    const t = i / SR;
    const c = (t - 1) % 3; // T3 from 1.0 s: 0.5 on, 0.5 off, ×3, 1.5 off
    const on = t >= 1 && t < 7 && (c < 0.5 || (c >= 1 && c < 1.5) || (c >= 2 && c < 2.5)) ? 1 : 0;
    x[i] = 0.02 * rng.gaussian() + on * 0.3 * Math.sin((2 * Math.PI * 3100 * i) / SR);
  }
  const events = run(new EmergencySoundDetector(), x);
  const onset = events.find((e) => e.type === 'onset');
  assert.ok(onset, 'no onset');
  assert.equal(onset.kind, 'alarm');
  assert.ok(onset.timeS > 1 && onset.timeS < 1.7, `alarm onset at ${onset.timeS}`);
  const offset = events.find((e) => e.type === 'offset');
  assert.ok(offset && offset.timeS > 7 && offset.timeS < 9.5, `offset at ${offset?.timeS}`);
});

test('a fast-beeping smoke alarm in a reverberant room (its tail fills the gaps) is an alarm by its second beep', () => {
  // 3.4 kHz beeps, 0.22 s on / 0.11 s off from 1.0 s; a room tail of T60 0.3 s keeps the tone 20 dB up in the gaps.
  for (let seed = 1; seed <= 5; seed++) {
    const rng = new Random(seed);
    const x = new Float32Array(4 * SR);
    const decay = Math.exp(-6.9 / (0.3 * SR));
    let envelope = 0;
    for (let i = 0; i < x.length; i++) {
      const t = i / SR;
      envelope = t >= 1 && (t - 1) % 0.33 < 0.22 ? 1 : envelope * decay;
      x[i] = 0.02 * rng.gaussian() + 0.2 * envelope * Math.sin(2 * Math.PI * 3400 * t);
    }
    const onset = run(new EmergencySoundDetector(), x).find((e) => e.type === 'onset');
    assert.ok(onset, `seed ${seed}: no onset`);
    assert.equal(onset.kind, 'alarm');
    // Measured: 0.46–0.47 s after the first beep (the second beep plus the shortest track).
    assert.ok(onset.timeS > 1.33 && onset.timeS < 1.6, `seed ${seed}: onset at ${onset.timeS}`);
  }
});

test('a wail masked for 30 ms every 120 ms (bursts 10 dB over it) is still detected within 300 ms', () => {
  for (let seed = 1; seed <= 10; seed++) {
    const rng = new Random(seed);
    const x = traffic(rng, 4 * SR);
    const s = siren(rng, 3 * SR, 'wail');
    const gain = (dbToGain(10) * rms(x)) / rms(s);
    const burst = 3 * gain * rms(s);
    for (let i = 0; i < s.length; i++) {
      x[SR + i] += gain * s[i];
      if ((i / SR) % 0.12 < 0.03) x[SR + i] += burst * rng.gaussian();
    }
    const onset = run(new EmergencySoundDetector(), x).find((e) => e.type === 'onset');
    // Measured: 0.18–0.30 s on all 10 seeds (tracks that skip the masked frames); without that, 9 of 10 missed.
    assert.ok(onset && onset.kind === 'siren' && onset.timeS >= 1 && onset.timeS - 1 <= 0.3, `seed ${seed}: ${onset?.kind} at ${onset?.timeS}`);
  }
});

test('10 minutes of generated non-safety noise give at most a few false onsets', () => {
  const detector = new EmergencySoundDetector();
  let onsets = 0;
  let samples = 0;
  for (let i = 0; samples < 600 * SR; i++) {
    const ex = generateExample(NON_SAFETY[i % NON_SAFETY.length], 5000 + i, { minDurationS: 5, maxDurationS: 5 });
    onsets += run(detector, ex.samples).filter((e) => e.type === 'onset').length;
    samples += ex.samples.length;
  }
  // Measured: 8 in 600 s (5 synthetic children's shouts, whose pitch glides look like a siren sweep; 3 in
  // construction noise).
  assert.ok(onsets <= 8, `${onsets} false onsets in 10 minutes`);
});

test('reset() forgets the stream; NaN input is treated as silence', () => {
  const d = new EmergencySoundDetector();
  run(d, sirenScene(2, 'wail'));
  d.reset();
  assert.equal(d.active, false);
  const events = run(d, new Float32Array(SR).fill(Number.NaN));
  assert.deepEqual(events, []);
  assert.throws(() => new EmergencySoundDetector({ sampleRate: 1000 }), RangeError);
});

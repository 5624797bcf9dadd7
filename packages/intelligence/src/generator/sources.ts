/**
 * Procedural sound sources, one family per noise class, each with several physically motivated subtypes.
 * Every function takes a seeded Random and a length in samples (16 kHz) and returns a signal normalised to RMS 1.
 * The parameter ranges (RPMs, blade counts, beep patterns, siren sweep periods) are given where they are drawn,
 * with the reason for each range.
 */
import type { Random } from '@antiphase/dsp';
import type { NoiseClass } from '../taxonomy.js';
import {
  applyEnvelope, bandNoise, Biquad, brown, dbToGain, drift, filter, harmonicTone, impact, logUniform, mixInto, normalize,
  passBy, pick, pink, randInt, randomModulation, SAMPLE_RATE, scale, white, type Signal,
} from './synth.js';

const SR = SAMPLE_RATE;

/** Harmonic amplitudes falling `slopeDb` per harmonic with random ±jitterDb. */
function harmonicAmps(rng: Random, count: number, slopeDb: number, jitterDb = 6): Float64Array {
  const a = new Float64Array(count);
  for (let h = 0; h < count; h++) a[h] = dbToGain(-slopeDb * h + rng.uniform(-jitterDb, jitterDb));
  return a;
}

// ───────────────────────── engine ─────────────────────────

/**
 * Combustion engine: firing frequency f = RPM/60 · cylinders/2 (4-stroke), orders 0.5 … 8 of it, RPM ramps
 * (idle 600–1000, revving up to 4500), load raises higher orders and broadband combustion noise; cycle-to-cycle
 * irregularity modulates the amplitude at the crank rate. Interior variants are low-passed (cabin transmission).
 */
export function engine(rng: Random, n: number): Signal {
  const kind = pick(rng, ['idle', 'idle', 'rev', 'interior', 'motorbike', 'truck', 'generator'] as const);
  const cylinders = kind === 'motorbike' ? pick(rng, [1, 2, 2, 4]) : kind === 'truck' ? pick(rng, [6, 8]) : pick(rng, [3, 4, 4, 6]);
  let rpmBase = kind === 'idle' || kind === 'truck' || kind === 'generator' ? rng.uniform(550, 1100) : rng.uniform(900, 3500);
  if (kind === 'generator') rpmBase = pick(rng, [1500, 1800, 3000, 3600]);
  const rpm = new Float64Array(n);
  const wander = drift(rng, n, 0.4);
  if (kind === 'rev' || kind === 'motorbike' || (kind === 'interior' && rng.next() < 0.5)) {
    // One or two RPM ramps (gear changes / throttle blips).
    const ramps = randInt(rng, 1, 3);
    const points = [0, ...Array.from({ length: ramps }, () => rng.uniform(0.1, 0.9)).sort(), 1];
    const levels = points.map(() => rpmBase * rng.uniform(0.6, 1.8));
    for (let i = 0; i < n; i++) {
      const t = i / n;
      let k = 0;
      while (k < points.length - 2 && t > points[k + 1]) k++;
      const u = (t - points[k]) / (points[k + 1] - points[k] || 1);
      const smooth = u * u * (3 - 2 * u);
      rpm[i] = levels[k] + (levels[k + 1] - levels[k]) * smooth;
    }
  } else {
    rpm.fill(rpmBase);
  }
  for (let i = 0; i < n; i++) rpm[i] *= 1 + 0.02 * wander[i];
  const firing = new Float64Array(n);
  const crank = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    crank[i] = rpm[i] / 60 / 2; // half orders: cam rate
    firing[i] = (rpm[i] / 60) * (cylinders / 2);
  }
  const load = rng.uniform(0, 1);
  // Half-order series (cam rate) carries the firing orders as its multiples of cylinders.
  const H = Math.min(64, Math.floor(6000 / Math.max(10, crank[0])));
  const amps = new Float64Array(H);
  for (let h = 0; h < H; h++) {
    const order = h + 1;
    const isFiring = order % cylinders === 0;
    const base = isFiring ? 0 : -12 - rng.uniform(0, 10);
    amps[h] = dbToGain(base - (order / cylinders) * rng.uniform(1.5, 4) * (1.3 - load) + rng.uniform(-4, 4));
  }
  const out = harmonicTone(crank, amps);
  // Cycle irregularity: amplitude modulation at the crank rate.
  const irregular = rng.uniform(0.05, 0.4);
  let ph = 0;
  for (let i = 0; i < n; i++) {
    ph += (2 * Math.PI * crank[i]) / SR;
    out[i] *= 1 + irregular * Math.sin(ph) * Math.sin(0.37 * ph);
  }
  normalize(out);
  // Combustion / mechanical broadband, pulsed at the firing rate.
  const noise = bandNoise(rng, n, 80, rng.uniform(1500, 5000));
  let fp = 0;
  const pulseDepth = rng.uniform(0.3, 0.9);
  for (let i = 0; i < n; i++) {
    fp += firing[i] / SR;
    const phase = fp - Math.floor(fp);
    noise[i] *= 1 - pulseDepth + pulseDepth * Math.exp(-phase * 6) * 2;
  }
  normalize(noise);
  mixInto(out, noise, dbToGain(rng.uniform(-28, -4) + 8 * load));
  if (kind === 'interior' || kind === 'truck' || rng.next() < 0.4) {
    filter(out, new Biquad('lowpass', rng.uniform(300, 1200)), new Biquad('lowpass', rng.uniform(500, 2000)));
    // Road / wind noise inside the cabin.
    if (kind === 'interior') mixInto(out, normalize(filter(pink(rng, n), new Biquad('lowpass', 400))), dbToGain(rng.uniform(-15, -3)));
  }
  if (kind === 'motorbike') filter(out, new Biquad('peak', rng.uniform(200, 800), 1, rng.uniform(3, 10)));
  return normalize(out);
}

// ───────────────────────── traffic ─────────────────────────

/**
 * Road traffic: vehicles passing at 8–25 m/s, closest approach 3–30 m, each with tyre/road noise (broadband, peak
 * around 700–1200 Hz, Sandberg & Ejsmont "Tyre/Road Noise Reference Book" 2002), engine harmonics with Doppler and
 * wind; plus a continuous distant-traffic rumble (low-passed pink noise) and occasional horns/brakes far away.
 */
export function traffic(rng: Random, n: number): Signal {
  const out = normalize(filter(pink(rng, n), new Biquad('lowpass', rng.uniform(300, 1500)), new Biquad('highpass', 30)));
  scale(out, dbToGain(rng.uniform(-12, 0)));
  applyEnvelope(out, randomModulation(rng, n, 0.3, 0.3));
  const durationS = n / SR;
  const vehicles = randInt(rng, 1, Math.max(1, Math.round(durationS * rng.uniform(0.3, 1.5))));
  for (let v = 0; v < vehicles; v++) {
    const speed = rng.uniform(8, 25);
    const closest = rng.uniform(3, 30);
    const tClosest = rng.uniform(-0.3 * durationS, 1.3 * durationS);
    const { gain, doppler } = passBy(n, speed, closest, tClosest);
    const tyre = bandNoise(rng, n, rng.uniform(300, 600), rng.uniform(1200, 3000));
    filter(tyre, new Biquad('peak', rng.uniform(700, 1200), 1.2, rng.uniform(3, 9)));
    normalize(tyre);
    const firingHz = rng.uniform(25, 120);
    const f = new Float64Array(n);
    for (let i = 0; i < n; i++) f[i] = firingHz * doppler[i];
    const eng = normalize(harmonicTone(f, harmonicAmps(rng, 12, 3)));
    const vehicle = new Float32Array(n);
    mixInto(vehicle, tyre, 1);
    mixInto(vehicle, eng, dbToGain(rng.uniform(-15, -3)));
    // Air absorption: farther = duller (one low-pass per vehicle at the mean distance).
    filter(vehicle, new Biquad('lowpass', Math.max(800, 8000 - closest * 180)));
    applyEnvelope(vehicle, gain);
    mixInto(out, vehicle, dbToGain(rng.uniform(-3, 6)));
  }
  if (rng.next() < 0.5) {
    // Far or screened road (behind buildings, barriers, windows): the low-frequency rumble dominates.
    filter(out, new Biquad('lowpass', logUniform(rng, 300, 1500)), new Biquad('lowpass', logUniform(rng, 400, 2000)));
  }
  if (rng.next() < 0.2) {
    // Distant brake squeal or horn, short and far (keeps "tonal ≠ siren/alarm" cases in the data).
    const len = Math.round(rng.uniform(0.2, 0.8) * SR);
    const start = randInt(rng, 0, Math.max(0, n - len));
    const f0 = rng.next() < 0.5 ? rng.uniform(350, 500) : rng.uniform(1500, 4000);
    const tone = harmonicTone(new Float64Array(len).fill(f0), harmonicAmps(rng, f0 < 600 ? 8 : 2, 3));
    normalize(tone);
    mixInto(out, tone, dbToGain(rng.uniform(-22, -10)) * Math.sqrt(Math.max(1e-9, sq(out))), start);
  }
  return normalize(out);
}

function sq(signal: Signal): number {
  let s = 0;
  for (let i = 0; i < signal.length; i++) s += signal[i] * signal[i];
  return s / Math.max(1, signal.length);
}

// ───────────────────────── aircraft ─────────────────────────

/**
 * Aircraft: jet fly-over (jet-mixing noise: broadband with a broad low-frequency hump, Doppler-shifted fan tone),
 * cabin noise (steady low-passed broadband + engine N1 tones), propeller (blade-passing frequency 60–150 Hz and its
 * harmonics) and helicopter (main-rotor BPF 10–25 Hz as impulsive blade slap, tail rotor 50–120 Hz, turbine whine).
 */
export function aircraft(rng: Random, n: number): Signal {
  const kind = pick(rng, ['jet', 'jet', 'cabin', 'propeller', 'helicopter', 'helicopter'] as const);
  const durationS = n / SR;
  let out: Signal;
  if (kind === 'jet' || kind === 'cabin') {
    const hump = rng.uniform(100, 500);
    out = normalize(filter(pink(rng, n), new Biquad('lowpass', hump * rng.uniform(1.5, 4)), new Biquad('lowpass', hump * 3), new Biquad('highpass', rng.uniform(20, 60))));
    // Some high-frequency jet hiss.
    mixInto(out, normalize(bandNoise(rng, n, 1000, 6000)), dbToGain(rng.uniform(-30, -12)));
    if (kind === 'jet') {
      const { gain, doppler } = passBy(n, rng.uniform(60, 120), rng.uniform(150, 800), rng.uniform(0, durationS));
      const fan = rng.uniform(800, 3000);
      const f = new Float64Array(n);
      for (let i = 0; i < n; i++) f[i] = fan * doppler[i];
      mixInto(out, normalize(harmonicTone(f, harmonicAmps(rng, 3, 6))), dbToGain(rng.uniform(-35, -18)));
      // Slow roar fluctuation and the fly-over swell (flattened: far source).
      for (let i = 0; i < n; i++) gain[i] = Math.pow(gain[i], 0.3);
      applyEnvelope(out, gain);
      applyEnvelope(out, randomModulation(rng, n, 2, 0.3));
    } else {
      const n1 = rng.uniform(60, 200);
      mixInto(out, normalize(harmonicTone(new Float64Array(n).fill(n1), harmonicAmps(rng, 8, 4))), dbToGain(rng.uniform(-25, -10)));
      filter(out, new Biquad('lowpass', rng.uniform(600, 2000)));
    }
  } else if (kind === 'propeller') {
    const bpf = rng.uniform(60, 150);
    const { gain, doppler } = passBy(n, rng.uniform(40, 80), rng.uniform(100, 400), rng.uniform(0, durationS));
    const f = new Float64Array(n);
    for (let i = 0; i < n; i++) f[i] = bpf * doppler[i];
    out = normalize(harmonicTone(f, harmonicAmps(rng, 20, 2.5)));
    mixInto(out, normalize(filter(pink(rng, n), new Biquad('lowpass', 800))), dbToGain(rng.uniform(-12, 0)));
    for (let i = 0; i < n; i++) gain[i] = Math.pow(gain[i], 0.4);
    applyEnvelope(out, gain);
  } else {
    // Helicopter: blade slap = impulsive pressure pulses at the main-rotor BPF.
    const bpf = rng.uniform(10, 25);
    out = new Float32Array(n);
    const pulseBand = bandNoise(rng, n, 40, rng.uniform(300, 1500));
    let phase = rng.next();
    const sharp = rng.uniform(8, 30);
    for (let i = 0; i < n; i++) {
      phase += bpf / SR;
      phase -= Math.floor(phase);
      const p = Math.exp(-phase * sharp);
      out[i] = p * (1 + 0.5 * pulseBand[i]) + 0.3 * pulseBand[i];
    }
    filter(out, new Biquad('highpass', 15), new Biquad('lowpass', rng.uniform(400, 2500)));
    normalize(out);
    const tail = rng.uniform(50, 120);
    mixInto(out, normalize(harmonicTone(new Float64Array(n).fill(tail), harmonicAmps(rng, 10, 3))), dbToGain(rng.uniform(-18, -6)));
    mixInto(out, normalize(harmonicTone(new Float64Array(n).fill(rng.uniform(2000, 6000)), [1])), dbToGain(rng.uniform(-40, -25)));
    mixInto(out, normalize(filter(pink(rng, n), new Biquad('lowpass', 1500))), dbToGain(rng.uniform(-15, -5)));
  }
  return normalize(out);
}

// ───────────────────────── construction ─────────────────────────

/**
 * Construction and industry: jackhammer (impacts at 15–30 Hz with ringing steel), drill (motor whine 80–400 Hz
 * fundamental with gear harmonics, load-dependent pitch, bursts of 1–4 s), compressor (low thumping + motor hum),
 * hammering (impacts 1–4 Hz with resonant modes), saw/grinder (high-pitched varying whine + broadband), factory
 * floor (mixture of machinery harmonics and impacts).
 */
export function construction(rng: Random, n: number): Signal {
  const kind = pick(rng, ['jackhammer', 'jackhammer', 'drill', 'drill', 'compressor', 'hammering', 'saw', 'factory'] as const);
  let out: Signal = new Float32Array(n);
  if (kind === 'jackhammer') {
    const rate = rng.uniform(12, 30);
    const ringHz = rng.uniform(600, 3000);
    let t = rng.uniform(0, 1 / rate);
    const on = burstEnvelope(rng, n, 0.6, 3, 0.2, 0.8);
    while (t < n / SR) {
      const start = Math.round(t * SR);
      if (on[Math.min(n - 1, start)] > 0.5) {
        const hit = impact(rng, 0.05, rng.uniform(0.004, 0.015), [
          { freq: ringHz * rng.uniform(0.97, 1.03), decayS: 0.01, amp: rng.uniform(0.2, 1) },
          { freq: ringHz * 2.7, decayS: 0.006, amp: rng.uniform(0.1, 0.5) },
        ], 1, 100, 7000);
        mixInto(out, hit, rng.uniform(0.7, 1.2), start);
      }
      t += (1 / rate) * rng.uniform(0.95, 1.05);
    }
    // Pneumatic exhaust hiss.
    mixInto(out, normalize(bandNoise(rng, n, 1500, 7000)), dbToGain(rng.uniform(-30, -15)) * Math.sqrt(sq(out)));
  } else if (kind === 'drill' || kind === 'saw') {
    const f0 = kind === 'drill' ? rng.uniform(80, 400) : rng.uniform(150, 600);
    const loadCurve = drift(rng, n, 1.5);
    const f = new Float64Array(n);
    for (let i = 0; i < n; i++) f[i] = f0 * (1 + rng.uniform(0.05, 0.15) * loadCurve[i] * 0 + 0.08 * loadCurve[i]);
    out = normalize(harmonicTone(f, harmonicAmps(rng, 30, kind === 'drill' ? 1.5 : 0.8, 8)));
    mixInto(out, normalize(bandNoise(rng, n, 200, 7000)), dbToGain(rng.uniform(-14, 0)));
    if (kind === 'drill' && rng.next() < 0.5) {
      // Hammer-drill: impacts at 20–50 Hz on top.
      const rate = rng.uniform(20, 50);
      let ph = 0;
      const ham = bandNoise(rng, n, 200, 5000);
      for (let i = 0; i < n; i++) {
        ph += rate / SR;
        ph -= Math.floor(ph);
        out[i] += 1.5 * ham[i] * Math.exp(-ph * 10);
      }
    }
    applyEnvelope(out, burstEnvelope(rng, n, 0.75, 3, 0.3, 0.9));
  } else if (kind === 'compressor') {
    const hum = rng.uniform(20, 60);
    out = normalize(harmonicTone(new Float64Array(n).fill(hum), harmonicAmps(rng, 20, 2)));
    const thump = rng.uniform(4, 15);
    let ph = 0;
    const knock = bandNoise(rng, n, 40, 1500);
    for (let i = 0; i < n; i++) {
      ph += thump / SR;
      ph -= Math.floor(ph);
      out[i] += 1.2 * knock[i] * Math.exp(-ph * 6);
    }
    mixInto(out, normalize(bandNoise(rng, n, 500, 6000)), dbToGain(rng.uniform(-25, -8)));
  } else if (kind === 'hammering') {
    mixInto(out, normalize(filter(pink(rng, n), new Biquad('lowpass', 2000))), dbToGain(rng.uniform(-30, -15)));
    let t = rng.uniform(0, 0.5);
    const rate = rng.uniform(1, 5);
    const modes = [rng.uniform(300, 1500), rng.uniform(1500, 4000)];
    while (t < n / SR) {
      const hit = impact(rng, 0.25, rng.uniform(0.01, 0.05), modes.map((m) => ({ freq: m * rng.uniform(0.95, 1.05), decayS: rng.uniform(0.02, 0.12), amp: rng.uniform(0.2, 1) })), 1, 60, 6000);
      mixInto(out, hit, rng.uniform(3, 10), Math.round(t * SR));
      t += (1 / rate) * rng.uniform(0.6, 1.5);
    }
  } else {
    // Factory floor: several machines + impacts + hiss.
    for (let m = 0; m < randInt(rng, 2, 4); m++) {
      const f0 = logUniform(rng, 25, 300);
      mixInto(out, normalize(harmonicTone(new Float64Array(n).fill(f0), harmonicAmps(rng, 15, 2))), dbToGain(rng.uniform(-10, 0)));
    }
    mixInto(out, normalize(filter(pink(rng, n), new Biquad('lowpass', 3000))), dbToGain(rng.uniform(-8, 2)));
    let t = rng.uniform(0, 0.3);
    while (t < n / SR) {
      mixInto(out, impact(rng, 0.1, 0.02, [{ freq: rng.uniform(500, 3000), decayS: 0.05, amp: 0.5 }], 1), rng.uniform(1, 4), Math.round(t * SR));
      t += rng.uniform(0.1, 1.2);
    }
  }
  return normalize(out);
}

/** 0/1 envelope of on-bursts (mean length onS) separated by gaps, smoothed over ~20 ms; `duty` ≈ fraction on. */
function burstEnvelope(rng: Random, n: number, duty: number, onS: number, minOnS: number, startOnProb: number): Float64Array {
  const env = new Float64Array(n);
  let on = rng.next() < startOnProb;
  let i = 0;
  while (i < n) {
    const len = on ? Math.max(minOnS, rng.uniform(0.3, 2) * onS) : rng.uniform(0.1, 1.5) * onS * (1 - duty) / duty;
    const end = Math.min(n, i + Math.round(len * SR));
    for (; i < end; i++) env[i] = on ? 1 : 0.03;
    on = !on;
  }
  // Smooth 20 ms.
  const a = Math.exp(-1 / (0.02 * SR));
  let y = env[0];
  for (let k = 0; k < n; k++) env[k] = y = a * y + (1 - a) * env[k];
  return env;
}

// ───────────────────────── hvac ─────────────────────────

/**
 * HVAC: fan (blade-pass tone = blades · rotation, 40–400 Hz, plus broadband turbulence), duct rumble (low-passed
 * pink noise), air conditioner (compressor hum at 50/60 Hz harmonics + fan), ventilation hiss. Stationary.
 */
export function hvac(rng: Random, n: number): Signal {
  const kind = pick(rng, ['fan', 'duct', 'aircon', 'aircon', 'vent'] as const);
  const tilt = logUniform(rng, 200, 7000);
  const out = normalize(filter(pink(rng, n), new Biquad('lowpass', tilt), new Biquad('highpass', rng.uniform(20, 100))));
  if (kind === 'fan' || kind === 'aircon') {
    const rps = rng.uniform(8, 25);
    const blades = randInt(rng, 3, 9);
    const bpf = new Float64Array(n).fill(rps * blades);
    mixInto(out, normalize(harmonicTone(bpf, harmonicAmps(rng, 5, 6))), dbToGain(rng.uniform(-20, -3)));
  }
  if (kind === 'aircon' || rng.next() < 0.4) {
    const mains = pick(rng, [50, 60]);
    mixInto(out, normalize(harmonicTone(new Float64Array(n).fill(mains * 2), harmonicAmps(rng, 8, 4))), dbToGain(rng.uniform(-25, -5)));
  }
  // Air rushing through grilles and fan blades: hiss up to several kHz (outdoor units and vents).
  if (kind === 'vent' || rng.next() < 0.4) mixInto(out, normalize(bandNoise(rng, n, logUniform(rng, 500, 2000), 7000)), dbToGain(kind === 'vent' ? rng.uniform(-10, 0) : rng.uniform(-20, -3)));
  if (kind === 'duct') filter(out, new Biquad('lowpass', rng.uniform(150, 600)));
  // Turbulence fluctuation: slight and slow (HVAC is nearly stationary).
  applyEnvelope(out, randomModulation(rng, n, rng.uniform(0.5, 4), rng.uniform(0.02, 0.15)));
  return normalize(out);
}

// ───────────────────────── babble ─────────────────────────

/** Formant targets (F1, F2, F3 in Hz) of a few vowels, adult male (Peterson & Barney 1952); scaled for others. */
const VOWELS: [number, number, number][] = [
  [730, 1090, 2440], [270, 2290, 3010], [530, 1840, 2480], [660, 1720, 2410], [570, 840, 2410],
  [300, 870, 2240], [640, 1190, 2390], [490, 1350, 1690], [440, 1020, 2240], [390, 1990, 2550],
];

/**
 * One synthetic talker: a glottal pulse train (Rosenberg-like pulses via a low-passed impulse train, f0 with
 * declination and prosodic wobble) through three formant resonators that move to a new vowel every syllable
 * (3–6 syllables/s), unvoiced fricatives (high-passed noise bursts) between some syllables, and pauses.
 */
function talker(rng: Random, n: number, child: boolean, shout: boolean): Signal {
  const female = rng.next() < 0.5;
  const f0Base = child ? rng.uniform(230, 420) : female ? rng.uniform(160, 260) : rng.uniform(85, 150);
  const formantScale = child ? rng.uniform(1.25, 1.45) : female ? rng.uniform(1.1, 1.2) : 1;
  const syllableRate = rng.uniform(3, 6);
  // Connected / reverberant speech does not return to silence between syllables.
  const floor = rng.next() < 0.5 ? 0 : rng.uniform(0.1, 0.5);
  // Aspiration noise in the glottal source (breathy, shouted and distant voices are far from clean pulse trains).
  const breath = rng.uniform(0.05, 0.6);
  const out = new Float32Array(n);
  const src = new Float32Array(n);
  const f1 = new Biquad('bandpass', 500, 5);
  const f2 = new Biquad('bandpass', 1500, 8);
  const f3 = new Biquad('bandpass', 2500, 10);
  const fric = new Biquad('highpass', 3000);
  const glottal = new Biquad('lowpass', 800, 0.7);
  let phase = rng.next();
  let i = 0;
  while (i < n) {
    const pause = rng.next() < 0.15;
    // Shouted / called syllables are drawn out (0.3–0.9 s), as in children's play.
    const long = shout && rng.next() < 0.4;
    const len = Math.round(SR * (pause ? rng.uniform(0.1, 0.6) : long ? rng.uniform(0.3, 0.9) : rng.uniform(0.6, 1.4) / syllableRate));
    const end = Math.min(n, i + len);
    if (pause) {
      i = end;
      continue;
    }
    const v = pick(rng, VOWELS);
    f1.set('bandpass', v[0] * formantScale, 5);
    f2.set('bandpass', v[1] * formantScale, 8);
    f3.set('bandpass', v[2] * formantScale, 10);
    const fricative = rng.next() < 0.3;
    const fricLen = fricative ? Math.round(rng.uniform(0.04, 0.12) * SR) : 0;
    // Children's shouts and screams reach 500–1000 Hz.
    const pitchStart = f0Base * (shout ? rng.uniform(1.3, child ? 2.5 : 2) : rng.uniform(0.85, 1.25));
    // Shouts glide by up to about an octave (calls, screams): tonal sweeps that are not sirens.
    const pitchEnd = pitchStart * (shout ? logUniform(rng, 0.6, 1.6) : rng.uniform(0.75, 1.2));
    for (let k = i; k < end; k++) {
      const u = (k - i) / (end - i);
      const env = floor + (1 - floor) * Math.sin(Math.PI * Math.min(1, u * 1.1)) ** 0.6;
      if (k - i < fricLen) {
        src[k] = 0;
        out[k] = 0.3 * fric.next(rng.gaussian()) * env;
        continue;
      }
      const f0 = pitchStart + (pitchEnd - pitchStart) * u;
      phase += f0 / SR;
      let pulse = 0;
      if (phase >= 1) {
        phase -= 1;
        pulse = 1;
      }
      const g = glottal.next(pulse * 10 + breath * rng.gaussian());
      src[k] = g;
      out[k] = (f1.next(g) + 0.6 * f2.next(g) + 0.3 * f3.next(g)) * env;
    }
    i = end;
  }
  return normalize(out);
}

/**
 * Babble: 3–25 talkers (restaurant, canteen, crowd) or a group of children playing outdoors (higher pitch, shouts,
 * traffic/park background, as in UrbanSound8K children_playing), with room reverb applied later by the mixer.
 */
export function babble(rng: Random, n: number): Signal {
  const kind = pick(rng, ['cafe', 'crowd', 'children', 'children', 'conversation'] as const);
  const talkers = kind === 'conversation' ? randInt(rng, 2, 4) : kind === 'children' ? randInt(rng, 3, 15) : randInt(rng, 5, 25);
  const out = new Float32Array(n);
  for (let t = 0; t < talkers; t++) {
    const child = kind === 'children' ? rng.next() < 0.85 : rng.next() < 0.05;
    const shout = (kind === 'children' && rng.next() < 0.4) || (kind === 'crowd' && rng.next() < 0.1);
    const voice = talker(rng, n, child, shout);
    // Outdoors the talkers are at 5–50 m: air absorption and ground effect dull the far ones.
    if (kind === 'children' && rng.next() < 0.6) filter(voice, new Biquad('lowpass', logUniform(rng, 1500, 6000)));
    mixInto(out, voice, dbToGain(rng.uniform(-15, 0) + (shout ? 4 : 0)));
  }
  if (kind === 'cafe' && rng.next() < 0.6) {
    // Cutlery / cup clinks.
    let t = rng.uniform(0, 1);
    while (t < n / SR) {
      mixInto(out, impact(rng, 0.3, 0.005, [{ freq: rng.uniform(2000, 5000), decayS: rng.uniform(0.05, 0.2), amp: 1 }], 0.3), rng.uniform(0.2, 1), Math.round(t * SR));
      t += rng.uniform(0.5, 3);
    }
  }
  if (kind === 'children') {
    // Park / playground ambience: distant traffic rumble, wind on the microphone, footsteps and ball impacts.
    mixInto(out, normalize(filter(pink(rng, n), new Biquad('lowpass', logUniform(rng, 300, 1500)))), dbToGain(rng.uniform(-18, -2)) * Math.sqrt(sq(out)));
    if (rng.next() < 0.4) mixInto(out, wind(rng, n), dbToGain(rng.uniform(-15, 0)) * Math.sqrt(sq(out)));
    let t = rng.uniform(0, 2);
    while (rng.next() < 0.6 && t < n / SR) {
      const hit = impact(rng, 0.15, rng.uniform(0.005, 0.03), [{ freq: logUniform(rng, 100, 800), decayS: rng.uniform(0.01, 0.05), amp: 1 }], 1, 60, 4000);
      mixInto(out, normalize(hit), dbToGain(rng.uniform(-6, 6)) * Math.sqrt(sq(out)), Math.round(t * SR));
      t += rng.uniform(0.2, 2);
    }
  }
  return normalize(out);
}

// ───────────────────────── office (typing) ─────────────────────────

/**
 * Keyboard typing: each key a click (impact: 2–3 plate modes at 1–7 kHz with 2–15 ms decay) plus a bottom-out
 * thud (100–400 Hz) and a release click 40–120 ms later; a keyboard has ~8 key "families" with their own modes.
 * Rhythm: typing bursts with inter-key intervals 80–300 ms (lognormal), pauses, or single keys pressed repeatedly.
 */
export function office(rng: Random, n: number): Signal {
  // Plate modes: small keycaps ring high, laptop decks and desks lower; the bottom-out thud carries much of the
  // energy of a close recording (measured keyboard recordings peak at a few hundred Hz).
  const low = rng.next() < 0.5;
  const families = Array.from({ length: 8 }, () => ({
    modes: low ? [rng.uniform(300, 1200), rng.uniform(1000, 3000), rng.uniform(2500, 6000)] : [rng.uniform(1000, 3000), rng.uniform(2500, 5000), rng.uniform(4000, 7000)],
    thud: rng.uniform(80, 400),
  }));
  const thudAmp = low ? rng.uniform(0.5, 2) : rng.uniform(0.2, 0.8);
  const out = new Float32Array(n);
  const style = pick(rng, ['typing', 'typing', 'repeat'] as const);
  const meanIki = style === 'repeat' ? rng.uniform(0.15, 0.6) : rng.uniform(0.08, 0.3);
  const fixedFamily = pick(rng, families);
  let t = rng.uniform(0, 0.3);
  const clickDecay = rng.uniform(0.002, 0.012);
  while (t < n / SR) {
    const fam = style === 'repeat' ? fixedFamily : pick(rng, families);
    const press = impact(rng, 0.06, clickDecay, [
      ...fam.modes.map((f) => ({ freq: f * rng.uniform(0.98, 1.02), decayS: rng.uniform(0.002, 0.015), amp: rng.uniform(0.2, 1) })),
      { freq: fam.thud, decayS: rng.uniform(0.006, 0.02), amp: thudAmp * rng.uniform(0.7, 1.3) },
    ], rng.uniform(0.3, 1.2), low ? 200 : 500, 7500);
    const amp = rng.uniform(0.5, 1.5) * (rng.next() < 0.08 ? 2 : 1);
    mixInto(out, press, amp, Math.round(t * SR));
    const release = impact(rng, 0.03, clickDecay * 0.7, fam.modes.slice(0, 2).map((f) => ({ freq: f * 1.1, decayS: 0.004, amp: 0.4 })), 0.5, 800, 7500);
    mixInto(out, release, amp * rng.uniform(0.1, 0.5), Math.round((t + rng.uniform(0.04, 0.12)) * SR));
    let iki = meanIki * Math.exp((style === 'repeat' ? 0.12 : 0.35) * rng.gaussian());
    if (style === 'typing' && rng.next() < 0.06) iki += rng.uniform(0.3, 1.2); // thinking pause
    t += Math.max(0.05, iki);
  }
  // Quiet room tone under the clicks (often absent in close recordings).
  const room = normalize(filter(pink(rng, n), new Biquad('lowpass', rng.uniform(300, 3000))));
  mixInto(out, room, dbToGain(rng.uniform(-60, -25)) * Math.sqrt(sq(out) * 50));
  return normalize(out);
}

// ───────────────────────── household ─────────────────────────

/**
 * Household appliances: vacuum cleaner (universal motor 300–600 Hz whine + strong broadband airflow to 8 kHz),
 * dishwasher (spray-arm swish: noise modulated at 0.5–2 Hz, pump hum), washing machine (drum rotation thumps at
 * 0.5–1.5 Hz, motor hum, sloshing), running tap (broadband 1–8 kHz with bubbly resonances), washing dishes
 * (clinks + water), exercise bike / hair dryer-like whir.
 */
export function household(rng: Random, n: number): Signal {
  const kind = pick(rng, ['vacuum', 'vacuum', 'dishwasher', 'washer', 'tap', 'tap', 'dishes', 'whir'] as const);
  let out: Signal = new Float32Array(n);
  if (kind === 'vacuum' || kind === 'whir') {
    const air = normalize(filter(white(rng, n), new Biquad('highpass', rng.uniform(100, 400)), new Biquad('lowpass', rng.uniform(3000, 7900))));
    filter(air, new Biquad('peak', rng.uniform(1000, 4000), 0.7, rng.uniform(0, 8)));
    out = normalize(air);
    const motor = kind === 'vacuum' ? rng.uniform(250, 700) : rng.uniform(40, 200);
    // Motor speed follows the load (nozzle blocked or free, speed settings): a few % to 20 %.
    const f = drift(rng, n, 0.5);
    const wanderDepth = rng.next() < 0.5 ? 0.01 : rng.uniform(0.03, 0.2);
    for (let i = 0; i < n; i++) f[i] = motor * (1 + wanderDepth * f[i]);
    mixInto(out, normalize(harmonicTone(f, harmonicAmps(rng, 6, 5))), dbToGain(rng.uniform(-18, 0)));
    if (kind === 'vacuum' && rng.next() < 0.5) applyEnvelope(out, randomModulation(rng, n, 1, 0.4)); // nozzle moving
  } else if (kind === 'dishwasher' || kind === 'washer') {
    const water = normalize(bandNoise(rng, n, 200, rng.uniform(2000, 6000)));
    const rate = kind === 'dishwasher' ? rng.uniform(0.5, 2) : rng.uniform(0.5, 1.5);
    let ph = rng.next();
    for (let i = 0; i < n; i++) {
      ph += rate / SR;
      water[i] *= 0.4 + 0.6 * Math.max(0, Math.sin(2 * Math.PI * ph)) ** 2;
    }
    out = normalize(water);
    mixInto(out, normalize(harmonicTone(new Float64Array(n).fill(rng.uniform(40, 400)), harmonicAmps(rng, 8, 4))), dbToGain(rng.uniform(-15, 0)));
    if (kind === 'washer') {
      let t = rng.uniform(0, 1 / rate);
      while (t < n / SR) {
        mixInto(out, impact(rng, 0.2, 0.04, [{ freq: rng.uniform(60, 200), decayS: 0.05, amp: 1 }], 0.5, 40, 800), rng.uniform(1, 4), Math.round(t * SR));
        t += 1 / rate;
      }
    }
  } else if (kind === 'tap' || kind === 'dishes') {
    out = normalize(filter(white(rng, n), new Biquad('highpass', rng.uniform(300, 1000)), new Biquad('lowpass', rng.uniform(5000, 7900))));
    applyEnvelope(out, randomModulation(rng, n, rng.uniform(10, 40), 0.4));
    // Bubbles: short rising chirps (Minnaert resonance 500–4000 Hz).
    const bubbles = Math.round((n / SR) * rng.uniform(10, 60));
    for (let b = 0; b < bubbles; b++) {
      const len = Math.round(rng.uniform(0.005, 0.03) * SR);
      const f0 = rng.uniform(500, 4000);
      const f = new Float64Array(len);
      for (let i = 0; i < len; i++) f[i] = f0 * (1 + (0.5 * i) / len);
      const tone = harmonicTone(f, [1]);
      for (let i = 0; i < len; i++) tone[i] *= Math.exp((-5 * i) / len);
      mixInto(out, tone, rng.uniform(0.5, 3), randInt(rng, 0, n - 1));
    }
    if (kind === 'dishes') {
      let t = rng.uniform(0, 0.5);
      while (t < n / SR) {
        mixInto(out, impact(rng, 0.4, 0.003, [
          { freq: rng.uniform(1500, 5000), decayS: rng.uniform(0.05, 0.3), amp: 1 },
          { freq: rng.uniform(3000, 7000), decayS: rng.uniform(0.03, 0.15), amp: 0.5 },
        ], 0.5), rng.uniform(2, 8), Math.round(t * SR));
        t += rng.uniform(0.2, 1.5);
      }
    }
  }
  return normalize(out);
}

// ───────────────────────── alarm ─────────────────────────

/**
 * Alarms: piezo smoke alarm (fundamental 2.8–3.6 kHz, square-ish so odd harmonics above Nyquist vanish at 16 kHz;
 * NFPA 72 / ISO 8201 temporal-three: 0.5 s on, 0.5 s off, ×3, then 1.5 s off; also T4 for CO alarms: 0.1 s on /
 * 0.1 s off ×4, then 5 s off), fast continuous beeping (2–8 beeps/s), electronic fire alarm (tone 500–1200 Hz,
 * continuous or pulsed), fire-alarm bell (striker at 12–25 Hz on a bell with inharmonic partials 1 : 2.76 : 5.4),
 * alarm clock (bursts of 4 beeps at ~4 kHz).
 */
export function alarm(rng: Random, n: number): Signal {
  const kind = pick(rng, ['t3', 't3', 't4', 'beeping', 'beeping', 'electronic', 'bell', 'bell', 'clock'] as const);
  const out = new Float32Array(n);
  const durationS = n / SR;
  if (kind === 'bell') {
    const strike = rng.uniform(12, 25);
    const f0 = rng.uniform(700, 2500);
    const ratios = [1, 2.76 * rng.uniform(0.97, 1.03), 5.4 * rng.uniform(0.97, 1.03), 0.5];
    const amps = [1, rng.uniform(0.3, 0.8), rng.uniform(0.1, 0.4), rng.uniform(0, 0.3)];
    // Continuous ringing: a sum of partials whose level is re-excited at the strike rate.
    const phaseOffset = rng.next();
    for (let p = 0; p < ratios.length; p++) {
      const f = f0 * ratios[p];
      if (f >= SR / 2) continue;
      const w = (2 * Math.PI * f) / SR;
      const decay = rng.uniform(20, 60);
      for (let i = 0; i < n; i++) {
        const ph = (i / SR) * strike + phaseOffset;
        const since = (ph - Math.floor(ph)) / strike;
        out[i] += amps[p] * (0.35 + Math.exp(-since * decay)) * Math.sin(w * i);
      }
    }
    // Striker clicks.
    let t = phaseOffset / strike;
    while (t < durationS) {
      mixInto(out, impact(rng, 0.01, 0.002, [], 0.5, 1000, 7000), 1, Math.round(t * SR));
      t += 1 / strike;
    }
    applyEnvelope(out, gatedPattern(rng, n, rng.next() < 0.6 ? [[durationS + 1, 0]] : [[rng.uniform(1, 3), rng.uniform(0.3, 1)]]));
    return normalize(out);
  }
  let f0: number;
  let pattern: [number, number][];
  let harm: number[];
  switch (kind) {
    case 't3': {
      f0 = rng.uniform(2800, 3600);
      const on = rng.uniform(0.4, 0.6);
      pattern = [[on, rng.uniform(0.4, 0.6)], [on, rng.uniform(0.4, 0.6)], [on, rng.uniform(1.3, 1.7)]];
      harm = [1, 0.1];
      break;
    }
    case 't4':
      f0 = rng.uniform(2800, 3600);
      pattern = [[0.1, 0.1], [0.1, 0.1], [0.1, 0.1], [0.1, rng.uniform(1, 5)]];
      harm = [1, 0.1];
      break;
    case 'beeping': {
      f0 = rng.next() < 0.85 ? rng.uniform(2000, 4500) : rng.uniform(800, 2000);
      const period = 1 / rng.uniform(1, 8);
      const duty = rng.uniform(0.3, 0.7);
      pattern = [[period * duty, period * (1 - duty)]];
      harm = [1, rng.uniform(0, 0.3), rng.uniform(0, 0.2)];
      break;
    }
    case 'electronic':
      f0 = rng.uniform(500, 1200);
      pattern = [[rng.uniform(0.1, 0.5), rng.uniform(0.1, 0.6)]]; // pulsed: continuous tones are left to sirens
      harm = [1, rng.uniform(0, 0.2), rng.uniform(0.1, 0.4), 0, rng.uniform(0, 0.2)];
      break;
    default: // clock
      f0 = rng.uniform(2000, 4500);
      pattern = [[0.07, 0.07], [0.07, 0.07], [0.07, 0.07], [0.07, rng.uniform(0.4, 1)]];
      harm = [1, 0.05];
  }
  const f = new Float64Array(n).fill(f0);
  // Piezo warble: slight frequency instability.
  const wob = drift(rng, n, 5);
  for (let i = 0; i < n; i++) f[i] *= 1 + 0.003 * wob[i];
  mixInto(out, harmonicTone(f, harm));
  applyEnvelope(out, gatedPattern(rng, n, pattern));
  return normalize(out);
}

/** Repeats an [on, off] seconds pattern from a random phase; 3 ms ramps. */
function gatedPattern(rng: Random, n: number, pattern: [number, number][]): Float64Array {
  const env = new Float64Array(n);
  const cycle = pattern.reduce((s, [a, b]) => s + a + b, 0);
  const offset = rng.uniform(0, cycle);
  const ramp = 0.003;
  for (let i = 0; i < n; i++) {
    let t = (i / SR + offset) % cycle;
    let v = 0;
    for (const [on, off] of pattern) {
      if (t < on) {
        v = Math.min(1, t / ramp, (on - t) / ramp);
        break;
      }
      t -= on + off;
      if (t < 0) break;
    }
    env[i] = v;
  }
  return env;
}

// ───────────────────────── siren ─────────────────────────

/**
 * Emergency sirens: electronic wail (sweep between ~500–700 Hz and ~1300–1800 Hz, period 3–8 s), yelp (same range,
 * period 0.15–0.5 s), hi-lo / two-tone (e.g. 440/585 Hz, 420/520 Hz, alternating every 0.4–1.5 s), phaser /
 * piercer (very fast sweep), mechanical wail (slow rise with rotor harmonics). Horn-loudspeaker waveform: strong
 * odd harmonics through a band-pass horn response. The vehicle moves: Doppler and distance envelope; street
 * background is added by the mixer.
 */
export const SIREN_KINDS = ['wail', 'yelp', 'hilo', 'phaser', 'mechanical'] as const;
export type SirenKind = (typeof SIREN_KINDS)[number];

export function siren(rng: Random, n: number, force?: SirenKind): Signal {
  const picked = pick(rng, ['wail', 'wail', 'yelp', 'yelp', 'hilo', 'hilo', 'phaser', 'mechanical'] as const);
  const kind = force ?? picked;
  const low = rng.uniform(450, 800);
  const high = low * rng.uniform(1.6, 2.6);
  const f = new Float64Array(n);
  const start = rng.next();
  switch (kind) {
    case 'wail':
    case 'yelp':
    case 'phaser':
    case 'mechanical': {
      const period = kind === 'wail' ? rng.uniform(2.5, 8) : kind === 'yelp' ? rng.uniform(0.15, 0.5) : kind === 'phaser' ? rng.uniform(0.04, 0.12) : rng.uniform(4, 10);
      const rise = rng.uniform(0.3, 0.7); // fraction of the period spent rising
      for (let i = 0; i < n; i++) {
        const ph = (i / SR / period + start) % 1;
        const u = ph < rise ? ph / rise : 1 - (ph - rise) / (1 - rise);
        const shaped = kind === 'mechanical' ? Math.sqrt(u) : u;
        f[i] = low * Math.pow(high / low, shaped);
      }
      break;
    }
    default: {
      const lo = rng.uniform(400, 700);
      const hi = lo * rng.uniform(1.2, 1.5);
      const half = rng.uniform(0.4, 1.5);
      for (let i = 0; i < n; i++) f[i] = Math.floor(i / SR / half + start * 2) % 2 === 0 ? lo : hi;
    }
  }
  // Doppler from the moving vehicle.
  const durationS = n / SR;
  const moving = rng.next() < 0.6;
  const { gain, doppler } = moving
    ? passBy(n, rng.uniform(5, 25), rng.uniform(5, 80), rng.uniform(-0.5 * durationS, 1.5 * durationS))
    : { gain: new Float64Array(n).fill(1), doppler: new Float64Array(n).fill(1) };
  for (let i = 0; i < n; i++) f[i] *= doppler[i];
  const waveform = pick(rng, ['square', 'saw', 'sine'] as const);
  const H = 12;
  const amps = new Float64Array(H);
  for (let h = 0; h < H; h++) {
    const k = h + 1;
    amps[h] = waveform === 'square' ? (k % 2 === 1 ? 1 / k : 0.05 / k) : waveform === 'saw' ? 1 / k : k === 1 ? 1 : 0.15 / (k * k);
  }
  const out = harmonicTone(f, amps);
  // Horn loudspeaker: band-pass around 500–3000 Hz.
  filter(out, new Biquad('highpass', rng.uniform(250, 450)), new Biquad('lowpass', rng.uniform(2500, 6000)));
  // Horn resonance: the level changes as the tone sweeps through it.
  filter(out, new Biquad('peak', rng.uniform(500, 2000), rng.uniform(0.7, 3), rng.uniform(0, 12)));
  for (let i = 0; i < n; i++) gain[i] = Math.pow(gain[i], 0.8);
  applyEnvelope(out, gain);
  if (kind === 'mechanical') mixInto(out, normalize(bandNoise(rng, n, 300, 3000)), 0.1 * Math.sqrt(sq(out)));
  return normalize(out);
}

export const SOURCES: Record<NoiseClass, (rng: Random, n: number) => Signal> = {
  traffic, aircraft, engine, construction, hvac, babble, office, household, alarm, siren: (rng, n) => siren(rng, n),
};

/** Wind on a microphone: low-frequency turbulence rumble (below ~200 Hz) in gusts. */
export function wind(rng: Random, n: number): Signal {
  const out = filter(brown(rng, n), new Biquad('highpass', 15), new Biquad('lowpass', logUniform(rng, 80, 400)));
  applyEnvelope(out, randomModulation(rng, n, logUniform(rng, 0.3, 3), rng.uniform(0.3, 0.9)));
  return normalize(out);
}

/** Background beds (no safety content) used under every example. */
export function background(rng: Random, n: number, force?: 'street'): Signal {
  const kind = force ?? pick(rng, ['pink', 'brown', 'white-lp', 'room', 'street', 'street', 'wind', 'class', 'class'] as const);
  let bed: Signal;
  switch (kind) {
    case 'pink':
      bed = pink(rng, n);
      break;
    case 'brown':
      bed = brown(rng, n);
      break;
    case 'white-lp':
      bed = filter(white(rng, n), new Biquad('lowpass', logUniform(rng, 300, 7000)));
      break;
    case 'room':
      bed = filter(pink(rng, n), new Biquad('lowpass', rng.uniform(200, 800)), new Biquad('highpass', 40));
      break;
    case 'street':
      bed = traffic(rng, n);
      break;
    case 'wind':
      bed = wind(rng, n);
      mixInto(bed, normalize(filter(pink(rng, n), new Biquad('lowpass', logUniform(rng, 300, 3000)))), dbToGain(rng.uniform(-20, 0)));
      break;
    default: {
      const cls = pick(rng, ['traffic', 'hvac', 'babble', 'engine', 'household', 'construction', 'aircraft'] as const);
      bed = SOURCES[cls](rng, n);
    }
  }
  applyEnvelope(bed, randomModulation(rng, n, rng.uniform(0.2, 2), rng.uniform(0, 0.4)));
  return normalize(bed);
}

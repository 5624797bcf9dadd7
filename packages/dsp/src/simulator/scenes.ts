/**
 * Generated noise scenes for the acoustic simulator: the signal at the noise source, before the primary path.
 *
 * Every scene is scaled to SCENE_RMS_DBFS (−20 dBFS RMS, full scale = 1) unless options.rmsDbfs says otherwise;
 * if that would put a peak above PEAK_LIMIT the whole scene is scaled down instead, so nothing ever clips (only
 * the impulsive scene comes near; its RMS then ends a little below the target). All randomness comes from a
 * seeded Random, so a (name, sampleRate, durationS, seed) tuple always yields the same samples.
 *
 * Filters are RBJ "Audio EQ Cookbook" biquads (R. Bristow-Johnson), Butterworth Q: gentle slopes are intended.
 */
import { Random } from '../random.js';

export type SceneName = 'engine' | 'broadband' | 'bandlimited' | 'chirp' | 'nonstationary' | 'impulsive';

export const SCENE_NAMES: readonly SceneName[] = ['engine', 'broadband', 'bandlimited', 'chirp', 'nonstationary', 'impulsive'];

/** Target RMS level of every scene, dBFS (full scale = 1). */
export const SCENE_RMS_DBFS = -20;
/** Largest |sample| a scene may contain. */
export const PEAK_LIMIT = 0.98;

export interface SceneOptions {
  /** Sample rate, Hz (≥ 2000 so the 100 Hz … 1 kHz content fits under Nyquist). */
  sampleRate: number;
  /** Duration, seconds (≥ 0); length = round(durationS · sampleRate). */
  durationS: number;
  /** PRNG seed; default 1. */
  seed?: number;
  /** RMS level, dBFS; default SCENE_RMS_DBFS (−20). */
  rmsDbfs?: number;
  /** Engine only: firing frequency, Hz; default engineFiringFrequency(seed), 30–60 Hz. */
  fundamentalHz?: number;
}

const DESCRIPTIONS: Record<SceneName, string> = {
  engine: 'engine harmonics: 30-60 Hz firing frequency, orders 1-8 falling 3 dB per order, slow RPM drift, a little broadband',
  broadband: 'white noise band-limited to 100 Hz ... 0.45 fs (2nd-order slopes)',
  bandlimited: 'noise band 200-1000 Hz (4th-order Butterworth slopes)',
  chirp: 'linear sweep 20 -> 1600 Hz repeating every 0.25 s (phase-continuous)',
  nonstationary: 'broadband noise whose level (up to +-6 dB) and spectral tilt (up to +-19 dB below/above 500 Hz) drift over seconds',
  impulsive: 'broadband background plus random impacts (decaying bursts, about 2 per second)',
};

export function isSceneName(name: string): name is SceneName {
  return (SCENE_NAMES as readonly string[]).includes(name);
}

/** One line for --help text. */
export function describeScene(name: SceneName): string {
  return DESCRIPTIONS[name];
}

/** The engine scene's default firing frequency for a seed, Hz, in [30, 60). */
export function engineFiringFrequency(seed = 1): number {
  return 30 + 30 * new Random(seed).next();
}

export function generateScene(name: SceneName, options: SceneOptions): Float32Array {
  const { sampleRate, durationS, seed = 1, rmsDbfs = SCENE_RMS_DBFS } = options;
  if (!(sampleRate >= 2000 && Number.isFinite(sampleRate))) throw new RangeError(`sampleRate must be at least 2000 Hz, got ${sampleRate}`);
  if (!(durationS >= 0 && Number.isFinite(durationS))) throw new RangeError(`durationS must be ≥ 0 and finite, got ${durationS}`);
  if (!(rmsDbfs <= 0 && Number.isFinite(rmsDbfs))) throw new RangeError(`rmsDbfs must be ≤ 0 dBFS, got ${rmsDbfs}`);
  const length = Math.round(durationS * sampleRate);
  let signal: Float64Array;
  switch (name) {
    case 'engine':
      signal = engine(sampleRate, length, seed, options.fundamentalHz ?? engineFiringFrequency(seed));
      break;
    case 'broadband':
      signal = broadband(sampleRate, length, new Random(seed));
      break;
    case 'bandlimited':
      signal = bandlimited(sampleRate, length, new Random(seed));
      break;
    case 'chirp':
      signal = Float64Array.from(chirp(sampleRate, durationS, 20, Math.min(1600, 0.45 * sampleRate), { periodS: 0.25 }));
      break;
    case 'nonstationary':
      signal = nonstationary(sampleRate, length, new Random(seed));
      break;
    case 'impulsive':
      signal = impulsive(sampleRate, length, new Random(seed));
      break;
    default:
      throw new RangeError(`unknown scene ${String(name)}; scenes are ${SCENE_NAMES.join(', ')}`);
  }
  return normalize(signal, 10 ** (rmsDbfs / 20));
}

export interface ChirpOptions {
  /** Sweep period, seconds: the sweep restarts at f0 every periodS (phase stays continuous). Default durationS. */
  periodS?: number;
  /** Peak amplitude, full scale = 1. Default 1. */
  amplitude?: number;
}

/**
 * Linear sine sweep from f0 to f1 Hz over periodS (default: the whole duration), repeated. The instantaneous
 * frequency at t is f0 + (f1 − f0)·(t mod periodS)/periodS; the phase is accumulated sample by sample at the
 * sample's midpoint, so it is continuous across restarts.
 */
export function chirp(sampleRate: number, durationS: number, f0: number, f1: number, options: ChirpOptions = {}): Float32Array {
  const { periodS = durationS, amplitude = 1 } = options;
  if (!(sampleRate > 0 && Number.isFinite(sampleRate))) throw new RangeError(`sampleRate must be positive, got ${sampleRate}`);
  if (!(durationS >= 0 && Number.isFinite(durationS))) throw new RangeError(`durationS must be ≥ 0 and finite, got ${durationS}`);
  for (const [label, f] of [['f0', f0], ['f1', f1]] as const) {
    if (!(f >= 0 && f <= sampleRate / 2)) throw new RangeError(`${label} must be in [0, sampleRate/2], got ${f}`);
  }
  const length = Math.round(durationS * sampleRate);
  const out = new Float32Array(length);
  if (length === 0) return out;
  if (!(periodS > 0 && Number.isFinite(periodS))) throw new RangeError(`periodS must be positive, got ${periodS}`);
  const sweepRate = (f1 - f0) / periodS; // Hz per second
  let phase = 0;
  for (let n = 0; n < length; n++) {
    out[n] = amplitude * Math.sin(phase);
    const t = (n + 0.5) / sampleRate;
    const frequency = f0 + sweepRate * (t - periodS * Math.floor(t / periodS));
    phase += (2 * Math.PI * frequency) / sampleRate;
    // Keep the phase small so float64 keeps its precision over hours.
    if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
  }
  return out;
}

// ── Scene generators (unnormalised; generateScene() sets the level) ────────────────────────────────────────────

function engine(sampleRate: number, length: number, seed: number, fundamentalHz: number): Float64Array {
  if (!(fundamentalHz > 0 && fundamentalHz < 0.45 * sampleRate)) throw new RangeError(`fundamentalHz must be in (0, 0.45·sampleRate), got ${fundamentalHz}`);
  const random = new Random(seed);
  random.next(); // the first draw is the default firing frequency (engineFiringFrequency)
  const orders = 8;
  const driftDepth = 0.005; // peak relative RPM deviation: ±0.5 %
  const amplitudes = new Float64Array(orders);
  const phases = new Float64Array(orders);
  for (let k = 0; k < orders; k++) {
    // Orders fall 3 dB each; any order that would pass 0.45 fs at the top of the drift is left out.
    amplitudes[k] = (k + 1) * fundamentalHz * (1 + driftDepth) < 0.45 * sampleRate ? 10 ** ((-3 * k) / 20) : 0;
    phases[k] = 2 * Math.PI * random.next();
  }
  // RPM drift: two slow incommensurate sinusoids (periods 3–6 s and 9–14 s).
  const driftPeriod1 = random.uniform(3, 6);
  const driftPeriod2 = random.uniform(9, 14);
  const driftPhase1 = 2 * Math.PI * random.next();
  const driftPhase2 = 2 * Math.PI * random.next();
  let harmonicPower = 0;
  for (const a of amplitudes) harmonicPower += (a * a) / 2;
  const broadbandLevel = 0.01 * Math.sqrt(harmonicPower); // −40 dB below the harmonics
  const background = broadband(sampleRate, length, random);
  const backgroundRms = rms(background) || 1;

  const out = new Float64Array(length);
  let phase = 0; // phase of the firing frequency, radians, wrapped
  for (let n = 0; n < length; n++) {
    let v = 0;
    for (let k = 0; k < orders; k++) if (amplitudes[k] !== 0) v += amplitudes[k] * Math.sin((k + 1) * phase + phases[k]);
    out[n] = v + (broadbandLevel / backgroundRms) * background[n];
    const t = (n + 0.5) / sampleRate;
    const drift = 0.6 * Math.sin((2 * Math.PI * t) / driftPeriod1 + driftPhase1) + 0.4 * Math.sin((2 * Math.PI * t) / driftPeriod2 + driftPhase2);
    phase += (2 * Math.PI * fundamentalHz * (1 + driftDepth * drift)) / sampleRate;
    if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
  }
  return out;
}

/** White Gaussian noise through a 2nd-order 100 Hz high-pass and a 2nd-order 0.45·fs low-pass. */
function broadband(sampleRate: number, length: number, random: Random): Float64Array {
  const out = new Float64Array(length);
  for (let n = 0; n < length; n++) out[n] = random.gaussian();
  Biquad.highPass(sampleRate, 100, Math.SQRT1_2).run(out);
  Biquad.lowPass(sampleRate, 0.45 * sampleRate, Math.SQRT1_2).run(out);
  return out;
}

/** Q values of the two sections of a 4th-order Butterworth filter. */
const BUTTERWORTH4_Q = [0.5411961001461969, 1.3065629648763764];

function bandlimited(sampleRate: number, length: number, random: Random): Float64Array {
  const out = new Float64Array(length);
  for (let n = 0; n < length; n++) out[n] = random.gaussian();
  const high = Math.min(1000, 0.45 * sampleRate);
  for (const q of BUTTERWORTH4_Q) {
    Biquad.highPass(sampleRate, 200, q).run(out);
    Biquad.lowPass(sampleRate, high, q).run(out);
  }
  return out;
}

function nonstationary(sampleRate: number, length: number, random: Random): Float64Array {
  const base = broadband(sampleRate, length, random);
  // Tilt: split at 500 Hz and re-weight the halves by (1 + tilt) and (1 − tilt), tilt ∈ [−0.8, 0.8], i.e. up to
  // ±19 dB between them. The pair is rescaled to keep the total power, so the tilt does not also move the level.
  const low = base.slice();
  Biquad.lowPass(sampleRate, 500, Math.SQRT1_2).run(low);
  let lowPower = 0;
  let highPower = 0;
  for (let n = 0; n < length; n++) {
    lowPower += low[n] * low[n];
    highPower += (base[n] - low[n]) ** 2;
  }
  const totalPower = lowPower + highPower || 1;
  // Level: two slow sinusoids in dB, ±3 dB each, so the level swings up to ±6 dB at most ~3.3 dB per second.
  const levelPeriod1 = random.uniform(8, 12);
  const levelPeriod2 = random.uniform(20, 30);
  const tiltPeriod = random.uniform(6, 10);
  const phase1 = 2 * Math.PI * random.next();
  const phase2 = 2 * Math.PI * random.next();
  const tiltPhase = 2 * Math.PI * random.next();
  for (let n = 0; n < length; n++) {
    const t = n / sampleRate;
    const levelDb = 3 * Math.sin((2 * Math.PI * t) / levelPeriod1 + phase1) + 3 * Math.sin((2 * Math.PI * t) / levelPeriod2 + phase2);
    const tilt = 0.8 * Math.sin((2 * Math.PI * t) / tiltPeriod + tiltPhase);
    const powerKeeping = Math.sqrt(totalPower / ((1 + tilt) ** 2 * lowPower + (1 - tilt) ** 2 * highPower));
    const high = base[n] - low[n];
    base[n] = 10 ** (levelDb / 20) * powerKeeping * ((1 + tilt) * low[n] + (1 - tilt) * high);
  }
  return base;
}

function impulsive(sampleRate: number, length: number, random: Random): Float64Array {
  const out = broadband(sampleRate, length, random);
  const backgroundRms = rms(out) || 1;
  for (let n = 0; n < length; n++) out[n] *= 1 / backgroundRms;
  const impactsPerSecond = 2;
  // Impact envelope peak relative to the background RMS: as high as the crest factor allows at −20 dBFS without
  // the peak limiter taking more than about a dB off the scene's RMS.
  const peak = 7;
  // Poisson arrivals: exponential gaps.
  let at = Math.floor((-Math.log(1 - random.next()) / impactsPerSecond) * sampleRate);
  while (at < length) {
    const amplitude = peak * random.uniform(0.5, 1);
    const decayS = random.uniform(0.003, 0.025);
    const ringHz = random.uniform(150, Math.min(2000, 0.4 * sampleRate));
    const ringPhase = 2 * Math.PI * random.next();
    const end = Math.min(length, at + Math.ceil(6 * decayS * sampleRate));
    // A struck object: a damped resonance plus a noisy click, both under one exponential envelope.
    for (let n = at; n < end; n++) {
      const t = (n - at) / sampleRate;
      const envelope = amplitude * Math.exp(-t / decayS);
      out[n] += envelope * (0.85 * Math.sin(2 * Math.PI * ringHz * t + ringPhase) + 0.15 * random.gaussian());
    }
    at += 1 + Math.floor((-Math.log(1 - random.next()) / impactsPerSecond) * sampleRate);
  }
  return out;
}

// ── Helpers ────────────────────────────────────────────────────────────────────────────────────────────────────

function rms(signal: Float64Array): number {
  let sum = 0;
  for (let n = 0; n < signal.length; n++) sum += signal[n] * signal[n];
  return signal.length === 0 ? 0 : Math.sqrt(sum / signal.length);
}

/** Scales to the target RMS, then down further if a peak would exceed PEAK_LIMIT. */
function normalize(signal: Float64Array, targetRms: number): Float32Array {
  const out = new Float32Array(signal.length);
  const level = rms(signal);
  if (level === 0) return out;
  let peak = 0;
  for (let n = 0; n < signal.length; n++) peak = Math.max(peak, Math.abs(signal[n]));
  const gain = Math.min(targetRms / level, PEAK_LIMIT / peak);
  for (let n = 0; n < signal.length; n++) out[n] = gain * signal[n];
  return out;
}

/** Direct form I biquad, RBJ cookbook coefficients, run in place. */
class Biquad {
  private constructor(
    private readonly b0: number,
    private readonly b1: number,
    private readonly b2: number,
    private readonly a1: number,
    private readonly a2: number,
  ) {}

  static lowPass(sampleRate: number, cutoffHz: number, q: number): Biquad {
    const w0 = (2 * Math.PI * cutoffHz) / sampleRate;
    const alpha = Math.sin(w0) / (2 * q);
    const cos = Math.cos(w0);
    const a0 = 1 + alpha;
    return new Biquad((1 - cos) / 2 / a0, (1 - cos) / a0, (1 - cos) / 2 / a0, (-2 * cos) / a0, (1 - alpha) / a0);
  }

  static highPass(sampleRate: number, cutoffHz: number, q: number): Biquad {
    const w0 = (2 * Math.PI * cutoffHz) / sampleRate;
    const alpha = Math.sin(w0) / (2 * q);
    const cos = Math.cos(w0);
    const a0 = 1 + alpha;
    return new Biquad((1 + cos) / 2 / a0, -(1 + cos) / a0, (1 + cos) / 2 / a0, (-2 * cos) / a0, (1 - alpha) / a0);
  }

  run(signal: Float64Array): void {
    let x1 = 0;
    let x2 = 0;
    let y1 = 0;
    let y2 = 0;
    for (let n = 0; n < signal.length; n++) {
      const x = signal[n];
      const y = this.b0 * x + this.b1 * x1 + this.b2 * x2 - this.a1 * y1 - this.a2 * y2;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      signal[n] = y;
    }
  }
}

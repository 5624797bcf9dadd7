/**
 * Synthesis primitives for the procedural training-data generator: noises, RBJ biquads (R. Bristow-Johnson,
 * "Audio EQ Cookbook"), oscillators with a time-varying frequency, envelopes and a Schroeder reverb
 * (Schroeder 1962, "Natural sounding artificial reverberation": 4 parallel combs + 2 series all-passes).
 * Every random draw comes from the caller's seeded Random, so a seed always yields the same samples.
 */
import { Random } from '@antiphase/dsp';

export const SAMPLE_RATE = 16000;

export type Signal = Float32Array<ArrayBuffer>;

export function white(rng: Random, n: number, gain = 1): Signal {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = gain * rng.gaussian();
  return out;
}

/** Pink (1/f) noise, Paul Kellet's economy filter on white noise; unit-ish RMS. */
export function pink(rng: Random, n: number): Signal {
  const out = new Float32Array(n);
  let b0 = 0, b1 = 0, b2 = 0;
  for (let i = 0; i < n; i++) {
    const w = rng.gaussian();
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    out[i] = (b0 + b1 + b2 + w * 0.1848) * 0.25;
  }
  return out;
}

/** Brown (1/f²) noise: leaky integrated white noise. */
export function brown(rng: Random, n: number): Signal {
  const out = new Float32Array(n);
  let y = 0;
  for (let i = 0; i < n; i++) {
    y = 0.995 * y + 0.1 * rng.gaussian();
    out[i] = y;
  }
  return out;
}

export type BiquadType = 'lowpass' | 'highpass' | 'bandpass' | 'peak' | 'lowshelf' | 'highshelf';

/** RBJ biquad, transposed direct form II. */
export class Biquad {
  b0 = 1; b1 = 0; b2 = 0; a1 = 0; a2 = 0;
  private z1 = 0;
  private z2 = 0;

  constructor(type: BiquadType, freqHz: number, q = Math.SQRT1_2, gainDb = 0) {
    this.set(type, freqHz, q, gainDb);
  }

  set(type: BiquadType, freqHz: number, q = Math.SQRT1_2, gainDb = 0): void {
    const f = Math.min(Math.max(freqHz, 5), SAMPLE_RATE * 0.49);
    const w = (2 * Math.PI * f) / SAMPLE_RATE;
    const cw = Math.cos(w);
    const alpha = Math.sin(w) / (2 * q);
    const A = Math.pow(10, gainDb / 40);
    let b0: number, b1: number, b2: number, a0: number, a1: number, a2: number;
    switch (type) {
      case 'lowpass':
        b0 = (1 - cw) / 2; b1 = 1 - cw; b2 = b0; a0 = 1 + alpha; a1 = -2 * cw; a2 = 1 - alpha;
        break;
      case 'highpass':
        b0 = (1 + cw) / 2; b1 = -(1 + cw); b2 = b0; a0 = 1 + alpha; a1 = -2 * cw; a2 = 1 - alpha;
        break;
      case 'bandpass': // constant 0 dB peak gain
        b0 = alpha; b1 = 0; b2 = -alpha; a0 = 1 + alpha; a1 = -2 * cw; a2 = 1 - alpha;
        break;
      case 'peak':
        b0 = 1 + alpha * A; b1 = -2 * cw; b2 = 1 - alpha * A; a0 = 1 + alpha / A; a1 = -2 * cw; a2 = 1 - alpha / A;
        break;
      case 'lowshelf': {
        const s = 2 * Math.sqrt(A) * alpha;
        b0 = A * (A + 1 - (A - 1) * cw + s); b1 = 2 * A * (A - 1 - (A + 1) * cw); b2 = A * (A + 1 - (A - 1) * cw - s);
        a0 = A + 1 + (A - 1) * cw + s; a1 = -2 * (A - 1 + (A + 1) * cw); a2 = A + 1 + (A - 1) * cw - s;
        break;
      }
      case 'highshelf': {
        const s = 2 * Math.sqrt(A) * alpha;
        b0 = A * (A + 1 + (A - 1) * cw + s); b1 = -2 * A * (A - 1 + (A + 1) * cw); b2 = A * (A + 1 + (A - 1) * cw - s);
        a0 = A + 1 - (A - 1) * cw + s; a1 = 2 * (A - 1 - (A + 1) * cw); a2 = A + 1 - (A - 1) * cw - s;
        break;
      }
    }
    this.b0 = b0 / a0; this.b1 = b1 / a0; this.b2 = b2 / a0; this.a1 = a1 / a0; this.a2 = a2 / a0;
  }

  next(x: number): number {
    const y = this.b0 * x + this.z1;
    this.z1 = this.b1 * x - this.a1 * y + this.z2;
    this.z2 = this.b2 * x - this.a2 * y;
    return y;
  }

  process(signal: Signal): Signal {
    for (let i = 0; i < signal.length; i++) signal[i] = this.next(signal[i]);
    return signal;
  }
}

/** Filters in place through a chain of biquads. */
export function filter(signal: Signal, ...stages: Biquad[]): Signal {
  for (const stage of stages) stage.process(signal);
  return signal;
}

export function bandNoise(rng: Random, n: number, lowHz: number, highHz: number, order = 2): Signal {
  const s = white(rng, n);
  for (let k = 0; k < order / 2; k++) filter(s, new Biquad('highpass', lowHz), new Biquad('lowpass', highHz));
  return s;
}

/**
 * Oscillator with a per-sample frequency (Hz): sum of harmonics h = 1 … amps.length with amplitudes amps[h−1].
 * Harmonics above Nyquist are skipped per sample (no aliasing).
 */
export function harmonicTone(freq: ArrayLike<number>, amps: ArrayLike<number>, phase0 = 0): Signal {
  const n = freq.length;
  const out = new Float32Array(n);
  let phase = phase0;
  const H = amps.length;
  const nyquist = SAMPLE_RATE / 2;
  const twoPi = 2 * Math.PI;
  for (let i = 0; i < n; i++) {
    const f = freq[i];
    phase += (twoPi * f) / SAMPLE_RATE;
    if (phase > twoPi) phase -= twoPi * Math.floor(phase / twoPi);
    // sin((h+1)φ) = 2·cos φ·sin(hφ) − sin((h−1)φ): one sin and one cos per sample for all harmonics.
    const s1 = Math.sin(phase);
    const c2 = 2 * Math.cos(phase);
    let prev = 0;
    let cur = s1;
    const top = Math.min(H, Math.floor((nyquist - 1) / Math.max(f, 1e-9)));
    let acc = 0;
    for (let h = 0; h < top; h++) {
      acc += amps[h] * cur;
      const next = c2 * cur - prev;
      prev = cur;
      cur = next;
    }
    out[i] = acc;
  }
  return out;
}

/** Constant array. */
export function constant(n: number, value: number): Float64Array {
  return new Float64Array(n).fill(value);
}

/** Slowly varying random curve: sum of a few random sinusoids, mean 0, peak about ±1. */
export function drift(rng: Random, n: number, maxRateHz = 0.5, components = 3): Float64Array {
  const out = new Float64Array(n);
  for (let c = 0; c < components; c++) {
    const f = rng.uniform(0.02, maxRateHz);
    const p = rng.uniform(0, 2 * Math.PI);
    const a = rng.uniform(0.3, 1) / components;
    const w = (2 * Math.PI * f) / SAMPLE_RATE;
    for (let i = 0; i < n; i++) out[i] += a * Math.sin(w * i + p);
  }
  return out;
}

/** Smoothed random-walk modulation in [1 − depth, 1 + depth]: one-pole-smoothed noise at `rateHz`. */
export function randomModulation(rng: Random, n: number, rateHz: number, depth: number): Float64Array {
  const out = new Float64Array(n);
  const a = Math.exp((-2 * Math.PI * rateHz) / SAMPLE_RATE);
  let y = 0;
  let y2 = 0;
  for (let i = 0; i < n; i++) {
    y = a * y + (1 - a) * rng.gaussian();
    y2 = a * y2 + (1 - a) * y;
    out[i] = y2;
  }
  // Rescale to ±depth.
  let peak = 1e-12;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(out[i]));
  for (let i = 0; i < n; i++) out[i] = 1 + (depth * out[i]) / peak;
  return out;
}

export function rms(signal: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < signal.length; i++) s += signal[i] * signal[i];
  return Math.sqrt(s / Math.max(1, signal.length));
}

/** Scales in place to the given RMS (no-op for silence). */
export function normalize(signal: Signal, targetRms = 1): Signal {
  const r = rms(signal);
  if (r > 0) scale(signal, targetRms / r);
  return signal;
}

export function scale(signal: Signal, gain: number): Signal {
  for (let i = 0; i < signal.length; i++) signal[i] *= gain;
  return signal;
}

/** out += gain · add (up to the shorter length, starting at `offset` in out). */
export function mixInto(out: Signal, add: ArrayLike<number>, gain = 1, offset = 0): Signal {
  const n = Math.min(add.length, out.length - offset);
  for (let i = 0; i < n; i++) out[offset + i] += gain * add[i];
  return out;
}

/** Multiplies in place by an envelope array. */
export function applyEnvelope(signal: Signal, env: ArrayLike<number>): Signal {
  for (let i = 0; i < signal.length; i++) signal[i] *= env[i];
  return signal;
}

/** Exponentially decaying burst of filtered noise plus damped resonances (an impact). */
export function impact(
  rng: Random,
  lengthS: number,
  decayS: number,
  modes: { freq: number; decayS: number; amp: number }[],
  noiseAmp: number,
  noiseLowHz = 200,
  noiseHighHz = 6000,
): Signal {
  const n = Math.max(1, Math.round(lengthS * SAMPLE_RATE));
  const out = new Float32Array(n);
  if (noiseAmp > 0) {
    const noise = bandNoise(rng, n, noiseLowHz, noiseHighHz);
    const k = 1 / (decayS * SAMPLE_RATE);
    for (let i = 0; i < n; i++) out[i] += noiseAmp * noise[i] * Math.exp(-i * k);
  }
  for (const mode of modes) {
    if (mode.freq >= SAMPLE_RATE / 2) continue;
    const w = (2 * Math.PI * mode.freq) / SAMPLE_RATE;
    const k = 1 / (mode.decayS * SAMPLE_RATE);
    const p = rng.uniform(0, 2 * Math.PI);
    for (let i = 0; i < n; i++) out[i] += mode.amp * Math.exp(-i * k) * Math.sin(w * i + p);
  }
  // Short attack so clicks are not one-sample steps.
  const attack = Math.min(n, 16);
  for (let i = 0; i < attack; i++) out[i] *= i / attack;
  return out;
}

/** Schroeder reverb; `wet` in [0, 1], `rt60S` reverberation time. Returns a new signal. */
export function reverb(rng: Random, signal: Signal, rt60S: number, wet: number): Signal {
  const n = signal.length;
  const combDelays = [1116, 1188, 1277, 1356].map((d) => Math.round(d * rng.uniform(0.6, 1.1) * (SAMPLE_RATE / 44100) * 2));
  const wetSig = new Float32Array(n);
  for (const d of combDelays) {
    const g = Math.pow(10, (-3 * d) / (rt60S * SAMPLE_RATE));
    const buf = new Float32Array(d);
    let idx = 0;
    let lp = 0;
    for (let i = 0; i < n; i++) {
      const y = buf[idx];
      lp = 0.7 * y + 0.3 * lp; // damping
      buf[idx] = signal[i] + g * lp;
      wetSig[i] += y * 0.25;
      idx = idx + 1 === d ? 0 : idx + 1;
    }
  }
  for (const d of [225, 341]) {
    const buf = new Float32Array(d);
    let idx = 0;
    const g = 0.5;
    for (let i = 0; i < n; i++) {
      const bufOut = buf[idx];
      const x = wetSig[i];
      const y = -g * x + bufOut;
      buf[idx] = x + g * y;
      wetSig[i] = y;
      idx = idx + 1 === d ? 0 : idx + 1;
    }
  }
  const dryRms = rms(signal);
  const wetRms = rms(wetSig) || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (1 - wet) * signal[i] + (wet * dryRms * wetSig[i]) / wetRms;
  return out;
}

/** Uniform integer in [low, high]. */
export function randInt(rng: Random, low: number, high: number): number {
  return low + Math.floor(rng.next() * (high - low + 1));
}

export function pick<T>(rng: Random, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)];
}

/** Log-uniform in [low, high]. */
export function logUniform(rng: Random, low: number, high: number): number {
  return Math.exp(rng.uniform(Math.log(low), Math.log(high)));
}

export function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}

/** Distance-driven pass-by: per-sample gain (1/r) and Doppler factor c/(c − v_radial) for a straight-line path. */
export function passBy(
  n: number,
  speedMs: number,
  closestM: number,
  timeOfClosestS: number,
): { gain: Float64Array; doppler: Float64Array } {
  const c = 343;
  const gain = new Float64Array(n);
  const doppler = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE - timeOfClosestS;
    const x = speedMs * t;
    const r = Math.sqrt(x * x + closestM * closestM);
    gain[i] = closestM / r;
    const radial = (-speedMs * x) / r; // positive when approaching
    doppler[i] = c / (c - radial);
  }
  return { gain, doppler };
}

/**
 * The labelled-example generator: a class source (sources.ts) over a background bed at a random SNR, optional
 * room reverb, a random microphone/recording chain (low-cut, EQ, band limit, clipping), a random level and 16-bit
 * quantisation. Everything derives from one seed per example, so (class, seed, options) always gives the same
 * samples in every runtime.
 */
import { Random } from '@antiphase/dsp';
import { NOISE_CLASSES, isSafetyClass, type NoiseClass } from '../taxonomy.js';
import { background, SOURCES, wind } from './sources.js';
import {
  applyEnvelope, Biquad, dbToGain, filter, harmonicTone, impact, logUniform, mixInto, normalize, randomModulation, reverb, rms, SAMPLE_RATE, scale, white,
} from './synth.js';

export interface GeneratorOptions {
  /** Shortest example, seconds (default 1). */
  minDurationS?: number;
  /** Longest example, seconds (default 5). */
  maxDurationS?: number;
}

export interface GeneratedExample {
  label: NoiseClass;
  /** 16 kHz mono, full scale ±1. */
  samples: Float32Array;
  seed: number;
  /** What was drawn, for debugging and the model card. */
  info: { durationS: number; snrDb: number; levelDbfs: number; reverb: boolean; clipped: boolean };
}

export const GENERATOR_SAMPLE_RATE = SAMPLE_RATE;

/** Generates one example of `label` from `seed`. */
export function generateExample(label: NoiseClass, seed: number, options: GeneratorOptions = {}): GeneratedExample {
  const rng = new Random(seed);
  const minS = options.minDurationS ?? 1;
  const maxS = options.maxDurationS ?? 5;
  const durationS = rng.uniform(minS, maxS);
  const n = Math.round(durationS * SAMPLE_RATE);
  const safety = isSafetyClass(label);

  const fg = SOURCES[label](rng, n);
  // Real recordings are far less stationary than the sources: distance and orientation change, things move.
  // Sirens especially: a vehicle turning corners and passing buildings changes level by 20 dB and more.
  const deep = label === 'siren' ? 0.5 : 0.2;
  if (rng.next() < 0.6) applyEnvelope(fg, randomModulation(rng, n, logUniform(rng, 0.2, 4), rng.next() < deep ? rng.uniform(0.8, 0.97) : rng.uniform(0.2, 0.8)));
  // SNR of the labelled source over the bed, dB. Safety sounds are kept even when partly masked (they must be
  // found in traffic), other classes are mostly dominant.
  // One clip in ten is a close, clean recording with hardly any background.
  const snrDb = rng.next() < 0.1 ? rng.uniform(35, 55) : safety ? rng.uniform(-3, 35) : rng.uniform(6, 35);
  let mix: Float32Array<ArrayBuffer> = new Float32Array(n);
  mixInto(mix, fg, 1);
  mixInto(mix, background(rng, n), dbToGain(-snrDb));

  // Transient distractors: knocks, bumps, clatter (1–3 per clip in half the clips), up to as loud as the source.
  if (rng.next() < 0.5) {
    const count = 1 + Math.floor(rng.next() * 3);
    for (let k = 0; k < count; k++) {
      const hit = impact(rng, 0.2, rng.uniform(0.005, 0.05), [{ freq: logUniform(rng, 80, 3000), decayS: rng.uniform(0.01, 0.08), amp: rng.uniform(0.2, 1) }], 1, 50, 6000);
      const at = Math.floor(rng.next() * Math.max(1, n - hit.length));
      mixInto(mix, normalize(hit), dbToGain(rng.uniform(-5, 15)), at);
    }
  }

  const useReverb = rng.next() < (label === 'babble' || label === 'siren' ? 0.65 : 0.3);
  if (useReverb) mix = reverb(rng, mix, rng.uniform(0.2, 1.2), rng.uniform(0.1, 0.5));

  // Microphone and recording chain.
  if (rng.next() < 0.7) filter(mix, new Biquad('highpass', logUniform(rng, 20, 250)));
  if (rng.next() < 0.25) filter(mix, new Biquad('lowpass', logUniform(rng, 1200, 7500)));
  for (let k = 0; k < 2; k++) {
    if (rng.next() < 0.6) filter(mix, new Biquad('peak', logUniform(rng, 100, 6000), rng.uniform(0.5, 2), rng.uniform(-8, 8)));
  }
  if (rng.next() < 0.4) filter(mix, new Biquad('highshelf', rng.uniform(2000, 5000), Math.SQRT1_2, rng.uniform(-8, 6)));
  // Microphone colourations: bass boost or cut (proximity effect, small capsules, phone microphones).
  if (rng.next() < 0.5) filter(mix, new Biquad('lowshelf', logUniform(rng, 80, 400), Math.SQRT1_2, rng.uniform(-10, 10)));
  // Wind or handling rumble on the microphone, and mains hum from the recording chain.
  if (rng.next() < 0.15) mixInto(mix, wind(rng, n), dbToGain(rng.uniform(-30, -6)) * rms(mix));
  if (rng.next() < 0.08) {
    const mains = rng.next() < 0.5 ? 50 : 60;
    const hum = normalize(harmonicTone(new Float64Array(n).fill(mains), [1, 0.5, 0.3, 0.2]));
    mixInto(mix, hum, dbToGain(rng.uniform(-40, -15)) * rms(mix));
  }
  // Microphone / preamp self-noise (white): raises the upper bands of quiet or low-pass sources.
  if (rng.next() < 0.4) mixInto(mix, white(rng, n), dbToGain(rng.uniform(-55, -25)) * rms(mix));

  const levelDbfs = rng.uniform(-55, -8);
  normalize(mix, dbToGain(levelDbfs));
  const clipped = rng.next() < 0.08;
  if (clipped) {
    let peak = 0;
    for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(mix[i]));
    scale(mix, dbToGain(rng.uniform(2, 12)) / Math.max(peak, 1e-9));
  }
  // Hard limit to full scale and quantise to 16 bits, as in a WAV file; a faint dither/self-noise floor.
  const floor = dbToGain(rng.uniform(-100, -75));
  for (let i = 0; i < n; i++) {
    let x = mix[i] + floor * rng.gaussian();
    x = x > 1 ? 1 : x < -1 ? -1 : x;
    mix[i] = Math.round(x * 32767) / 32767;
  }
  return { label, samples: mix, seed, info: { durationS, snrDb, levelDbfs, reverb: useReverb, clipped } };
}

/**
 * Seed of example `index` of class `classIndex` in a data set seeded with `seed`: distinct per (seed, class,
 * index), so train (seed s) and held-out test sets (another seed) never share an example.
 */
export function exampleSeed(seed: number, classIndex: number, index: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(classIndex + 1, 0x85ebca77) ^ Math.imul(index + 1, 0xc2b2ae3d)) >>> 0;
}

/** `perClass` examples of every class, in class-major order. */
export function* generateDataset(seed: number, perClass: number, classes: readonly NoiseClass[] = NOISE_CLASSES, options: GeneratorOptions = {}): Generator<GeneratedExample> {
  for (let i = 0; i < perClass; i++) {
    for (let c = 0; c < classes.length; c++) yield generateExample(classes[c], exampleSeed(seed, NOISE_CLASSES.indexOf(classes[c]), i), options);
  }
}

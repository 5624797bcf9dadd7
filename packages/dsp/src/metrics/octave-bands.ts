/**
 * Octave-band attenuation of an ANC run: levels of d (before) and e (after) in each octave band.
 *
 * Bands follow IEC 61260-1:2014 (base-ten system): exact mid-band frequencies fm = 1000·G^k Hz with G = 10^(3/10),
 * edges fm·G^(±1/2), labelled with the ISO 266 nominal centres 31.5 … 16000 Hz. A band is measured only if its upper
 * edge lies below Nyquist. Each band filter is a 3rd-order Butterworth band-pass (6 poles, the classic ANSI S1.11 /
 * IEC 61260 class-1 realisation, not a certified one): analogue low-pass prototype → band-pass transform →
 * bilinear transform with both edges pre-warped, run as three float64 biquads, each normalised to unit gain at fm.
 *
 * Level = 10·log10(mean square of the band-filtered signal), in dB re full scale (as rmsDbfs). Attenuation follows
 * the NR conventions: silent d band → 0 dB, silent e band → +Infinity.
 */

import { energyRatioDb } from './noise-reduction.js';

export interface OctaveBandResult {
  /** ISO 266 nominal centre frequency, Hz. */
  centerHz: number;
  /** Band edges (exact, base ten), Hz. */
  lowerHz: number;
  upperHz: number;
  /** levelBeforeDb − levelAfterDb. */
  attenuationDb: number;
  /** Band level of d, dB re full scale. */
  levelBeforeDb: number;
  /** Band level of e, dB re full scale. */
  levelAfterDb: number;
}

export const OCTAVE_NOMINAL_CENTRES_HZ = [31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000] as const;
const OCTAVE_RATIO = 10 ** 0.3;
const BUTTERWORTH_ORDER = 3;

interface Biquad {
  b0: number;
  b2: number; // b1 = 0: zeros at z = ±1
  a1: number;
  a2: number;
}

type Complex = [re: number, im: number];
const mul = ([a, b]: Complex, [c, d]: Complex): Complex => [a * c - b * d, a * d + b * c];
const div = ([a, b]: Complex, [c, d]: Complex): Complex => {
  const m = c * c + d * d;
  return [(a * c + b * d) / m, (b * c - a * d) / m];
};
const sqrt = ([a, b]: Complex): Complex => {
  const r = Math.hypot(a, b);
  return [Math.sqrt((r + a) / 2), (b < 0 ? -1 : 1) * Math.sqrt((r - a) / 2)];
};

/** The band-pass as biquads, each (1 − z⁻²)·g / (1 + a1 z⁻¹ + a2 z⁻²) with |H(e^jω)| = 1 at the mid-band frequency. */
function butterworthBandPass(lowerHz: number, upperHz: number, midHz: number, sampleRate: number): Biquad[] {
  const fs2 = 2 * sampleRate;
  const w1 = fs2 * Math.tan((Math.PI * lowerHz) / sampleRate);
  const w2 = fs2 * Math.tan((Math.PI * upperHz) / sampleRate);
  const bandwidth = w2 - w1;
  const centreSquared = w1 * w2;
  const sections: Biquad[] = [];
  const omega = (2 * Math.PI * midHz) / sampleRate;
  const zInv: Complex = [Math.cos(omega), -Math.sin(omega)];
  const zInv2 = mul(zInv, zInv);
  for (let k = 0; k < BUTTERWORTH_ORDER; k++) {
    const theta = (Math.PI * (2 * k + BUTTERWORTH_ORDER + 1)) / (2 * BUTTERWORTH_ORDER);
    const p: Complex = [Math.cos(theta), Math.sin(theta)];
    // s² − p·B·s + ω0² = 0 gives the two band-pass poles of prototype pole p.
    const pb: Complex = [p[0] * bandwidth, p[1] * bandwidth];
    const root = sqrt([pb[0] * pb[0] - pb[1] * pb[1] - 4 * centreSquared, 2 * pb[0] * pb[1]]);
    for (const sign of [1, -1]) {
      const s: Complex = [(pb[0] + sign * root[0]) / 2, (pb[1] + sign * root[1]) / 2];
      const z = div([fs2 + s[0], s[1]], [fs2 - s[0], -s[1]]);
      if (z[1] <= 0) continue; // each conjugate pair is one biquad; keep its upper-half-plane member
      const a1 = -2 * z[0];
      const a2 = z[0] * z[0] + z[1] * z[1];
      const num: Complex = [1 - zInv2[0], -zInv2[1]];
      const den: Complex = [1 + a1 * zInv[0] + a2 * zInv2[0], a1 * zInv[1] + a2 * zInv2[1]];
      const g = 1 / Math.hypot(...div(num, den));
      sections.push({ b0: g, b2: -g, a1, a2 });
    }
  }
  return sections;
}

/** Energy of x after the cascade (transposed direct form II, float64 state, filtered in place in one copy). */
function bandEnergy(x: Float32Array, sections: Biquad[]): number {
  const y = Float64Array.from(x);
  for (const { b0, b2, a1, a2 } of sections) {
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < y.length; i++) {
      const input = y[i];
      const v = b0 * input + s1;
      s1 = s2 - a1 * v;
      s2 = b2 * input - a2 * v;
      y[i] = v;
    }
  }
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i] * y[i];
  return sum;
}

/** The octave bands whose upper edge lies below Nyquist at `sampleRate`. */
export function octaveBands(sampleRate: number): { centerHz: number; midHz: number; lowerHz: number; upperHz: number }[] {
  return OCTAVE_NOMINAL_CENTRES_HZ.map((centerHz, i) => {
    const midHz = 1000 * OCTAVE_RATIO ** (i - 5);
    return { centerHz, midHz, lowerHz: midHz / Math.sqrt(OCTAVE_RATIO), upperHz: midHz * Math.sqrt(OCTAVE_RATIO) };
  }).filter((band) => band.upperHz < sampleRate / 2);
}

/** |H(e^jω)|² of the cascade at `hz` (the band filter's power response: 1 at the mid-band frequency). */
function powerResponse(sections: Biquad[], hz: number, sampleRate: number): number {
  const omega = (2 * Math.PI * hz) / sampleRate;
  const zInv: Complex = [Math.cos(omega), -Math.sin(omega)];
  const zInv2 = mul(zInv, zInv);
  let gain = 1;
  for (const { b0, a1, a2 } of sections) {
    const num: Complex = [b0 * (1 - zInv2[0]), -b0 * zInv2[1]];
    const den: Complex = [1 + a1 * zInv[0] + a2 * zInv2[0], a1 * zInv[1] + a2 * zInv2[1]];
    const h = div(num, den);
    gain *= h[0] * h[0] + h[1] * h[1];
  }
  return gain;
}

/** Power responses of every band at every bin, by sample rate and bin count (a running analysis asks for the same ones each second). */
const bandWeights = new Map<string, Float64Array[]>();
const BAND_WEIGHT_CACHE = 16;

function weightsFor(sampleRate: number, bins: number): Float64Array[] {
  const key = `${sampleRate}:${bins}`;
  let weights = bandWeights.get(key);
  if (!weights) {
    const binHz = sampleRate / (2 * (bins - 1));
    weights = octaveBands(sampleRate).map(({ midHz, lowerHz, upperHz }) => {
      const sections = butterworthBandPass(lowerHz, upperHz, midHz, sampleRate);
      return Float64Array.from({ length: bins }, (_, k) => powerResponse(sections, k * binHz, sampleRate));
    });
    if (bandWeights.size >= BAND_WEIGHT_CACHE) bandWeights.delete(bandWeights.keys().next().value!);
    bandWeights.set(key, weights);
  }
  return weights;
}

/**
 * Per-octave-band powers from power spectra instead of signals: the same band filters as octaveBandAttenuation,
 * applied as their power responses |H(f)|² to one-sided spectra whose bins sum to the signal's mean square
 * (bin k at k·sampleRate / (2·(bins − 1)) Hz; a Welch PSD times its bin width is one). For a stationary signal it
 * gives octaveBandAttenuation's levels at the cost of one multiply-add per bin and band instead of a filter run
 * per band, and without the filters' start-up transient on a short excerpt: what a running analysis wants once a
 * second. `before` and `after` must have the same number of bins.
 */
export function octaveBandAttenuationFromSpectra(
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  sampleRate: number,
): OctaveBandResult[] {
  if (before.length !== after.length) throw new RangeError(`before has ${before.length} bins but after has ${after.length}`);
  if (before.length < 2) throw new RangeError(`a spectrum needs at least 2 bins (DC and Nyquist), got ${before.length}`);
  if (!(Number.isFinite(sampleRate) && sampleRate > 0)) throw new RangeError(`sampleRate must be positive, got ${sampleRate}`);
  const weights = weightsFor(sampleRate, before.length);
  return octaveBands(sampleRate).map(({ centerHz, lowerHz, upperHz }, band) => {
    const weight = weights[band];
    let powerBefore = 0;
    let powerAfter = 0;
    for (let k = 0; k < weight.length; k++) {
      powerBefore += weight[k] * before[k];
      powerAfter += weight[k] * after[k];
    }
    return {
      centerHz,
      lowerHz,
      upperHz,
      attenuationDb: energyRatioDb(powerBefore, powerAfter),
      levelBeforeDb: 10 * Math.log10(powerBefore),
      levelAfterDb: 10 * Math.log10(powerAfter),
    };
  });
}

/** Per-octave-band levels of d and e and the attenuation between them, lowest band first. */
export function octaveBandAttenuation(d: Float32Array, e: Float32Array, sampleRate: number): OctaveBandResult[] {
  if (d.length !== e.length) throw new RangeError(`d has ${d.length} samples but e has ${e.length}`);
  if (!(Number.isFinite(sampleRate) && sampleRate > 0)) throw new RangeError(`sampleRate must be positive, got ${sampleRate}`);
  const n = Math.max(d.length, 1);
  return octaveBands(sampleRate).map(({ centerHz, midHz, lowerHz, upperHz }) => {
    const sections = butterworthBandPass(lowerHz, upperHz, midHz, sampleRate);
    const before = bandEnergy(d, sections);
    const after = bandEnergy(e, sections);
    return {
      centerHz,
      lowerHz,
      upperHz,
      attenuationDb: energyRatioDb(before, after),
      levelBeforeDb: 10 * Math.log10(before / n),
      levelAfterDb: 10 * Math.log10(after / n),
    };
  });
}

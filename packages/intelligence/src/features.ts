/**
 * Clip features for the noise classifier. Pure TypeScript, no I/O: runs in Node, browsers and edge runtimes.
 *
 * Frame analysis (16 kHz): 512-sample Hann frames (32 ms) every 256 samples (16 ms hop, 62.5 frames/s), one real
 * FFT each (RealFft of @antiphase/dsp). Per frame:
 *  - 40 mel-band energies, 50 Hz … 8 kHz (triangular filters on the power spectrum, HTK mel scale
 *    m = 2595·log10(1 + f/700)), natural log;
 *  - tonality: ln(max / mean) of the power spectrum over 400–4500 Hz, and the peak's frequency (parabolic
 *    interpolation on the log spectrum), which tracks siren sweeps and alarm tones;
 *  - periodicity: the largest normalised autocorrelation for lags of 2.5–16.6 ms (pitch 60–400 Hz), from the
 *    inverse FFT of the magnitude spectrum (a "generalised autocorrelation", exponent 1/2 of the power): voiced
 *    speech, engines and hums are periodic; and separately the highest true ACF peak for lags of 1–2.25 ms
 *    (pitch 444–1000 Hz: children's shouts and screams, whistles) — a local maximum is required there, because any
 *    low-pass spectrum gives a high but monotonically falling ACF at short lags.
 * Window summary (FEATURE_NAMES lists every entry): per-band means, standard deviations and mean |Δ| of the log-mel
 * energies, dynamics percentiles, spectral flatness / centroid / flux, tonality and peak-frequency statistics, and
 * the modulation spectrum (0.25–31 Hz, 6 octave-ish bands) of 8 band-group envelopes, the full-band envelope and
 * the tonal-peak frequency track: the sweep rate of a siren, the beep rate of an alarm, the rhythm of typing.
 *
 * Level normalisation: every log-energy feature is taken relative to the window's mean log energy, and the
 * modulation features come from log envelopes, so a gain change leaves the features unchanged (up to the 16-bit
 * floor). Windows: 3 s (188 frames), hop 1 s; a shorter clip is one window.
 */
import { RealFft } from '@antiphase/dsp';

export const FEATURE_SAMPLE_RATE = 16000;
export const FRAME_SIZE = 512;
export const HOP_SIZE = 256;
export const FRAME_RATE = FEATURE_SAMPLE_RATE / HOP_SIZE;
export const MEL_BANDS = 40;
export const MEL_LOW_HZ = 50;
export const MEL_HIGH_HZ = 8000;
/** Frames of one classification window (3.0 s). */
export const WINDOW_FRAMES = 188;
/** Frames between window starts (≈ 1 s). */
export const WINDOW_HOP_FRAMES = 62;
/** Fewest frames a clip needs (0.25 s → 14 frames). */
export const MIN_FRAMES = 14;
/** Energy floor added before every log: ≈ −110 dBFS per band, below 16-bit quantisation noise. */
const ENERGY_FLOOR = 1e-7;
const TONAL_LOW_HZ = 400;
const TONAL_HIGH_HZ = 4500;
/** A frame is "tonal" when the peak stands ln(30) ≈ 14.8 dB over the band mean. */
const TONAL_THRESHOLD = Math.log(30);
/** Inverse-FFT size of the periodicity analysis: bins 0–2 kHz of the frame spectrum, lag unit 4 samples. */
const ACF_SIZE = 128;
const ACF_DECIMATION = FRAME_SIZE / ACF_SIZE;
const PITCH_MIN_LAG = Math.round(FEATURE_SAMPLE_RATE / 400 / ACF_DECIMATION);
const PITCH_MAX_LAG = Math.round(FEATURE_SAMPLE_RATE / 60 / ACF_DECIMATION);
const HIGH_PITCH_MIN_LAG = Math.round(FEATURE_SAMPLE_RATE / 1000 / ACF_DECIMATION);
/** Modulation bands, Hz (at the 62.5 Hz frame rate). */
const MOD_BANDS: [number, number][] = [[0.25, 1], [1, 2], [2, 4], [4, 8], [8, 16], [16, 31.25]];
const MOD_FFT = 256;
const GROUPS = 8;

function buildNames(): string[] {
  const names: string[] = [];
  for (let b = 0; b < MEL_BANDS; b++) names.push(`mel${b}.mean`);
  for (let b = 0; b < MEL_BANDS; b++) names.push(`mel${b}.std`);
  for (let b = 0; b < MEL_BANDS; b++) names.push(`mel${b}.delta`);
  names.push('energy.p10', 'energy.p90', 'energy.max', 'energy.std');
  names.push('flatness.mean', 'flatness.std', 'centroid.mean', 'centroid.std', 'flux.mean', 'flux.std');
  names.push('tonality.mean', 'tonality.std', 'tonality.p90', 'tonal.fraction');
  names.push('peak.logfreq', 'peak.std', 'peak.sweep', 'peak.stable');
  names.push('periodicity.mean', 'periodicity.std', 'periodicity.p90', 'voiced.fraction');
  names.push('highPitch.mean', 'highPitch.p90', 'highPitch.fraction');
  // 'tonalTrack' (was 'peakTrack' in feature sets up to model 1.0.0, where a scratch-buffer reuse made it a copy of
  // envAll): the held tonal-peak frequency track, whose modulation is a siren's sweep rate.
  const envs = [...Array.from({ length: GROUPS }, (_, g) => `env${g}`), 'envAll', 'tonalTrack'];
  for (const env of envs) for (const [lo, hi] of MOD_BANDS) names.push(`${env}.mod${lo}-${hi}Hz`);
  return names;
}

export const FEATURE_NAMES: readonly string[] = buildNames();
export const FEATURE_COUNT = FEATURE_NAMES.length;

/** Frame-level analysis of a clip, reused by every window. */
export interface FrameAnalysis {
  count: number;
  /** count × MEL_BANDS natural-log mel energies. */
  logMel: Float32Array;
  /** count × MEL_BANDS mel energies (linear, floor added). */
  mel: Float32Array;
  /** Natural log of the total mel energy. */
  logEnergy: Float32Array;
  tonality: Float32Array;
  /** log2(peak frequency / 1 kHz). */
  peakLog2: Float32Array;
  periodicity: Float32Array;
  /** Strength of a 444–1000 Hz pitch (0 when the ACF has no peak there). */
  highPitch: Float32Array;
}

interface MelFilter {
  start: number;
  weights: Float64Array;
}

/** Reusable extractor: holds the FFT tables and scratch buffers (not safe for concurrent use by two callers). */
export class FeatureExtractor {
  private readonly fft = new RealFft(FRAME_SIZE);
  private readonly modFft = new RealFft(MOD_FFT);
  private readonly window = new Float64Array(FRAME_SIZE);
  private readonly frame = new Float64Array(FRAME_SIZE);
  private readonly re = new Float64Array(FRAME_SIZE / 2 + 1);
  private readonly im = new Float64Array(FRAME_SIZE / 2 + 1);
  private readonly power = new Float64Array(FRAME_SIZE / 2 + 1);
  /** Periodicity runs on bins 0 … ACF_SIZE/2 (0–2 kHz) with a short inverse FFT: lags in steps of 4 samples. */
  private readonly acfFft = new RealFft(ACF_SIZE);
  private readonly acfRe = new Float64Array(ACF_SIZE / 2 + 1);
  private readonly acfIm = new Float64Array(ACF_SIZE / 2 + 1);
  private readonly acf = new Float64Array(ACF_SIZE);
  private readonly mel: MelFilter[];
  private readonly modIn = new Float64Array(MOD_FFT);
  private readonly modRe = new Float64Array(MOD_FFT / 2 + 1);
  private readonly modIm = new Float64Array(MOD_FFT / 2 + 1);
  private readonly tonalLow = Math.floor((TONAL_LOW_HZ * FRAME_SIZE) / FEATURE_SAMPLE_RATE);
  private readonly tonalHigh = Math.ceil((TONAL_HIGH_HZ * FRAME_SIZE) / FEATURE_SAMPLE_RATE);
  // Window-summary scratch (summarise() allocates nothing for windows of up to WINDOW_FRAMES frames).
  private readonly bandMean = new Float64Array(MEL_BANDS);
  private readonly bandSq = new Float64Array(MEL_BANDS);
  private readonly bandDelta = new Float64Array(MEL_BANDS);
  private sorted = new Float64Array(WINDOW_FRAMES);
  private readonly env = new Float64Array(MOD_FFT);
  private readonly track = new Float64Array(MOD_FFT);

  constructor() {
    for (let i = 0; i < FRAME_SIZE; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME_SIZE);
    this.mel = melFilterbank();
  }

  /** Frame analysis of 16 kHz mono audio (at least FRAME_SIZE samples). */
  analyse(samples: Float32Array): FrameAnalysis {
    const count = samples.length < FRAME_SIZE ? 0 : Math.floor((samples.length - FRAME_SIZE) / HOP_SIZE) + 1;
    const logMel = new Float32Array(count * MEL_BANDS);
    const melE = new Float32Array(count * MEL_BANDS);
    const logEnergy = new Float32Array(count);
    const tonality = new Float32Array(count);
    const peakLog2 = new Float32Array(count);
    const periodicity = new Float32Array(count);
    const highPitch = new Float32Array(count);
    const { window, frame, re, im, power, acf, mel } = this;
    this.acfIm.fill(0);
    const bins = FRAME_SIZE / 2 + 1;
    for (let f = 0; f < count; f++) {
      const offset = f * HOP_SIZE;
      for (let i = 0; i < FRAME_SIZE; i++) frame[i] = samples[offset + i] * window[i];
      this.fft.forward(frame, re, im);
      for (let k = 0; k < bins; k++) power[k] = re[k] * re[k] + im[k] * im[k];
      // Mel energies.
      let total = 0;
      for (let b = 0; b < MEL_BANDS; b++) {
        const { start, weights } = mel[b];
        let e = 0;
        for (let j = 0; j < weights.length; j++) e += weights[j] * power[start + j];
        total += e;
        melE[f * MEL_BANDS + b] = e + ENERGY_FLOOR;
        logMel[f * MEL_BANDS + b] = Math.log(e + ENERGY_FLOOR);
      }
      logEnergy[f] = Math.log(total + ENERGY_FLOOR * MEL_BANDS);
      // Tonality and peak frequency.
      let peak = 0;
      let peakBin = this.tonalLow;
      let sum = 0;
      for (let k = this.tonalLow; k <= this.tonalHigh; k++) {
        const p = power[k];
        sum += p;
        if (p > peak) {
          peak = p;
          peakBin = k;
        }
      }
      const mean = sum / (this.tonalHigh - this.tonalLow + 1) + ENERGY_FLOOR;
      tonality[f] = Math.log((peak + ENERGY_FLOOR) / mean);
      const a = Math.log(power[peakBin - 1] + ENERGY_FLOOR);
      const b0 = Math.log(peak + ENERGY_FLOOR);
      const c = Math.log(power[peakBin + 1] + ENERGY_FLOOR);
      const denom = a - 2 * b0 + c;
      const delta = denom < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom)) : 0;
      peakLog2[f] = Math.log2((((peakBin + delta) * FEATURE_SAMPLE_RATE) / FRAME_SIZE) / 1000);
      // Periodicity: generalised autocorrelation of |X|.
      const acfRe = this.acfRe;
      for (let k = 0; k <= ACF_SIZE / 2; k++) acfRe[k] = Math.sqrt(power[k]);
      this.acfFft.inverse(acfRe, this.acfIm, acf);
      const r0 = acf[0];
      let best = 0;
      if (r0 > 1e-9) {
        for (let lag = PITCH_MIN_LAG; lag <= PITCH_MAX_LAG; lag++) {
          // Compensate the Hann window's overlap loss at long lags (approximately linear).
          const v = acf[lag] / (1 - (lag * ACF_DECIMATION) / FRAME_SIZE);
          if (v > best) best = v;
        }
        best /= r0;
        let high = 0;
        for (let lag = HIGH_PITCH_MIN_LAG; lag < PITCH_MIN_LAG; lag++) {
          const v = acf[lag];
          if (v > acf[lag - 1] && v >= acf[lag + 1]) high = Math.max(high, v / (1 - (lag * ACF_DECIMATION) / FRAME_SIZE));
        }
        highPitch[f] = high / r0;
      }
      periodicity[f] = best;
    }
    return { count, logMel, mel: melE, logEnergy, tonality, peakLog2, periodicity, highPitch };
  }

  /** Feature vector of frames [start, end) of an analysis. */
  summarise(a: FrameAnalysis, start: number, end: number, out = new Float32Array(FEATURE_COUNT)): Float32Array {
    const n = end - start;
    if (n < 2) throw new RangeError(`a window needs at least 2 frames, got ${n}`);
    const L = a.logMel;
    let level = 0;
    for (let f = start; f < end; f++) level += a.logEnergy[f];
    level /= n;
    const bandLevel = level - Math.log(MEL_BANDS);
    let o = 0;
    // Per-band mean, std, mean |Δ|.
    const means = this.bandMean.fill(0);
    const sq = this.bandSq.fill(0);
    const del = this.bandDelta.fill(0);
    if (this.sorted.length < n) this.sorted = new Float64Array(n);
    const sorted = this.sorted;
    for (let f = start; f < end; f++) {
      const row = f * MEL_BANDS;
      for (let b = 0; b < MEL_BANDS; b++) {
        const v = L[row + b];
        means[b] += v;
        sq[b] += v * v;
        if (f > start) del[b] += Math.abs(v - L[row - MEL_BANDS + b]);
      }
    }
    for (let b = 0; b < MEL_BANDS; b++) out[o++] = means[b] / n - bandLevel;
    for (let b = 0; b < MEL_BANDS; b++) {
      const m = means[b] / n;
      out[o++] = Math.sqrt(Math.max(0, sq[b] / n - m * m));
    }
    for (let b = 0; b < MEL_BANDS; b++) out[o++] = del[b] / (n - 1);
    // Dynamics.
    const energy = sortedCopy(a.logEnergy, start, end, sorted);
    const median = energy[Math.floor(n / 2)];
    out[o++] = energy[Math.floor(0.1 * (n - 1))] - median;
    out[o++] = energy[Math.floor(0.9 * (n - 1))] - median;
    out[o++] = energy[n - 1] - median;
    out[o++] = std(energy, 0, n);
    // Flatness (on mel energies), centroid (band index / 40), flux.
    let flatS = 0, flatQ = 0, cenS = 0, cenQ = 0, fluxS = 0, fluxQ = 0;
    for (let f = start; f < end; f++) {
      const row = f * MEL_BANDS;
      let meanLog = 0;
      let sumE = 0;
      let cen = 0;
      let flux = 0;
      for (let b = 0; b < MEL_BANDS; b++) {
        const v = L[row + b];
        const e = a.mel[row + b];
        meanLog += v;
        sumE += e;
        cen += b * e;
        if (f > start) {
          const d = v - L[row - MEL_BANDS + b];
          if (d > 0) flux += d;
        }
      }
      const flat = meanLog / MEL_BANDS - Math.log(sumE / MEL_BANDS);
      const c = cen / sumE / MEL_BANDS;
      flatS += flat; flatQ += flat * flat;
      cenS += c; cenQ += c * c;
      flux /= MEL_BANDS;
      fluxS += flux; fluxQ += flux * flux;
    }
    out[o++] = flatS / n; out[o++] = sdFrom(flatS, flatQ, n);
    out[o++] = cenS / n; out[o++] = sdFrom(cenS, cenQ, n);
    out[o++] = fluxS / (n - 1); out[o++] = sdFrom(fluxS, fluxQ, n - 1);
    // Tonality.
    const ton = a.tonality;
    let tonS = 0, tonQ = 0, tonal = 0;
    for (let i = start; i < end; i++) {
      tonS += ton[i]; tonQ += ton[i] * ton[i];
      if (ton[i] > TONAL_THRESHOLD) tonal++;
    }
    const tonP90 = sortedCopy(ton, start, end, sorted)[Math.floor(0.9 * (n - 1))];
    out[o++] = tonS / n; out[o++] = sdFrom(tonS, tonQ, n); out[o++] = tonP90; out[o++] = tonal / n;
    // Peak frequency of tonal frames: mean, spread, sweep speed (octaves per frame), stability.
    let pS = 0, pQ = 0, pN = 0, sweep = 0, pairs = 0, stable = 0;
    const track = this.track.fill(0);
    let held = 0;
    for (let i = 0; i < n; i++) {
      const isTonal = ton[start + i] > TONAL_THRESHOLD;
      const p = a.peakLog2[start + i];
      if (isTonal) {
        pS += p; pQ += p * p; pN++;
        if (i > 0 && ton[start + i - 1] > TONAL_THRESHOLD) {
          const d = Math.abs(p - a.peakLog2[start + i - 1]);
          sweep += Math.min(d, 1);
          pairs++;
          if (d < 0.02) stable++;
        }
        held = p;
      }
      if (i < MOD_FFT) track[i] = held;
    }
    out[o++] = pN > 0 ? pS / pN : 0;
    out[o++] = pN > 1 ? sdFrom(pS, pQ, pN) : 0;
    out[o++] = pairs > 0 ? sweep / pairs : 0;
    out[o++] = pairs > 0 ? stable / pairs : 0;
    // Periodicity.
    const per = a.periodicity;
    let rS = 0, rQ = 0, voiced = 0;
    for (let i = start; i < end; i++) {
      rS += per[i]; rQ += per[i] * per[i];
      if (per[i] > 0.5) voiced++;
    }
    const perP90 = sortedCopy(per, start, end, sorted)[Math.floor(0.9 * (n - 1))];
    out[o++] = rS / n; out[o++] = sdFrom(rS, rQ, n); out[o++] = perP90; out[o++] = voiced / n;
    const hp = a.highPitch;
    let hS = 0, hVoiced = 0;
    for (let i = start; i < end; i++) {
      hS += hp[i];
      if (hp[i] > 0.5) hVoiced++;
    }
    out[o++] = hS / n; out[o++] = sortedCopy(hp, start, end, sorted)[Math.floor(0.9 * (n - 1))]; out[o++] = hVoiced / n;
    // Modulation spectra: 8 band groups of 5 mel bands, the full band, and the tonal peak track.
    const m = Math.min(n, MOD_FFT);
    const env = this.env;
    const per5 = MEL_BANDS / GROUPS;
    for (let g = 0; g <= GROUPS; g++) {
      for (let i = 0; i < m; i++) {
        if (g === GROUPS) {
          env[i] = a.logEnergy[start + i];
          continue;
        }
        const row = (start + i) * MEL_BANDS + g * per5;
        let e = 0;
        for (let b = 0; b < per5; b++) e += a.mel[row + b];
        env[i] = Math.log(e + ENERGY_FLOOR);
      }
      o = this.modulation(env, m, out, o);
    }
    // The track has its own buffer: modulation() overwrites modIn.
    this.modulation(track, m, out, o);
    return out;
  }

  /** Log modulation power of envelope[0..m) (mean removed) in MOD_BANDS, written from out[o]. */
  private modulation(env: Float64Array, m: number, out: Float32Array, o: number): number {
    let mean = 0;
    for (let i = 0; i < m; i++) mean += env[i];
    mean /= m;
    const x = this.modIn;
    x.fill(0);
    for (let i = 0; i < m; i++) x[i] = env[i] - mean;
    this.modFft.forward(x, this.modRe, this.modIm);
    const binHz = FRAME_RATE / MOD_FFT;
    for (const [lo, hi] of MOD_BANDS) {
      const k0 = Math.max(1, Math.round(lo / binHz));
      const k1 = Math.min(MOD_FFT / 2, Math.max(k0, Math.round(hi / binHz) - 1));
      let p = 0;
      for (let k = k0; k <= k1; k++) p += this.modRe[k] * this.modRe[k] + this.modIm[k] * this.modIm[k];
      out[o++] = Math.log(1e-4 + p / (k1 - k0 + 1) / m);
    }
    return o;
  }

  /** Window start frames for a clip of `count` frames: one window for short clips, else every WINDOW_HOP_FRAMES. */
  static windows(count: number): [number, number][] {
    if (count <= WINDOW_FRAMES) return [[0, count]];
    const out: [number, number][] = [];
    for (let s = 0; s + WINDOW_FRAMES <= count; s += WINDOW_HOP_FRAMES) out.push([s, s + WINDOW_FRAMES]);
    const last = out[out.length - 1][1];
    if (count - last > WINDOW_HOP_FRAMES / 2) out.push([count - WINDOW_FRAMES, count]);
    return out;
  }

  /** Feature vectors of every window of a clip (16 kHz mono). */
  extract(samples: Float32Array): Float32Array[] {
    const analysis = this.analyse(samples);
    if (analysis.count < MIN_FRAMES) throw new RangeError(`audio too short for features: ${analysis.count} frames, need ${MIN_FRAMES}`);
    return FeatureExtractor.windows(analysis.count).map(([s, e]) => this.summarise(analysis, s, e));
  }
}

/** values[start, end) copied into scratch and sorted ascending (a view of scratch). */
function sortedCopy(values: ArrayLike<number>, start: number, end: number, scratch: Float64Array): Float64Array {
  const n = end - start;
  for (let i = 0; i < n; i++) scratch[i] = values[start + i];
  return scratch.subarray(0, n).sort();
}

function std(values: ArrayLike<number>, start: number, end: number): number {
  let s = 0, q = 0;
  for (let i = start; i < end; i++) {
    s += values[i];
    q += values[i] * values[i];
  }
  return sdFrom(s, q, end - start);
}

function sdFrom(sum: number, sumSq: number, n: number): number {
  if (n <= 0) return 0;
  const m = sum / n;
  return Math.sqrt(Math.max(0, sumSq / n - m * m));
}

function hzToMel(f: number): number {
  return 2595 * Math.log10(1 + f / 700);
}

function melToHz(m: number): number {
  return 700 * (Math.pow(10, m / 2595) - 1);
}

/** Triangular mel filters on FFT bins; every band gets at least one bin. */
function melFilterbank(): MelFilter[] {
  const bins = FRAME_SIZE / 2 + 1;
  const binHz = FEATURE_SAMPLE_RATE / FRAME_SIZE;
  const lo = hzToMel(MEL_LOW_HZ);
  const hi = hzToMel(MEL_HIGH_HZ);
  const edges = Array.from({ length: MEL_BANDS + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (MEL_BANDS + 1)));
  const filters: MelFilter[] = [];
  for (let b = 0; b < MEL_BANDS; b++) {
    const [f0, f1, f2] = [edges[b], edges[b + 1], edges[b + 2]];
    const start = Math.max(0, Math.floor(f0 / binHz));
    const stop = Math.min(bins - 1, Math.ceil(f2 / binHz));
    const w: number[] = [];
    for (let k = start; k <= stop; k++) {
      const f = k * binHz;
      const v = f <= f1 ? (f - f0) / (f1 - f0) : (f2 - f) / (f2 - f1);
      w.push(Math.max(0, v));
    }
    if (!w.some((v) => v > 0)) w[Math.min(w.length - 1, Math.round(f1 / binHz) - start)] = 1;
    filters.push({ start, weights: Float64Array.from(w) });
  }
  return filters;
}

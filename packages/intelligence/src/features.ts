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
 * Low-frequency analysis (2 kHz): the 31.25 Hz bins of the 512-point frame FFT cannot resolve engine orders, mains
 * hum or blade-pass tones, so the clip is also decimated by 8 (a 49-tap Kaiser-windowed sinc low-pass, cut-off
 * 1 kHz, evaluated only at the kept samples: everything that would alias into 0–500 Hz lies above 1.5 kHz) and
 * analysed with 256-point Hann frames (128 ms, 7.8125 Hz bins) every 128 samples (64 ms, 4 main frames). Per low
 * frame: the power of the bins over 20–500 Hz, its log energy, the strongest bin's frequency and its ln(max / mean).
 * Window summary (FEATURE_NAMES lists every entry): per-band means, standard deviations and mean |Δ| of the log-mel
 * energies, dynamics percentiles, spectral flatness / centroid / flux, tonality and peak-frequency statistics, and
 * the modulation spectrum (0.25–31 Hz, 6 octave-ish bands) of 8 band-group envelopes, the full-band envelope and
 * the tonal-peak frequency track: the sweep rate of a siren, the beep rate of an alarm, the rhythm of typing.
 * From the low-frequency frames of the window: its level and centroid; on the window-averaged low spectrum (where a
 * steady tone stands far above averaged noise) the strongest and second tone over the band mean, the strongest
 * tone's frequency, harmonicity (its multiples 2–5 over the rest of the band: engine orders, blade-pass series) and mains
 * hum (50 or 60 Hz and harmonics over their neighbouring bins); per-frame tonality, the low peak's frequency spread
 * and stability (a motor's tone is steady, noise peaks wander); and the low-band envelope's spread, rise and fall (a
 * pass-by rises then falls, an air conditioner is flat) and slope. Band co-modulation: correlations of the 8
 * band-group log envelopes (and of their frame-to-frame differences) across groups, and of each group with the
 * others — a passing vehicle or aircraft moves every band together, a fan's bands fluctuate independently.
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
/** Low-frequency analysis: decimation 16 kHz → 2 kHz, 256-point Hann frames every 128 decimated samples (50 % overlap). */
export const LOW_DECIMATION = 8;
export const LOW_SAMPLE_RATE = FEATURE_SAMPLE_RATE / LOW_DECIMATION;
export const LOW_FFT = 256;
const LOW_HOP = 128;
/**
 * Decimation filter: odd length (integer delay), Kaiser β 5, cut-off 1 kHz at 16 kHz: −0.1 dB at 500 Hz, ≤ −43 dB
 * from 1.5 kHz (which folds onto 500 Hz) and ≤ −65 dB from 2 kHz.
 */
const LOW_TAPS = 49;
const LOW_CUTOFF_HZ = 1000;
const LOW_KAISER_BETA = 5;
/** Analysed band of the low spectrum, Hz: bins 3 … 64 of 7.8125 Hz. */
const LOW_BAND_HZ: [number, number] = [20, 500];
export const LOW_BIN_HZ = LOW_SAMPLE_RATE / LOW_FFT;
const LOW_K0 = Math.ceil(LOW_BAND_HZ[0] / LOW_BIN_HZ);
const LOW_K1 = Math.floor(LOW_BAND_HZ[1] / LOW_BIN_HZ);
const LOW_BINS = LOW_K1 - LOW_K0 + 1;
/** Energy floor per low bin: about the 16-bit quantisation noise after decimation. */
const LOW_FLOOR = 1e-9;
/** Values written by FeatureExtractor.lowFrequency() (the 'low.*' names). */
const LOW_FEATURE_COUNT = 15;
/** Low-envelope smoothing for the rise and fall (5 low frames ≈ 320 ms): a peak of the raw envelope is mostly noise. */
const LOW_SMOOTH = 5;

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
  names.push('low.level', 'low.centroid', 'low.tone1', 'low.tone1.logfreq', 'low.tone2', 'low.harmonicity', 'low.mains');
  names.push('low.tonality.mean', 'low.tonality.std', 'low.peak.std', 'low.peak.stable');
  names.push('low.env.std', 'low.rise', 'low.fall', 'low.slope');
  names.push('comod.mean', 'comod.adjacent', 'comod.lowHigh', 'comod.delta.mean', 'comod.delta.adjacent');
  for (let g = 0; g < GROUPS; g++) names.push(`env${g}.comod`);
  if (names.filter((n) => n.startsWith('low.')).length !== LOW_FEATURE_COUNT) throw new Error('LOW_FEATURE_COUNT does not match the low.* names');
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
  /** Low-frequency frames (2 kHz, LOW_FFT points, hop LOW_HOP): frame j is centred on input sample 1024·j + 1024. */
  lowCount: number;
  /** lowCount × LOW_BINS power of the 20–500 Hz bins (floor added). */
  lowPower: Float32Array;
  /** Natural log of the 20–500 Hz energy. */
  lowLogEnergy: Float32Array;
  /** log2(strongest low bin's frequency / 100 Hz), parabolic interpolation on the log power. */
  lowPeakLog2: Float32Array;
  /** ln(max / mean) of the 20–500 Hz power. */
  lowTonality: Float32Array;
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
  /** GROUPS × MOD_FFT band-group log envelopes of the window (modulation and co-modulation). */
  private readonly groupEnv = new Float64Array(GROUPS * MOD_FFT);
  private readonly cov = new Float64Array(GROUPS * GROUPS);
  private readonly covDelta = new Float64Array(GROUPS * GROUPS);
  // Low-frequency analysis.
  private readonly lowFir = lowPassFir();
  private decimated = new Float64Array(0);
  private readonly lowFft = new RealFft(LOW_FFT);
  private readonly lowWindow = new Float64Array(LOW_FFT);
  private readonly lowFrame = new Float64Array(LOW_FFT);
  private readonly lowRe = new Float64Array(LOW_FFT / 2 + 1);
  private readonly lowIm = new Float64Array(LOW_FFT / 2 + 1);
  private readonly lowMean = new Float64Array(LOW_BINS);
  private lowSmooth = new Float64Array(WINDOW_FRAMES);

  constructor() {
    for (let i = 0; i < FRAME_SIZE; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME_SIZE);
    for (let i = 0; i < LOW_FFT; i++) this.lowWindow[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / LOW_FFT);
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
    return { count, logMel, mel: melE, logEnergy, tonality, peakLog2, periodicity, highPitch, ...this.analyseLow(samples) };
  }

  /** Decimates to 2 kHz and analyses 20–500 Hz in LOW_FFT-point frames (see the header). */
  private analyseLow(samples: Float32Array): Pick<FrameAnalysis, 'lowCount' | 'lowPower' | 'lowLogEnergy' | 'lowPeakLog2' | 'lowTonality'> {
    const length = Math.floor(samples.length / LOW_DECIMATION);
    if (this.decimated.length < length) this.decimated = new Float64Array(length);
    const y = this.decimated;
    const h = this.lowFir;
    const half = (LOW_TAPS - 1) / 2;
    const n = samples.length;
    // y[m] = Σ h[k]·x[8m + k − half], zero outside the clip; h is symmetric, so pairs share one multiplication.
    for (let m = 0; m < length; m++) {
      const c = m * LOW_DECIMATION;
      let acc = h[half] * samples[c];
      if (c >= half && c + half < n) {
        for (let k = 1; k <= half; k++) acc += h[half + k] * (samples[c - k] + samples[c + k]);
      } else {
        for (let k = 1; k <= half; k++) {
          const a = c - k >= 0 ? samples[c - k] : 0;
          const b = c + k < n ? samples[c + k] : 0;
          acc += h[half + k] * (a + b);
        }
      }
      y[m] = acc;
    }
    const lowCount = length < LOW_FFT ? 0 : Math.floor((length - LOW_FFT) / LOW_HOP) + 1;
    const lowPower = new Float32Array(lowCount * LOW_BINS);
    const lowLogEnergy = new Float32Array(lowCount);
    const lowPeakLog2 = new Float32Array(lowCount);
    const lowTonality = new Float32Array(lowCount);
    const { lowFrame, lowWindow, lowRe, lowIm } = this;
    for (let j = 0; j < lowCount; j++) {
      const offset = j * LOW_HOP;
      for (let i = 0; i < LOW_FFT; i++) lowFrame[i] = y[offset + i] * lowWindow[i];
      this.lowFft.forward(lowFrame, lowRe, lowIm);
      let sum = 0;
      let peak = 0;
      let peakK = LOW_K0;
      const row = j * LOW_BINS;
      for (let k = LOW_K0; k <= LOW_K1; k++) {
        const p = lowRe[k] * lowRe[k] + lowIm[k] * lowIm[k] + LOW_FLOOR;
        lowPower[row + k - LOW_K0] = p;
        sum += p;
        if (p > peak) {
          peak = p;
          peakK = k;
        }
      }
      lowLogEnergy[j] = Math.log(sum);
      lowTonality[j] = Math.log(peak / (sum / LOW_BINS));
      lowPeakLog2[j] = Math.log2((interpolatePeak(lowPower, row, peakK - LOW_K0, LOW_BINS) + LOW_K0) * LOW_BIN_HZ / 100);
    }
    return { lowCount, lowPower, lowLogEnergy, lowPeakLog2, lowTonality };
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
    const groupEnv = this.groupEnv;
    const per5 = MEL_BANDS / GROUPS;
    for (let g = 0; g < GROUPS; g++) {
      for (let i = 0; i < m; i++) {
        const row = (start + i) * MEL_BANDS + g * per5;
        let e = 0;
        for (let b = 0; b < per5; b++) e += a.mel[row + b];
        groupEnv[g * MOD_FFT + i] = Math.log(e + ENERGY_FLOOR);
      }
      o = this.modulation(groupEnv, g * MOD_FFT, m, out, o);
    }
    for (let i = 0; i < m; i++) env[i] = a.logEnergy[start + i];
    o = this.modulation(env, 0, m, out, o);
    // The track has its own buffer: modulation() overwrites modIn.
    o = this.modulation(track, 0, m, out, o);
    o = this.lowFrequency(a, start, end, level, out, o);
    this.comodulation(m, out, o);
    return out;
  }

  /** The low-frequency features of frames [start, end) (see the header), written from out[o]. */
  private lowFrequency(a: FrameAnalysis, start: number, end: number, level: number, out: Float32Array, o: number): number {
    // Low frames whose centre (1024·j + 1024 input samples) lies between the first and last main frame's centre.
    const c0 = start * HOP_SIZE + FRAME_SIZE / 2;
    const c1 = (end - 1) * HOP_SIZE + FRAME_SIZE / 2;
    const step = LOW_HOP * LOW_DECIMATION;
    const centre = (LOW_FFT / 2) * LOW_DECIMATION;
    if (a.lowCount === 0) {
      // Under LOW_FFT · LOW_DECIMATION samples (0.128 s, shorter than MIN_FRAMES): no low frame, no information.
      out.fill(0, o, o + LOW_FEATURE_COUNT);
      return o + LOW_FEATURE_COUNT;
    }
    let j0 = Math.max(0, Math.ceil((c0 - centre) / step));
    let j1 = Math.min(a.lowCount - 1, Math.floor((c1 - centre) / step));
    // A window shorter than one low-frame hop: the nearest low frame.
    if (j1 < j0) j0 = j1 = Math.min(j0, a.lowCount - 1);
    const n = j1 - j0 + 1;
    // Window-averaged spectrum: level, centroid, tones, harmonicity, mains.
    const spec = this.lowMean.fill(0);
    for (let j = j0; j <= j1; j++) {
      const row = j * LOW_BINS;
      for (let k = 0; k < LOW_BINS; k++) spec[k] += a.lowPower[row + k];
    }
    let total = 0, weighted = 0, peak = 0, peakK = 0;
    for (let k = 0; k < LOW_BINS; k++) {
      const p = (spec[k] /= n);
      total += p;
      weighted += p * (k + LOW_K0);
      if (p > peak) {
        peak = p;
        peakK = k;
      }
    }
    const mean = total / LOW_BINS;
    let eS = 0;
    for (let j = j0; j <= j1; j++) eS += a.lowLogEnergy[j];
    out[o++] = eS / n - level;
    out[o++] = Math.log2(((weighted / total) * LOW_BIN_HZ) / 100);
    out[o++] = Math.log(peak / mean);
    const toneBin = interpolatePeak(spec, 0, peakK, LOW_BINS) + LOW_K0;
    out[o++] = Math.log2((toneBin * LOW_BIN_HZ) / 100);
    // Second tone: the strongest local maximum more than 2 bins from the first (a flat spectrum gives ≈ its mean).
    let second = mean;
    for (let k = 1; k + 1 < LOW_BINS; k++) {
      const p = spec[k];
      if (Math.abs(k - peakK) > 2 && p > second && p >= spec[k - 1] && p >= spec[k + 1]) second = p;
    }
    out[o++] = Math.log(second / mean);
    // Harmonicity: the strongest bin near each multiple 2…5 of the tone, over the band mean without the tone's own
    // ±2 bins (a strong pure tone would otherwise lift the reference); 0 with no multiple in the band.
    let toneEnergy = 0;
    for (let k = Math.max(0, peakK - 2); k <= Math.min(LOW_BINS - 1, peakK + 2); k++) toneEnergy += spec[k];
    const rest = (total - toneEnergy) / (LOW_BINS - 5);
    let harm = 0, harmN = 0;
    for (let h = 2; h <= 5; h++) {
      const k = Math.round(h * toneBin) - LOW_K0;
      if (k + 1 >= LOW_BINS) break;
      harm += Math.max(spec[k - 1], spec[k], spec[k + 1]);
      harmN++;
    }
    out[o++] = harmN > 0 && rest > 0 ? Math.log(harm / harmN / rest) : 0;
    out[o++] = Math.max(mainsHum(spec, 50), mainsHum(spec, 60));
    // Per-frame tonality and the low peak's wander.
    let tS = 0, tQ = 0, pS = 0, pQ = 0, stable = 0;
    for (let j = j0; j <= j1; j++) {
      const t = a.lowTonality[j];
      const p = a.lowPeakLog2[j];
      tS += t; tQ += t * t;
      pS += p; pQ += p * p;
      // Within one bin: at 20–500 Hz a bin is 0.02–0.5 octave, so compare in Hz.
      if (j > j0 && Math.abs(Math.pow(2, p) - Math.pow(2, a.lowPeakLog2[j - 1])) * 100 <= LOW_BIN_HZ) stable++;
    }
    out[o++] = tS / n; out[o++] = sdFrom(tS, tQ, n);
    out[o++] = sdFrom(pS, pQ, n);
    out[o++] = n > 1 ? stable / (n - 1) : 1;
    // Low-band envelope: spread; rise (smoothed maximum over the first quarter's mean) and fall (over the last
    // quarter's); slope (least squares, ln units per second).
    const e = a.lowLogEnergy;
    out[o++] = std(e, j0, j1 + 1);
    if (this.lowSmooth.length < n) this.lowSmooth = new Float64Array(n);
    const smooth = this.lowSmooth;
    const r = Math.min(Math.floor(LOW_SMOOTH / 2), Math.floor((n - 1) / 2));
    let best = -Infinity;
    for (let i = 0; i < n; i++) {
      const lo = Math.max(0, i - r), hi = Math.min(n - 1, i + r);
      let s = 0;
      for (let q = lo; q <= hi; q++) s += e[j0 + q];
      smooth[i] = s / (hi - lo + 1);
      if (smooth[i] > best) best = smooth[i];
    }
    const quarter = Math.max(1, Math.floor(n / 4));
    let first = 0, last = 0;
    for (let i = 0; i < quarter; i++) {
      first += smooth[i];
      last += smooth[n - 1 - i];
    }
    out[o++] = best - first / quarter;
    out[o++] = best - last / quarter;
    let tMean = 0, yMean = 0;
    for (let i = 0; i < n; i++) {
      tMean += i;
      yMean += e[j0 + i];
    }
    tMean /= n; yMean /= n;
    let sxy = 0, sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (i - tMean) * (e[j0 + i] - yMean);
      sxx += (i - tMean) * (i - tMean);
    }
    const framesPerSecond = LOW_SAMPLE_RATE / LOW_HOP;
    out[o++] = sxx > 0 ? (sxy / sxx) * framesPerSecond : 0;
    return o;
  }

  /** Co-modulation of the window's band-group log envelopes (groupEnv, m frames each), written from out[o]. */
  private comodulation(m: number, out: Float32Array, o: number): number {
    const G = GROUPS;
    const env = this.groupEnv;
    const cov = this.cov.fill(0);
    const covD = this.covDelta.fill(0);
    // Remove each envelope's mean in place (groupEnv is not read again for this window).
    for (let g = 0; g < G; g++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += env[g * MOD_FFT + i];
      s /= m;
      for (let i = 0; i < m; i++) env[g * MOD_FFT + i] -= s;
    }
    for (let g = 0; g < G; g++) {
      for (let h = g; h < G; h++) {
        let c = 0, d = 0;
        const a = g * MOD_FFT, b = h * MOD_FFT;
        for (let i = 0; i < m; i++) c += env[a + i] * env[b + i];
        for (let i = 1; i < m; i++) d += (env[a + i] - env[a + i - 1]) * (env[b + i] - env[b + i - 1]);
        cov[g * G + h] = cov[h * G + g] = c;
        covD[g * G + h] = covD[h * G + g] = d;
      }
    }
    let all = 0, allD = 0, adj = 0, adjD = 0;
    for (let g = 0; g < G; g++) {
      for (let h = g + 1; h < G; h++) {
        const r = correlation(cov, G, g, h);
        const rD = correlation(covD, G, g, h);
        all += r; allD += rD;
        if (h === g + 1) {
          adj += r; adjD += rD;
        }
      }
    }
    const pairs = (G * (G - 1)) / 2;
    out[o++] = all / pairs;
    out[o++] = adj / (G - 1);
    // The lower four groups' summed envelope against the upper four's.
    let lowHigh = 0, lowLow = 0, highHigh = 0;
    for (let g = 0; g < G; g++) {
      for (let h = 0; h < G; h++) {
        const c = cov[g * G + h];
        if (g < G / 2 && h < G / 2) lowLow += c;
        else if (g >= G / 2 && h >= G / 2) highHigh += c;
        else lowHigh += c / 2;
      }
    }
    out[o++] = lowLow * highHigh > 1e-12 ? lowHigh / Math.sqrt(lowLow * highHigh) : 0;
    out[o++] = allD / pairs;
    out[o++] = adjD / (G - 1);
    // Each group against the sum of the others.
    let sumAll = 0;
    for (let i = 0; i < G * G; i++) sumAll += cov[i];
    for (let g = 0; g < G; g++) {
      let row = 0;
      for (let h = 0; h < G; h++) row += cov[g * G + h];
      const self = cov[g * G + g];
      const cross = row - self;
      const others = sumAll - 2 * row + self;
      out[o++] = self * others > 1e-12 ? cross / Math.sqrt(self * others) : 0;
    }
    return o;
  }

  /** Log modulation power of env[at .. at + m) (mean removed) in MOD_BANDS, written from out[o]. */
  private modulation(env: Float64Array, at: number, m: number, out: Float32Array, o: number): number {
    let mean = 0;
    for (let i = 0; i < m; i++) mean += env[at + i];
    mean /= m;
    const x = this.modIn;
    x.fill(0);
    for (let i = 0; i < m; i++) x[i] = env[at + i] - mean;
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

/** Peak bin k (of values[row .. row + size)) refined by parabolic interpolation on the log power, ±0.5 bin. */
function interpolatePeak(values: ArrayLike<number>, row: number, k: number, size: number): number {
  if (k <= 0 || k >= size - 1) return k;
  const a = Math.log(values[row + k - 1]);
  const b = Math.log(values[row + k]);
  const c = Math.log(values[row + k + 1]);
  const denom = a - 2 * b + c;
  return denom < 0 ? k + Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom)) : k;
}

/**
 * Mains hum at `base` Hz: ln of the summed power of harmonics 1–4 (the stronger of the two bins around each) over
 * the summed mean of their neighbours 3–4 bins away on either side (beyond the Hann main lobe; 50 Hz has only its
 * upper neighbours in the band); a harmonic that is no local maximum counts as its neighbours' level. Noise gives
 * ≈ 0–0.3, a hum several units more.
 */
function mainsHum(spec: Float64Array, base: number): number {
  let tone = 0, around = 0;
  for (let h = 1; h <= 4; h++) {
    const k = Math.floor((h * base) / LOW_BIN_HZ) - LOW_K0;
    if (k < 0 || k + 4 >= LOW_BINS) continue;
    let s = spec[k + 3] + spec[k + 4], count = 2;
    if (k - 4 >= 0) {
      s += spec[k - 3] + spec[k - 4];
      count += 2;
    }
    const level = s / count;
    // Only a local maximum counts: the skirt of a strong tone nearby (a 35 Hz engine order next to 50 Hz) is no hum.
    const peak = Math.max(spec[k], spec[k + 1]);
    const isPeak = peak >= spec[k + 2] && (k === 0 || peak >= spec[k - 1]);
    tone += isPeak ? peak : level;
    around += level;
  }
  return around > 0 ? Math.log(tone / around) : 0;
}

/** Correlation coefficient of envelopes g and h from their G × G (co)variance sums; 0 for a constant envelope. */
function correlation(c: Float64Array, G: number, g: number, h: number): number {
  const q = c[g * G + g] * c[h * G + h];
  return q > 1e-12 ? c[g * G + h] / Math.sqrt(q) : 0;
}

/** Kaiser-windowed sinc low-pass of the decimator (unit gain at DC). */
function lowPassFir(): Float64Array {
  const h = new Float64Array(LOW_TAPS);
  const half = (LOW_TAPS - 1) / 2;
  const fc = LOW_CUTOFF_HZ / FEATURE_SAMPLE_RATE;
  let sum = 0;
  for (let i = 0; i < LOW_TAPS; i++) {
    const t = i - half;
    const sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const w = besselI0(LOW_KAISER_BETA * Math.sqrt(1 - (t / half) ** 2)) / besselI0(LOW_KAISER_BETA);
    sum += h[i] = sinc * w;
  }
  for (let i = 0; i < LOW_TAPS; i++) h[i] /= sum;
  return h;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for the β used here). */
function besselI0(x: number): number {
  let term = 1, sum = 1;
  for (let k = 1; k < 50 && term > 1e-12 * sum; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
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

/**
 * A session's per-second analysis (SessionAnalysis): spectra and octave bands of the disturbance and the error,
 * and the causality margin, from what the service has: the reference x, the error e and what the loudspeaker
 * played, p.
 *
 * The service never hears the disturbance d. It rebuilds it with its internal model (the IMC estimate, DESIGN.md §1):
 *     d̂ = e − Ŝ_a * p        Ŝ_a = Ŝ after the playout delay's taps, p = the anti-noise played during each frame
 * which is d wherever Ŝ = S. Ŝ's taps inside the playout delay are left out: no played sample reaches them in
 * time (an identified Ŝ has exact zeros there). From d̂ and e over one window:
 *  - Welch power spectral densities (Hann, segments of about fs/8 samples, 50 % overlap) of d̂ and e, averaged over
 *    a third of an octave around each point of a logarithmic grid (1/3-octave steps from 20 Hz);
 *  - octave-band levels of d̂ and e from those spectra with the DSP core's octaveBandAttenuationFromSpectra — the
 *    IEC 61260 band filters of octaveBandAttenuation applied as power responses (attenuation = L_d̂ − L_e). Run
 *    as filters on a one-second excerpt they would cost ~4× the rest of the analysis, and their start-up transient
 *    leaks strong low-frequency content into weak upper bands (5 dB on the engine scene);
 *  - the primary path's delay: the peak of the H1 impulse-response estimate IFFT(S_xd̂ / S_xx) — the cross-
 *    correlation of x and d̂ whitened by x's spectrum, so that coloured noise still gives a sharp peak — and the
 *    margin delay(P) − delay(Ŝ). Ŝ already holds the loop latency (the playout delay), so it is not added again.
 *
 * Cost. Per frame: three frame copies into preallocated buffers (capture), nothing else. Once per window: d̂ by
 * overlap-save FFT convolution, three spectra per Welch segment, one inverse FFT and the band sums — about two
 * milliseconds at 16 kHz, which the host runs between frames (SessionHost.classifyNext), never inside
 * processFrame. The capture buffers and Ŝ_a's spectrum are the session's; the FFT scratch is shared by the thread's
 * sessions (one analysis runs at a time), so only the result object is allocated per analysis.
 *
 * Windows. A window is a run of contiguous real frames, at least a second long. A slot that never arrived (zeros,
 * no audio) restarts a partial window and a new Ŝ restarts any window; a full one waits, capture paused, until
 * analyse() ran, so consecutive windows need not touch. The first M_a − 1 samples of a window only prime the model
 * (the samples played before the window are not kept); the analysis covers the rest.
 */
import { octaveBandAttenuationFromSpectra, pathDelaySamples, RealFft, type OctaveBandResult } from '@antiphase/dsp';
import type { SessionAnalysis } from './types.js';

/** dB figures are clamped to ±this (JSON has no infinities; the NR figures use the same limit). */
const LIMIT_DB = 120;
/** The primary-path peak must stand this far above the RMS of the estimated response to count (noise: ≈ 4). */
export const MIN_PEAK_RATIO = 8;
/**
 * …and the next-largest |tap| more than PEAK_GUARD samples away from it must stay below this share of the peak:
 * periodic noise gives a train of near-equal peaks one period apart, none of which is the delay for sure.
 */
export const MAX_RIVAL_SHARE = 0.6;
const PEAK_GUARD = 8;
/** Lowest point of the spectrum grid, Hz. */
const LOWEST_HZ = 20;
/** The H1 estimate ignores bins where x is more than 60 dB below its strongest bin (regularisation). */
const H1_FLOOR = 1e-6;

export interface AnalyserOptions {
  sampleRate: number;
  frameSize: number;
  /** Taps of Ŝ (M). */
  pathTaps: number;
  /** Playout delay D·N, samples: Ŝ's first delayTaps taps precede anything the loudspeaker can play. */
  delayTaps: number;
  /**
   * Windows per analysis (default 1): after each analysis, the next intervalWindows − 1 windows are not captured.
   * An analysis costs about as much as a second of the session's frames, so analysing every window would nearly
   * double a session's CPU for figures a person reads every few seconds.
   */
  intervalWindows?: number;
}

/**
 * A captured window handed to another thread for analysis (takeWindow → loadWindow): x, e and p one after the other,
 * and Ŝ with a version number that changes whenever the session's Ŝ does (unique within the capturing thread).
 */
export interface AnalysisWindow {
  samples: Float32Array;
  endSample: number;
  path: Float32Array;
  pathVersion: number;
}

/** FFT scratch of one size, shared by every analyser of the thread. */
interface Scratch {
  fft: RealFft;
  input: Float64Array;
  output: Float64Array;
  re: Float64Array[];
  im: Float64Array[];
  accumulators: Float64Array[];
  window: Float64Array;
}
const scratchBySize = new Map<number, Scratch>();

function scratch(size: number): Scratch {
  let s = scratchBySize.get(size);
  if (!s) {
    const bins = size / 2 + 1;
    const window = new Float64Array(size);
    // Periodic Hann: its 50 %-overlapped copies sum to a constant.
    for (let n = 0; n < size; n++) window[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / size);
    s = {
      fft: new RealFft(size), input: new Float64Array(size), output: new Float64Array(size),
      re: [0, 1, 2].map(() => new Float64Array(bins)), im: [0, 1, 2].map(() => new Float64Array(bins)),
      accumulators: [0, 1, 2, 3, 4].map(() => new Float64Array(bins)), window,
    };
    scratchBySize.set(size, s);
  }
  return s;
}

function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

const round2 = (v: number): number => Math.round(v * 100) / 100;
const clamp = (v: number): number => Math.max(-LIMIT_DB, Math.min(LIMIT_DB, v));
/** 10·log10 of a power, rounded; null for silence. */
const powerDb = (power: number): number | null => (power > 0 ? round2(clamp(10 * Math.log10(power))) : null);
const finiteDb = (db: number): number | null => (Number.isNaN(db) || db === -Infinity ? null : round2(clamp(db)));

/**
 * The logarithmic grid of the spectra: 1/3-octave steps (1000·2^(k/3) Hz) from 20 Hz while the point's upper
 * edge is below Nyquist; each point averages the Welch bins within ±1/6 octave, or interpolates between the two
 * nearest bins where none falls inside (the lowest points at coarse resolution).
 */
class SpectrumGrid {
  readonly segmentSamples: number;
  readonly frequencyHz: number[] = [];
  private readonly binHz: number;
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;

  constructor(readonly sampleRate: number) {
    const L = (this.segmentSamples = powerOfTwoAtLeast(Math.round(sampleRate / 8)));
    const binHz = (this.binHz = sampleRate / L);
    const edge = 2 ** (1 / 6);
    for (let k = Math.ceil(3 * Math.log2(LOWEST_HZ / 1000)); 1000 * 2 ** (k / 3) * edge < sampleRate / 2; k++) {
      this.frequencyHz.push(1000 * 2 ** (k / 3));
    }
    this.lo = Int32Array.from(this.frequencyHz, (f) => Math.ceil(f / edge / binHz));
    this.hi = Int32Array.from(this.frequencyHz, (f) => Math.min(L / 2, Math.floor((f * edge) / binHz)));
  }

  /**
   * Welch sums over [start, end) of the given signals (at most 3) into the shared scratch: accumulators 0…2 get
   * Σ|X_s|², accumulators 3, 4 the real and imaginary parts of Σ conj(X_0)·X_1. Returns the segment count.
   */
  accumulate(signals: Float32Array[], start: number, end: number, crossSpectrum: boolean): number {
    const L = this.segmentSamples;
    const bins = L / 2 + 1;
    const { fft, input, re, im, accumulators, window } = scratch(L);
    for (const a of accumulators) a.fill(0);
    let segments = 0;
    for (let from = start; from + L <= end; from += L / 2) {
      for (let s = 0; s < signals.length; s++) {
        const signal = signals[s];
        for (let n = 0; n < L; n++) input[n] = window[n] * signal[from + n];
        fft.forward(input, re[s], im[s]);
        const power = accumulators[s];
        const r = re[s];
        const i = im[s];
        for (let k = 0; k < bins; k++) power[k] += r[k] * r[k] + i[k] * i[k];
      }
      if (crossSpectrum) {
        const [xr, dr] = re;
        const [xi, di] = im;
        const sxdRe = accumulators[3];
        const sxdIm = accumulators[4];
        for (let k = 0; k < bins; k++) {
          sxdRe[k] += xr[k] * dr[k] + xi[k] * di[k];
          sxdIm[k] += xr[k] * di[k] - xi[k] * dr[k];
        }
      }
      segments++;
    }
    return segments;
  }

  /** Scales a Welch sum in place so that its bins add up to the signal's mean square (one-sided); returns it. */
  binPowers(power: Float64Array, segments: number): Float64Array {
    const L = this.segmentSamples;
    const { window } = scratch(L);
    let windowPower = 0;
    for (let n = 0; n < L; n++) windowPower += window[n] * window[n];
    const scale = segments > 0 ? 2 / (segments * windowPower * L) : 0;
    for (let k = 0; k < power.length; k++) power[k] *= scale;
    return power;
  }

  /** Grid levels, dB re FS²/Hz, of the Welch sum `power` over `segments` segments (one-sided PSD). */
  levelsDb(power: Float64Array, segments: number): (number | null)[] {
    const L = this.segmentSamples;
    const { window } = scratch(L);
    let windowPower = 0;
    for (let n = 0; n < L; n++) windowPower += window[n] * window[n];
    // One-sided PSD: 2·Σ|X|² / (K · fs · Σw²).
    const scale = segments > 0 ? 2 / (segments * this.sampleRate * windowPower) : 0;
    return this.frequencyHz.map((f, point) => {
      const lo = this.lo[point];
      const hi = this.hi[point];
      let value: number;
      if (lo <= hi) {
        let sum = 0;
        for (let k = lo; k <= hi; k++) sum += power[k];
        value = sum / (hi - lo + 1);
      } else {
        const at = f / this.binHz;
        const k = Math.floor(at);
        const frac = at - k;
        value = power[k] * (1 - frac) + power[Math.min(k + 1, L / 2)] * frac;
      }
      return powerDb(value * scale);
    });
  }
}

export class DisturbanceAnalyser {
  /** Samples per window (whole frames). */
  readonly windowSamples: number;
  private readonly grid: SpectrumGrid;
  private readonly sampleRate: number;
  private readonly frameSize: number;
  private readonly delayTaps: number;
  /** Taps of Ŝ_a (M − D·N, at least 0). */
  private readonly acousticTaps: number;
  /** Leading samples of a window that only prime the model: M_a − 1. */
  private readonly primingSamples: number;
  /** Overlap-save FFT size for Ŝ_a * p. */
  private readonly convolutionSize: number;

  private readonly reference: Float32Array;
  private readonly error: Float32Array;
  private readonly played: Float32Array;
  private readonly disturbance: Float32Array;
  private filled = 0;
  private endSample = 0;
  private readonly intervalWindows: number;
  /** Samples still to let pass before the next window is captured. */
  private skipping = 0;

  /** Spectrum of Ŝ_a zero-padded to convolutionSize. */
  private readonly pathRe: Float64Array;
  private readonly pathIm: Float64Array;
  private hasPath = false;
  private secondaryDelay = 0;
  /**
   * Ŝ as given to setPath (for takeWindow), and its version: unique among every analyser of the thread, so that a
   * thread analysing windows of many sessions never takes one session's Ŝ for another's (ids may be reused).
   */
  private path: Float32Array | null = null;
  private pathVersion = 0;
  private static pathVersions = 0;

  constructor(options: AnalyserOptions) {
    const { sampleRate, frameSize, pathTaps, delayTaps } = options;
    this.sampleRate = sampleRate;
    this.frameSize = frameSize;
    this.delayTaps = delayTaps;
    this.intervalWindows = Math.max(1, Math.floor(options.intervalWindows ?? 1));
    this.acousticTaps = Math.max(0, pathTaps - delayTaps);
    this.primingSamples = Math.max(0, this.acousticTaps - 1);
    this.grid = new SpectrumGrid(sampleRate);
    const L = this.grid.segmentSamples;
    // A second of audio, and at least three Welch segments after the priming.
    const frames = Math.max(Math.ceil(sampleRate / frameSize), Math.ceil((this.primingSamples + 2 * L) / frameSize));
    const W = (this.windowSamples = frames * frameSize);
    this.reference = new Float32Array(W);
    this.error = new Float32Array(W);
    this.played = new Float32Array(W);
    this.disturbance = new Float32Array(W);
    this.convolutionSize = powerOfTwoAtLeast(Math.max(256, 4 * this.acousticTaps));
    this.pathRe = new Float64Array(this.convolutionSize / 2 + 1);
    this.pathIm = new Float64Array(this.convolutionSize / 2 + 1);
  }

  /** Uses Ŝ (M taps, playout delay included) from now on; the window restarts. */
  setPath(path: Float32Array): void {
    const C = this.convolutionSize;
    const { input, re, im, fft } = scratch(C);
    input.fill(0);
    for (let j = 0; j < this.acousticTaps; j++) input[j] = path[this.delayTaps + j];
    fft.forward(input, re[0], im[0]);
    this.pathRe.set(re[0].subarray(0, C / 2 + 1));
    this.pathIm.set(im[0].subarray(0, C / 2 + 1));
    this.secondaryDelay = pathDelaySamples(path);
    this.path = path;
    this.pathVersion = ++DisturbanceAnalyser.pathVersions;
    this.hasPath = true;
    this.filled = 0;
    this.skipping = 0;
  }

  /**
   * Adds one real frame: the reference, the error and what the loudspeaker played meanwhile. `endSequence` is the
   * sequence after this frame's. Per-frame path: copies only. Returns true when the window just became full.
   */
  capture(reference: Float32Array, error: Float32Array, played: Float32Array, endSequence: number): boolean {
    const at = this.filled;
    if (!this.hasPath || at === this.windowSamples) return false;
    if (this.skipping > 0) {
      this.skipping -= this.frameSize;
      return false;
    }
    this.reference.set(reference, at);
    this.error.set(error, at);
    this.played.set(played, at);
    this.filled = at + this.frameSize;
    if (this.filled < this.windowSamples) return false;
    this.endSample = endSequence * this.frameSize;
    return true;
  }

  /** A discontinuity (a slot with no audio): a partial window starts over; a full one is kept for analyse(). */
  restart(): void {
    if (this.filled < this.windowSamples) this.filled = 0;
  }

  /** True when a full window waits for analyse(). */
  get ready(): boolean {
    return this.filled === this.windowSamples;
  }

  /**
   * Copies the full window out (for an analyser of the same options on another thread, loadWindow) and starts the
   * next one, as analyse() would.
   */
  takeWindow(): AnalysisWindow {
    if (!this.ready) throw new Error('takeWindow() needs a full window (check ready first)');
    const W = this.windowSamples;
    const samples = new Float32Array(3 * W);
    samples.set(this.reference, 0);
    samples.set(this.error, W);
    samples.set(this.played, 2 * W);
    this.startNextWindow();
    return { samples, endSample: this.endSample, path: this.path!.slice(), pathVersion: this.pathVersion };
  }

  /** Loads a window from takeWindow() (and its Ŝ, when that changed): analyse() then analyses it. */
  loadWindow(window: AnalysisWindow): void {
    const W = this.windowSamples;
    if (window.samples.length !== 3 * W) throw new RangeError(`an analysis window of ${3 * W} samples expected, got ${window.samples.length}`);
    if (!this.hasPath || window.pathVersion !== this.pathVersion) {
      this.setPath(window.path);
      this.pathVersion = window.pathVersion;
    }
    this.reference.set(window.samples.subarray(0, W));
    this.error.set(window.samples.subarray(W, 2 * W));
    this.played.set(window.samples.subarray(2 * W));
    this.endSample = window.endSample;
    this.filled = W;
  }

  /** Analyses the full window and starts the next one. Off the audio path: a few milliseconds. */
  analyse(): SessionAnalysis {
    if (!this.ready) throw new Error('analyse() needs a full window (check ready first)');
    const fs = this.sampleRate;
    const W = this.windowSamples;
    const V0 = this.primingSamples;
    this.rebuildDisturbance();
    const grid = this.grid;
    const segments = grid.accumulate([this.reference, this.disturbance, this.error], V0, W, true);
    const { accumulators } = scratch(grid.segmentSamples);
    const spectrum = {
      segmentSamples: grid.segmentSamples,
      resolutionHz: round2(fs / grid.segmentSamples),
      frequencyHz: grid.frequencyHz.map((f) => Math.round(f * 10) / 10),
      disturbanceDb: grid.levelsDb(accumulators[1], segments),
      errorDb: grid.levelsDb(accumulators[2], segments),
    };
    const primary = this.primaryPathPeak();
    const bands = octaveBandAttenuationFromSpectra(grid.binPowers(accumulators[1], segments), grid.binPowers(accumulators[2], segments), fs);
    const resolved = primary.ratio >= MIN_PEAK_RATIO && primary.rival < MAX_RIVAL_SHARE;
    const margin = resolved ? primary.lag - this.secondaryDelay : null;
    this.startNextWindow();
    return {
      fromS: (this.endSample - W + V0) / fs,
      toS: this.endSample / fs,
      spectrum,
      octaveBands: bands.map((b) => ({
        centerHz: b.centerHz, lowerHz: round2(b.lowerHz), upperHz: round2(b.upperHz),
        disturbanceDb: finiteDb(b.levelBeforeDb), errorDb: finiteDb(b.levelAfterDb), attenuationDb: finiteDb(b.attenuationDb),
      })),
      causality: {
        primaryPathDelaySamples: resolved ? primary.lag : null,
        primaryPathPeakRatio: round2(primary.ratio),
        primaryPathRivalShare: round2(primary.rival),
        secondaryPathDelaySamples: this.secondaryDelay,
        loopLatencySamples: this.delayTaps,
        marginSamples: margin,
        marginMs: margin === null ? null : round2((margin * 1000) / fs),
      },
    };
  }

  private startNextWindow(): void {
    this.filled = 0;
    this.skipping = (this.intervalWindows - 1) * this.windowSamples;
  }

  /** disturbance[n] = error[n] − (Ŝ_a * played)[n] for n ≥ primingSamples, by overlap-save. */
  private rebuildDisturbance(): void {
    const W = this.windowSamples;
    const Ma = this.acousticTaps;
    const e = this.error;
    const d = this.disturbance;
    if (Ma === 0) {
      d.set(e);
      return;
    }
    const C = this.convolutionSize;
    const bins = C / 2 + 1;
    const { fft, input, output, re: [re], im: [im] } = scratch(C);
    const p = this.played;
    const hop = C - Ma + 1;
    const pr = this.pathRe;
    const pi = this.pathIm;
    for (let n0 = Ma - 1; n0 < W; n0 += hop) {
      const start = n0 - (Ma - 1);
      for (let i = 0; i < C; i++) input[i] = start + i < W ? p[start + i] : 0;
      fft.forward(input, re, im);
      for (let k = 0; k < bins; k++) {
        const a = re[k];
        const b = im[k];
        re[k] = a * pr[k] - b * pi[k];
        im[k] = a * pi[k] + b * pr[k];
      }
      fft.inverse(re, im, output);
      // Outputs Ma − 1 … C − 1 of the circular convolution are the linear ones.
      const end = Math.min(W, start + C);
      for (let n = n0; n < end; n++) d[n] = e[n] - output[n - start];
    }
  }

  /**
   * The primary path's delay from the Welch sums just taken: H1 = S_xd̂ / S_xx, regularised where x is weak, and
   * the peak of its impulse response (circular: lags ≥ L/2 are negative), with the peak's height over the RMS.
   */
  private primaryPathPeak(): { lag: number; ratio: number; rival: number } {
    const L = this.grid.segmentSamples;
    const bins = L / 2 + 1;
    const { fft, output, re: [hr], im: [hi], accumulators: [sxx, , , sxdRe, sxdIm] } = scratch(L);
    let strongest = 0;
    for (let k = 0; k < bins; k++) if (sxx[k] > strongest) strongest = sxx[k];
    const floor = H1_FLOOR * strongest;
    for (let k = 0; k < bins; k++) {
      const denominator = sxx[k] + floor;
      hr[k] = denominator > 0 ? sxdRe[k] / denominator : 0;
      hi[k] = denominator > 0 ? sxdIm[k] / denominator : 0;
    }
    fft.inverse(hr, hi, output);
    let peak = 0;
    let energy = 0;
    for (let n = 0; n < L; n++) {
      energy += output[n] * output[n];
      if (Math.abs(output[n]) > Math.abs(output[peak])) peak = n;
    }
    const rms = Math.sqrt(energy / L);
    let rival = 0;
    for (let n = 0; n < L; n++) {
      const distance = Math.min(Math.abs(n - peak), L - Math.abs(n - peak)); // circular
      if (distance > PEAK_GUARD && Math.abs(output[n]) > rival) rival = Math.abs(output[n]);
    }
    const height = Math.abs(output[peak]);
    return { lag: peak < L / 2 ? peak : peak - L, ratio: rms > 0 ? height / rms : 0, rival: height > 0 ? rival / height : 1 };
  }
}

/**
 * The analysis' own estimators on a whole signal pair (for tests and tools that hold the true d): grid PSDs, dB re
 * FS²/Hz, and octave bands, on the same footing as SessionAnalysis.spectrum and .octaveBands.
 */
export function welchAnalysis(before: Float32Array, after: Float32Array, sampleRate: number): {
  frequencyHz: number[]; beforeDb: (number | null)[]; afterDb: (number | null)[]; octaveBands: OctaveBandResult[];
} {
  const grid = new SpectrumGrid(sampleRate);
  if (before.length !== after.length) throw new RangeError(`before has ${before.length} samples but after has ${after.length}`);
  if (before.length < grid.segmentSamples) throw new RangeError(`welchAnalysis needs at least ${grid.segmentSamples} samples, got ${before.length}`);
  const segments = grid.accumulate([before, after], 0, before.length, false);
  const { accumulators } = scratch(grid.segmentSamples);
  const beforeDb = grid.levelsDb(accumulators[0], segments);
  const afterDb = grid.levelsDb(accumulators[1], segments);
  const octaveBands = octaveBandAttenuationFromSpectra(grid.binPowers(accumulators[0], segments), grid.binPowers(accumulators[1], segments), sampleRate);
  return { frequencyHz: grid.frequencyHz.map((f) => Math.round(f * 10) / 10), beforeDb, afterDb, octaveBands };
}

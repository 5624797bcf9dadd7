/**
 * EmergencySoundDetector: a streaming, allocation-free detector of alarm and siren onsets for the emergency bypass.
 * It is the fast path (≈ 100–150 ms from onset); the classifier confirms on its own cadence, and if the classifier
 * fails or times out this detector alone still protects the user.
 *
 * Principle: sirens and alarms are strong single tones in 500–4000 Hz (Hz ranges: EN 1789 / SAE J1849 siren
 * fundamentals ≈ 500–1800 Hz, piezo smoke alarms ≈ 2.8–3.6 kHz) that either sweep (wail, yelp: continuous glide;
 * hi-lo: jumps of ≤ 0.6 octave) or start abruptly and repeat (beeps, T3/T4 patterns). Machines and voices are
 * harmonic-rich (no single peak carries the band) or stable without an onset.
 *
 * Per hop (frame ≈ 32 ms Hann, hop = frame/2; 512/256 samples at 16 kHz):
 *  1. power spectrum; in 500–4000 Hz find the strongest bin. It is a tone when it is a true peak (inside the band,
 *     6 dB over the bins ±2 away), carries ≥ minToneFraction of the band energy (3 bins), stands minProminenceDb
 *     over its neighbourhood (±4…12 bins) and is above the level floor;
 *  2. consecutive tonal frames whose peak moves by ≤ 0.6 octave form a track. A track survives up to
 *     MAX_MASKED_FRAMES frames that fail the tests while its tone is still within 6 dB of its recent level there
 *     (masked by a passing truck or a shout, not stopped). It records its frequency span and path length
 *     Σ|Δlog2 f| on a 3-frame smoothed path (the peak estimate's jitter would otherwise dominate a slow glide), its
 *     recent level range (the last minTrackS), and its onset contrast: its level over its first 3 frames above the
 *     quieter of a slow per-bin background and the dip in the 4 frames before it;
 *  3. siren onset: a track of ≥ minTrackS that sweeps smoothly (span ≥ minSweepOctaves, path ≤ 2.5 × span) at a
 *     steady recent level (≤ 10 dB range) — wail, yelp, mechanical; hi-lo at its first tone change;
 *  4. alarm onset: a stable, abrupt (onset contrast ≥ minOnsetDb), sustained tone of beep length (≤ 1.2 s) when it
 *     ends, or as soon as the same tone starts again within 4 s (repeating beeps, T3/T4). In a reverberant room a
 *     fast alarm's tail keeps the tone up through its gaps: a stable track that dips ≥ 12 dB and rises ≥ 10 dB
 *     again starts the next beep;
 *  5. offset after releaseS without a qualifying frame.
 * Known gaps (the classifier covers them on its cadence): phaser/piercer sirens sweep too fast for a frame-level
 * peak track; continuous (non-beeping) alarm tones and fire bells are left to the classifier.
 * Cost: one real FFT per hop plus a scan of the band: well under 0.1 µs per sample at 16 kHz.
 */
import { RealFft } from '@antiphase/dsp';

export type EmergencyKind = 'siren' | 'alarm';

export interface EmergencyEvent {
  type: 'onset' | 'offset';
  kind: EmergencyKind;
  /** Stream position of the decision, samples since the detector started (or was reset). */
  sample: number;
  /** Same position in seconds. */
  timeS: number;
  /** Estimated start of the sound (track start), seconds; for offsets, the last qualifying frame. */
  startS: number;
  /** Tone frequency at the decision, Hz. */
  frequencyHz: number;
  /** 0…1: how clearly tonal the track is (mean tone fraction). */
  confidence: number;
}

export interface EmergencyDetectorOptions {
  /** Input sample rate, Hz (default 16000; 8000–96000). */
  sampleRate?: number;
  /** Search band, Hz (default 500–4000). */
  lowHz?: number;
  highHz?: number;
  /** Fraction of the band's energy the peak (3 bins) must carry (default 0.4). */
  minToneFraction?: number;
  /** Peak over its neighbourhood (±4…12 bins), dB (default 15). */
  minProminenceDb?: number;
  /** Tracks shorter than this do not count, seconds (default 0.12 s ≈ 8 hops at 16 kHz). */
  minTrackS?: number;
  /** Sweep that makes a track siren-like, octaves over the track (default 0.04). */
  minSweepOctaves?: number;
  /** Onset contrast of a stable tone over the preceding background, dB (default 15). */
  minOnsetDb?: number;
  /** Time without a qualifying frame before the offset event, seconds (default 1.6: longer than T3's 1.5 s gap). */
  releaseS?: number;
  /** Peak power floor, dBFS of a full-scale sine ≈ 0 (default −75). */
  floorDbfs?: number;
}

export const DETECTOR_DEFAULTS = {
  sampleRate: 16000,
  lowHz: 500,
  highHz: 4000,
  minToneFraction: 0.4,
  minProminenceDb: 15,
  minTrackS: 0.12,
  minSweepOctaves: 0.04,
  minOnsetDb: 15,
  releaseS: 1.6,
  floorDbfs: -75,
} as const;

const MAX_JUMP_OCTAVES = 0.6;
const REPEAT_WINDOW_S = 4;
const NO_EVENTS: readonly EmergencyEvent[] = Object.freeze([]);
const REPEAT_TOLERANCE_OCTAVES = 0.05;
/** Longest tone counted as one alarm beep, seconds (T3 beeps are 0.5 s). */
const MAX_BEEP_S = 1.2;
/** Largest peak-power ratio over a siren track's recent frames (10 dB). */
const MAX_SWEEP_LEVEL_RANGE = 10;
/**
 * Frames a running track may miss while its tone is still there within 6 dB of its recent peak level (masked by
 * a passing vehicle or a shout, not stopped). A beep's gap drops the tone by far more, so beeps stay separate.
 */
const MAX_MASKED_FRAMES = 3;
/** Frames before a track start searched for the dip that makes its onset abrupt (≈ 64 ms at 16 kHz). */
const DIP_FRAMES = 4;
/** A track's onset contrast is its highest over its first frames: the 32-ms window straddles the onset at first. */
const ONSET_FRAMES = 3;

export class EmergencySoundDetector {
  readonly sampleRate: number;
  readonly frameSize: number;
  readonly hopSize: number;
  private readonly o: Required<EmergencyDetectorOptions>;
  private readonly fft: RealFft;
  private readonly window: Float64Array;
  private readonly ring: Float64Array;
  private readonly frame: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly power: Float64Array;
  /** Slow per-bin background power (time constant ≈ 1 s), frozen while a track runs. */
  private readonly background: Float64Array;
  private readonly kLow: number;
  private readonly kHigh: number;
  private readonly minTrackFrames: number;
  private readonly releaseFrames: number;
  private readonly floorPower: number;
  private ringPos = 0;
  private sinceHop = 0;
  private filled = 0;
  private samples = 0;
  private frames = 0;
  // Track state.
  private trackLength = 0;
  private trackStartFrame = 0;
  private trackLog2 = 0;
  private trackMin = 0;
  private trackMax = 0;
  private trackOnsetDb = 0;
  /** Level the track rose from (quietLevel), Infinity for a track that is not an onset. */
  private trackQuiet = Infinity;
  private trackFractionSum = 0;
  /** Σ|Δ log2 f| over the track's smoothed path (octaves). */
  private trackPath = 0;
  private trackPower = 0;
  private trackPowerMax = 0;
  /** Lowest level since the track was last at its maximum. */
  private trackDip = 0;
  /** The track's recent peak powers (ring of minTrackFrames, its first, window-straddling frame left out). */
  private readonly trackLevels: Float64Array;
  private trackLevelCount = 0;
  /** The frequency path smoothed over 3 frames, which keeps the peak estimate's jitter out of the sweep test. */
  private trackPrev1 = 0;
  private trackPrev2 = 0;
  private trackSmoothed = 0;
  private trackSmoothMin = 0;
  private trackSmoothMax = 0;
  private maskedFrames = 0;
  /** Band power of the last DIP_FRAMES frames (ring, DIP_FRAMES × bins). */
  private readonly recentPower: Float64Array;
  /** Recent stable-tone starts: [frame, log2 f]. */
  private readonly recentStarts: [number, number][] = [];
  private isActive = false;
  private kind: EmergencyKind = 'siren';
  private lastQualifyingFrame = -Infinity;
  private lastFrequency = 0;
  /** Events of the block being processed (emptied by process()). */
  private readonly decided: EmergencyEvent[] = [];

  constructor(options: EmergencyDetectorOptions = {}) {
    const defaultFs = options.sampleRate ?? DETECTOR_DEFAULTS.sampleRate;
    // At 8 kHz the default 4 kHz band edge is the Nyquist frequency: stop short of it (smoke alarms sit near 3.1 kHz).
    this.o = { ...DETECTOR_DEFAULTS, highHz: Math.min(DETECTOR_DEFAULTS.highHz, 0.45 * defaultFs), ...options };
    const fs = this.o.sampleRate;
    if (!(Number.isFinite(fs) && fs >= 8000 && fs <= 96000)) throw new RangeError(`sampleRate must be 8000–96000 Hz, got ${fs}`);
    if (!(this.o.lowHz > 0 && this.o.highHz > this.o.lowHz && this.o.highHz < fs / 2)) throw new RangeError('need 0 < lowHz < highHz < sampleRate/2');
    this.sampleRate = fs;
    this.frameSize = 2 ** Math.round(Math.log2(0.032 * fs));
    this.hopSize = this.frameSize / 2;
    this.fft = new RealFft(this.frameSize);
    this.window = Float64Array.from({ length: this.frameSize }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / this.frameSize));
    this.ring = new Float64Array(this.frameSize);
    this.frame = new Float64Array(this.frameSize);
    const bins = this.frameSize / 2 + 1;
    this.re = new Float64Array(bins);
    this.im = new Float64Array(bins);
    this.power = new Float64Array(bins);
    this.background = new Float64Array(bins);
    this.recentPower = new Float64Array(DIP_FRAMES * bins);
    this.kLow = Math.max(2, Math.floor((this.o.lowHz * this.frameSize) / fs));
    this.kHigh = Math.min(bins - 3, Math.ceil((this.o.highHz * this.frameSize) / fs));
    const hopS = this.hopSize / fs;
    this.minTrackFrames = Math.max(2, Math.round(this.o.minTrackS / hopS));
    this.releaseFrames = Math.max(1, Math.round(this.o.releaseS / hopS));
    this.trackLevels = new Float64Array(this.minTrackFrames);
    // Power of a full-scale sine in the 3 peak bins: (A·N/4)² · (1 + 2·¼) for a Hann window; scaled by the floor.
    const fullScale = ((this.frameSize / 4) ** 2) * 1.5;
    this.floorPower = fullScale * 10 ** (this.o.floorDbfs / 10);
  }

  /** True while an alarm/siren-like sound is present (from onset until releaseS after it was last seen). */
  get active(): boolean {
    return this.isActive;
  }

  /** Kind of the current (or last) detection. */
  get activeKind(): EmergencyKind {
    return this.kind;
  }

  /** Decision latency floor: one frame plus the shortest track, seconds. */
  get latencyS(): number {
    return (this.frameSize + this.minTrackFrames * this.hopSize) / this.sampleRate;
  }

  reset(): void {
    this.ring.fill(0);
    this.background.fill(0);
    this.recentPower.fill(0);
    this.ringPos = this.sinceHop = this.filled = this.samples = this.frames = 0;
    this.trackLength = 0;
    this.recentStarts.length = 0;
    this.isActive = false;
    this.lastQualifyingFrame = -Infinity;
  }

  /**
   * Feeds a block of mono samples (any length); returns the onset/offset events decided inside it. A block without
   * any (nearly every one) returns a shared empty array: the per-frame path allocates nothing.
   */
  process(block: ArrayLike<number>): readonly EmergencyEvent[] {
    const events = this.decided;
    const N = this.frameSize;
    for (let i = 0; i < block.length; i++) {
      const v = block[i];
      this.ring[this.ringPos] = Number.isFinite(v) ? v : 0;
      this.ringPos = this.ringPos + 1 === N ? 0 : this.ringPos + 1;
      this.samples++;
      if (this.filled < N) this.filled++;
      if (++this.sinceHop === this.hopSize) {
        this.sinceHop = 0;
        if (this.filled === N) this.analyseFrame(events);
      }
    }
    return events.length === 0 ? NO_EVENTS : events.splice(0);
  }

  private analyseFrame(events: EmergencyEvent[]): void {
    const N = this.frameSize;
    const { ring, frame, window, re, im, power, background } = this;
    for (let i = 0, p = this.ringPos; i < N; i++) {
      frame[i] = ring[p] * window[i];
      p = p + 1 === N ? 0 : p + 1;
    }
    this.fft.forward(frame, re, im);
    let band = 0;
    let peak = 0;
    let kp = this.kLow;
    for (let k = this.kLow; k <= this.kHigh; k++) {
      const p = re[k] * re[k] + im[k] * im[k];
      power[k] = p;
      band += p;
      if (p > peak) {
        peak = p;
        kp = k;
      }
    }
    power[this.kLow - 1] = re[this.kLow - 1] ** 2 + im[this.kLow - 1] ** 2;
    power[this.kHigh + 1] = re[this.kHigh + 1] ** 2 + im[this.kHigh + 1] ** 2;
    const peak3 = power[kp - 1] + peak + power[kp + 1];
    const fraction = band > 0 ? Math.min(1, peak3 / band) : 0;
    // A true spectral peak: inside the band (not the edge of a sloping spectrum), 6 dB over the bins ±2 away
    // (the Hann main lobe is ±2 bins), and prominent over its neighbourhood ±4…12 bins.
    let tonal = false;
    if (kp >= this.kLow + 2 && kp <= this.kHigh - 2 && peak >= 4 * Math.max(power[kp - 2], power[kp + 2]) && peak3 >= this.floorPower && fraction >= this.o.minToneFraction) {
      let sum = 0;
      let count = 0;
      for (let d = 4; d <= 12; d++) {
        if (kp - d >= this.kLow) { sum += power[kp - d]; count++; }
        if (kp + d <= this.kHigh) { sum += power[kp + d]; count++; }
      }
      const prominenceDb = 10 * Math.log10(peak / Math.max(sum / Math.max(count, 1), 1e-30));
      tonal = prominenceDb >= this.o.minProminenceDb;
    }
    // Peak frequency, parabolic interpolation on log power.
    const a = Math.log(power[kp - 1] + 1e-30), b = Math.log(peak + 1e-30), c = Math.log(power[kp + 1] + 1e-30);
    const den = a - 2 * b + c;
    const delta = den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0;
    const freq = ((kp + delta) * this.sampleRate) / N;
    const log2f = Math.log2(freq);
    const frameIndex = this.frames++;

    const continues = tonal && this.trackLength > 0 && Math.abs(log2f - this.trackLog2) <= MAX_JUMP_OCTAVES;
    if (continues && this.beepRestarts(peak3)) {
      // A reverberant room keeps a fast alarm's tone audible through its gaps: the level dip splits the beeps.
      this.endTrack(frameIndex, events);
      this.startTrack(frameIndex, kp, log2f, peak3, fraction, true);
    } else if (continues) {
      this.extendTrack(log2f, peak3, fraction);
      if (this.trackLength >= this.minTrackFrames) this.judgeTrack(frameIndex, freq, log2f, events);
    } else if (this.trackLength > 1 && this.maskedFrames < MAX_MASKED_FRAMES && this.toneStillThere()) {
      // Masked for a moment (a gate failed, or the peak flipped to another component): the track carries on and
      // the background stays frozen.
      this.maskedFrames++;
    } else {
      const fromQuiet = this.trackLength === 0;
      if (!fromQuiet) this.endTrack(frameIndex, events);
      // A tone after quiet gets its onset contrast; one that jumped from a running track is mid-sound (no onset).
      if (tonal) this.startTrack(frameIndex, kp, log2f, peak3, fraction, fromQuiet);
      // Background follows the spectrum only outside tracks (time constant ≈ 1 s).
      const alpha = frameIndex < 8 ? 0.5 : this.hopSize / this.sampleRate;
      for (let k = this.kLow - 1; k <= this.kHigh + 1; k++) background[k] += alpha * (power[k] - background[k]);
    }
    // The band's power into the dip ring (a loop, not set(subarray()), which would allocate a view every hop).
    const ringOffset = (frameIndex % DIP_FRAMES) * power.length;
    for (let k = this.kLow - 1; k <= this.kHigh + 1; k++) this.recentPower[ringOffset + k] = power[k];

    if (this.isActive && frameIndex - this.lastQualifyingFrame > this.releaseFrames) {
      this.isActive = false;
      events.push(this.event('offset', this.kind, this.lastFrequency, ((this.lastQualifyingFrame + 1) * this.hopSize + this.hopSize) / this.sampleRate, 1));
    }
  }

  /**
   * What a tone starting at bin kp rose from: the quieter of the slow background and the dip in the last
   * DIP_FRAMES frames (a fast-beeping alarm's gap is too short for the slow background to fall). Infinity at the
   * stream's start, where there is nothing to compare with.
   */
  private quietLevel(frameIndex: number, kp: number): number {
    if (frameIndex < 8) return Infinity;
    const { background, recentPower } = this;
    let quiet = background[kp - 1] + background[kp] + background[kp + 1];
    const bins = this.power.length;
    for (let d = 0; d < DIP_FRAMES; d++) {
      const o = d * bins;
      quiet = Math.min(quiet, recentPower[o + kp - 1] + recentPower[o + kp] + recentPower[o + kp + 1]);
    }
    return Math.max(quiet, this.floorPower * 1e-3);
  }

  /** Onset contrast, dB: the track's level over its quiet level, over its first ONSET_FRAMES frames. */
  private updateOnset(peak3: number): void {
    if (this.trackLength <= ONSET_FRAMES) this.trackOnsetDb = Math.max(this.trackOnsetDb, 10 * Math.log10(peak3 / this.trackQuiet));
  }

  private startTrack(frameIndex: number, kp: number, log2f: number, peak3: number, fraction: number, fromQuiet: boolean): void {
    this.trackQuiet = fromQuiet ? this.quietLevel(frameIndex, kp) : Infinity;
    this.trackOnsetDb = 0;
    this.trackStartFrame = frameIndex;
    this.trackLength = 1;
    this.updateOnset(peak3);
    this.trackLog2 = this.trackMin = this.trackMax = log2f;
    this.trackPrev1 = this.trackPrev2 = this.trackSmoothed = this.trackSmoothMin = this.trackSmoothMax = log2f;
    this.trackPath = 0;
    this.trackFractionSum = fraction;
    this.trackPower = this.trackPowerMax = this.trackDip = peak3;
    this.trackLevelCount = 0;
    this.maskedFrames = 0;
  }

  private extendTrack(log2f: number, peak3: number, fraction: number): void {
    const smoothed = (log2f + this.trackPrev1 + this.trackPrev2) / 3;
    this.trackPath += Math.abs(smoothed - this.trackSmoothed);
    this.trackSmoothed = smoothed;
    this.trackSmoothMin = Math.min(this.trackSmoothMin, smoothed);
    this.trackSmoothMax = Math.max(this.trackSmoothMax, smoothed);
    this.trackPrev2 = this.trackPrev1;
    this.trackPrev1 = log2f;
    this.trackLog2 = log2f;
    this.trackMin = Math.min(this.trackMin, log2f);
    this.trackMax = Math.max(this.trackMax, log2f);
    this.trackLevels[this.trackLevelCount++ % this.trackLevels.length] = peak3;
    if (peak3 >= this.trackPowerMax) this.trackPowerMax = this.trackDip = peak3;
    else this.trackDip = Math.min(this.trackDip, peak3);
    this.trackPower = peak3;
    this.trackLength++;
    this.updateOnset(peak3);
    this.trackFractionSum += fraction;
    this.maskedFrames = 0;
  }

  /** A stable track whose level fell ≥ 12 dB below its peak rises again by ≥ 10 dB: the next beep starts. */
  private beepRestarts(peak3: number): boolean {
    return this.trackIsStable() && this.trackDip * 16 <= this.trackPowerMax && peak3 >= 10 * this.trackDip;
  }

  /** The track holds one frequency (it spans less than a sweep): a beep, not a siren. */
  private trackIsStable(): boolean {
    return this.trackMax - this.trackMin < this.o.minSweepOctaves;
  }

  /** Highest over lowest of the track's recent levels (its first frame left out). */
  private recentLevelRange(): number {
    const n = Math.min(this.trackLevelCount, this.trackLevels.length);
    let lo = Infinity;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, this.trackLevels[i]);
      hi = Math.max(hi, this.trackLevels[i]);
    }
    return n > 0 && lo > 0 ? hi / lo : Infinity;
  }

  /** The running track's tone is still within 6 dB of its recent level at (or one bin beside) its last frequency. */
  private toneStillThere(): boolean {
    const { power } = this;
    const kt = Math.round((2 ** this.trackLog2 * this.frameSize) / this.sampleRate);
    const n = Math.min(this.trackLevelCount, this.trackLevels.length);
    let recent = this.trackPower;
    for (let i = 0; i < n; i++) recent = Math.max(recent, this.trackLevels[i]);
    let level = 0;
    for (let k = kt - 1; k <= kt + 1; k++) level = Math.max(level, power[k - 1] + power[k] + power[k + 1]);
    return level >= 0.25 * recent;
  }

  private judgeTrack(frameIndex: number, freq: number, log2f: number, events: EmergencyEvent[]): void {
    // A sweep is a smooth glide (wail: monotonic; yelp: up and down), not a peak hopping between components.
    // Its level is steady over the last few frames (a siren horn; slow changes as it approaches are fine), unlike
    // a syllable's rise and fall: within MAX_SWEEP_LEVEL_RANGE.
    const span = this.trackSmoothMax - this.trackSmoothMin;
    const sweeping = span >= this.o.minSweepOctaves && this.trackPath <= 2.5 * span + 0.02 && this.recentLevelRange() <= MAX_SWEEP_LEVEL_RANGE;
    // Beeps hold their level; impacts (dishes, keys, hammer rings) decay.
    const sustained = this.trackPower >= 0.25 * this.trackPowerMax;
    let kind: EmergencyKind | null = null;
    if (sweeping) kind = 'siren';
    else if (this.trackIsStable() && sustained && this.trackOnsetDb >= this.o.minOnsetDb) {
      // A stable tone that started abruptly: an alarm if it repeats (the same tone began within the last 4 s).
      const windowFrames = (REPEAT_WINDOW_S * this.sampleRate) / this.hopSize;
      const repeated = this.recentStarts.some(([f, l]) => frameIndex - f <= windowFrames && f !== this.trackStartFrame && Math.abs(l - log2f) <= REPEAT_TOLERANCE_OCTAVES);
      if (repeated) kind = 'alarm';
    }
    if (kind === null) return;
    this.lastQualifyingFrame = frameIndex;
    this.lastFrequency = freq;
    if (!this.isActive) {
      this.isActive = true;
      this.kind = kind;
      const confidence = this.trackFractionSum / this.trackLength;
      events.push(this.event('onset', kind, freq, (this.trackStartFrame * this.hopSize) / this.sampleRate, confidence));
    } else if (kind === 'siren') {
      this.kind = 'siren';
    }
  }

  /**
   * A track ended: a stable, abrupt tone of beep length (≤ MAX_BEEP_S) still within 6 dB of its peak in its last
   * frame is an alarm beep (a beep stops; an impact's ring decays first).
   */
  private endTrack(frameIndex: number, events: EmergencyEvent[]): void {
    const stable = this.trackIsStable();
    const abrupt = this.trackOnsetDb >= this.o.minOnsetDb;
    const beepFrames = (MAX_BEEP_S * this.sampleRate) / this.hopSize;
    if (stable && abrupt && this.trackLength >= this.minTrackFrames && this.trackLength <= beepFrames && this.trackPower >= 0.25 * this.trackPowerMax) {
      const freq = 2 ** ((this.trackMin + this.trackMax) / 2);
      this.lastQualifyingFrame = frameIndex;
      this.lastFrequency = freq;
      if (!this.isActive) {
        this.isActive = true;
        this.kind = 'alarm';
        events.push(this.event('onset', 'alarm', freq, (this.trackStartFrame * this.hopSize) / this.sampleRate, this.trackFractionSum / this.trackLength));
      }
    }
    if (this.trackLength >= 2 && stable && abrupt) {
      this.recentStarts.push([this.trackStartFrame, (this.trackMin + this.trackMax) / 2]);
      if (this.recentStarts.length > 16) this.recentStarts.shift();
    }
    this.trackLength = 0;
  }

  private event(type: 'onset' | 'offset', kind: EmergencyKind, frequencyHz: number, startS: number, confidence: number): EmergencyEvent {
    return { type, kind, sample: this.samples, timeS: this.samples / this.sampleRate, startS, frequencyHz, confidence };
  }
}

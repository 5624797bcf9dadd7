/**
 * Clip classification: resample to 16 kHz, reject unusable input, compute features per 3 s window (hop 1 s),
 * average the windows' class probabilities. Pure TypeScript, no I/O.
 *
 * Defined answers for bad input:
 *  - fewer than MIN_DURATION_S of audio, or non-finite samples → ClassifierInputError (callers print it);
 *  - RMS below SILENCE_RMS_DBFS (digital silence, a disconnected mic) → label 'silence', confidence 1, no classes;
 *  - a top probability below LOW_CONFIDENCE → the answer carries `lowConfidence: true`.
 */
import { resample } from '@antiphase/dsp';
import { FeatureExtractor, FEATURE_COUNT, FEATURE_SAMPLE_RATE, MIN_FRAMES } from './features.js';
import type { NoiseModel } from './model.js';
import { SILENCE_LABEL } from './taxonomy.js';

/** Shortest clip classify() accepts, seconds. */
export const MIN_DURATION_S = 0.25;
/** Clips quieter than this RMS, dBFS (full scale = 1), are answered as 'silence'. 16-bit dither is about −101 dBFS. */
export const SILENCE_RMS_DBFS = -80;
/** Top probabilities below this are flagged lowConfidence. */
export const LOW_CONFIDENCE = 0.5;
/**
 * How a session uses the classifier (packages/engine noise-monitor.ts): it classifies each BYPASS_WINDOW_S of
 * reference audio, and a safety class with at least BYPASS_CONFIDENCE starts the emergency bypass on its own.
 */
export const BYPASS_WINDOW_S = 1;
export const BYPASS_CONFIDENCE = 0.8;

export class ClassifierInputError extends Error {
  override readonly name = 'ClassifierInputError';
}

export interface ClassProbability {
  label: string;
  probability: number;
}

export interface Classification {
  /** Winning class, or 'silence'. */
  label: string;
  /** Probability of the winning class (averaged over windows); 1 for silence. */
  confidence: number;
  lowConfidence: boolean;
  /** Best three classes, most probable first (empty for silence). */
  top: ClassProbability[];
  /** Every class's averaged probability, in model order (empty for silence). */
  probabilities: ClassProbability[];
  /** True when the model's winning class is a safety class (alarm, siren). */
  safety: boolean;
  /** Number of analysis windows averaged. */
  windows: number;
  durationS: number;
  rmsDbfs: number;
}

export class NoiseClassifier {
  readonly model: NoiseModel;
  private readonly extractor = new FeatureExtractor();
  /** Feature vector of the window being classified (reused). */
  private readonly features = new Float32Array(FEATURE_COUNT);

  constructor(model: NoiseModel) {
    this.model = model;
  }

  /** Classifies mono audio at any sample rate. */
  classify(samples: Float32Array, sampleRate: number = FEATURE_SAMPLE_RATE): Classification {
    if (!(Number.isFinite(sampleRate) && sampleRate > 0)) throw new ClassifierInputError(`bad sample rate ${sampleRate}`);
    const durationS = samples.length / sampleRate;
    if (durationS < MIN_DURATION_S) {
      throw new ClassifierInputError(`audio too short to classify: ${durationS.toFixed(3)} s, need at least ${MIN_DURATION_S} s`);
    }
    let energy = 0;
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i];
      if (!Number.isFinite(v)) throw new ClassifierInputError(`audio contains a non-finite sample (${v}) at index ${i}`);
      energy += v * v;
    }
    const rmsDbfs = energy > 0 ? 10 * Math.log10(energy / samples.length) : -Infinity;
    if (rmsDbfs < SILENCE_RMS_DBFS) {
      return { label: SILENCE_LABEL, confidence: 1, lowConfidence: false, top: [], probabilities: [], safety: false, windows: 0, durationS, rmsDbfs };
    }
    const audio = sampleRate === FEATURE_SAMPLE_RATE ? samples : resample(samples, sampleRate, FEATURE_SAMPLE_RATE);
    const probs = this.probabilities(audio);
    const classes = this.model.classes;
    const probabilities = Array.from(probs.values, (p, i) => ({ label: classes[i], probability: p }));
    const top = [...probabilities].sort((a, b) => b.probability - a.probability).slice(0, 3);
    return {
      label: top[0].label,
      confidence: top[0].probability,
      lowConfidence: top[0].probability < LOW_CONFIDENCE,
      top,
      probabilities,
      safety: this.model.safetyClasses.includes(top[0].label),
      windows: probs.windows,
      durationS,
      rmsDbfs,
    };
  }

  /** Window-averaged class probabilities of 16 kHz audio (at least MIN_FRAMES frames). */
  probabilities(audio16k: Float32Array): { values: Float64Array; windows: number } {
    const analysis = this.extractor.analyse(audio16k);
    if (analysis.count < MIN_FRAMES) {
      throw new ClassifierInputError(`audio too short to classify: ${analysis.count} analysis frames, need ${MIN_FRAMES}`);
    }
    const windows = FeatureExtractor.windows(analysis.count);
    const sum = new Float64Array(this.model.classes.length);
    for (const [start, end] of windows) {
      const p = this.model.predict(this.extractor.summarise(analysis, start, end, this.features));
      for (let k = 0; k < sum.length; k++) sum[k] += p[k];
    }
    for (let k = 0; k < sum.length; k++) sum[k] /= windows.length;
    return { values: sum, windows: windows.length };
  }
}

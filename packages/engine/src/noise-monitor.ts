/**
 * A session's noise intelligence: the emergency bypass and the current noise type.
 *
 * Bypass. The streaming EmergencySoundDetector listens to the reference microphone every frame (the fast path,
 * ≈ 150 ms from onset). On an onset the anti-noise fades out over FADE_OUT_S (raised cosine, then exact zeros),
 * stays off while the detector still hears the sound or the classifier still names a safety class, plus holdS, then
 * fades back in over FADE_IN_S. The classifier confirms on its own cadence and also starts the bypass for what the
 * detector does not catch (continuous alarm tones, bells); if the classifier fails or is absent, the detector alone
 * still protects the user.
 *
 * Classification runs off the audio path: the monitor keeps the last CLASSIFY_WINDOW_S of reference audio, and the
 * session's host runs classify() once per CLASSIFY_EVERY_S of audio after the frames of a batch have been answered —
 * or, with a background thread (background.ts), hands the window over and applies the outcome when it comes back.
 *
 * Everything that happens becomes a NoiseEvent (bypass-on, bypass-off, noise-type), collected until takeEvents().
 */
import {
  BYPASS_CONFIDENCE, BYPASS_WINDOW_S, EmergencySoundDetector, isSafetyClass, LOW_CONFIDENCE, type EmergencyEvent, type NoiseClassifier,
} from '@antiphase/intelligence';

export const FADE_OUT_S = 0.05;
export const FADE_IN_S = 0.5;
export const CLASSIFY_WINDOW_S = BYPASS_WINDOW_S;
export const CLASSIFY_EVERY_S = 1;
/** A safety class needs at least this probability to start the bypass on the classifier's word alone. */
export const CLASSIFIER_BYPASS_CONFIDENCE = BYPASS_CONFIDENCE;

export type NoiseEventType = 'bypass-on' | 'bypass-off' | 'noise-type';

export interface NoiseEvent {
  sessionId: string;
  type: NoiseEventType;
  /** Session audio time of the decision, seconds since the session's first frame. */
  atS: number;
  detail: Record<string, unknown>;
}

export interface NoiseMonitorOptions {
  sampleRate: number;
  /** Emergency bypass on (default true). */
  bypass: boolean;
  /** Seconds the anti-noise stays off after the emergency sound was last heard. */
  holdS: number;
  /** null: no classifier (its model failed to load): the detector alone drives the bypass. */
  classifier: NoiseClassifier | null;
}

/** A classification's result (the classifier's label and probability), or why the classifier failed. */
export type ClassificationOutcome = { label: string; confidence: number } | { error: string };

/** 'off': anti-noise plays; 'fading-out' → 'bypassed' (zeros) → 'holding' → 'fading-in' → 'off'. */
type BypassState = 'off' | 'fading-out' | 'bypassed' | 'holding' | 'fading-in';

export class NoiseMonitor {
  noiseType: string | null = null;
  noiseConfidence: number | null = null;
  /** Classifications that threw (the detector carries on). */
  classifierFailures = 0;
  private readonly detector: EmergencySoundDetector | null;
  private readonly sampleRate: number;
  private readonly holdSamples: number;
  private readonly fadeOutSamples: number;
  private readonly fadeInSamples: number;
  private state: BypassState = 'off';
  /** Samples into the current fade, or left in the hold. */
  private counter = 0;
  private gain = 1;
  private samples = 0;
  private readonly window: Float32Array;
  private windowPos = 0;
  private windowFilled = 0;
  private sinceClassified = 0;
  private classifierSafety = false;
  private events: NoiseEvent[] = [];

  constructor(private readonly sessionId: string, private readonly options: NoiseMonitorOptions) {
    const fs = (this.sampleRate = options.sampleRate);
    this.detector = options.bypass ? new EmergencySoundDetector({ sampleRate: fs }) : null;
    this.holdSamples = Math.round(options.holdS * fs);
    this.fadeOutSamples = Math.max(1, Math.round(FADE_OUT_S * fs));
    this.fadeInSamples = Math.max(1, Math.round(FADE_IN_S * fs));
    this.window = new Float32Array(Math.round(CLASSIFY_WINDOW_S * fs));
  }

  /** True from the bypass onset until the anti-noise starts fading back in. */
  get bypassed(): boolean {
    return this.state !== 'off' && this.state !== 'fading-in';
  }

  /** Listens to one frame of the reference microphone (before the frame's anti-noise is computed). */
  observe(reference: Float32Array): void {
    // Into the ring: at most two block copies (a frame is shorter than the window), not a loop per sample.
    const w = this.window;
    let pos = this.windowPos;
    let from = 0;
    while (from < reference.length) {
      const n = Math.min(reference.length - from, w.length - pos);
      w.set(n === reference.length ? reference : reference.subarray(from, from + n), pos);
      from += n;
      pos += n;
      if (pos === w.length) pos = 0;
    }
    this.windowPos = pos;
    this.windowFilled = Math.min(w.length, this.windowFilled + reference.length);
    this.sinceClassified += reference.length;
    if (this.detector) {
      // Indexed, not for…of: an iterator per frame for the (nearly always empty) list would be garbage per frame.
      const events = this.detector.process(reference);
      for (let i = 0; i < events.length; i++) this.onDetector(events[i]);
    }
    this.samples += reference.length;
    this.updateBypass(reference.length);
  }

  /** Scales the frame's anti-noise by the bypass gain, sample by sample (in place). */
  apply(antiNoise: Float32Array): void {
    if (this.state === 'off') return;
    for (let i = 0; i < antiNoise.length; i++) antiNoise[i] *= this.nextGain();
  }

  /** True when a second of audio has passed since the last classification and the window is full. */
  get classificationDue(): boolean {
    return this.options.classifier !== null && this.windowFilled === this.window.length && this.sinceClassified >= CLASSIFY_EVERY_S * this.sampleRate;
  }

  /** Classifies the last CLASSIFY_WINDOW_S of reference audio (off the audio path: allocates, takes ~1 ms). */
  classify(): void {
    const classifier = this.options.classifier;
    if (!classifier) return;
    const window = this.takeClassificationWindow();
    let outcome: ClassificationOutcome;
    try {
      outcome = classifier.classify(window, this.sampleRate);
    } catch (error) {
      outcome = { error: (error as Error).message };
    }
    this.applyClassification(outcome);
  }

  /**
   * The last CLASSIFY_WINDOW_S of reference audio in time order (a copy: it may go to another thread). The cadence
   * restarts here, so the next classification falls due a CLASSIFY_EVERY_S later whenever this one completes.
   */
  takeClassificationWindow(): Float32Array {
    this.sinceClassified = 0;
    const w = this.window;
    const ordered = new Float32Array(w.length);
    ordered.set(w.subarray(this.windowPos));
    ordered.set(w.subarray(0, this.windowPos), w.length - this.windowPos);
    return ordered;
  }

  /** What the classifier said of a window from takeClassificationWindow(), or why it failed. */
  applyClassification(outcome: ClassificationOutcome): void {
    if ('error' in outcome) {
      this.classifierFailures++;
      this.classifierSafety = false;
      if (this.classifierFailures === 1) this.emit('noise-type', { label: null, error: outcome.error });
      return;
    }
    const { label, confidence } = outcome;
    const confident = confidence >= LOW_CONFIDENCE;
    if (confident && label !== this.noiseType) {
      this.emit('noise-type', { label, confidence: round3(confidence), previous: this.noiseType });
      this.noiseType = label;
    }
    if (label === this.noiseType) this.noiseConfidence = confidence;
    this.classifierSafety = this.detector !== null && isSafetyClass(label) && confidence >= CLASSIFIER_BYPASS_CONFIDENCE;
    if (this.classifierSafety && !this.bypassed) this.startBypass('classifier', { label, confidence: round3(confidence) });
  }

  takeEvents(): NoiseEvent[] | null {
    if (this.events.length === 0) return null;
    const events = this.events;
    this.events = [];
    return events;
  }

  /** The monitor's serialisable state (the detector restarts listening after a restore). */
  toJSON(): Record<string, unknown> {
    return {
      noiseType: this.noiseType, noiseConfidence: this.noiseConfidence, state: this.state, counter: this.counter,
      gain: this.gain, samples: this.samples,
    };
  }

  restore(saved: unknown): void {
    if (typeof saved !== 'object' || saved === null) return;
    const s = saved as Record<string, unknown>;
    if (typeof s.noiseType === 'string') this.noiseType = s.noiseType;
    if (typeof s.noiseConfidence === 'number') this.noiseConfidence = s.noiseConfidence;
    if (['off', 'fading-out', 'bypassed', 'holding', 'fading-in'].includes(s.state as string)) this.state = s.state as BypassState;
    if (typeof s.counter === 'number') this.counter = s.counter;
    if (typeof s.gain === 'number') this.gain = s.gain;
    if (typeof s.samples === 'number') this.samples = s.samples;
  }

  private onDetector(event: EmergencyEvent): void {
    if (event.type === 'onset' && !this.bypassed) {
      this.startBypass('detector', { kind: event.kind, frequencyHz: Math.round(event.frequencyHz), confidence: round3(event.confidence) });
    }
  }

  private startBypass(source: 'detector' | 'classifier', detail: Record<string, unknown>): void {
    this.state = 'fading-out';
    this.counter = 0;
    this.emit('bypass-on', { source, ...detail });
  }

  /** Advances the hold once per frame: the emergency sound is gone when neither the detector nor the classifier hears it. */
  private updateBypass(frameSamples: number): void {
    const present = (this.detector?.active ?? false) || this.classifierSafety;
    if (this.state === 'bypassed' && !present) {
      this.state = 'holding';
      this.counter = this.holdSamples;
    } else if (this.state === 'holding') {
      if (present) {
        this.state = 'bypassed';
      } else if ((this.counter -= frameSamples) <= 0) {
        this.state = 'fading-in';
        this.counter = 0;
        this.emit('bypass-off', { heldS: this.options.holdS });
      }
    }
  }

  private nextGain(): number {
    switch (this.state) {
      case 'fading-out': {
        const t = ++this.counter / this.fadeOutSamples;
        if (t >= 1) {
          this.state = 'bypassed';
          this.gain = 0;
        } else {
          this.gain = Math.min(this.gain, 0.5 + 0.5 * Math.cos(Math.PI * t));
        }
        return this.gain;
      }
      case 'fading-in': {
        const t = ++this.counter / this.fadeInSamples;
        if (t >= 1) {
          this.state = 'off';
          this.gain = 1;
        } else {
          this.gain = 0.5 - 0.5 * Math.cos(Math.PI * t);
        }
        return this.gain;
      }
      case 'off':
        return 1;
      default:
        return 0;
    }
  }

  private emit(type: NoiseEventType, detail: Record<string, unknown>): void {
    this.events.push({ sessionId: this.sessionId, type, atS: round3(this.samples / this.sampleRate), detail });
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

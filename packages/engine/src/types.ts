/**
 * The engine's port: what transports see. Transports depend on these types and on Engine, never on internals.
 */
import type { ControllerAlgorithm } from '@antiphase/dsp';

export interface SessionConfig {
  /** Hz, 8000…48000. */
  sampleRate: number;
  /** Samples per channel per frame, 16…4096 (and a multiple of blockSize for block controllers). */
  frameSize: number;
  /** 'float32' (default) or 'int16' PCM on the wire. */
  sampleFormat?: 'float32' | 'int16';
  algorithm?: ControllerAlgorithm;
  /** Control filter length (default 256; fxrls at most 256). */
  taps?: number;
  stepSize?: number;
  /** Block size for fdfxlms/pbfxlms (default: the frame size if it is a power of two, else 64). */
  blockSize?: number;
  /**
   * The client's playout schedule, declared by the client: the anti-noise answering frame k is played during the
   * capture of frame k + playoutDelayFrames (silence if it has not arrived by then; the client then sets
   * antiNoiseMissing on that frame). Integer 1…32, default 2.
   */
  playoutDelayFrames?: number;
  /** Known Ŝ (taps at sampleRate, controller's view: the playout delay included). Skips identification. */
  secondaryPathEstimate?: number[];
  /**
   * Initial control filter W (`taps` values at sampleRate): the controller starts from it instead of zero, e.g. a
   * filter trained offline for this device, or one saved from an earlier session. The step size still applies: a
   * very small one keeps W practically fixed (fixed-filter ANC).
   */
  controlFilter?: number[];
  /**
   * Online identification of Ŝ before control starts (used when no estimate is given). `taps` is the length of the
   * resulting Ŝ, playout delay included (default playoutDelayFrames·frameSize + 256): the first
   * playoutDelayFrames·frameSize taps are known to be zero, the remaining ones (at least 16) are identified.
   */
  identification?: { durationS?: number; level?: number; taps?: number };
  /** 0…1, scales the anti-noise (default 1). */
  intensity?: number;
  /** false: pass silence, keep adapting nothing (default true). */
  enabled?: boolean;
  /** Frames older than this, relative to the newest capture time seen, are dropped as late (default 100 ms). */
  maxLatencyMs?: number;
  /**
   * Emergency bypass (default true): when an alarm or siren starts, the anti-noise fades out within ~50 ms, stays off
   * while the sound lasts plus bypassHoldS, then fades back in; noise events report it. Safety: leave it on.
   */
  emergencyBypass?: boolean;
  /** Seconds the anti-noise stays off after the emergency sound was last heard (default 2, 0…60). */
  bypassHoldS?: number;
  /**
   * Id of a control-filter preset bank registered with Engine.registerPresetBank (trained for this device's loop):
   * the controller warm-starts from the preset the classifier and the residual comparison pick, and FxNLMS refines
   * it (hybrid SFANC-FxNLMS). The bank's taps and sample rate must match the session's.
   */
  presets?: string;
}

/** The subset of a config that may change while a session runs. */
export type SessionPatch = Partial<Pick<SessionConfig, 'algorithm' | 'stepSize' | 'intensity' | 'enabled'>>;

export type SessionPhase = 'identifying' | 'controlling' | 'disabled' | 'ended';

export interface AudioFrame {
  sessionId: string;
  sequence: number;
  captureTimestampUs: number;
  /** frameSize samples each. */
  reference: Float32Array;
  error: Float32Array;
  /**
   * The loudspeaker played silence during this frame's capture: the anti-noise answering frame
   * sequence − playoutDelayFrames did not reach the client in time (default false).
   */
  antiNoiseMissing?: boolean;
}

export interface AntiNoiseFrame {
  sessionId: string;
  sequence: number;
  captureTimestampUs: number;
  antiNoise: Float32Array;
  /** Engine time from submit to result, µs (includes the worker hop). */
  processingUs: number;
  /** Time the session itself spent on this frame, µs (processingUs − computeUs = the hop and queueing). */
  computeUs: number;
  phase: SessionPhase;
  /** Current NR estimate, dB (see SessionStats.nrDb). */
  nrDb: number;
  /** Current noise class (classifier), null until classified. */
  noiseType: string | null;
  /** True while the emergency bypass holds the anti-noise off (fading out included). */
  emergencyBypass: boolean;
}

export interface SessionStats {
  sessionId: string;
  phase: SessionPhase;
  config: SessionConfig;
  framesProcessed: number;
  /** Dropped because older than maxLatencyMs. */
  framesLate: number;
  /** Sequence gaps (never arrived). */
  framesLost: number;
  /** Rejected: bad format or non-finite audio. */
  framesInvalid: number;
  /** Frames the client flagged antiNoiseMissing: their slot played silence instead of the anti-noise. */
  framesSilentAtClient: number;
  /**
   * NR estimate of the last second, dB: 10·log10(Σd̂²/Σe²) with d̂ = e − Ŝ*p the disturbance rebuilt by the
   * internal model from p, the anti-noise the client really played (the server never hears d itself).
   */
  nrDb: number;
  /** One value per second of audio processed while controlling (most recent last, at most 600). */
  nrHistoryDb: number[];
  /** Per-frame processing time in the worker, µs (last 1024 frames). */
  processingUsP50: number;
  processingUsP99: number;
  /** Measured share of one core: processing time / audio time, over the last 1024 frames. */
  cpuLoad: number;
  /** Config-time estimate of cpuLoad (used for placement and admission). */
  estimatedLoad: number;
  /** Frames whose processing took longer than the frame lasts; 50 in a row end the session with OVERLOADED. */
  framesOverrun: number;
  divergences: number;
  /** Taps of Ŝ and its delay, samples (once known). */
  secondaryPathDelaySamples: number | null;
  /** Identification residual over its last second, dB re the measured error (lower is better); null if not identified here. */
  secondaryPathResidualDb: number | null;
  /** Index of the worker thread hosting the session (null: the calling thread). */
  worker: number | null;
  /** Current noise class and its probability (classifier, once per second of audio); null until classified. */
  noiseType: string | null;
  noiseConfidence: number | null;
  /** True while the emergency bypass holds the anti-noise off. */
  emergencyBypass: boolean;
  /** The preset the control filter last started from (sessions with `presets`), else null. */
  presetId: string | null;
  /** Why the session ended or failed (phase 'ended'); null while it runs. */
  endReason: string | null;
  createdAt: string;
  /**
   * Spectra, octave bands and causality margin of the last analysed second (about one per second of audio once Ŝ
   * is known; null before the first, and after a restore until the next). See SessionAnalysis.
   */
  analysis: SessionAnalysis | null;
}

/**
 * What the engine can tell about the noise without hearing it: the disturbance is rebuilt by the internal model,
 * d̂ = e − Ŝ*p (p = what the loudspeaker played; exact when Ŝ = S), over one contiguous window of about a second.
 * Levels are in dB re full scale (full scale = 1), rounded to 0.01 dB; null where the signal is silent.
 */
export interface SessionAnalysis {
  /** The analysed window, seconds of session audio (sequence · frameSize / sampleRate), end exclusive. */
  fromS: number;
  toS: number;
  /**
   * Power spectral densities of d̂ and e, dB re FS²/Hz: Welch (Hann, segmentSamples per segment, 50 % overlap),
   * averaged over a third of an octave around each frequency of a logarithmic grid.
   */
  spectrum: {
    segmentSamples: number;
    /** Bin spacing of the Welch estimate, Hz. */
    resolutionHz: number;
    frequencyHz: number[];
    disturbanceDb: (number | null)[];
    errorDb: (number | null)[];
  };
  /** IEC 61260 octave bands below Nyquist (the DSP core's octaveBandAttenuation), lowest first. */
  octaveBands: {
    /** ISO 266 nominal centre, Hz, and the exact band edges. */
    centerHz: number;
    lowerHz: number;
    upperHz: number;
    /** Band level of d̂ (before control) and of e (after), dB re FS. */
    disturbanceDb: number | null;
    errorDb: number | null;
    /** disturbanceDb − errorDb, clamped to ±120 dB. */
    attenuationDb: number | null;
  }[];
  /** DESIGN.md §1: margin = delay(P) − delay of the anti-noise path (playout delay + acoustics, i.e. the delay of Ŝ). */
  causality: {
    /**
     * Delay of the primary path from the reference to the error mic, samples: the peak of the impulse response
     * estimated from x and d̂ (H1 = S_xd̂ / S_xx over the window), negative if the error mic hears the noise first.
     * Null when that peak does not stand out (see primaryPathRivalShare), e.g. for purely periodic noise.
     */
    primaryPathDelaySamples: number | null;
    /** |peak| / RMS of the estimated impulse response: ≈ √segmentSamples for a clean delay, ≈ 4 for noise. */
    primaryPathPeakRatio: number;
    /**
     * The next-largest |tap| more than 8 samples from the peak, as a share of the peak (periodic noise: near 1).
     * The delay counts only if primaryPathPeakRatio ≥ 8 and this share < 0.6.
     */
    primaryPathRivalShare: number;
    /** Delay of Ŝ (largest tap), samples: the playout delay plus the acoustic delay of the loudspeaker path. */
    secondaryPathDelaySamples: number;
    /** The playout delay alone (playoutDelayFrames · frameSize), samples: the loop latency inside Ŝ. */
    loopLatencySamples: number;
    /** primaryPathDelaySamples − secondaryPathDelaySamples; negative: broadband noise cannot be cancelled, only periodic noise. */
    marginSamples: number | null;
    marginMs: number | null;
  };
}

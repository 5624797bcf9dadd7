/**
 * One ANC session: the negotiated format, the controller, the live metrics and a snapshot of all of it.
 * Pure: no I/O, no timers; frames in, anti-noise frames out (STYLE.md §1). The worker port and the inline engine
 * are thin wrappers around it.
 *
 * Time base. Frame k carries the reference x and error e captured over the instants [kN, (k+1)N). The anti-noise
 * y_k computed for frame k is played by the client from a frame-indexed schedule during the capture of frame k + D
 * (D = playoutDelayFrames, declared by the client), or not at all: an answer that misses its slot is replaced by
 * silence, and the client says so with the antiNoiseMissing flag of frame k + D. So what the loudspeaker really
 * played during frame k is
 *        p_k = y_{k−D}, or 0 when frame k carries antiNoiseMissing
 * and e = d + S_a*p with S_a the acoustic path (DAC, speaker, air, mic, ADC). In the engine's emission-indexed view
 * that is e = d + S*q with S = D·N zeros followed by S_a and q_j = y_j, or 0 once the client reported y_j's slot
 * silent (DESIGN.md §1). Everything here works on the sample stream indexed by sequence·N:
 *  - Frames are processed in sequence order. A sequence gap inserts zero frames (no audio, no adaptation, silent
 *    output — the client received nothing to play) so that y stays aligned with the errors that follow. The slot
 *    of a frame that never arrived is assumed played as scheduled (nothing says otherwise).
 *  - q lives in emittedHistory (the last max(M, D·N) samples plus the current frame): a frame flagged
 *    antiNoiseMissing zeroes the y_{k−D} part of it before the frame is processed, and moves that part into
 *    differenceHistory (y_c − q), so every use of the model below sees what was played, not what was emitted.
 *  - Identification (phase 'identifying'): the anti-noise is a white probe v. Only the acoustic part is unknown: Ŝ_a
 *    (identification.taps − D·N taps) is identified with NLMS from (p_k, e_k), like identifySecondaryPathOffline in
 *    @antiphase/dsp, but jointly with the reference's path so that the noise itself does not swamp the probe
 *    (identification.ts). The controller gets Ŝ = D·N zeros followed by Ŝ_a.
 *  - Control (phase 'controlling'): the controller runs on (x, e_c) with the virtual error
 *        e_c = e + Ŝ*(y_c − q)          y_c = the controller's output, q = what was played (above)
 *    i.e. the error the listener would hear had the controller's own output been played in full. It equals e
 *    (and e is passed untouched) when q = y_c; it removes the tail of the probe after identification, it makes
 *    `intensity` a real output scale instead of a gain the adaptive filter would learn to undo, and it keeps slots
 *    that played silence from teaching the filter to overshoot. Only past frames enter the sum: anti-noise cannot
 *    reach the error mic within its own frame.
 *  - NR estimate: d̂ = e − Ŝ*q (the internal model), and per second of audio nrDb = 10·log10(Σd̂²/Σe²), the sums
 *    taken over about 25 frames of each second (every nrStride-th frame) to keep the model's cost small.
 *  The leading zero taps of Ŝ (the playout delay) are skipped in every convolution.
 *
 * Late frames (capture time older than the newest seen − maxLatencyMs) and frames whose slot has passed are
 * dropped and counted in framesLate. The engine validates audio: a frame of the wrong length is rejected with
 * FORMAT_MISMATCH, one with NaN/±Inf samples with INVALID_AUDIO (counted in framesInvalid); its slot becomes a zero
 * frame so alignment holds.
 */
import { createController, JointIdentifier, pathDelaySamples, Random, SecondaryPathModel, type Controller } from '@antiphase/dsp';
import { HybridController, isNoiseClass, type NoiseClassifier, type PresetBank } from '@antiphase/intelligence';
import { DisturbanceAnalyser, type AnalyserOptions, type AnalysisWindow } from './analysis.js';
import { NoiseMonitor, type ClassificationOutcome, type NoiseEvent } from './noise-monitor.js';
import { applyPatch, estimateLoad, resolveConfig, toSessionConfig, type ResolvedConfig } from './config.js';
import { EnvelopeReader, writeEnvelope } from './envelope.js';
import { EngineError, type EngineErrorCode } from './errors.js';
import type { AntiNoiseFrame, AudioFrame, SessionAnalysis, SessionConfig, SessionPatch, SessionPhase, SessionStats } from './types.js';

export interface SessionOptions {
  /** Clock for processing-time statistics, ms (default performance.now). Never affects the audio. */
  now?: () => number;
  /** Consecutive frames slower than real time after which the session ends with OVERLOADED (default 50). */
  overrunLimit?: number;
  /** Worker index reported in stats (null: the calling thread). */
  worker?: number | null;
  /** Seed of the identification probe (default 0x5ec0). */
  probeSeed?: number;
  /** The noise-type classifier (shared by the thread's sessions); null or absent: the detector alone drives the bypass. */
  classifier?: NoiseClassifier | null;
  /** Preset banks by id, for configs with `presets`. */
  presetBanks?: ReadonlyMap<string, PresetBank>;
  /** false: no per-second spectra, octave bands or causality margin (stats.analysis stays null). Default true. */
  analysis?: boolean;
}

/** NLMS step of the identification per channel: 0.5, annealed to 0.05 over the second half (as identifySecondaryPathOffline). */
const IDENTIFICATION_STEP = 0.5;
/** Processing times kept for p50/p99 and cpuLoad. */
const TIMING_WINDOW = 1024;
/** nrHistoryDb keeps at most this many seconds. */
const NR_HISTORY_LENGTH = 600;
/** Frames per second the NR estimate evaluates d̂ on (the internal model costs M multiply-adds per sample). */
const NR_FRAMES_PER_SECOND = 25;
/** Spectra, octave bands and causality margin every this many seconds of audio (analysis.ts, intervalWindows). */
const ANALYSIS_INTERVAL_WINDOWS = 2;
/** NR values are clamped to ±this many dB (a silent error would otherwise give +∞, which JSON cannot carry). */
const NR_LIMIT_DB = 120;
/** How far back a lost frame may still arrive and be re-counted as late instead (frames). */
const RECENT_GAPS = 256;
const SNAPSHOT_KIND = 'antiphase-session';

export class Session {
  readonly id: string;
  readonly createdAt: string;
  private config: ResolvedConfig;
  private readonly frameSize: number;
  /** Ŝ length in taps. */
  private readonly modelTaps: number;
  /** D·N: samples between emitting an anti-noise frame and playing it. */
  private readonly delayTaps: number;
  /** Past samples kept in the histories: max(M, D·N), so that y_{k−D} is still there when frame k flags it. */
  private readonly historyTaps: number;
  private readonly now: () => number;
  /** The NR estimate samples every nrStride-th frame (about 25 frames per second): it is a metric, not the loop. */
  private readonly nrStride: number;
  private readonly overrunLimit: number;
  private readonly worker: number | null;

  private endReason: string | null = null;
  private endCode: EngineErrorCode = 'SESSION_ENDED';

  // Sequence and timing.
  private started = false;
  private nextSequence = 0;
  private newestCaptureUs = -Infinity;

  // Counters.
  private framesProcessed = 0;
  private framesLate = 0;
  private framesLost = 0;
  /**
   * The sequences most recently counted lost, by sequence mod RECENT_GAPS: a frame that only arrived out of order
   * (an unordered WebRTC channel) turns from lost into late when it comes, so it is not counted twice. In
   * snapshots, so a straggler from before a restore is not counted as both.
   */
  private readonly recentGaps = new Float64Array(RECENT_GAPS).fill(-1);
  private framesInvalid = 0;
  private framesSilentAtClient = 0;
  private framesOverrun = 0;
  private consecutiveOverruns = 0;

  // Identification.
  private identifier: JointIdentifier | null = null;
  private readonly probe: Random;
  private identifiedSamples = 0;
  private readonly identificationTarget: number;
  private measuredEnergy = 0;
  private residualEnergy = 0;
  private residualDb: number | null = null;

  // Model and control.
  private secondaryPath: Float32Array | null = null;
  /** Ŝ and the two histories it is applied to (in the model kernel's memory); it skips Ŝ's leading zeros. */
  private readonly model: SecondaryPathModel;
  /** Ŝ*q or Ŝ*(y_c − q) over the current frame. */
  private readonly modelOutput: Float32Array;
  /** Played anti-noise q (emitted y, zeroed where the client reported silence): historyTaps past samples, then the current frame (N). */
  private readonly emittedHistory: Float32Array;
  /** y_c − q, same layout. */
  private readonly differenceHistory: Float32Array;
  /** The part of emittedHistory the loudspeaker plays during the current frame: p = y_{k−D} (a view, no copy). */
  private readonly playedNow: Float32Array;
  /** Samples since the last non-zero y_c − q (≥ M: the difference term is exactly zero). */
  private differenceQuiet: number;
  private controller: Controller | null = null;

  // Scratch (one frame each).
  private readonly zeros: Float32Array;
  /** Output of slots that never arrived (discarded). */
  private readonly gapOutput: Float32Array;
  private readonly controlError: Float32Array;
  private readonly controlOutput: Float32Array;
  private readonly residual: Float32Array;

  // NR estimate.
  private disturbanceEnergy = 0;
  private errorEnergy = 0;
  private nrSamples = 0;
  private nrDb = 0;
  private readonly nrHistoryDb: number[] = [];
  private statsDue = false;

  // Timing (not part of snapshots: it describes the host, not the session).
  private readonly timings = new Float64Array(TIMING_WINDOW);
  private timingCount = 0;

  /** Emergency bypass and noise type. */
  private readonly monitor: NoiseMonitor;
  /** The control filter when the bypass started: restored when it ends (the controller must not learn the siren). */
  private weightsBeforeBypass: Float32Array | null = null;
  /** The preset bank of a hybrid SFANC-FxNLMS session, else null. */
  private readonly presetBank: PresetBank | null = null;

  /** Spectra, octave bands and causality margin of d̂ and e (analysis.ts): frames are copied in, analysed off the audio path. */
  private readonly analyser: DisturbanceAnalyser | null;
  private latestAnalysis: SessionAnalysis | null = null;

  constructor(id: string, config: SessionConfig, options: SessionOptions = {}) {
    if (typeof id !== 'string' || id.length === 0 || id.length > 256) {
      throw new EngineError('INVALID_CONFIG', 'sessionId must be a string of 1 to 256 characters', 'sessionId');
    }
    this.id = id;
    this.config = resolveConfig(config);
    this.createdAt = new Date().toISOString();
    this.now = options.now ?? (() => performance.now());
    this.overrunLimit = options.overrunLimit ?? 50;
    this.worker = options.worker ?? null;
    this.probe = new Random(options.probeSeed ?? 0x5ec0);
    const N = (this.frameSize = this.config.frameSize);
    const M = (this.modelTaps = this.config.secondaryPathEstimate?.length ?? this.config.identification.taps);
    const delay = (this.delayTaps = this.config.playoutDelayFrames * N);
    const H = (this.historyTaps = Math.max(M, delay));
    this.nrStride = Math.max(1, Math.floor(this.config.sampleRate / N / NR_FRAMES_PER_SECOND));
    this.identificationTarget = Math.round(this.config.identification.durationS * this.config.sampleRate);
    this.model = new SecondaryPathModel({ taps: M, historyLength: H + N, histories: 2, maxBlock: N });
    this.emittedHistory = this.model.history(0);
    this.differenceHistory = this.model.history(1);
    this.modelOutput = new Float32Array(N);
    this.playedNow = this.emittedHistory.subarray(H - delay, H - delay + N);
    this.differenceQuiet = M;
    this.zeros = new Float32Array(N);
    this.gapOutput = new Float32Array(N);
    this.controlError = new Float32Array(N);
    this.controlOutput = new Float32Array(N);
    this.residual = new Float32Array(N);
    if (this.config.presets !== undefined) this.presetBank = findBank(this.config, options.presetBanks);
    this.analyser = options.analysis === false ? null
      : new DisturbanceAnalyser(this.analyserOptions);
    this.monitor = new NoiseMonitor(id, {
      sampleRate: this.config.sampleRate, bypass: this.config.emergencyBypass, holdS: this.config.bypassHoldS,
      classifier: options.classifier ?? null,
    });
    if (this.config.secondaryPathEstimate) {
      this.useSecondaryPath(Float32Array.from(this.config.secondaryPathEstimate));
    } else {
      // resolveConfig guarantees M ≥ D·N + 16 here: only the taps after the playout delay are unknown.
      this.identifier = new JointIdentifier({ probeTaps: M - delay, referenceTaps: M, stepSize: IDENTIFICATION_STEP });
    }
  }

  get phase(): SessionPhase {
    if (this.endReason !== null) return 'ended';
    if (!this.config.enabled) return 'disabled';
    return this.controller ? 'controlling' : 'identifying';
  }

  /** Samples per frame of the negotiated format. */
  get format(): { sampleRate: number; frameSize: number } {
    return { sampleRate: this.config.sampleRate, frameSize: this.frameSize };
  }

  /** Estimated share of a core (see config.estimateLoad). */
  get estimatedLoad(): number {
    return estimateLoad(this.config);
  }

  /** True once after each second of audio: the host then publishes stats. */
  takeStatsDue(): boolean {
    const due = this.statsDue;
    this.statsDue = false;
    return due;
  }

  /**
   * Processes one frame. Returns the anti-noise to play for it (written into `output` when given), or null when
   * the frame is dropped as late. Throws EngineError FORMAT_MISMATCH / INVALID_AUDIO for a bad frame,
   * SESSION_ENDED / OVERLOADED after the session ended.
   */
  processFrame(frame: AudioFrame, output?: Float32Array): AntiNoiseFrame | null {
    if (this.endReason !== null) throw new EngineError(this.endCode, `session ${this.id} has ended: ${this.endReason}`);
    const start = this.now();
    const N = this.frameSize;
    const { sequence, captureTimestampUs, reference, error } = frame;
    if (!Number.isSafeInteger(sequence) || sequence < 0 || !Number.isFinite(captureTimestampUs)) {
      this.framesInvalid++;
      throw new EngineError('FORMAT_MISMATCH', `frame sequence must be an integer ≥ 0 and captureTimestampUs finite (got ${sequence}, ${captureTimestampUs})`);
    }
    if (this.started && sequence < this.nextSequence) {
      this.framesLate++; // its slot has been played (as silence) already
      const slot = sequence % RECENT_GAPS;
      if (this.recentGaps[slot] === sequence) {
        this.recentGaps[slot] = -1;
        this.framesLost--; // it was not lost after all, only late
      }
      return null;
    }
    // Even a frame that is dropped below tells what the loudspeaker played in its slot.
    const silent = frame.antiNoiseMissing === true;
    if (silent) this.framesSilentAtClient++;
    if (this.started && captureTimestampUs < this.newestCaptureUs - this.config.maxLatencyMs * 1000) {
      this.framesLate++;
      this.skipTo(sequence + 1, sequence, silent ? sequence : -1);
      return null;
    }
    const problem = frameProblem(reference, error, N);
    if (problem) {
      this.framesInvalid++;
      this.skipTo(sequence + 1, sequence, silent ? sequence : -1);
      throw new EngineError(problem.code, `session ${this.id}: ${problem.message}`);
    }
    if (output !== undefined && output.length !== N) throw new RangeError(`output must have ${N} samples, got ${output.length}`);
    this.skipTo(sequence, sequence);
    this.started = true;
    this.nextSequence = sequence + 1;
    if (captureTimestampUs > this.newestCaptureUs) this.newestCaptureUs = captureTimestampUs;
    if (silent) this.markSilent();

    this.observeNoise(reference);
    const antiNoise = output ?? new Float32Array(N);
    this.runSlot(reference, error, antiNoise, true);
    this.framesProcessed++;

    const computeUs = (this.now() - start) * 1000;
    this.recordTiming(computeUs);
    return {
      sessionId: this.id, sequence, captureTimestampUs, antiNoise, processingUs: computeUs, computeUs,
      phase: this.phase, nrDb: this.nrDb, noiseType: this.monitor.noiseType, emergencyBypass: this.monitor.bypassed,
    };
  }

  /** True when a second of audio has passed since the last classification (the host then calls classifyNoise). */
  get classificationDue(): boolean {
    return this.endReason === null && this.monitor.classificationDue;
  }

  /** Runs the classifier on the last second of reference audio: off the audio path (allocates, ~1 ms). */
  classifyNoise(): void {
    this.afterClassification(() => this.monitor.classify());
  }

  /** The second of reference audio to classify elsewhere (a background thread); the cadence restarts. */
  takeClassificationWindow(): Float32Array {
    return this.monitor.takeClassificationWindow();
  }

  /** The outcome of classifying a window from takeClassificationWindow(). */
  applyClassification(outcome: ClassificationOutcome): void {
    if (this.endReason === null) this.afterClassification(() => this.monitor.applyClassification(outcome));
  }

  private afterClassification(classify: () => void): void {
    const wasBypassed = this.monitor.bypassed;
    const before = this.monitor.noiseType;
    classify();
    if (!wasBypassed && this.monitor.bypassed) this.weightsBeforeBypass = this.controller?.weights() ?? null;
    const noiseType = this.monitor.noiseType;
    // A new noise type: the hybrid controller evaluates that class's preset first, at once.
    if (noiseType !== before && noiseType !== null && isNoiseClass(noiseType) && this.controller instanceof HybridController) {
      this.controller.suggestNoiseClass(noiseType);
    }
  }

  /** True when a window of audio waits for analyse() (the host then calls it, off the audio path). */
  get analysisDue(): boolean {
    return this.endReason === null && this.analyser !== null && this.analyser.ready;
  }

  /** Spectra, octave bands and causality margin of the window just captured (a few ms; allocates its result). */
  analyse(): void {
    if (this.analysisDue) this.latestAnalysis = this.analyser!.analyse();
  }

  /** The captured window, to analyse elsewhere with a DisturbanceAnalyser of analyserOptions (background.ts). */
  takeAnalysisWindow(): AnalysisWindow {
    return this.analyser!.takeWindow();
  }

  /** What the analyser needs to analyse this session's windows (the same on every thread). */
  get analyserOptions(): AnalyserOptions {
    const N = this.frameSize;
    return { sampleRate: this.config.sampleRate, frameSize: N, pathTaps: this.modelTaps, delayTaps: this.delayTaps, intervalWindows: ANALYSIS_INTERVAL_WINDOWS };
  }

  /** The analysis of a window from takeAnalysisWindow(). */
  applyAnalysis(analysis: SessionAnalysis): void {
    if (this.endReason === null) this.latestAnalysis = analysis;
  }

  /** Noise events (bypass on/off, noise type) since the last call, or null. */
  takeNoiseEvents(): NoiseEvent[] | null {
    return this.monitor.takeEvents();
  }

  update(patch: SessionPatch): void {
    this.assertLive();
    const next = applyPatch(this.config, patch);
    if (this.controller && next.algorithm !== this.config.algorithm) {
      const weights = this.controller.weights();
      this.controller = this.makeController(next, this.secondaryPath!);
      this.controller.setWeights(weights);
    } else if (this.controller && patch.stepSize !== undefined) {
      this.controller.stepSize = patch.stepSize;
    }
    this.config = next;
  }

  /** Ends the session (idempotent); later frames are refused with `code`. */
  end(reason = 'ended by request', code: EngineErrorCode = 'SESSION_ENDED'): void {
    if (this.endReason !== null) return;
    this.endReason = reason;
    this.endCode = code;
  }

  stats(): SessionStats {
    const n = Math.min(this.timingCount, TIMING_WINDOW);
    const sorted = this.timings.slice(0, n).sort();
    let total = 0;
    for (let i = 0; i < n; i++) total += sorted[i];
    const frameUs = (this.frameSize / this.config.sampleRate) * 1e6;
    return {
      sessionId: this.id,
      phase: this.phase,
      config: toSessionConfig(this.config),
      framesProcessed: this.framesProcessed,
      framesLate: this.framesLate,
      framesLost: this.framesLost,
      framesInvalid: this.framesInvalid,
      framesSilentAtClient: this.framesSilentAtClient,
      nrDb: this.nrDb,
      nrHistoryDb: this.nrHistoryDb.slice(),
      processingUsP50: n ? sorted[Math.floor(0.5 * (n - 1))] : 0,
      processingUsP99: n ? sorted[Math.floor(0.99 * (n - 1))] : 0,
      cpuLoad: n ? total / (n * frameUs) : 0,
      estimatedLoad: this.estimatedLoad,
      framesOverrun: this.framesOverrun,
      divergences: this.controller?.health.divergences ?? 0,
      secondaryPathDelaySamples: this.secondaryPath ? pathDelaySamples(this.secondaryPath) : null,
      secondaryPathResidualDb: this.residualDb,
      worker: this.worker,
      noiseType: this.monitor.noiseType,
      noiseConfidence: this.monitor.noiseConfidence,
      emergencyBypass: this.monitor.bypassed,
      presetId: this.controller instanceof HybridController ? this.controller.state.presetId : null,
      endReason: this.endReason,
      createdAt: this.createdAt,
      analysis: this.latestAnalysis,
    };
  }

  /** Ŝ (a copy), once known. */
  secondaryPathEstimate(): Float32Array | null {
    return this.secondaryPath ? this.secondaryPath.slice() : null;
  }

  /** The control filter W (a copy), once control has started: a later session can start from it (controlFilter). */
  controlFilter(): Float32Array | null {
    return this.controller ? this.controller.weights() : null;
  }

  /** The whole session as a versioned snapshot; restore() on a session of the same shape continues bit-identically. */
  snapshot(): Uint8Array {
    this.assertLive();
    const blobs: Record<string, Uint8Array | Float32Array> = {
      emittedHistory: this.emittedHistory,
      differenceHistory: this.differenceHistory,
    };
    if (this.secondaryPath) blobs.secondaryPath = this.secondaryPath;
    if (this.identifier) blobs.identifier = this.identifier.snapshot();
    if (this.controller) blobs.controller = this.controller.snapshot();
    if (this.weightsBeforeBypass) blobs.weightsBeforeBypass = this.weightsBeforeBypass;
    return writeEnvelope(SNAPSHOT_KIND, {
      config: toSessionConfig(this.config),
      createdAt: this.createdAt,
      started: this.started,
      nextSequence: this.nextSequence,
      newestCaptureUs: Number.isFinite(this.newestCaptureUs) ? this.newestCaptureUs : null,
      counters: [
        this.framesProcessed, this.framesLate, this.framesLost, this.framesInvalid, this.framesOverrun, this.consecutiveOverruns,
        this.framesSilentAtClient,
      ],
      identification: [this.identifiedSamples, this.measuredEnergy, this.residualEnergy],
      residualDb: this.residualDb,
      probe: Array.from(this.probe.getState()),
      differenceQuiet: this.differenceQuiet,
      nr: [this.disturbanceEnergy, this.errorEnergy, this.nrSamples, this.nrDb],
      nrHistoryDb: this.nrHistoryDb,
      recentGaps: Array.from(this.recentGaps).filter((sequence) => sequence >= 0),
      noise: this.monitor.toJSON(),
    }, blobs);
  }

  /**
   * Builds a session from a snapshot. `config` is the config the caller negotiated: its format and filter shape
   * must match the snapshot's (else INVALID_SNAPSHOT naming the field); the live settings (step size, intensity,
   * enabled, latency limit) are the snapshot's, so that processing continues exactly where it stopped.
   */
  static fromSnapshot(id: string, config: SessionConfig, snapshot: Uint8Array, options: SessionOptions = {}): Session {
    const reader = new EnvelopeReader(snapshot, SNAPSHOT_KIND);
    const saved = reader.value('config') as SessionConfig;
    let resolvedSaved: ResolvedConfig;
    try {
      resolvedSaved = resolveConfig(saved);
    } catch (error) {
      throw new EngineError('INVALID_SNAPSHOT', `snapshot config is invalid: ${(error as Error).message}`);
    }
    const wanted = resolveConfig(config);
    for (const field of ['sampleRate', 'frameSize', 'taps', 'algorithm', 'blockSize', 'playoutDelayFrames'] as const) {
      if (wanted[field] !== resolvedSaved[field]) {
        throw new EngineError('INVALID_SNAPSHOT', `${field} of the snapshot (${resolvedSaved[field]}) differs from the config (${wanted[field]})`, field);
      }
    }
    const session = new Session(id, { ...saved, sampleFormat: wanted.sampleFormat }, options);
    try {
      session.restoreState(reader);
    } catch (error) {
      if (error instanceof EngineError) throw error;
      throw new EngineError('INVALID_SNAPSHOT', `snapshot does not fit the session: ${(error as Error).message}`);
    }
    return session;
  }

  // ---- internals ----

  private restoreState(reader: EnvelopeReader): void {
    (this as { createdAt: string }).createdAt = String(reader.value('createdAt'));
    this.started = reader.value('started') === true;
    this.nextSequence = reader.number('nextSequence');
    const newest = reader.value('newestCaptureUs');
    this.newestCaptureUs = typeof newest === 'number' ? newest : -Infinity;
    const counters = numbers(reader.value('counters'), -1);
    if (counters.length !== 6 && counters.length !== 7) throw new EngineError('INVALID_SNAPSHOT', `snapshot has ${counters.length} counters, expected 7`);
    [this.framesProcessed, this.framesLate, this.framesLost, this.framesInvalid, this.framesOverrun, this.consecutiveOverruns] = counters;
    this.framesSilentAtClient = counters[6] ?? 0; // absent from snapshots taken before the flag existed
    [this.identifiedSamples, this.measuredEnergy, this.residualEnergy] = numbers(reader.value('identification'), 3);
    const residualDb = reader.value('residualDb');
    this.residualDb = typeof residualDb === 'number' ? residualDb : null;
    this.probe.setState(numbers(reader.value('probe'), 6));
    this.differenceQuiet = reader.number('differenceQuiet');
    const nr = numbers(reader.value('nr'), 4);
    this.nrHistoryDb.splice(0, this.nrHistoryDb.length, ...numbers(reader.value('nrHistoryDb'), -1));
    // Absent from snapshots taken before the gaps were kept.
    const gaps = reader.optional('recentGaps');
    for (const sequence of gaps === undefined ? [] : numbers(gaps, -1)) {
      if (!Number.isSafeInteger(sequence) || sequence < 0) throw new EngineError('INVALID_SNAPSHOT', `recentGaps holds ${sequence}, not a frame sequence`);
      this.recentGaps[sequence % RECENT_GAPS] = sequence;
    }
    reader.readFloats('emittedHistory', this.emittedHistory);
    reader.readFloats('differenceHistory', this.differenceHistory);
    if (reader.has('controller')) {
      const path = new Float32Array(this.modelTaps);
      reader.readFloats('secondaryPath', path);
      this.identifier = null; // identification is over (a fresh identifier would take over and replace Ŝ)
      this.useSecondaryPath(path);
      this.controller!.restore(reader.bytesOf('controller'));
    } else {
      if (!this.identifier) throw new EngineError('INVALID_SNAPSHOT', 'snapshot has neither a controller nor an identification state');
      this.identifier.restore(reader.bytesOf('identifier'));
    }
    // After useSecondaryPath, which starts the NR sums afresh.
    [this.disturbanceEnergy, this.errorEnergy, this.nrSamples, this.nrDb] = nr;
    if (reader.has('weightsBeforeBypass')) {
      this.weightsBeforeBypass = new Float32Array(this.config.taps);
      reader.readFloats('weightsBeforeBypass', this.weightsBeforeBypass);
    }
    this.monitor.restore(reader.value('noise'));
  }

  /** The reference frame goes to the noise monitor before its anti-noise is computed, so an onset mutes this very frame. */
  private observeNoise(reference: Float32Array): void {
    const wasBypassed = this.monitor.bypassed;
    this.monitor.observe(reference);
    const bypassed = this.monitor.bypassed;
    if (!wasBypassed && bypassed) {
      this.weightsBeforeBypass = this.controller?.weights() ?? null;
    } else if (wasBypassed && !bypassed && this.weightsBeforeBypass) {
      this.controller?.setWeights(this.weightsBeforeBypass);
      this.weightsBeforeBypass = null;
    }
  }

  private assertLive(): void {
    if (this.endReason !== null) throw new EngineError(this.endCode, `session ${this.id} has ended: ${this.endReason}`);
  }

  /**
   * Fills the slots from nextSequence up to `until` (exclusive) with zero frames. Slots before `lostBefore` never
   * arrived and count as lost; the others were dropped or rejected and are counted where that happened. Slot
   * `silentSlot` came with antiNoiseMissing (the client played silence in it).
   */
  private skipTo(until: number, lostBefore: number, silentSlot = -1): void {
    if (!this.started) {
      // Nothing to align with yet: the session's time starts at the first frame it processes.
      if (until > lostBefore) {
        this.started = true;
        this.nextSequence = until;
      }
      return;
    }
    const missing = until - this.nextSequence;
    if (missing <= 0) return;
    const lostUntil = Math.min(until, lostBefore);
    this.framesLost += Math.max(0, lostUntil - this.nextSequence);
    for (let lost = Math.max(this.nextSequence, lostUntil - RECENT_GAPS); lost < lostUntil; lost++) this.recentGaps[lost % RECENT_GAPS] = lost;
    // After enough zero frames every history is zero; more of them would change nothing but the leakage.
    const cap = Math.ceil((this.modelTaps + this.config.taps) / this.frameSize) + 1;
    for (let i = 0; i < Math.min(missing, cap); i++) {
      if (this.nextSequence + i === silentSlot) this.markSilent();
      this.runSlot(this.zeros, this.zeros, this.gapOutput, false);
    }
    this.nextSequence = until;
  }

  /**
   * The client played silence in the slot about to be processed: the anti-noise emitted D frames ago never reached
   * the loudspeaker. Its samples leave q (emittedHistory) and go into y_c − q (differenceHistory).
   */
  private markSilent(): void {
    const y = this.emittedHistory;
    const diff = this.differenceHistory;
    const from = this.historyTaps - this.delayTaps;
    let nonZero = false;
    for (let i = from; i < from + this.frameSize; i++) {
      const played = y[i];
      if (played !== 0) {
        diff[i] += played;
        y[i] = 0;
      }
      if (diff[i] !== 0) nonZero = true;
    }
    // The segment ends (D − 1)·N samples before the end of the history.
    if (nonZero) this.differenceQuiet = Math.min(this.differenceQuiet, this.delayTaps - this.frameSize);
  }

  /** One frame slot of the sample stream. `real` = false: a slot that never arrived (no audio, no adaptation). */
  private runSlot(reference: Float32Array, error: Float32Array, antiNoise: Float32Array, real: boolean): void {
    const N = this.frameSize;
    const M = this.modelTaps;
    const H = this.historyTaps;
    const yc = this.controlOutput;
    const config = this.config;
    if (!config.enabled) {
      antiNoise.fill(0);
      yc.fill(0);
    } else if (this.identifier) {
      this.identify(reference, error, antiNoise, real);
      yc.fill(0);
    } else {
      const controller = this.controller!;
      let controlError = error;
      if (!real) {
        controlError = this.zeros;
      } else if (this.differenceQuiet < M) {
        controlError = this.controlError;
        const h = this.differenceHistory;
        const base = H - M;
        // y_c − q is mostly zero (non-zero only around silent slots): convolve over its non-zero span only, and
        // over lags ≥ i + 1 only (samples of earlier frames: anti-noise cannot reach the mic within its frame).
        let first = base;
        while (first < H && h[first] === 0) first++;
        let last = H - 1;
        while (last >= first && h[last] === 0) last--;
        const correction = this.modelOutput;
        this.model.filter(1, base + 1, correction, first - base - 1, Math.min(M - 1, last - base));
        for (let i = 0; i < N; i++) controlError[i] = error[i] + correction[i];
      }
      controller.process(reference, controlError, yc);
      if (!real) yc.fill(0);
      const intensity = config.intensity;
      if (intensity === 1) antiNoise.set(yc);
      else for (let i = 0; i < N; i++) antiNoise[i] = intensity * yc[i];
      // Like intensity, the bypass gain only changes what is emitted: y_c − q keeps the control error honest.
      if (real) this.monitor.apply(antiNoise);
    }

    // Histories: current frame after the H past samples.
    const y = this.emittedHistory;
    const diff = this.differenceHistory;
    let lastNonZero = -1;
    for (let i = 0; i < N; i++) {
      const emitted = antiNoise[i];
      const difference = yc[i] - emitted;
      y[H + i] = emitted;
      diff[H + i] = difference;
      if (difference !== 0) lastNonZero = i;
    }
    this.differenceQuiet = lastNonZero >= 0 ? N - 1 - lastNonZero : this.differenceQuiet + N;
    if (this.differenceQuiet > M) this.differenceQuiet = M;

    if (real && this.controller && config.enabled && this.framesProcessed % this.nrStride === 0) this.accumulateNr(error);
    // What the loudspeaker played during this frame (final: silent slots were marked before) joins x and e.
    if (this.analyser && this.controller) {
      if (real) this.analyser.capture(reference, error, this.playedNow, this.nextSequence);
      else this.analyser.restart();
    }
    y.copyWithin(0, N, H + N);
    diff.copyWithin(0, N, H + N);
  }

  private identify(reference: Float32Array, error: Float32Array, probe: Float32Array, real: boolean): void {
    const identifier = this.identifier!;
    const N = this.frameSize;
    if (!real) {
      // Nothing to learn from, but what the loudspeaker played meanwhile (assumed as scheduled) stays in the history.
      probe.fill(0);
      identifier.stepSize = 0;
      identifier.filter(this.playedNow, this.zeros, this.zeros, this.residual);
      return;
    }
    const level = this.config.identification.level;
    for (let i = 0; i < N; i++) probe[i] = level * this.probe.gaussian();
    const target = this.identificationTarget;
    const progress = this.identifiedSamples / target;
    identifier.stepSize = progress < 0.5 ? IDENTIFICATION_STEP : IDENTIFICATION_STEP * Math.max(0.1, 1 - 1.8 * (progress - 0.5));
    // Regress e_k on what was played meanwhile, p_k = y_{k−D} (or 0): not on the probe just generated.
    identifier.filter(this.playedNow, reference, error, this.residual);
    if (this.identifiedSamples >= target - this.config.sampleRate) {
      for (let i = 0; i < N; i++) {
        this.measuredEnergy += error[i] * error[i];
        this.residualEnergy += this.residual[i] * this.residual[i];
      }
    }
    this.identifiedSamples += N;
    if (this.identifiedSamples >= target) {
      this.residualDb = clampDb(10 * Math.log10((this.residualEnergy + 1e-30) / (this.measuredEnergy + 1e-30)));
      const estimate = new Float32Array(this.modelTaps);
      estimate.set(identifier.estimate(), this.delayTaps); // the playout delay's taps are known zeros
      this.identifier = null;
      this.useSecondaryPath(estimate);
    }
  }

  private useSecondaryPath(estimate: Float32Array): void {
    this.secondaryPath = estimate;
    this.model.setPath(estimate);
    this.analyser?.setPath(estimate);
    this.controller = this.makeController(this.config, estimate);
    if (this.config.controlFilter) this.controller.setWeights(Float32Array.from(this.config.controlFilter));
    this.disturbanceEnergy = 0;
    this.errorEnergy = 0;
    this.nrSamples = 0;
  }

  private makeController(config: ResolvedConfig, estimate: Float32Array): Controller {
    const options = { taps: config.taps, secondaryPathEstimate: estimate, stepSize: config.stepSize, blockSize: config.blockSize };
    try {
      return this.presetBank
        ? new HybridController({ bank: this.presetBank, algorithm: config.algorithm, controller: options })
        : createController(config.algorithm, options);
    } catch (error) {
      throw new EngineError('INVALID_CONFIG', `algorithm ${config.algorithm} refused the config: ${(error as Error).message}`, 'algorithm');
    }
  }

  /** d̂ = e − Ŝ*q over the frame just emitted (full convolution, current frame included, leading zeros skipped). */
  private accumulateNr(error: Float32Array): void {
    const N = this.frameSize;
    const modelOutput = this.modelOutput;
    this.model.filter(0, this.historyTaps - this.modelTaps + 1, modelOutput);
    let dd = 0;
    let ee = 0;
    for (let i = 0; i < N; i++) {
      const d = error[i] - modelOutput[i];
      dd += d * d;
      ee += error[i] * error[i];
    }
    this.disturbanceEnergy += dd;
    this.errorEnergy += ee;
    this.nrSamples += N * this.nrStride;
    if (this.nrSamples >= this.config.sampleRate) {
      this.nrDb = this.disturbanceEnergy === 0 ? 0 : clampDb(10 * Math.log10(this.disturbanceEnergy / this.errorEnergy));
      this.nrHistoryDb.push(this.nrDb);
      if (this.nrHistoryDb.length > NR_HISTORY_LENGTH) this.nrHistoryDb.shift();
      this.disturbanceEnergy = 0;
      this.errorEnergy = 0;
      this.nrSamples = 0;
      this.statsDue = true;
    }
  }

  private recordTiming(computeUs: number): void {
    this.timings[this.timingCount++ % TIMING_WINDOW] = computeUs;
    if (this.timingCount === 2 * TIMING_WINDOW) this.timingCount = TIMING_WINDOW; // keep the index small
    const frameUs = (this.frameSize / this.config.sampleRate) * 1e6;
    if (computeUs > frameUs) {
      this.framesOverrun++;
      if (++this.consecutiveOverruns >= this.overrunLimit) {
        this.end(`processing exceeded the frame duration (${frameUs.toFixed(0)} µs) ${this.consecutiveOverruns} frames in a row`, 'OVERLOADED');
      }
    } else {
      this.consecutiveOverruns = 0;
    }
  }
}

function findBank(config: ResolvedConfig, banks: ReadonlyMap<string, PresetBank> | undefined): PresetBank {
  const bank = banks?.get(config.presets!);
  if (!bank) throw new EngineError('INVALID_CONFIG', `presets: no preset bank ${JSON.stringify(config.presets)} is registered`, 'presets');
  if (bank.taps !== config.taps || bank.sampleRate !== config.sampleRate) {
    throw new EngineError('INVALID_CONFIG', `presets: bank ${JSON.stringify(config.presets)} holds ${bank.taps}-tap filters at ${bank.sampleRate} Hz; ` +
      `the session runs ${config.taps} taps at ${config.sampleRate} Hz`, 'presets');
  }
  return bank;
}

function frameProblem(reference: unknown, error: unknown, N: number): { code: EngineErrorCode; message: string } | null {
  if (!(reference instanceof Float32Array) || !(error instanceof Float32Array)) {
    return { code: 'FORMAT_MISMATCH', message: 'reference and error must be Float32Arrays' };
  }
  if (reference.length !== N || error.length !== N) {
    return { code: 'FORMAT_MISMATCH', message: `frames carry ${N} samples per channel, got reference ${reference.length}, error ${error.length}` };
  }
  for (let i = 0; i < N; i++) {
    // x − x is NaN exactly for NaN and ±Inf.
    if (reference[i] - reference[i] !== 0) return { code: 'INVALID_AUDIO', message: `reference sample ${i} is ${reference[i]}` };
    if (error[i] - error[i] !== 0) return { code: 'INVALID_AUDIO', message: `error sample ${i} is ${error[i]}` };
  }
  return null;
}

function clampDb(db: number): number {
  return Math.max(-NR_LIMIT_DB, Math.min(NR_LIMIT_DB, db));
}

/** A numeric array from a snapshot header; count −1 accepts any length. */
function numbers(value: unknown, count: number): number[] {
  if (!Array.isArray(value) || (count >= 0 && value.length !== count) || !value.every((v) => typeof v === 'number')) {
    throw new EngineError('INVALID_SNAPSHOT', `snapshot field has the wrong shape (expected ${count < 0 ? 'numbers' : `${count} numbers`})`);
  }
  return value as number[];
}

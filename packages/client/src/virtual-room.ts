/**
 * VirtualRoom: a simulated room on the client whose ANC controller runs on the server, the acoustic loop closed
 * over the network (DESIGN.md §1–2). Every frame period the room
 *   1. plays slot k of the playout schedule (the anti-noise of frame k − D, or silence if it is missing),
 *   2. captures frame k from an AcousticPlant: reference x, disturbance d (what the listener hears without
 *      control), error e = d + S * (anti-noise played),
 *   3. sends (x, e) as frame k — flagged antiNoiseMissing when slot k played silence although anti-noise was due
 *      (k ≥ D) — and files the answer to frame k under slot k + D when it comes back.
 * D = playoutDelayFrames, declared to the server in sessionConfig(). The schedule is a fixed, frame-indexed jitter
 * buffer: an answer that arrives after its slot was played is late (counted, discarded) and the slot plays silence.
 * So the network and processing delay become a fixed D·N samples of the secondary path the server sees (it
 * identifies the acoustic rest of Ŝ through this very loop in its 'identifying' phase), and the flag tells it which
 * slots did not play what it sent, so that late answers do not corrupt its model of the loop.
 *
 * Clock. Paced (default): frame k is due at t0 + k·T (T = N / fs), computed from k, never accumulated, so the
 * schedule does not drift; a late wake-up catches up by running the overdue frames back to back. Unpaced
 * (`pace: false`): the same schedule logic, but frame k runs as soon as slot k can be decided — the answer to frame
 * k − D has arrived, or its deadline (the time frame k − D ran + slotDeadlineMs, default D·T) has passed. So an
 * answer counts as late under the same rule (round trip > D·T), and a run takes as long as the round trips, not
 * the audio.
 *
 * Built-in geometry ('duct'), delays in time so they scale with the sample rate (samples at 16 kHz):
 *   P  the reference mic is 2.06 m upstream of the error mic: a 6 ms acoustic lead (96 samples), the direct sound
 *      smeared over 3 taps (0.9, 0.4, 0.15), reflections −0.3 at +1.31 ms (21) and +0.15 at +2.94 ms (47).
 *   S  the loudspeaker is 8.6 cm from the error mic: 0.25 ms (4 samples), then a small driver (0.8, 0.3, −0.1;
 *      minimum phase, so Ŝ's inverse is short).
 *   Over the network the server's secondary path is S delayed by the playout, D·N samples. Causality margin
 *   = delay(P) − (delay(S) + D·N):
 *     N = 32 (2 ms), D = 2:   96 − (4 + 64)  = +28 samples (1.75 ms): broadband noise is cancellable;
 *     N = 160 (10 ms), D = 2: 96 − (4 + 320) = −228 samples: only predictable (periodic) noise is.
 *   A positive margin at 10 ms frames would need a primary-path lead of more than 20 ms — 7 m of sound travel
 *   between reference and error mic, which no real room or headset gives. That is the latency budget of
 *   DESIGN.md §1, not a defect of the simulator: broadband cancellation over a network needs short frames and a
 *   round trip under D frames (e.g. 32-sample frames and RTT < 4 ms: loopback, a LAN, the edge tier), while
 *   engine harmonics (and any periodic noise) cancel behind a 10 ms frame as well.
 *
 * sessionConfig() proposes the server-side settings for this room: the playout delay D, Ŝ long enough for the
 * playout delay plus 64 taps of acoustics, a 1 s identification with a −26 dBFS probe, a 128-tap FxNLMS filter (covers the 28-sample
 * margin plus the 47-sample reflection and the inverse of S) and μ = min(0.03, 2/(loop delay + 1)). Tuned on this
 * geometry in the engine's own loop: broadband ≥ 30 dB and engine harmonics ≥ 33 dB 5 s after identification.
 *
 * Browser-safe: no `node:` imports.
 */
import { AcousticPlant, generateScene, isSceneName, pathDelaySamples, type SceneName } from '@antiphase/dsp';
import { summarize, type LatencySummary } from './stats.js';
import type { AntiNoiseEvent, CloseEvent, StreamClient, StreamError } from './stream.js';
import type { SessionConfig } from './types.js';

export const VIRTUAL_ROOM_DEFAULTS = {
  sampleRate: 16000,
  frameSize: 160,
  playoutDelayFrames: 2,
  scene: 'broadband' as SceneName,
  seed: 1,
  /** Identification the room asks the server for, s. */
  identificationS: 1,
  /** Longest noise generated; longer runs loop it (a scene of this length repeats inaudibly to a controller). */
  maxSceneS: 10,
} as const;

/** How long run() waits after the last frame for answers still in flight, ms (they count as late, else lost). */
const DRAIN_MS = 250;
/** In-flight frames older than this many seconds of audio are given up as lost (bounded memory on long runs). */
const INFLIGHT_HORIZON_S = 30;

/** The built-in 'duct' paths at `sampleRate` (see the file header). */
export function ductGeometry(sampleRate: number): { primaryPath: Float32Array; secondaryPath: Float32Array } {
  const at = (ms: number): number => Math.round((ms * sampleRate) / 1000);
  const lead = at(6);
  const primaryPath = new Float32Array(lead + at(2.94) + 8);
  primaryPath[lead] += 0.9;
  primaryPath[lead + 1] += 0.4;
  primaryPath[lead + 2] += 0.15;
  primaryPath[lead + at(1.31)] += -0.3;
  primaryPath[lead + at(2.94)] += 0.15;
  const delay = Math.max(1, at(0.25));
  const secondaryPath = new Float32Array(delay + 3);
  secondaryPath.set([0.8, 0.3, -0.1], delay);
  return { primaryPath, secondaryPath };
}

export interface VirtualRoomOptions {
  /** Hz (default 16000). */
  sampleRate?: number;
  /** Samples per frame (default 160 = 10 ms at 16 kHz; see the header for what that means for broadband noise). */
  frameSize?: number;
  /** Frames between sending frame k and playing its anti-noise: the jitter buffer (default 2). */
  playoutDelayFrames?: number;
  /** Noise scene from the simulator (default 'broadband'), or the source signal itself. */
  scene?: SceneName | Float32Array;
  /** Scene seed (default 1). */
  seed?: number;
  /** Paths at sampleRate (default: the built-in 'duct'). */
  primaryPath?: ArrayLike<number>;
  secondaryPath?: ArrayLike<number>;
  /** Real-time pacing (default true); false runs as fast as the round trips allow, same schedule logic. */
  pace?: boolean;
  /**
   * Unpaced runs only: how long slot k waits for the answer to frame k − D, ms after frame k − D ran. Default
   * D·N/fs, the real-time budget, so that late means what it means in a paced run. A larger value measures the
   * loop's acoustics without the host's scheduling hiccups (a loaded CI machine stalls for tens of ms) turning
   * answers late; late answers are still counted and discarded by the same rule.
   */
  slotDeadlineMs?: number;
  /** Identification the room asks for in sessionConfig(), s (default 1). */
  identificationS?: number;
  /** Clock, ms (default performance.now). */
  now?: () => number;
}

export interface RoomSecond {
  /** 1-based second of audio. */
  second: number;
  /** True NR of this second, 10·log10(Σd²/Σe²), dB (from the plant: the server never hears d). */
  nrDb: number;
  /** Round trips of the answers received during this second, µs. */
  rttUs: LatencySummary;
  framesLate: number;
  framesOnTime: number;
}

export interface RunOptions {
  /** Seconds of audio to run. */
  durationS: number;
  /** Stops the run early (the report covers what ran). */
  signal?: AbortSignal;
  /** Called after each second of audio. */
  onSecond?: (second: RoomSecond) => void;
  /**
   * Called after each frame is captured with what the listener hears without control (d) and with it (e), for
   * recording or playback. The arrays are reused for the next frame: copy what you keep.
   */
  onFrame?: (disturbance: Float32Array, error: Float32Array) => void;
}

export interface VirtualRoomReport {
  sessionId: string;
  transport: StreamClient['transport'];
  sampleRate: number;
  frameSize: number;
  playoutDelayFrames: number;
  scene: string;
  paced: boolean;
  /** delay(P) − (delay(S) + D·N), samples (see the header). */
  causalityMarginSamples: number;
  /** Audio captured, s, and wall time taken, s. */
  audioS: number;
  wallS: number;
  /** True NR per whole second of audio, dB. */
  nrDbPerSecond: number[];
  framesCaptured: number;
  /** Transmitted; framesUnsent could not go out (stream down). */
  framesSent: number;
  framesUnsent: number;
  /** Answers that arrived in time for their slot. */
  framesOnTime: number;
  /** Answers that arrived after their slot was played (discarded). */
  framesLate: number;
  /** Sent frames never answered by the end of the run. */
  framesLost: number;
  /** Slots (after the first D) that played silence; their frames were sent flagged antiNoiseMissing. */
  silentSlots: number;
  /** Round trip send → anti-noise receive of every answer (on time or late), µs. */
  rttUs: LatencySummary;
  /** Error frames/chunks by code name (or code). */
  errors: Record<string, number>;
  reconnects: number;
  stoppedBy: 'done' | 'aborted' | 'closed';
  /** Why the stream closed for good, when stoppedBy is 'closed'. */
  closeReason: string | null;
}

interface InFlight {
  frame: number;
  sentAtMs: number;
}

export class VirtualRoom {
  readonly sampleRate: number;
  readonly frameSize: number;
  readonly playoutDelayFrames: number;
  readonly sceneName: string;
  readonly paced: boolean;
  readonly primaryPath: Float32Array;
  readonly secondaryPath: Float32Array;
  readonly identificationS: number;
  readonly slotDeadlineMs: number;
  private readonly seed: number;
  private readonly sceneSource: SceneName | Float32Array;
  private readonly now: () => number;
  private noise: Float32Array | null = null;

  // Per run.
  private plant: AcousticPlant | null = null;
  private readonly schedule = new Map<number, Float32Array>();
  private readonly inflight = new Map<number, InFlight>();
  private nextSlot = 0;
  private waiter: { slot: number; resolve: () => void; timer: ReturnType<typeof setTimeout> } | null = null;
  private stopReason: 'aborted' | 'closed' | null = null;
  private closeReason: string | null = null;
  private readonly rtts: number[] = [];
  private secondRtts: number[] = [];
  private counters = { sent: 0, unsent: 0, onTime: 0, late: 0, lostPruned: 0, silent: 0, secondLate: 0, secondOnTime: 0 };
  private readonly errors: Record<string, number> = {};
  /** Per-second energies of d and e. */
  private readonly energies: { dd: number; ee: number }[] = [];

  constructor(options: VirtualRoomOptions = {}) {
    this.sampleRate = options.sampleRate ?? VIRTUAL_ROOM_DEFAULTS.sampleRate;
    this.frameSize = options.frameSize ?? VIRTUAL_ROOM_DEFAULTS.frameSize;
    this.playoutDelayFrames = options.playoutDelayFrames ?? VIRTUAL_ROOM_DEFAULTS.playoutDelayFrames;
    if (!(Number.isInteger(this.sampleRate) && this.sampleRate >= 2000)) throw new RangeError(`sampleRate must be a whole number of Hz ≥ 2000, got ${this.sampleRate}`);
    if (!(Number.isInteger(this.frameSize) && this.frameSize >= 1 && this.frameSize <= 4096)) throw new RangeError(`frameSize must be 1…4096 samples, got ${this.frameSize}`);
    if (!(Number.isInteger(this.playoutDelayFrames) && this.playoutDelayFrames >= 1)) {
      throw new RangeError(`playoutDelayFrames must be a whole number ≥ 1 (anti-noise cannot play in the frame it answers), got ${this.playoutDelayFrames}`);
    }
    const scene = options.scene ?? VIRTUAL_ROOM_DEFAULTS.scene;
    if (typeof scene === 'string' && !isSceneName(scene)) throw new RangeError(`unknown scene '${String(scene)}'`);
    this.sceneSource = scene;
    this.sceneName = typeof scene === 'string' ? scene : 'custom';
    this.seed = options.seed ?? VIRTUAL_ROOM_DEFAULTS.seed;
    const duct = ductGeometry(this.sampleRate);
    this.primaryPath = Float32Array.from(options.primaryPath ?? duct.primaryPath);
    this.secondaryPath = Float32Array.from(options.secondaryPath ?? duct.secondaryPath);
    this.paced = options.pace ?? true;
    this.identificationS = options.identificationS ?? VIRTUAL_ROOM_DEFAULTS.identificationS;
    this.slotDeadlineMs = options.slotDeadlineMs ?? (this.playoutDelayFrames * this.frameSize * 1000) / this.sampleRate;
    if (!(this.slotDeadlineMs >= 0)) throw new RangeError(`slotDeadlineMs must be ≥ 0, got ${options.slotDeadlineMs}`);
    this.now = options.now ?? (() => performance.now());
  }

  /** Samples of loop delay the server sees in its secondary path: D·N + delay(S). */
  get loopDelaySamples(): number {
    return this.playoutDelayFrames * this.frameSize + pathDelaySamples(this.secondaryPath);
  }

  /** delay(P) − (delay(S) + D·N), samples: ≥ 0 means broadband noise is cancellable. */
  get causalityMarginSamples(): number {
    return pathDelaySamples(this.primaryPath) - this.loopDelaySamples;
  }

  /** The session config this room proposes (see the header); `overrides` win. */
  sessionConfig(overrides: Partial<SessionConfig> = {}): SessionConfig {
    const loopDelay = this.loopDelaySamples;
    return {
      sampleRate: this.sampleRate,
      frameSize: this.frameSize,
      playoutDelayFrames: this.playoutDelayFrames,
      taps: 128,
      stepSize: Math.min(0.03, 2 / (loopDelay + 1)),
      ...overrides,
      identification: {
        durationS: this.identificationS,
        level: 0.05,
        taps: this.playoutDelayFrames * this.frameSize + 64,
        ...overrides.identification,
      },
    };
  }

  /** True NR over whole seconds [fromS, toS) of the last run, dB (energy ratio, not a mean of dB values). */
  nrDb(fromS = 0, toS = this.energies.length): number {
    let dd = 0;
    let ee = 0;
    for (let s = Math.max(0, fromS); s < Math.min(toS, this.energies.length); s++) {
      dd += this.energies[s].dd;
      ee += this.energies[s].ee;
    }
    return ee === 0 ? (dd === 0 ? 0 : Infinity) : 10 * Math.log10(dd / ee);
  }

  /** Every round trip of the last run, µs, in arrival order. */
  get rttSamplesUs(): readonly number[] {
    return this.rtts;
  }

  /**
   * Runs `durationS` of audio through `client` (connected: its session's format must be this room's) and
   * reports. One run per room at a time; a room can run again (the plant starts from silence).
   */
  async run(client: StreamClient, options: RunOptions): Promise<VirtualRoomReport> {
    const info = client.info;
    if (info === null) throw new Error('connect the client before running the room');
    if (info.sampleRate !== this.sampleRate || info.frameSize !== this.frameSize) {
      throw new RangeError(`the session streams ${info.frameSize} samples at ${info.sampleRate} Hz, the room ${this.frameSize} at ${this.sampleRate} Hz`);
    }
    if (!(options.durationS > 0 && Number.isFinite(options.durationS))) throw new RangeError(`durationS must be > 0, got ${options.durationS}`);
    this.reset();
    const N = this.frameSize;
    const D = this.playoutDelayFrames;
    const fs = this.sampleRate;
    const T = (N * 1000) / fs; // frame period, ms
    const totalFrames = Math.max(1, Math.round((options.durationS * fs) / N));
    const noise = this.sourceNoise(options.durationS);
    const plant = (this.plant = new AcousticPlant({ primaryPath: this.primaryPath, secondaryPath: this.secondaryPath, loopLatency: 0 }));
    const silence = new Float32Array(N);
    const source = new Float32Array(N);
    const x = new Float32Array(N);
    const d = new Float32Array(N);
    const e = new Float32Array(N);
    const tickTimes = new Float64Array(D + 1);
    const horizonFrames = Math.ceil((INFLIGHT_HORIZON_S * fs) / N);

    const unsubscribe = [
      client.on('antiNoise', (event) => this.onAntiNoise(event)),
      client.on('error', (error) => this.onError(error)),
      client.on('close', (event) => this.onClose(event)),
    ];
    const onAbort = (): void => this.stop('aborted');
    options.signal?.addEventListener('abort', onAbort);
    if (options.signal?.aborted) this.stop('aborted');

    const startMs = this.now();
    // Capture timestamps: client clock (epoch µs) at the start, then exactly N/fs per frame.
    const startUs = Math.round((performance.timeOrigin + startMs) * 1000);
    let secondSamples = 0;
    let secondDd = 0;
    let secondEe = 0;
    let frame = 0;
    try {
      for (; frame < totalFrames && this.stopReason === null; frame++) {
        // 1. Wait until frame `frame` is due.
        if (this.paced) {
          const wait = startMs + frame * T - this.now();
          if (wait > 0) await sleep(wait);
        } else if (frame >= D) {
          await this.awaitSlot(frame, tickTimes[(frame - D) % (D + 1)] + this.slotDeadlineMs);
        } else if (frame > 0) {
          await sleep(0);
        }
        if (this.stopReason !== null) break;
        tickTimes[frame % (D + 1)] = this.now();
        // 2. Play slot `frame`.
        const antiNoise = this.schedule.get(frame);
        this.schedule.delete(frame);
        // Nothing is due before slot D; after that a missing answer means the loudspeaker plays silence.
        const antiNoiseMissing = antiNoise === undefined && frame >= D;
        if (antiNoiseMissing) this.counters.silent++;
        plant.play(antiNoise ?? silence);
        this.nextSlot = frame + 1;
        // 3. Capture frame `frame`.
        const offset = (frame * N) % noise.length;
        for (let i = 0, at = offset; i < N; i++, at = at + 1 === noise.length ? 0 : at + 1) source[i] = noise[at];
        plant.capture(source, x, d, e);
        options.onFrame?.(d, e);
        for (let i = 0; i < N; i++) {
          secondDd += d[i] * d[i];
          secondEe += e[i] * e[i];
        }
        // 4. Send it.
        const { sequence, sent } = client.send(x, e, startUs + Math.round((frame * N * 1e6) / fs), { antiNoiseMissing });
        if (sent) {
          this.counters.sent++;
          this.inflight.set(sequence, { frame, sentAtMs: this.now() });
        } else {
          this.counters.unsent++;
        }
        if (frame % 256 === 0) this.pruneInflight(frame - horizonFrames);
        // 5. Whole seconds.
        secondSamples += N;
        if (secondSamples >= fs) {
          this.energies.push({ dd: secondDd, ee: secondEe });
          const second = this.energies.length;
          options.onSecond?.({
            second,
            nrDb: this.nrDb(second - 1, second),
            rttUs: summarize(this.secondRtts),
            framesLate: this.counters.secondLate,
            framesOnTime: this.counters.secondOnTime,
          });
          secondSamples -= fs;
          secondDd = secondEe = 0;
          this.secondRtts = [];
          this.counters.secondLate = this.counters.secondOnTime = 0;
        }
      }
      // Answers still in flight: wait a little so that they count as late rather than lost.
      const drainUntil = this.now() + Math.max(DRAIN_MS, 2 * D * T);
      while (this.inflight.size > 0 && this.stopReason === null && this.now() < drainUntil) await sleep(5);
    } finally {
      for (const off of unsubscribe) off();
      options.signal?.removeEventListener('abort', onAbort);
      this.releaseWaiter();
    }
    const wallS = (this.now() - startMs) / 1000;
    return {
      sessionId: info.sessionId,
      transport: client.transport,
      sampleRate: fs,
      frameSize: N,
      playoutDelayFrames: D,
      scene: this.sceneName,
      paced: this.paced,
      causalityMarginSamples: this.causalityMarginSamples,
      audioS: (frame * N) / fs,
      wallS,
      nrDbPerSecond: this.energies.map((_, s) => this.nrDb(s, s + 1)),
      framesCaptured: frame,
      framesSent: this.counters.sent,
      framesUnsent: this.counters.unsent,
      framesOnTime: this.counters.onTime,
      framesLate: this.counters.late,
      framesLost: this.inflight.size + this.counters.lostPruned,
      silentSlots: this.counters.silent,
      rttUs: summarize(this.rtts),
      errors: { ...this.errors },
      reconnects: (client as { reconnects?: number }).reconnects ?? 0,
      stoppedBy: this.stopReason ?? 'done',
      closeReason: this.stopReason === 'closed' ? this.closeReason : null,
    };
  }

  // ---- internals ----

  private reset(): void {
    this.schedule.clear();
    this.inflight.clear();
    this.nextSlot = 0;
    this.stopReason = null;
    this.closeReason = null;
    this.rtts.length = 0;
    this.secondRtts = [];
    this.counters = { sent: 0, unsent: 0, onTime: 0, late: 0, lostPruned: 0, silent: 0, secondLate: 0, secondOnTime: 0 };
    for (const key of Object.keys(this.errors)) delete this.errors[key];
    this.energies.length = 0;
  }

  private sourceNoise(durationS: number): Float32Array {
    if (this.sceneSource instanceof Float32Array) {
      if (this.sceneSource.length === 0) throw new RangeError('the scene signal is empty');
      return this.sceneSource;
    }
    const lengthS = Math.min(durationS, VIRTUAL_ROOM_DEFAULTS.maxSceneS);
    if (this.noise === null || this.noise.length < Math.round(lengthS * this.sampleRate)) {
      this.noise = generateScene(this.sceneSource, { sampleRate: this.sampleRate, durationS: Math.max(lengthS, this.frameSize / this.sampleRate), seed: this.seed });
    }
    return this.noise;
  }

  private onAntiNoise(event: AntiNoiseEvent): void {
    const entry = this.inflight.get(event.sequence);
    if (entry === undefined) return; // unknown, duplicate, or given up
    this.inflight.delete(event.sequence);
    const rttUs = (event.receivedAtMs - entry.sentAtMs) * 1000;
    this.rtts.push(rttUs);
    this.secondRtts.push(rttUs);
    const slot = entry.frame + this.playoutDelayFrames;
    if (slot < this.nextSlot || event.antiNoise.length !== this.frameSize) {
      this.counters.late++;
      this.counters.secondLate++;
      return;
    }
    this.counters.onTime++;
    this.counters.secondOnTime++;
    this.schedule.set(slot, event.antiNoise);
    if (this.waiter !== null && this.waiter.slot === slot) this.releaseWaiter();
  }

  private onError(error: StreamError): void {
    const key = error.codeName ?? String(error.code);
    this.errors[key] = (this.errors[key] ?? 0) + 1;
  }

  private onClose(event: CloseEvent): void {
    if (!event.final) return;
    this.closeReason ??= event.reason;
    this.stop('closed');
  }

  private stop(reason: 'aborted' | 'closed'): void {
    this.stopReason ??= reason;
    this.releaseWaiter();
  }

  /** Unpaced mode: resolves when slot `slot` has its anti-noise or at `deadlineMs`. */
  private awaitSlot(slot: number, deadlineMs: number): Promise<void> {
    if (this.schedule.has(slot)) return Promise.resolve();
    const wait = deadlineMs - this.now();
    if (wait <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiter = { slot, resolve, timer: setTimeout(() => this.releaseWaiter(), wait) };
    });
  }

  private releaseWaiter(): void {
    const waiter = this.waiter;
    if (waiter === null) return;
    this.waiter = null;
    clearTimeout(waiter.timer);
    waiter.resolve();
  }

  private pruneInflight(beforeFrame: number): void {
    if (beforeFrame <= 0) return;
    for (const [sequence, entry] of this.inflight) {
      if (entry.frame < beforeFrame) {
        this.inflight.delete(sequence);
        this.counters.lostPruned++;
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

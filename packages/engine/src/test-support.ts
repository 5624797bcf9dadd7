/**
 * Test support: a simulated client in a simulated room (not exported from the package).
 *
 * The client captures frame k (reference x and error e at the same instants), sends it, and plays the anti-noise
 * the engine returns for frame k from a frame-indexed schedule, `playoutDelayFrames` frames later; a slot with no
 * anti-noise (lost, late, rejected) plays silence, and the frame captured meanwhile carries antiNoiseMissing. So
 * from the engine's view the secondary path is S delayed by playoutDelayFrames·frameSize samples. `lateFraction`
 * makes that share of the answers arrive after their slot (discarded, as the client would).
 */
import { AcousticPlant, Random } from '@antiphase/dsp';
import type { AntiNoiseFrame, AudioFrame } from './types.js';

export interface RoomOptions {
  sampleRate: number;
  frameSize: number;
  playoutDelayFrames: number;
  primaryPath: number[];
  secondaryPath: number[];
  /** RMS of the white noise at the source. */
  noiseLevel: number;
  seed?: number;
  /** Share of the answers that arrive too late for their slot, at random (default 0). */
  lateFraction?: number;
  /** Seed of the late answers (default 11). */
  lateSeed?: number;
  /** The source signal, played frame by frame (default: white noise of noiseLevel RMS); silence after its end. */
  source?: Float32Array;
}

export class SimulatedClient {
  readonly plant: AcousticPlant;
  private readonly schedule = new Map<number, Float32Array>();
  private readonly random: Random;
  private readonly lateness: Random;
  private readonly noise: Float32Array;
  private readonly silence: Float32Array;
  /** Index of the next frame to capture. */
  frame = 0;
  /** Everything the room produced, frame by frame (for the true NR). */
  readonly disturbance: number[] = [];
  readonly error: number[] = [];
  /** Per captured frame: did its slot play silence where anti-noise was due (the antiNoiseMissing flag)? */
  readonly silent: boolean[] = [];

  constructor(private readonly options: RoomOptions) {
    this.plant = new AcousticPlant({ primaryPath: options.primaryPath, secondaryPath: options.secondaryPath, loopLatency: 0 });
    this.random = new Random(options.seed ?? 7);
    this.lateness = new Random(options.lateSeed ?? 11);
    this.noise = new Float32Array(options.frameSize);
    this.silence = new Float32Array(options.frameSize);
  }

  /** Captures the next frame (the loudspeaker plays that slot's scheduled anti-noise meanwhile). */
  capture(sessionId: string): AudioFrame {
    const N = this.options.frameSize;
    const k = this.frame++;
    const scheduled = this.schedule.get(k);
    this.schedule.delete(k);
    // Nothing is due before frame D: the first slots are silent by design, not because an answer was missing.
    const antiNoiseMissing = scheduled === undefined && k >= this.options.playoutDelayFrames;
    this.silent.push(antiNoiseMissing);
    this.plant.play(scheduled ?? this.silence);
    const source = this.options.source;
    for (let i = 0; i < N; i++) this.noise[i] = source ? (source[k * N + i] ?? 0) : this.options.noiseLevel * this.random.gaussian();
    const reference = new Float32Array(N);
    const disturbance = new Float32Array(N);
    const error = new Float32Array(N);
    this.plant.capture(this.noise, reference, disturbance, error);
    for (let i = 0; i < N; i++) {
      this.disturbance.push(disturbance[i]);
      this.error.push(error[i]);
    }
    const captureTimestampUs = Math.round(((k + 1) * N * 1e6) / this.options.sampleRate);
    return { sessionId, sequence: k, captureTimestampUs, reference, error, antiNoiseMissing };
  }

  /** Schedules the engine's answer for frame `sequence` (unless it is one of the late ones: then it is discarded). */
  receive(result: AntiNoiseFrame | null): void {
    if (!result) return;
    if (this.options.lateFraction !== undefined && this.lateness.next() < this.options.lateFraction) return;
    this.schedule.set(result.sequence + this.options.playoutDelayFrames, result.antiNoise.slice());
  }

  /** True NR, dB, over frames [fromFrame, toFrame); `playedOnly`: over the frames whose slot played anti-noise. */
  trueNrDb(fromFrame: number, toFrame = this.frame, playedOnly = false): number {
    const N = this.options.frameSize;
    let dd = 0;
    let ee = 0;
    for (let k = fromFrame; k < toFrame; k++) {
      if (playedOnly && this.silent[k]) continue;
      for (let n = k * N; n < (k + 1) * N; n++) {
        dd += this.disturbance[n] ** 2;
        ee += this.error[n] ** 2;
      }
    }
    return 10 * Math.log10(dd / ee);
  }
}

/** A causal room at 16 kHz: S is minimum phase after a 4-sample delay; P arrives 380 samples after the reference. */
export function causalRoom(frameSize = 160, playoutDelayFrames = 2): RoomOptions {
  const primaryPath = new Array<number>(384).fill(0);
  primaryPath[380] = 1;
  primaryPath[381] = 0.5;
  primaryPath[382] = 0.2;
  return {
    sampleRate: 16000,
    frameSize,
    playoutDelayFrames,
    primaryPath,
    secondaryPath: [0, 0, 0, 0, 0.8, 0.3, -0.1],
    noiseLevel: 0.1,
  };
}

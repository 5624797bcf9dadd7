/**
 * Local mode of the demo: the closed ANC loop inside an AudioWorklet, no network in the secondary path
 * (../shared/DESIGN.md §2, tier 1). Per 128-sample render quantum:
 *   1. take the next source samples — the scene passed in processorOptions, or the node's input (the microphone);
 *   2. capture the reference x, the disturbance d (what the listener hears without control) and the error
 *      e = d + S * (anti-noise played) from the simulated room (the DSP core's AcousticPlant);
 *   3. run the DSP core's FxNLMS (256 taps) on (x, e) — the same Controller class the service runs;
 *   4. queue its anti-noise for the loudspeaker (it plays from the next quantum on: one quantum of delay in S);
 *   5. emergency bypass: the DSP core's sibling EmergencySoundDetector listens to x, and while it hears a siren or
 *      an alarm the anti-noise is faded out, so that the listener hears the warning (as the service's bypass does);
 *   6. output e, record d and e for replay, time steps 2–5.
 * process() allocates nothing but its clock reads (see makeClock): every buffer is made in the constructor, which
 * also warms the code up on throwaway copies (see warmUp) and then posts 'ready'. Once per second of audio it posts
 * NR over that second; at the end it transfers the recordings and the per-quantum processing times (µs) to the page.
 *
 * AudioWorkletGlobalScope has no TextEncoder/TextDecoder, setTimeout or fetch, so nothing imported here may use
 * them at load time; the WASM SIMD kernel compiles synchronously from bytes embedded in the bundle.
 */
import { AcousticPlant, createController, type Controller, type KernelName } from '@antiphase/dsp';
import { EmergencySoundDetector } from '@antiphase/intelligence';
import { PROCESSOR_NAME, QUANTUM, TAPS } from './demo-constants.js';

declare const sampleRate: number;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, ctor: unknown): void;


export interface LocalLoopOptions {
  /** Source noise, looped; absent = take the node's input (microphone). */
  scene: Float32Array | null;
  primaryPath: Float32Array;
  secondaryPath: Float32Array;
  /** FxNLMS step size μ (normalised). */
  stepSize: number;
  /** Seconds of audio to run; then the node posts its recordings and goes silent. */
  durationS: number;
  kernel: KernelName;
  /** Emergency bypass on. */
  bypass: boolean;
}

export interface SecondMessage {
  type: 'second';
  second: number;
  nrDb: number;
  /** Mean processing time per quantum during this second, µs. */
  meanUs: number;
  bypass: boolean;
}

export interface DoneMessage {
  type: 'done';
  disturbance: Float32Array;
  error: Float32Array;
  /** Processing time of every quantum, µs. */
  quantumUs: Float64Array;
  kernel: KernelName;
  /** Whether performance.now() was available to time the quanta. */
  timed: boolean;
  /** The clock's resolution, µs (Infinity when untimed). */
  clockResolutionUs: number;
  bypassSeconds: number;
}

export type WorkletMessage = SecondMessage | DoneMessage | { type: 'ready' };

/** Fade lengths of the bypass, as in the service's noise monitor: out fast, in slowly. */
const FADE_OUT_S = 0.05;
const FADE_IN_S = 0.5;

/**
 * The clock that times a quantum. AudioWorkletGlobalScope has no `performance`; Chromium gives it Temporal, whose
 * clock is coarsened to 100 µs unless the page is cross-origin isolated (the service sends COOP/COEP for the web
 * app, which brings it to 5 µs). Reading it allocates an Instant and a BigInt: the measurement's own cost, not the
 * DSP's, and inside the timed span only the first read is.
 */
interface Clock {
  /** Microseconds since an arbitrary origin, as a difference-friendly pair of reads. */
  mark(): void;
  elapsedUs(): number;
}

function makeClock(): Clock | null {
  const scope = globalThis as { performance?: { now(): number }; Temporal?: { Now: { instant(): { epochNanoseconds: bigint } } } };
  const performanceClock = scope.performance;
  if (performanceClock) {
    let start = 0;
    return { mark: () => void (start = performanceClock.now()), elapsedUs: () => (performanceClock.now() - start) * 1000 };
  }
  const temporal = scope.Temporal;
  if (temporal) {
    let start = 0n;
    return { mark: () => void (start = temporal.Now.instant().epochNanoseconds), elapsedUs: () => Number(temporal.Now.instant().epochNanoseconds - start) / 1000 };
  }
  return null;
}

/** The smallest step the clock shows, µs (reads it until it has moved a few times; at most 20 ms). */
function clockResolutionUs(clock: Clock): number {
  clock.mark();
  let smallest = Infinity;
  let last = 0;
  for (let moves = 0, spins = 0; moves < 8 && spins < 1e6; spins++) {
    const now = clock.elapsedUs();
    if (now >= 20_000) break;
    if (now !== last) {
      smallest = Math.min(smallest, now - last);
      last = now;
      moves++;
    }
  }
  return smallest;
}

const clock = makeClock();

/**
 * Quanta run through throwaway copies of the room, controller and detector at construction. Without it the first
 * few dozen real quanta run while V8 is still compiling the hot paths and take milliseconds each: underruns at the
 * start of every real-time run. Compiled code is shared, so warming copies warms the real ones.
 */
const WARM_UP_QUANTA = 64;

function warmUp(options: LocalLoopOptions, estimate: Float32Array): void {
  const plant = new AcousticPlant({ primaryPath: options.primaryPath, secondaryPath: options.secondaryPath, loopLatency: 0 });
  const controller = createController('fxnlms', { taps: TAPS, secondaryPathEstimate: estimate, stepSize: options.stepSize, kernel: options.kernel });
  const detector = options.bypass ? new EmergencySoundDetector({ sampleRate }) : null;
  const source = new Float32Array(QUANTUM);
  const x = new Float32Array(QUANTUM);
  const d = new Float32Array(QUANTUM);
  const e = new Float32Array(QUANTUM);
  const y = new Float32Array(QUANTUM);
  let seed = 1;
  for (let q = 0; q < WARM_UP_QUANTA; q++) {
    for (let i = 0; i < QUANTUM; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0; // LCG: low-level noise so that every update path runs
      source[i] = (seed / 2 ** 32 - 0.5) * 0.02;
    }
    plant.capture(source, x, d, e);
    controller.process(x, e, y);
    detector?.process(x);
    plant.play(y);
  }
}

class AncProcessor extends AudioWorkletProcessor {
  private readonly plant: AcousticPlant;
  private readonly controller: Controller;
  private readonly detector: EmergencySoundDetector | null;
  private readonly scene: Float32Array | null;
  private readonly source = new Float32Array(QUANTUM);
  private readonly x = new Float32Array(QUANTUM);
  private readonly d = new Float32Array(QUANTUM);
  private readonly e = new Float32Array(QUANTUM);
  private readonly y = new Float32Array(QUANTUM);
  private readonly recordedD: Float32Array;
  private readonly recordedE: Float32Array;
  private readonly quantumUs: Float64Array;
  private readonly fadeOutStep: number;
  private readonly fadeInStep: number;
  private gain = 1;
  private at = 0;
  private recorded = 0;
  private quanta = 0;
  private secondDd = 0;
  private secondEe = 0;
  private secondUs = 0;
  private secondQuanta = 0;
  private secondSamples = 0;
  private second = 0;
  private bypassQuanta = 0;
  private finished = false;
  private readonly resolutionUs: number;

  constructor(options: { processorOptions: LocalLoopOptions }) {
    super();
    const o = options.processorOptions;
    this.scene = o.scene;
    this.plant = new AcousticPlant({ primaryPath: o.primaryPath, secondaryPath: o.secondaryPath, loopLatency: 0 });
    // The anti-noise of quantum k plays from quantum k + 1: the controller's Ŝ is S behind one quantum. Ŝ is the
    // room's own S here (the service identifies it): the demo compares where the loop runs, not identification.
    const estimate = new Float32Array(QUANTUM + o.secondaryPath.length);
    estimate.set(o.secondaryPath, QUANTUM);
    this.controller = createController('fxnlms', { taps: TAPS, secondaryPathEstimate: estimate, stepSize: o.stepSize, kernel: o.kernel });
    this.detector = o.bypass ? new EmergencySoundDetector({ sampleRate }) : null;
    const total = Math.ceil((o.durationS * sampleRate) / QUANTUM) * QUANTUM;
    this.recordedD = new Float32Array(total);
    this.recordedE = new Float32Array(total);
    this.quantumUs = new Float64Array(total / QUANTUM);
    this.resolutionUs = clock ? clockResolutionUs(clock) : Infinity;
    this.fadeOutStep = 1 / (FADE_OUT_S * sampleRate);
    this.fadeInStep = 1 / (FADE_IN_S * sampleRate);
    warmUp(o, estimate);
    this.port.postMessage({ type: 'ready' } satisfies WorkletMessage);
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0]?.[0];
    if (this.finished) return false;
    clock?.mark();
    this.fillSource(inputs[0]?.[0]);
    this.plant.capture(this.source, this.x, this.d, this.e);
    this.controller.process(this.x, this.e, this.y);
    this.applyBypass();
    this.plant.play(this.y);
    const elapsedUs = clock ? clock.elapsedUs() : 0;

    this.recordedD.set(this.d, this.recorded);
    this.recordedE.set(this.e, this.recorded);
    this.recorded += QUANTUM;
    this.quantumUs[this.quanta++] = elapsedUs;
    for (let i = 0; i < QUANTUM; i++) {
      this.secondDd += this.d[i] * this.d[i];
      this.secondEe += this.e[i] * this.e[i];
      if (out) out[i] = this.e[i];
    }
    this.secondUs += elapsedUs;
    this.secondQuanta++;
    this.secondSamples += QUANTUM;
    if (this.secondSamples >= sampleRate) this.postSecond();
    if (this.recorded === this.recordedD.length) this.finish();
    return true;
  }

  private fillSource(input: Float32Array | undefined): void {
    const scene = this.scene;
    if (scene === null) {
      // An input with no connection (or a stopped track) delivers no channels: silence.
      if (input) this.source.set(input);
      else this.source.fill(0);
      return;
    }
    const n = scene.length;
    for (let i = 0; i < QUANTUM; i++) {
      this.source[i] = scene[this.at];
      this.at = this.at + 1 === n ? 0 : this.at + 1;
    }
  }

  /** Fades the anti-noise out while the detector hears an emergency sound, back in after it. */
  private applyBypass(): void {
    const detector = this.detector;
    if (detector === null) return;
    detector.process(this.x);
    const target = detector.active ? 0 : 1;
    if (target === 0) this.bypassQuanta++;
    if (this.gain === target) {
      if (target === 0) this.y.fill(0);
      return;
    }
    for (let i = 0; i < QUANTUM; i++) {
      this.gain = target === 0 ? Math.max(0, this.gain - this.fadeOutStep) : Math.min(1, this.gain + this.fadeInStep);
      // Raised-cosine shape of the linear ramp.
      this.y[i] *= 0.5 - 0.5 * Math.cos(Math.PI * this.gain);
    }
  }

  private postSecond(): void {
    // Once per second, off the per-quantum path: the only allocation in process().
    const message: SecondMessage = {
      type: 'second',
      second: ++this.second,
      nrDb: 10 * Math.log10(this.secondDd / Math.max(this.secondEe, 1e-30)),
      meanUs: this.secondUs / this.secondQuanta,
      bypass: this.gain < 1,
    };
    this.port.postMessage(message);
    this.secondSamples -= sampleRate;
    this.secondDd = this.secondEe = this.secondUs = 0;
    this.secondQuanta = 0;
  }

  private finish(): void {
    this.finished = true;
    const message: DoneMessage = {
      type: 'done',
      disturbance: this.recordedD,
      error: this.recordedE,
      quantumUs: this.quantumUs,
      kernel: this.controller.kernel,
      timed: clock !== null,
      clockResolutionUs: this.resolutionUs,
      bypassSeconds: (this.bypassQuanta * QUANTUM) / sampleRate,
    };
    this.port.postMessage(message, [this.recordedD.buffer, this.recordedE.buffer, this.quantumUs.buffer]);
  }
}

registerProcessor(PROCESSOR_NAME, AncProcessor);

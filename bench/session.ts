/**
 * Session engine microbenchmark: the cost of Session.processFrame per frame with and without the per-second
 * analysis (spectra, octave bands, causality margin; packages/engine/src/analysis.ts), and the cost of the analysis
 * itself, which the host runs between frames.
 *
 *   node --import tsx bench/session.ts [--seconds 5] [--rounds 15] [--rate 16000] [--frame 160] [--taps 256]
 *
 * The job: one session per variant in a closed loop through an AcousticPlant (white noise, P = a 380-sample delay,
 * S = 4 samples + a short driver response), 160-sample frames at 16 kHz, FxNLMS 256 taps, playout delay 2 frames and
 * a known Ŝ of 576 taps (the 320 zeros of the playout delay, then 256 taps of a decaying random response: the
 * shape of an identified Ŝ). Only the processFrame call is timed (performance.now around it); the plant is not. The
 * variants run in alternating rounds of `seconds` of audio each, in the same process, so machine load hits both
 * alike; the figures are the median over rounds of each round's mean µs per frame, and the median of the paired
 * differences (each round against the other variant's round beside it). The analysis variant also runs analyse()
 * whenever a window is due, timed on its own and excluded from the per-frame figure. Last, the per-frame part of
 * the analysis alone (DisturbanceAnalyser.capture: three frame copies) is timed over a million calls: the paired
 * difference of whole frames drowns in the machine's noise, this does not.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AcousticPlant, Random } from '@antiphase/dsp';
import { DisturbanceAnalyser, Session, type SessionConfig } from '@antiphase/engine';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '15' },
    rate: { type: 'string', default: '16000' },
    frame: { type: 'string', default: '160' },
    taps: { type: 'string', default: '256' },
  },
});
const seconds = Number(args.seconds);
const rounds = Number(args.rounds);
const sampleRate = Number(args.rate);
const N = Number(args.frame);
const taps = Number(args.taps);
const D = 2;

const random = new Random(5);
const acoustic = Array.from({ length: 256 }, (_, k) => (k < 4 ? 0 : 0.8 * Math.exp(-k / 12) * random.gaussian()));
const secondaryPathEstimate = [...new Array<number>(D * N).fill(0), ...acoustic];
const config: SessionConfig = { sampleRate, frameSize: N, playoutDelayFrames: D, algorithm: 'fxnlms', taps, stepSize: 0.05, secondaryPathEstimate, emergencyBypass: false };

/** A session in its closed loop; step() runs one frame and returns the µs processFrame took. */
class Loop {
  readonly session: Session;
  private readonly plant: AcousticPlant;
  private readonly noise = new Float32Array(N);
  private readonly reference = new Float32Array(N);
  private readonly disturbance = new Float32Array(N);
  private readonly error = new Float32Array(N);
  private readonly output = new Float32Array(N);
  private readonly schedule: Float32Array[] = Array.from({ length: D }, () => new Float32Array(N));
  private readonly source = new Random(9);
  private sequence = 0;
  analyseMs: number[] = [];

  constructor(analysis: boolean) {
    this.session = new Session(analysis ? 'with' : 'without', config, { analysis, classifier: null });
    const primary = new Array<number>(384).fill(0);
    primary[380] = 1;
    this.plant = new AcousticPlant({ primaryPath: primary, secondaryPath: [0, 0, 0, 0, ...acoustic.slice(4, 40)] });
  }

  step(): number {
    const slot = this.sequence % D;
    this.plant.play(this.schedule[slot]);
    for (let i = 0; i < N; i++) this.noise[i] = 0.1 * this.source.gaussian();
    this.plant.capture(this.noise, this.reference, this.disturbance, this.error);
    const started = performance.now();
    this.session.processFrame({ sessionId: this.session.id, sequence: this.sequence, captureTimestampUs: this.sequence * 1e4, reference: this.reference, error: this.error }, this.output);
    const us = (performance.now() - started) * 1000;
    this.schedule[slot].set(this.output); // plays D frames later
    this.sequence++;
    if (this.session.analysisDue) {
      const t = performance.now();
      this.session.analyse();
      this.analyseMs.push(performance.now() - t);
    }
    return us;
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};

const loops = { without: new Loop(false), with: new Loop(true) };
const framesPerRound = Math.round((seconds * sampleRate) / N);
// Warm-up: JIT, WASM tier-up and the controllers' convergence.
for (let k = 0; k < framesPerRound; k++) {
  loops.without.step();
  loops.with.step();
}
loops.with.analyseMs = [];
const perRound: Record<keyof typeof loops, number[]> = { without: [], with: [] };
for (let r = 0; r < rounds; r++) {
  for (const name of (r % 2 ? ['with', 'without'] : ['without', 'with']) as (keyof typeof loops)[]) {
    let total = 0;
    for (let k = 0; k < framesPerRound; k++) total += loops[name].step();
    perRound[name].push(total / framesPerRound);
  }
}
const paired = perRound.with.map((v, r) => v - perRound.without[r]);
const without = median(perRound.without);
const withAnalysis = median(perRound.with);
const analyse = median(loops.with.analyseMs);
const windowsPerS = loops.with.analyseMs.length / (rounds * seconds);
const stats = loops.with.session.stats();
console.log(`Session.processFrame, ${N}-sample frames at ${sampleRate} Hz, FxNLMS ${taps} taps, Ŝ ${secondaryPathEstimate.length} taps (${acoustic.length} after the playout delay)`);
console.log(`${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${rounds} alternating rounds of ${seconds} s of audio; medians of the round means`);
console.log(`  without analysis: ${without.toFixed(2)} µs/frame   (rounds ${perRound.without.map((v) => v.toFixed(1)).join(', ')})`);
console.log(`  with analysis:    ${withAnalysis.toFixed(2)} µs/frame   (rounds ${perRound.with.map((v) => v.toFixed(1)).join(', ')})`);
console.log(`  paired difference: median ${median(paired).toFixed(2)} µs/frame (rounds ${paired.map((v) => v.toFixed(1)).join(', ')})`);
console.log(`  analyse():        ${analyse.toFixed(2)} ms per window (median of ${loops.with.analyseMs.length}; min ${Math.min(...loops.with.analyseMs).toFixed(2)}), ` +
  `${windowsPerS.toFixed(2)} windows per s of audio = ${((analyse * windowsPerS) / 10).toFixed(2)} % of a core per session`);
console.log(`  session NR ${stats.nrDb.toFixed(1)} dB, margin ${stats.analysis?.causality.marginSamples} samples`);

// The per-frame work the analysis adds, alone: capture() of one frame into a window (restarted when full).
const analyser = new DisturbanceAnalyser({ sampleRate, frameSize: N, pathTaps: secondaryPathEstimate.length, delayTaps: D * N });
analyser.setPath(Float32Array.from(secondaryPathEstimate));
const frame = Float32Array.from({ length: N }, () => random.gaussian());
const calls = 1_000_000;
const captureTimes: number[] = [];
for (let r = 0; r < 5; r++) {
  const started = performance.now();
  for (let k = 0; k < calls; k++) {
    if (!analyser.capture(frame, frame, frame, k + 1) && analyser.ready) analyser.restart();
    if (analyser.ready) (analyser as unknown as { filled: number }).filled = 0; // skip the analysis: only the copies are timed
  }
  captureTimes.push(((performance.now() - started) * 1e6) / calls);
}
console.log(`  capture():        ${median(captureTimes).toFixed(0)} ns per frame (median of 5 runs of ${calls} calls)`);

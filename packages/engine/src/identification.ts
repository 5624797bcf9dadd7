/**
 * Secondary-path identification while the noise is on.
 *
 * The session identifies Ŝ from the probe v it emits and the error e it receives, but e also carries the noise
 * d = P*x, typically much louder than the probe. A single-input NLMS (as identifySecondaryPathOffline, which
 * assumes a quiet room) then sees d as measurement noise and its estimate is poor. This is the two-channel form
 * (a joint Wiener problem, cf. Kuo & Morgan 1996, §3.3.3 and the "overall modelling" of Zhang, Lan & Ser 2001):
 *
 *     ê(n) = aᵀv(n) + bᵀx(n),   r(n) = e(n) − ê(n)
 *     a ← a + μ·r(n)·v(n) / (δ + ‖v(n)‖²)        (a → Ŝ, M taps)
 *     b ← b + μ·r(n)·x(n) / (δ + ‖x(n)‖²)        (b → the reference's path to the error mic, K taps)
 *
 * Each channel is normalised by its own power so the quiet probe is not starved by the loud reference; with
 * μ ≤ 0.5 per channel the sum of the normalised steps stays below 2. Since v is white and independent of x, a
 * converges to S even where b has not (fully) captured P; b only removes the noise that would otherwise swamp it.
 */
import { EnvelopeReader, writeEnvelope } from './envelope.js';

const REGULARIZATION_PER_TAP = 1e-6;
const KIND = 'antiphase-joint-identifier';

export class JointIdentifier {
  /** Step size μ per channel (see above); settable, 0 freezes the weights. */
  stepSize: number;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  /** Doubled circular histories: v(n − k) = probeHistory[probePos + k]. */
  private readonly probeHistory: Float32Array;
  private readonly referenceHistory: Float32Array;
  private probePos = 0;
  private referencePos = 0;

  constructor(readonly probeTaps: number, readonly referenceTaps: number, stepSize: number) {
    this.stepSize = stepSize;
    this.a = new Float64Array(probeTaps);
    this.b = new Float64Array(referenceTaps);
    this.probeHistory = new Float32Array(2 * probeTaps);
    this.referenceHistory = new Float32Array(2 * referenceTaps);
  }

  /** One block: probe v and reference x emitted/captured at the instants of error e; writes the residual r. */
  filter(probe: Float32Array, reference: Float32Array, error: Float32Array, residual: Float32Array): void {
    const M = this.probeTaps;
    const K = this.referenceTaps;
    const a = this.a;
    const b = this.b;
    const v = this.probeHistory;
    const x = this.referenceHistory;
    const mu = this.stepSize;
    // Exact powers at the block start, then running sums within the block (no drift across blocks).
    let powerV = sumOfSquares(v, this.probePos, M);
    let powerX = sumOfSquares(x, this.referencePos, K);
    const deltaV = REGULARIZATION_PER_TAP * M;
    const deltaX = REGULARIZATION_PER_TAP * K;
    for (let i = 0; i < error.length; i++) {
      const pv = (this.probePos = this.probePos === 0 ? M - 1 : this.probePos - 1);
      const leavingV = v[pv];
      v[pv] = v[pv + M] = probe[i];
      powerV += probe[i] * probe[i] - leavingV * leavingV;
      const px = (this.referencePos = this.referencePos === 0 ? K - 1 : this.referencePos - 1);
      const leavingX = x[px];
      x[px] = x[px + K] = reference[i];
      powerX += reference[i] * reference[i] - leavingX * leavingX;

      let estimate = 0;
      for (let k = 0; k < M; k++) estimate += a[k] * v[pv + k];
      for (let k = 0; k < K; k++) estimate += b[k] * x[px + k];
      const r = error[i] - estimate;
      residual[i] = r;
      if (mu === 0) continue;
      const gainV = (mu * r) / (deltaV + Math.max(powerV, 0));
      const gainX = (mu * r) / (deltaX + Math.max(powerX, 0));
      for (let k = 0; k < M; k++) a[k] += gainV * v[pv + k];
      for (let k = 0; k < K; k++) b[k] += gainX * x[px + k];
    }
  }

  /** The secondary-path estimate Ŝ = a. */
  estimate(): Float32Array {
    return Float32Array.from(this.a);
  }

  snapshot(): Uint8Array {
    return writeEnvelope(KIND, { probePos: this.probePos, referencePos: this.referencePos, stepSize: this.stepSize }, {
      a: new Uint8Array(this.a.buffer.slice(0)),
      b: new Uint8Array(this.b.buffer.slice(0)),
      probeHistory: this.probeHistory,
      referenceHistory: this.referenceHistory,
    });
  }

  restore(snapshot: Uint8Array): void {
    const reader = new EnvelopeReader(snapshot, KIND);
    const a = reader.bytesOf('a');
    const b = reader.bytesOf('b');
    const probeHistory = new Float32Array(this.probeHistory.length);
    const referenceHistory = new Float32Array(this.referenceHistory.length);
    reader.readFloats('probeHistory', probeHistory);
    reader.readFloats('referenceHistory', referenceHistory);
    if (a.byteLength !== this.a.byteLength || b.byteLength !== this.b.byteLength) {
      throw new RangeError(`identifier snapshot has ${a.byteLength / 8} + ${b.byteLength / 8} taps, this one ${this.probeTaps} + ${this.referenceTaps}`);
    }
    const probePos = reader.number('probePos');
    const referencePos = reader.number('referencePos');
    const stepSize = reader.number('stepSize');
    new Uint8Array(this.a.buffer).set(a);
    new Uint8Array(this.b.buffer).set(b);
    this.probeHistory.set(probeHistory);
    this.referenceHistory.set(referenceHistory);
    this.probePos = probePos;
    this.referencePos = referencePos;
    this.stepSize = stepSize;
  }
}

function sumOfSquares(history: Float32Array, from: number, count: number): number {
  let sum = 0;
  for (let k = from; k < from + count; k++) sum += history[k] * history[k];
  return sum;
}

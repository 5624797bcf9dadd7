/**
 * Secondary-path identification while the noise is on.
 *
 * Identifying Ŝ from an emitted probe v and the error e it produces is hard when e also carries the noise d = P*x,
 * typically much louder than the probe: a single-input NLMS (as identifySecondaryPathOffline, which assumes a quiet
 * room) sees d as measurement noise and its estimate is poor. This is the two-channel form (a joint Wiener problem,
 * cf. Kuo & Morgan 1996, §3.3.3 and the "overall modelling" of Zhang, Lan & Ser 2001):
 *
 *     ê(n) = aᵀv(n) + bᵀx(n),   r(n) = e(n) − ê(n)
 *     a ← a + μ·r(n)·v(n) / (δ + ‖v(n)‖²)        (a → Ŝ, M taps)
 *     b ← b + μ·r(n)·x(n) / (δ + ‖x(n)‖²)        (b → the reference's path to the error mic, K taps)
 *
 * Each channel is normalised by its own power so the quiet probe is not starved by the loud reference; with
 * μ ≤ 0.5 per channel the sum of the normalised steps stays below 2. Since v is white and independent of x, a
 * converges to S even where b has not (fully) captured P; b only removes the noise that would otherwise swamp it.
 *
 * Runs on the WASM SIMD kernel (assembly/joint.ts) where available, else on the scalar reference kernel; both share
 * one memory layout (kernels/joint-layout.ts), so snapshots move between them.
 */
import type { KernelName } from '../controller.js';
import { JOINT_SCALAR_COUNT, jointLayout, type JointLayout, JointScalar, MAX_JOINT_BLOCK } from '../kernels/joint-layout.js';
import { jointBlockScalar } from '../kernels/joint-scalar.js';
import { instantiateKernel, type JointWasmExports, jointWasmModule } from '../kernels/wasm.js';
import { SnapshotReader, SnapshotWriter } from '../snapshot.js';

const REGULARIZATION_PER_TAP = 1e-6;
const KIND = 'joint-identifier';

export interface JointIdentifierOptions {
  /** Taps of a (→ Ŝ). */
  probeTaps: number;
  /** Taps of b (the reference's path to the error microphone). */
  referenceTaps: number;
  /** μ per channel; 0 freezes the weights. */
  stepSize: number;
  /** 'scalar' forces the plain TypeScript kernel (default: WASM SIMD where available). */
  kernel?: KernelName;
}

export class JointIdentifier {
  readonly kernel: KernelName;
  readonly probeTaps: number;
  readonly referenceTaps: number;
  private readonly layout: JointLayout;
  private readonly wasm: JointWasmExports | null;
  private readonly heap: Float32Array;
  private readonly scalars: Float64Array;

  constructor(options: JointIdentifierOptions) {
    const { probeTaps, referenceTaps } = options;
    if (!Number.isInteger(probeTaps) || probeTaps < 1 || !Number.isInteger(referenceTaps) || referenceTaps < 1) {
      throw new RangeError(`probeTaps and referenceTaps must be integers ≥ 1, got ${probeTaps} and ${referenceTaps}`);
    }
    this.probeTaps = probeTaps;
    this.referenceTaps = referenceTaps;
    this.layout = jointLayout(probeTaps, referenceTaps);
    const module = options.kernel === 'scalar' ? null : jointWasmModule();
    let buffer: ArrayBuffer;
    if (module) {
      const memory = new WebAssembly.Memory({ initial: Math.ceil(this.layout.bytes / 65536) });
      this.wasm = instantiateKernel<JointWasmExports>(module, memory);
      buffer = memory.buffer;
      this.kernel = 'wasm-simd';
    } else {
      this.wasm = null;
      buffer = new ArrayBuffer(this.layout.bytes);
      this.kernel = 'scalar';
    }
    this.heap = new Float32Array(buffer, 0, this.layout.bytes >> 2);
    this.scalars = new Float64Array(buffer, this.layout.scalars, JOINT_SCALAR_COUNT);
    this.scalars[JointScalar.ProbeRegularization] = REGULARIZATION_PER_TAP * probeTaps;
    this.scalars[JointScalar.ReferenceRegularization] = REGULARIZATION_PER_TAP * referenceTaps;
    this.stepSize = options.stepSize;
  }

  get stepSize(): number {
    return this.scalars[JointScalar.StepSize];
  }

  set stepSize(value: number) {
    if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`stepSize must be a finite number ≥ 0, got ${value}`);
    this.scalars[JointScalar.StepSize] = value;
  }

  /** One block: probe v and reference x emitted/captured at the instants of error e; writes the residual r = e − ê. */
  filter(probe: Float32Array, reference: Float32Array, error: Float32Array, residual: Float32Array): void {
    const n = error.length;
    if (probe.length !== n || reference.length !== n || residual.length !== n) {
      throw new RangeError(`probe, reference, error and residual must have equal lengths (${probe.length}, ${reference.length}, ${n}, ${residual.length})`);
    }
    const layout = this.layout;
    const heap = this.heap;
    for (let start = 0; start < n; start += MAX_JOINT_BLOCK) {
      const count = Math.min(MAX_JOINT_BLOCK, n - start);
      heap.set(probe.subarray(start, start + count), layout.probe >> 2);
      heap.set(reference.subarray(start, start + count), layout.reference >> 2);
      heap.set(error.subarray(start, start + count), layout.error >> 2);
      if (this.wasm) {
        this.wasm.jointBlock(
          layout.scalars, layout.probeWeights, layout.referenceWeights, layout.probeHistory, layout.referenceHistory,
          layout.probe, layout.reference, layout.error, layout.residual, layout.probeTaps, layout.referenceTaps, count,
        );
      } else {
        jointBlockScalar(heap, this.scalars, layout, count);
      }
      residual.set(heap.subarray(layout.residual >> 2, (layout.residual >> 2) + count), start);
    }
  }

  /** The secondary-path estimate Ŝ = a (a copy). */
  estimate(): Float32Array {
    return this.region(this.layout.probeWeights, this.probeTaps).slice();
  }

  snapshot(): Uint8Array {
    const writer = new SnapshotWriter(KIND)
      .addNumbers('shape', [this.probeTaps, this.referenceTaps])
      .add('scalars', this.scalars);
    for (const [name, region] of this.regions()) writer.add(name, region);
    return writer.finish();
  }

  /** Restores a snapshot of an identifier of the same shape; a bad snapshot throws and leaves this one untouched. */
  restore(snapshot: Uint8Array): void {
    const reader = new SnapshotReader(snapshot, KIND);
    const shape = reader.numbers('shape', 2);
    if (shape[0] !== this.probeTaps || shape[1] !== this.referenceTaps) {
      throw new RangeError(`snapshot is of a ${shape[0]} + ${shape[1]}-tap identifier; this one has ${this.probeTaps} + ${this.referenceTaps}`);
    }
    const scalars = reader.numbers('scalars', JOINT_SCALAR_COUNT);
    const staged = this.regions().map(([name, region]) => {
      const copy = new Float32Array(region.length);
      reader.read(name, copy);
      return [region, copy] as const;
    });
    for (const [region, copy] of staged) region.set(copy);
    this.scalars.set(scalars);
  }

  private regions(): [string, Float32Array][] {
    const { layout, probeTaps: M, referenceTaps: K } = this;
    return [
      ['probeWeights', this.region(layout.probeWeights, M)],
      ['referenceWeights', this.region(layout.referenceWeights, K)],
      ['probeHistory', this.region(layout.probeHistory, 2 * M)],
      ['referenceHistory', this.region(layout.referenceHistory, 2 * K)],
    ];
  }

  private region(offset: number, length: number): Float32Array {
    return new Float32Array(this.heap.buffer, offset, length);
  }
}

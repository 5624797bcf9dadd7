/**
 * FxLMS and FxNLMS feedforward ANC controllers (Burgess 1981, Widrow et al. 1981; Kuo & Morgan, "Active Noise
 * Control Systems", 1996, ch. 3). FxNLMS normalises the step by the power of the filtered reference, regularised
 * so that a band where Ŝ has little gain cannot blow the step up, with optional leakage to keep W bounded where S
 * cannot be driven (below a loudspeaker's range).
 *
 * State lives in one block of memory laid out by kernels/fxlms-layout.ts: an ArrayBuffer for the reference scalar
 * kernel, or the linear memory of a WASM SIMD instance owned by this controller.
 */
import type { Controller, ControllerHealth, ControllerOptions, KernelName } from '../controller.js';
import { copySanitized, DEFAULT_OUTPUT_LIMIT, DivergenceRecovery, isBounded } from '../guard.js';
import { SnapshotReader, SnapshotWriter } from '../snapshot.js';
import { fxlmsLayout, type FxlmsLayout, MAX_KERNEL_BLOCK, Scalar, SCALAR_COUNT } from '../kernels/fxlms-layout.js';
import { fxlmsBlockScalar } from '../kernels/fxlms-scalar.js';
import { type FxlmsWasmExports, fxlmsWasmModule, instantiateKernel } from '../kernels/wasm.js';
import { pathDelaySamples } from '../metrics/causality.js';
import { validateControllerOptions } from './validate.js';

/**
 * Defaults chosen on recordings the controllers were not tuned for (docs/eval-anc.md); units in ControllerOptions.
 * The FxNLMS step size is the largest of these only when Ŝ is short; see defaultFxnlmsStepSize.
 */
export const FXNLMS_DEFAULTS = { stepSize: 0.2, leakage: 1e-6, regularization: 1e-6, referenceRegularization: 0.1 } as const;
export const FXLMS_DEFAULTS = { stepSize: 1e-3, leakage: 0, regularization: 0, referenceRegularization: 0 } as const;

/**
 * Default FxNLMS step for a given Ŝ. The delay Δ of the secondary path limits the stable step: the update acts on
 * an error that is Δ samples old, and for coloured noise the dominant mode then oscillates once μ·Δ·(λmax/Σλ)
 * approaches 1 (Elliott, "Signal Processing for Active Control", 2001, §3.4). Measured on the SFANC paths
 * (Δ ≈ 129), the Sugiura paths (Δ ≈ 5) and engine harmonics behind a 37-sample loop: μ = min(0.2, 1/(Δ + 1)).
 */
export function defaultFxnlmsStepSize(secondaryPathEstimate: Float32Array): number {
  return Math.min(FXNLMS_DEFAULTS.stepSize, 1 / (pathDelaySamples(secondaryPathEstimate) + 1));
}

export class FilteredXLms implements Controller {
  readonly algorithm: 'fxlms' | 'fxnlms';
  readonly taps: number;
  readonly kernel: KernelName;
  readonly blockSize = 1;

  private readonly layout: FxlmsLayout;
  private readonly heap: Float32Array;
  private readonly scalars: Float64Array;
  private readonly w: Float32Array;
  private readonly secondaryPath: Float32Array;
  private readonly wasm: FxlmsWasmExports | null;
  private readonly recovery: DivergenceRecovery;
  private readonly outputLimit: number;
  private readonly leakage: number;
  private readonly referenceRegularization: number;
  private configuredStepSize: number;
  private nonFiniteInputs = 0;
  private samples = 0;

  constructor(options: ControllerOptions, normalized: boolean) {
    validateControllerOptions(options);
    const defaults = normalized ? FXNLMS_DEFAULTS : FXLMS_DEFAULTS;
    this.algorithm = normalized ? 'fxnlms' : 'fxlms';
    this.taps = options.taps;
    this.layout = fxlmsLayout(options.taps, options.secondaryPathEstimate.length);
    this.outputLimit = options.outputLimit ?? DEFAULT_OUTPUT_LIMIT;
    this.leakage = options.leakage ?? defaults.leakage;
    this.referenceRegularization = options.referenceRegularization ?? defaults.referenceRegularization;
    this.configuredStepSize =
      options.stepSize ?? (normalized ? defaultFxnlmsStepSize(options.secondaryPathEstimate) : defaults.stepSize);

    const module = options.kernel === 'scalar' ? null : fxlmsWasmModule();
    let buffer: ArrayBuffer;
    if (module) {
      const memory = new WebAssembly.Memory({ initial: Math.ceil(this.layout.bytes / 65536) });
      this.wasm = instantiateKernel<FxlmsWasmExports>(module, memory);
      buffer = memory.buffer;
      this.kernel = 'wasm-simd';
    } else {
      this.wasm = null;
      buffer = new ArrayBuffer(this.layout.bytes);
      this.kernel = 'scalar';
    }
    this.heap = new Float32Array(buffer, 0, this.layout.bytes >> 2);
    this.scalars = new Float64Array(buffer, this.layout.scalars, SCALAR_COUNT);
    this.w = new Float32Array(buffer, this.layout.weights, this.taps);
    this.secondaryPath = new Float32Array(buffer, this.layout.secondaryPath, this.layout.secondaryTaps);
    this.recovery = new DivergenceRecovery(this.taps);

    this.setSecondaryPathEstimate(options.secondaryPathEstimate);
    this.scalars[Scalar.Normalized] = normalized ? 1 : 0;
    this.scalars[Scalar.Regularization] = (options.regularization ?? defaults.regularization) * this.taps;
    this.applyStepSize(this.configuredStepSize);
  }

  get stepSize(): number {
    return this.scalars[Scalar.StepSize];
  }

  set stepSize(value: number) {
    if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`stepSize must be a positive number, got ${value}`);
    this.configuredStepSize = value;
    this.applyStepSize(value);
  }

  get health(): ControllerHealth {
    return { divergences: this.recovery.divergences, nonFiniteInputs: this.nonFiniteInputs, samples: this.samples };
  }

  process(reference: Float32Array, error: Float32Array, antiNoise: Float32Array): void {
    if (reference.length !== error.length || reference.length !== antiNoise.length) {
      throw new RangeError(`reference, error and antiNoise must have equal lengths (${reference.length}, ${error.length}, ${antiNoise.length})`);
    }
    const layout = this.layout;
    const heap = this.heap;
    for (let start = 0; start < reference.length; start += MAX_KERNEL_BLOCK) {
      const n = Math.min(MAX_KERNEL_BLOCK, reference.length - start);
      this.nonFiniteInputs += copySanitized(reference, heap, layout.reference >> 2, start, n);
      this.nonFiniteInputs += copySanitized(error, heap, layout.error >> 2, start, n);
      // Until the x' window has filled once, ‖x'‖² understates the power and the normalised step would be huge:
      // listen without adapting for the first L samples.
      const warmingUp = this.samples < this.taps;
      if (warmingUp) this.scalars[Scalar.StepSize] = 0;
      if (this.wasm) {
        this.wasm.fxlmsBlock(
          layout.scalars, layout.weights, layout.secondaryPath, layout.referenceHistory, layout.filteredHistory,
          layout.reference, layout.error, layout.antiNoise,
          layout.taps, layout.secondaryTaps, layout.historyLength, layout.filteredHistoryLength, n,
        );
      } else {
        fxlmsBlockScalar(heap, this.scalars, layout, n);
      }
      if (warmingUp) this.applyStepSize(this.configuredStepSize);
      for (let i = 0, from = layout.antiNoise >> 2; i < n; i++) antiNoise[start + i] = heap[from + i];
      if (isBounded(antiNoise, this.outputLimit, start, start + n)) {
        this.recovery.healthy(this.w);
      } else {
        const out = antiNoise.subarray(start, start + n);
        this.applyStepSize(this.recovery.diverged(this.w, out, this.stepSize, this.configuredStepSize));
        this.recomputePowers();
      }
      this.samples += n;
    }
  }

  weights(): Float32Array {
    return this.w.slice();
  }

  setWeights(weights: Float32Array): void {
    if (weights.length !== this.taps) throw new RangeError(`expected ${this.taps} weights, got ${weights.length}`);
    if (!isBounded(weights, Number.MAX_VALUE)) throw new RangeError('weights must be finite');
    this.w.set(weights);
    this.recovery.checkpoint.set(weights);
  }

  setSecondaryPathEstimate(estimate: Float32Array): void {
    if (estimate.length !== this.layout.secondaryTaps) {
      throw new RangeError(`expected a ${this.layout.secondaryTaps}-tap secondary-path estimate, got ${estimate.length}`);
    }
    if (!isBounded(estimate, Number.MAX_VALUE)) throw new RangeError('secondary-path estimate must be finite');
    this.secondaryPath.set(estimate);
    let energy = 0;
    for (let j = 0; j < estimate.length; j++) energy += estimate[j] * estimate[j];
    this.scalars[Scalar.ReferencePowerWeight] = this.referenceRegularization * energy;
    this.findSecondaryPathStart();
  }

  snapshot(): Uint8Array {
    const layout = this.layout;
    const buffer = this.heap.buffer;
    return new SnapshotWriter(`${this.algorithm}-controller`)
      .addNumbers('shape', [layout.taps, layout.secondaryTaps])
      .add('scalars', this.scalars)
      .add('weights', this.w)
      .add('secondaryPath', this.secondaryPath)
      .add('referenceHistory', new Float32Array(buffer, layout.referenceHistory, 2 * layout.historyLength))
      .add('filteredHistory', new Float32Array(buffer, layout.filteredHistory, 2 * layout.filteredHistoryLength))
      .add('checkpoint', this.recovery.checkpoint)
      .addNumbers('counters', [...this.recovery.counters(), this.nonFiniteInputs, this.samples, this.configuredStepSize])
      .finish();
  }

  restore(snapshot: Uint8Array): void {
    const layout = this.layout;
    const buffer = this.heap.buffer;
    const reader = new SnapshotReader(snapshot, `${this.algorithm}-controller`);
    const shape = reader.numbers('shape', 2);
    if (shape[0] !== layout.taps || shape[1] !== layout.secondaryTaps) {
      throw new RangeError(`snapshot is of a ${shape[0]}-tap controller with a ${shape[1]}-tap Ŝ; this one has ${layout.taps} and ${layout.secondaryTaps}`);
    }
    // Read everything before writing anything, so a bad snapshot leaves the controller untouched.
    const counters = reader.numbers('counters', 5);
    const scalars = reader.numbers('scalars', SCALAR_COUNT);
    const fields: [string, Float32Array][] = [
      ['weights', this.w],
      ['secondaryPath', this.secondaryPath],
      ['referenceHistory', new Float32Array(buffer, layout.referenceHistory, 2 * layout.historyLength)],
      ['filteredHistory', new Float32Array(buffer, layout.filteredHistory, 2 * layout.filteredHistoryLength)],
      ['checkpoint', this.recovery.checkpoint],
    ];
    const staged = fields.map(([name, target]) => {
      const copy = new Float32Array(target.length);
      reader.read(name, copy);
      return copy;
    });
    fields.forEach(([, target], i) => target.set(staged[i]));
    this.scalars.set(scalars);
    this.findSecondaryPathStart(); // from the restored ŝ: a snapshot's own value is never trusted as an offset
    this.recovery.restoreCounters(counters);
    this.nonFiniteInputs = counters[2];
    this.samples = counters[3];
    this.configuredStepSize = counters[4];
  }

  /** Scalar.SecondaryPathStart from ŝ: the x' dot product skips ŝ's leading zeros (the playout delay, mostly). */
  private findSecondaryPathStart(): void {
    const s = this.secondaryPath;
    let zeros = 0;
    while (zeros < s.length && s[zeros] === 0) zeros++;
    this.scalars[Scalar.SecondaryPathStart] = zeros & ~3;
  }

  reset(): void {
    const layout = this.layout;
    const buffer = this.heap.buffer;
    this.w.fill(0);
    new Float32Array(buffer, layout.referenceHistory, 2 * layout.historyLength).fill(0);
    new Float32Array(buffer, layout.filteredHistory, 2 * layout.filteredHistoryLength).fill(0);
    this.scalars[Scalar.ReferencePos] = 0;
    this.scalars[Scalar.FilteredPos] = 0;
    this.scalars[Scalar.FilteredPower] = 0;
    this.scalars[Scalar.ReferencePower] = 0;
    this.recovery.reset();
    this.nonFiniteInputs = 0;
    this.samples = 0;
    this.applyStepSize(this.configuredStepSize);
  }

  private applyStepSize(stepSize: number): void {
    this.scalars[Scalar.StepSize] = stepSize;
    this.scalars[Scalar.LeakFactor] = 1 - stepSize * this.leakage;
  }

  /** Exact window powers, after a recovery reset the running sums' context. */
  private recomputePowers(): void {
    const window = (start: number): number => {
      let power = 0;
      for (let j = 0; j < this.taps; j++) power += this.heap[start + j] ** 2;
      return power;
    };
    this.scalars[Scalar.FilteredPower] = window((this.layout.filteredHistory >> 2) + this.scalars[Scalar.FilteredPos]);
    this.scalars[Scalar.ReferencePower] = window((this.layout.referenceHistory >> 2) + this.scalars[Scalar.ReferencePos]);
  }
}

/**
 * The filtered-x PartitionedCore (./partitioned-core.ts, the reference) on the WASM SIMD kernel
 * ../../assembly/partitioned.ts: same algorithm, same schedule, same normalisation, but float32 spectra in the linear
 * memory of a WebAssembly instance this core owns (layout: ../kernels/partitioned-layout.ts) and every per-block step
 * — the 2B-point FFTs, the partitioned sums Y = Σ_p W_p·X_{k−p} and X' = Σ_q Ŝ_q·X_{k−q}, the power smoothing, the
 * update W_p += conj(R_{k−p})·G and the constraint — in f32x4 lanes. Ring heads, the power weight and the constraint
 * cursor stay here, in TypeScript, as in the reference.
 *
 * Weight and Ŝ transforms outside the block loop (setKernel, readWeights, writeWeights: rare) use the float64 RealFft.
 * Snapshots hold the float32 state: they restore bit-identically into a core of the same kernel, and are refused by
 * the float64 reference core (and the other way round).
 */
import { isBounded } from '../guard.js';
import { RealFft } from '../fft.js';
import type { SnapshotReader, SnapshotWriter } from '../snapshot.js';
import { partitionedLayout, type PartitionedLayout, POINTERS_OFFSET, SIZES_OFFSET, writePartitionedTables } from '../kernels/partitioned-layout.js';
import { instantiateKernel, type PartitionedWasmExports } from '../kernels/wasm.js';
import { readFieldsAtomically } from './fdaf-state.js';
import type { PartitionConstraint } from './partitioned-core.js';

const POWER_SMOOTHING_RATE = 0.35;
const MIN_NORMALIZER = 1e-30;
const CONSTRAINT_CODES: readonly PartitionConstraint[] = ['all', 'aumdf', 'round-robin'];
/** The kernel's FFT needs B ≥ 4 (a radix-4 first pass); smaller blocks use the reference core. */
export const MIN_SIMD_BLOCK_SIZE = 4;

export interface PartitionedSimdCoreOptions {
  taps: number;
  blockSize: number;
  kernel: Float32Array;
  constraint?: PartitionConstraint;
  referenceRegularization?: number;
  module: WebAssembly.Module;
}

export class PartitionedSimdCore {
  readonly kernelName = 'wasm-simd' as const;
  readonly taps: number;
  readonly blockSize: number;
  readonly bins: number;
  readonly partitions: number;
  readonly kernelPartitions: number;
  readonly kernelLength: number;
  readonly constraint: PartitionConstraint;
  readonly powerSmoothing: number;
  readonly referenceRegularization: number;

  private readonly layout: PartitionedLayout;
  private readonly wasm: PartitionedWasmExports;
  private readonly fft: RealFft;
  private readonly depth: number;
  private readonly source: Float32Array;
  private readonly output: Float32Array;
  private readonly inputWindow: Float32Array;
  private readonly filteredWindow: Float32Array;
  private readonly inputRe: Float32Array;
  private readonly inputIm: Float32Array;
  private readonly kernelRe: Float32Array;
  private readonly kernelIm: Float32Array;
  private readonly regressorRe: Float32Array;
  private readonly regressorIm: Float32Array;
  private readonly weightRe: Float32Array;
  private readonly weightIm: Float32Array;
  private readonly power: Float32Array;
  private readonly inputPower: Float32Array;
  private readonly time: Float64Array;
  private inputHead = 0;
  private regressorHead = 0;
  private powerWeight = 0;
  private inputPowerWeight = 0;
  private constraintCursor: number;
  private kernelStart = 0;

  constructor(options: PartitionedSimdCoreOptions) {
    const { taps, blockSize, kernel, constraint = 'aumdf', referenceRegularization = 0 } = options;
    if (blockSize < MIN_SIMD_BLOCK_SIZE) throw new RangeError(`the WASM SIMD partitioned core needs blockSize ≥ ${MIN_SIMD_BLOCK_SIZE}`);
    this.taps = taps;
    this.blockSize = blockSize;
    this.bins = blockSize + 1;
    this.kernelLength = kernel.length;
    this.referenceRegularization = referenceRegularization;
    const layout = partitionedLayout(taps, blockSize, kernel.length);
    this.layout = layout;
    this.partitions = layout.partitions;
    this.kernelPartitions = layout.kernelPartitions;
    this.depth = layout.depth;
    this.constraint = this.partitions === 1 ? 'all' : constraint;
    this.constraintCursor = this.firstCursor();
    this.powerSmoothing = Math.max(0, 1 - POWER_SMOOTHING_RATE / this.partitions);
    this.fft = new RealFft(2 * blockSize);
    this.time = new Float64Array(2 * blockSize);

    const memory = new WebAssembly.Memory({ initial: Math.ceil(layout.bytes / 65536) });
    this.wasm = instantiateKernel<PartitionedWasmExports>(options.module, memory);
    const buffer = memory.buffer;
    writePartitionedTables(buffer, layout);
    this.wasm.setup(SIZES_OFFSET, POINTERS_OFFSET);
    const view = (offset: number, length: number): Float32Array => new Float32Array(buffer, offset, length);
    const Kp = layout.paddedBins;
    const B = blockSize;
    this.source = view(layout.source, B);
    this.output = view(layout.output, B);
    this.inputWindow = view(layout.inputWindow, 2 * B);
    this.filteredWindow = view(layout.filteredWindow, 2 * B);
    this.inputRe = view(layout.inputRe, this.depth * Kp);
    this.inputIm = view(layout.inputIm, this.depth * Kp);
    this.kernelRe = view(layout.kernelRe, this.kernelPartitions * Kp);
    this.kernelIm = view(layout.kernelIm, this.kernelPartitions * Kp);
    this.regressorRe = view(layout.regressorRe, this.partitions * Kp);
    this.regressorIm = view(layout.regressorIm, this.partitions * Kp);
    this.weightRe = view(layout.weightRe, this.partitions * Kp);
    this.weightIm = view(layout.weightIm, this.partitions * Kp);
    this.power = view(layout.power, Kp);
    this.inputPower = view(layout.inputPower, Kp);
    this.setKernel(kernel);
  }

  setKernel(kernel: Float32Array): void {
    if (kernel.length !== this.kernelLength) {
      throw new RangeError(`the secondary-path estimate must keep its length ${this.kernelLength}, got ${kernel.length}`);
    }
    const B = this.blockSize;
    const Kp = this.layout.paddedBins;
    const K = this.bins;
    let energy = 0;
    for (let j = 0; j < kernel.length; j++) energy += kernel[j] * kernel[j];
    this.inputPowerWeight = this.referenceRegularization * energy;
    this.kernelStart = this.kernelPartitions;
    for (let q = this.kernelPartitions - 1; q >= 0; q--) {
      for (let j = q * B; j < Math.min((q + 1) * B, this.kernelLength); j++) if (kernel[j] !== 0) this.kernelStart = q;
    }
    for (let q = 0; q < this.kernelPartitions; q++) {
      this.time.fill(0);
      const end = Math.min(B, this.kernelLength - q * B);
      for (let j = 0; j < end; j++) this.time[j] = kernel[q * B + j];
      this.fft.forward(this.time, this.kernelRe.subarray(q * Kp, q * Kp + K), this.kernelIm.subarray(q * Kp, q * Kp + K));
    }
  }

  filterBlock(source: Float32Array, offset: number, output: Float32Array, outOffset: number): void {
    const B = this.blockSize;
    this.source.set(source.subarray(offset, offset + B));
    this.inputHead = this.inputHead + 1 === this.depth ? 0 : this.inputHead + 1;
    this.regressorHead = this.regressorHead + 1 === this.partitions ? 0 : this.regressorHead + 1;
    this.wasm.filterBlock(this.inputHead, this.regressorHead, this.kernelStart);
    output.set(this.output, outOffset);
  }

  adapt(source: Float32Array, offset: number, step: number, leakFactor: number, regularization: number): void {
    this.source.set(source.subarray(offset, offset + this.blockSize));
    const beta = this.powerSmoothing;
    this.powerWeight = beta * this.powerWeight + (1 - beta);
    const powerScale = (0.5 * this.partitions) / this.powerWeight;
    const delta = Math.max(regularization * this.taps, MIN_NORMALIZER);
    let a = -1;
    let b = -1;
    if (this.constraint !== 'all') {
      if (this.constraint === 'aumdf') a = 0;
      b = this.constraintCursor;
      this.constraintCursor = this.constraintCursor + 1 >= this.partitions ? this.firstCursor() : this.constraintCursor + 1;
    }
    this.wasm.adapt(step, leakFactor, delta, beta, powerScale, this.inputPowerWeight, this.inputHead, this.regressorHead, a, b);
    if (this.constraint === 'all') for (let p = 0; p < this.partitions; p++) this.wasm.constrainPartition(p);
  }

  readWeights(target: Float32Array): void {
    const B = this.blockSize;
    const Kp = this.layout.paddedBins;
    const K = this.bins;
    for (let p = 0; p < this.partitions; p++) {
      this.fft.inverse(this.weightRe.subarray(p * Kp, p * Kp + K), this.weightIm.subarray(p * Kp, p * Kp + K), this.time);
      const end = Math.min(B, this.taps - p * B);
      for (let j = 0; j < end; j++) target[p * B + j] = this.time[j];
    }
  }

  writeWeights(source: ArrayLike<number>): void {
    const B = this.blockSize;
    const Kp = this.layout.paddedBins;
    const K = this.bins;
    for (let p = 0; p < this.partitions; p++) {
      this.time.fill(0);
      const end = Math.min(B, this.taps - p * B);
      for (let j = 0; j < end; j++) this.time[j] = source[p * B + j];
      this.fft.forward(this.time, this.weightRe.subarray(p * Kp, p * Kp + K), this.weightIm.subarray(p * Kp, p * Kp + K));
    }
  }

  clearSignals(): void {
    this.inputWindow.fill(0);
    this.inputRe.fill(0);
    this.inputIm.fill(0);
    this.filteredWindow.fill(0);
    this.regressorRe.fill(0);
    this.regressorIm.fill(0);
    if (!isBounded(this.power, Number.MAX_VALUE) || !isBounded(this.inputPower, Number.MAX_VALUE) || !Number.isFinite(this.powerWeight)) {
      this.power.fill(0);
      this.inputPower.fill(0);
      this.powerWeight = 0;
    }
    this.inputHead = 0;
    this.regressorHead = 0;
  }

  reset(): void {
    this.clearSignals();
    this.power.fill(0);
    this.inputPower.fill(0);
    this.powerWeight = 0;
    this.weightRe.fill(0);
    this.weightIm.fill(0);
    this.constraintCursor = this.firstCursor();
  }

  writeState(writer: SnapshotWriter): void {
    writer
      .add('core.inputWindow', this.inputWindow)
      .add('core.inputRe', this.inputRe)
      .add('core.inputIm', this.inputIm)
      .add('core.kernelRe', this.kernelRe)
      .add('core.kernelIm', this.kernelIm)
      .add('core.filteredWindow', this.filteredWindow)
      .add('core.weightRe', this.weightRe)
      .add('core.weightIm', this.weightIm)
      .add('core.power', this.power)
      .add('core.inputPower', this.inputPower)
      .add('core.regressorRe', this.regressorRe)
      .add('core.regressorIm', this.regressorIm)
      .addNumbers('core.shape', [this.taps, this.blockSize, this.kernelLength, CONSTRAINT_CODES.indexOf(this.constraint)])
      .addNumbers('core.counters', [this.inputHead, this.regressorHead, this.powerWeight, this.constraintCursor, this.kernelStart, this.inputPowerWeight]);
  }

  readState(reader: SnapshotReader): void {
    const shape = reader.numbers('core.shape', 4);
    if (shape[0] !== this.taps || shape[1] !== this.blockSize || shape[2] !== this.kernelLength || shape[3] !== CONSTRAINT_CODES.indexOf(this.constraint)) {
      throw new RangeError(
        `snapshot is of a filter with ${shape[0]} taps, block ${shape[1]}, kernel ${shape[2]}; this one has ${this.taps}, ${this.blockSize}, ${this.kernelLength}`,
      );
    }
    const counters = reader.numbers('core.counters', 6);
    readFieldsAtomically(reader, [
      ['core.inputWindow', this.inputWindow],
      ['core.inputRe', this.inputRe],
      ['core.inputIm', this.inputIm],
      ['core.kernelRe', this.kernelRe],
      ['core.kernelIm', this.kernelIm],
      ['core.filteredWindow', this.filteredWindow],
      ['core.weightRe', this.weightRe],
      ['core.weightIm', this.weightIm],
      ['core.power', this.power],
      ['core.inputPower', this.inputPower],
      ['core.regressorRe', this.regressorRe],
      ['core.regressorIm', this.regressorIm],
    ]);
    [this.inputHead, this.regressorHead, this.powerWeight, this.constraintCursor, this.kernelStart, this.inputPowerWeight] = counters;
  }

  private firstCursor(): number {
    return this.constraint === 'aumdf' ? 1 : 0;
  }
}

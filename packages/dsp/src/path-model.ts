/**
 * The secondary-path model of a running ANC session: Ŝ applied to the history of what the loudspeaker played, the
 * internal model of DESIGN.md §1. A session uses it for d̂ = e − Ŝ*q (its NR estimate) and for the control error
 * correction Ŝ*(y_c − q); both are one FIR dot product per output sample over up to M taps, the largest
 * per-frame cost of a session after its controller, so they run in a WASM SIMD kernel (assembly/model.ts) where
 * available and in the scalar reference below otherwise.
 *
 * The histories live in the kernel's memory: `history(i)` hands out the views, and the caller keeps them linear
 * (oldest first, shifted by a frame at a time), as the session does. Ŝ is stored reversed with its leading zeros
 * (the playout delay) cut off the end, so a window of history lines up with it sample for sample.
 */
import type { KernelName } from './controller.js';
import { instantiateKernel, type ModelWasmExports, modelWasmModule } from './kernels/wasm.js';

export interface SecondaryPathModelOptions {
  /** Taps of Ŝ (M). */
  taps: number;
  /** Samples in each history. */
  historyLength: number;
  /** Histories to allocate. */
  histories: number;
  /** Largest block `filter` is asked for. */
  maxBlock: number;
  /** 'scalar' forces the plain TypeScript kernel (default: WASM SIMD where available). */
  kernel?: KernelName;
}

/** Bytes from one region to the next: 16-byte aligned for the SIMD loads. */
const align = (floats: number): number => (floats * 4 + 15) & ~15;

export class SecondaryPathModel {
  readonly kernel: KernelName;
  readonly taps: number;
  private readonly wasm: ModelWasmExports | null;
  private readonly reversed: Float32Array;
  private readonly output: Float32Array;
  private readonly historyViews: Float32Array[] = [];
  /** Leading zero taps of Ŝ: the reversed path's last `lead` entries are zero and are never summed. */
  private lead: number;

  constructor(options: SecondaryPathModelOptions) {
    const { taps, historyLength, histories, maxBlock } = options;
    for (const [name, value] of Object.entries({ taps, historyLength, histories, maxBlock })) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
    }
    this.taps = taps;
    this.lead = taps;
    const bytes = align(taps) + align(maxBlock) + histories * align(historyLength);
    const module = options.kernel === 'scalar' ? null : modelWasmModule();
    let buffer: ArrayBuffer;
    if (module) {
      const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
      this.wasm = instantiateKernel<ModelWasmExports>(module, memory);
      buffer = memory.buffer;
      this.kernel = 'wasm-simd';
    } else {
      this.wasm = null;
      buffer = new ArrayBuffer(bytes);
      this.kernel = 'scalar';
    }
    let at = 0;
    const take = (floats: number): Float32Array => {
      const view = new Float32Array(buffer, at, floats);
      at += align(floats);
      return view;
    };
    this.reversed = take(taps);
    this.output = take(maxBlock);
    for (let i = 0; i < histories; i++) this.historyViews.push(take(historyLength));
  }

  /** History `index`, a view into the kernel's memory. */
  history(index: number): Float32Array {
    const view = this.historyViews[index];
    if (!view) throw new RangeError(`no history ${index} (${this.historyViews.length} allocated)`);
    return view;
  }

  /** Loads Ŝ (taps values, in time order). */
  setPath(path: ArrayLike<number>): void {
    const M = this.taps;
    if (path.length !== M) throw new RangeError(`the path must have ${M} taps, got ${path.length}`);
    for (let k = 0; k < M; k++) this.reversed[k] = path[M - 1 - k];
    let lead = 0;
    while (lead < M && path[lead] === 0) lead++;
    this.lead = lead;
  }

  /** Taps of Ŝ after its leading zeros (the part that is summed). */
  get significantTaps(): number {
    return this.taps - this.lead;
  }

  /**
   * out[i] = Σ_k s[k]·h[start + i + k] for i < out.length, where s is Ŝ reversed (s[k] = Ŝ[M − 1 − k]) and k runs
   * over [max(0, fromBase − i), min(endBase − i, significantTaps)): the window of `history` that starts at `start`
   * for output 0 and slides by one sample per output. Narrower k ranges let the caller skip parts of the history it
   * knows to be zero, or samples an output may not depend on (causality).
   */
  filter(history: number, start: number, out: Float32Array, fromBase = 0, endBase = this.taps + out.length): void {
    const n = out.length;
    const h = this.history(history);
    const endCap = this.taps - this.lead;
    if (n > this.output.length) throw new RangeError(`block of ${n} exceeds maxBlock ${this.output.length}`);
    if (start < 0 || start + Math.min(endBase, n - 1 + endCap) > h.length) throw new RangeError('the window runs past the history');
    if (this.wasm) {
      this.wasm.modelBlock(this.reversed.byteOffset, h.byteOffset + start * 4, this.output.byteOffset, n, fromBase, endBase, endCap);
      out.set(this.output.subarray(0, n));
      return;
    }
    const s = this.reversed;
    for (let i = 0; i < n; i++) {
      const end = Math.min(endBase - i, endCap);
      let acc = 0;
      for (let k = Math.max(0, fromBase - i); k < end; k++) acc += s[k] * h[start + i + k];
      out[i] = acc;
    }
  }
}

/**
 * Streaming FIR filter (direct form, doubled circular history so the window never wraps). Used to model acoustic
 * paths in the simulator; float64 accumulation so the plant is more exact than the controllers it tests.
 */
export class FirFilter {
  readonly taps: Float64Array;
  private readonly history: Float64Array;
  private pos = 0;

  constructor(taps: ArrayLike<number>) {
    if (taps.length === 0) throw new RangeError('an FIR filter needs at least one tap');
    this.taps = Float64Array.from(taps);
    this.history = new Float64Array(2 * taps.length);
  }

  /** Filters one sample. */
  next(x: number): number {
    const L = this.taps.length;
    const p = (this.pos = this.pos === 0 ? L - 1 : this.pos - 1);
    this.history[p] = x;
    this.history[p + L] = x;
    let acc = 0;
    for (let j = 0; j < L; j++) acc += this.taps[j] * this.history[p + j];
    return acc;
  }

  /** Filters a block; input and output may be the same array. */
  process(input: Float32Array, output: Float32Array): void {
    for (let i = 0; i < input.length; i++) output[i] = this.next(input[i]);
  }

  reset(): void {
    this.history.fill(0);
    this.pos = 0;
  }
}

/** Full linear convolution of a whole signal with an FIR (offline helper). */
export function convolve(signal: Float32Array, taps: ArrayLike<number>): Float32Array {
  const filter = new FirFilter(taps);
  const out = new Float32Array(signal.length);
  filter.process(signal, out);
  return out;
}

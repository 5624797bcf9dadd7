/**
 * Band-limited sample-rate conversion by Kaiser-windowed sinc interpolation (J. O. Smith, "Digital Audio Resampling
 * Home Page", CCRMA; Kaiser window design after Kaiser 1974 / Oppenheim & Schafer, Discrete-Time Signal Processing,
 * §7.6).
 *
 * Output sample n sits at input time t = n·from/to and is y[n] = Σ_k x[k]·h(t − k), with h a low-pass windowed sinc
 * whose pass band ends at `passband`·(lower Nyquist) and whose stop band starts exactly at the lower Nyquist, so
 * nothing that would alias (downsampling) or image (upsampling) survives above −`attenuationDb`.
 *
 * When to/from reduces to a fraction L/M with a small L, h is tabulated at exactly the L phases that occur
 * (rational polyphase); otherwise a table of TABLE_PHASES phases is linearly interpolated. Either way the cost is
 * O(output length · taps). Samples outside the input are taken as zero; the kernel is centred, so there is no delay.
 */

export interface ResampleOptions {
  /** Pass-band edge as a fraction of the lower of the two Nyquist frequencies, in (0, 1). Default 0.9. */
  passband?: number;
  /** Stop-band attenuation (and pass-band ripple 10^(−A/20)) of the Kaiser design, in dB. Default 90. */
  attenuationDb?: number;
}

/** Largest rational-polyphase table, in phases, before falling back to the interpolated table. */
const MAX_EXACT_PHASES = 4096;
/** Phases of the interpolated table; linear interpolation between them errs by < −100 dB for the defaults. */
const TABLE_PHASES = 1024;

/** Zeroth-order modified Bessel function of the first kind, by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Tabulates h at `phases` fractional offsets. Row p, column j holds h(p/phases + half − 1 − j), the weight of input
 * sample k0 + 1 − half + j for an output at time k0 + p/phases. One extra row (p = phases) eases interpolation.
 */
function kernelTable(fromRate: number, toRate: number, phases: number, passband: number, attenuationDb: number) {
  // All frequencies in cycles per input sample; the lower Nyquist bounds both pass band and stop band.
  const lowerNyquist = Math.min(fromRate, toRate) / 2 / fromRate;
  const stopEdge = lowerNyquist;
  const passEdge = passband * lowerNyquist;
  const cutoff = (passEdge + stopEdge) / 2;
  const transition = 2 * Math.PI * (stopEdge - passEdge); // rad/sample
  const a = attenuationDb;
  const beta = a > 50 ? 0.1102 * (a - 8.7) : a >= 21 ? 0.5842 * (a - 21) ** 0.4 + 0.07886 * (a - 21) : 0;
  const halfWidth = (a - 7.95) / (2.285 * transition) / 2; // Kaiser's length formula, in input samples
  const half = Math.ceil(halfWidth);
  const taps = 2 * half;
  const table = new Float64Array((phases + 1) * taps);
  const i0Beta = besselI0(beta);
  for (let p = 0; p <= phases; p++) {
    for (let j = 0; j < taps; j++) {
      const tau = p / phases + half - 1 - j;
      const r = tau / halfWidth;
      if (Math.abs(r) >= 1) continue;
      const x = 2 * cutoff * tau;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      table[p * taps + j] = 2 * cutoff * sinc * (besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta);
    }
  }
  return { table, taps, half };
}

/** The kernel design of `options`, defaults filled in and checked. */
function design(options: ResampleOptions): Required<ResampleOptions> {
  const passband = options.passband ?? 0.9;
  const attenuationDb = options.attenuationDb ?? 90;
  if (!(passband > 0 && passband < 1)) throw new RangeError(`passband must be in (0, 1), got ${passband}`);
  if (!(attenuationDb >= 21 && attenuationDb <= 200)) {
    throw new RangeError(`attenuationDb must be in [21, 200], got ${attenuationDb}`);
  }
  return { passband, attenuationDb };
}

/** Resamples `signal` from `fromRate` to `toRate` (Hz); the output has round(n·to/from) samples. */
export function resample(
  signal: Float32Array,
  fromRate: number,
  toRate: number,
  options: ResampleOptions = {},
): Float32Array {
  for (const [name, rate] of [['fromRate', fromRate], ['toRate', toRate]] as const) {
    if (!Number.isFinite(rate) || rate <= 0) throw new RangeError(`${name} must be a positive finite number of Hz, got ${rate}`);
  }
  const { passband, attenuationDb } = design(options);
  if (fromRate === toRate) return signal.slice();

  const outLength = Math.round((signal.length * toRate) / fromRate);
  const out = new Float32Array(outLength);
  const n = signal.length;
  const exact = Number.isInteger(fromRate) && Number.isInteger(toRate);
  const divisor = exact ? gcd(fromRate, toRate) : 1;
  const up = toRate / divisor; // L
  const down = fromRate / divisor; // M

  if (exact && up <= MAX_EXACT_PHASES) {
    // Rational polyphase: output n is at k0 + p/L with k0 = ⌊n·M/L⌋, p = n·M mod L, tracked in integers.
    const { table, taps, half } = kernelTable(fromRate, toRate, up, passband, attenuationDb);
    let k0 = 0;
    let p = 0;
    for (let i = 0; i < outLength; i++) {
      const first = k0 + 1 - half;
      const jStart = Math.max(0, -first);
      const jEnd = Math.min(taps, n - first);
      const row = p * taps;
      let acc = 0;
      for (let j = jStart; j < jEnd; j++) acc += signal[first + j] * table[row + j];
      out[i] = acc;
      p += down;
      k0 += Math.floor(p / up);
      p %= up;
    }
    return out;
  }

  const { table, taps, half } = kernelTable(fromRate, toRate, TABLE_PHASES, passband, attenuationDb);
  const step = fromRate / toRate;
  for (let i = 0; i < outLength; i++) {
    const t = i * step;
    const k0 = Math.floor(t);
    const position = (t - k0) * TABLE_PHASES;
    const p = Math.floor(position);
    const w = position - p;
    const first = k0 + 1 - half;
    const jStart = Math.max(0, -first);
    const jEnd = Math.min(taps, n - first);
    const row0 = p * taps;
    const row1 = row0 + taps;
    let acc = 0;
    for (let j = jStart; j < jEnd; j++) {
      const h = table[row0 + j] + w * (table[row1 + j] - table[row0 + j]);
      acc += signal[first + j] * h;
    }
    out[i] = acc;
  }
  return out;
}

/**
 * The same conversion, sample by sample as audio arrives (the offline resample() sees the whole signal): output n
 * is exactly resample()'s sample n, emitted as soon as the last input it needs is in, so the stream lags by
 * `latencyInputSamples` input samples. Rational ratios only (integer rates whose reduced ratio L/M has
 * L ≤ 4096, e.g. 48 kHz ↔ 8, 16, 24, 32 or 44.1 kHz). Allocation-free after construction.
 */
export class StreamResampler {
  /** Input samples between an input sample arriving and the output sample at its time being emitted (half the kernel). */
  readonly latencyInputSamples: number;
  private readonly table: Float32Array;
  private readonly taps: number;
  private readonly up: number;
  private readonly down: number;
  private readonly buffer: Float32Array;
  /** Valid samples in buffer; buffer[0] is input sample `bufferStart` (negative: the zeros before the start). */
  private filled: number;
  private bufferStart: number;
  /** The next output's position k0 + p/L in input samples. */
  private k0 = 0;
  private p = 0;

  /** Why fromRate → toRate cannot be streamed (the ratio is not a small rational), or null. Cheap: no kernel design. */
  static unsupported(fromRate: number, toRate: number): string | null {
    const rational = Number.isInteger(fromRate) && Number.isInteger(toRate) && fromRate > 0 && toRate > 0;
    if (rational && toRate / gcd(fromRate, toRate) <= MAX_EXACT_PHASES) return null;
    return `StreamResampler needs integer rates whose reduced ratio L/M has L ≤ ${MAX_EXACT_PHASES}, got ${fromRate} → ${toRate} Hz`;
  }

  constructor(readonly fromRate: number, readonly toRate: number, readonly maxInput: number, options: ResampleOptions = {}) {
    const problem = StreamResampler.unsupported(fromRate, toRate);
    if (problem !== null) throw new RangeError(problem);
    if (!Number.isInteger(maxInput) || maxInput < 1) throw new RangeError(`maxInput must be a positive integer, got ${maxInput}`);
    const divisor = gcd(fromRate, toRate);
    this.up = toRate / divisor;
    this.down = fromRate / divisor;
    const { passband, attenuationDb } = design(options);
    const { table, taps, half } = kernelTable(fromRate, toRate, this.up, passband, attenuationDb);
    this.table = Float32Array.from(table);
    this.taps = taps;
    this.latencyInputSamples = half;
    this.buffer = new Float32Array(taps + maxInput + 1);
    this.filled = taps;
    this.bufferStart = -taps;
  }

  /** The most output samples process() can write for `inputLength` input samples. */
  maxOutput(inputLength: number): number {
    return Math.ceil(((inputLength + 1) * this.up) / this.down) + 1;
  }

  /** Takes `input` (at most maxInput samples), writes the outputs now complete to `output`; returns their count. */
  process(input: Float32Array, output: Float32Array): number {
    if (input.length > this.maxInput) throw new RangeError(`input of ${input.length} samples exceeds maxInput ${this.maxInput}`);
    const { buffer, table, taps, up, down } = this;
    const half = this.latencyInputSamples;
    buffer.set(input, this.filled);
    this.filled += input.length;
    const available = this.bufferStart + this.filled; // inputs 0 … available − 1 are known
    let written = 0;
    while (this.k0 + half < available) {
      if (written === output.length) throw new RangeError(`output holds ${output.length} samples; use maxOutput(${input.length})`);
      const first = this.k0 + 1 - half - this.bufferStart;
      const row = this.p * taps;
      let acc = 0;
      for (let j = 0; j < taps; j++) acc += buffer[first + j] * table[row + j];
      output[written++] = acc;
      this.p += down;
      this.k0 += Math.floor(this.p / up);
      this.p %= up;
    }
    // Keep what the next output needs: inputs from k0 + 1 − half on.
    const keepFrom = Math.min(this.filled, Math.max(0, this.k0 + 1 - half - this.bufferStart));
    buffer.copyWithin(0, keepFrom, this.filled);
    this.filled -= keepFrom;
    this.bufferStart += keepFrom;
    return written;
  }

  /** Back to the state after construction (a new stream). */
  reset(): void {
    this.buffer.fill(0);
    this.filled = this.taps;
    this.bufferStart = -this.taps;
    this.k0 = 0;
    this.p = 0;
  }
}

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
  const passband = options.passband ?? 0.9;
  const attenuationDb = options.attenuationDb ?? 90;
  if (!(passband > 0 && passband < 1)) throw new RangeError(`passband must be in (0, 1), got ${passband}`);
  if (!(attenuationDb >= 21 && attenuationDb <= 200)) {
    throw new RangeError(`attenuationDb must be in [21, 200], got ${attenuationDb}`);
  }
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

/**
 * How well a signal that went through a channel (a codec, a network, a resampler) matches what was expected: the
 * normalised cross-correlation at the best lag. A channel that only delays and scales gives r = 1 at its delay;
 * noise, distortion and lost stretches lower it; `gain` is the level of `signal` relative to `expected` at that lag.
 */
import { RealFft } from '../fft.js';

export interface AlignedCorrelation {
  /** Normalised cross-correlation, −1…1 (0 when either signal is silent over the overlap). */
  r: number;
  /** Samples by which `signal` lags `expected`. */
  lag: number;
  /** RMS of `signal` / RMS of `expected` over the aligned overlap. */
  gain: number;
}

/** The best r over lags 0…maxLag (signal late). O(n · maxLag): fine for seconds of audio and lags of a few hundred ms. */
export function alignedCorrelation(expected: Float32Array, signal: Float32Array, maxLag: number): AlignedCorrelation {
  let best: AlignedCorrelation = { r: 0, lag: 0, gain: 0 };
  for (let lag = 0; lag <= maxLag && lag < signal.length; lag++) {
    const n = Math.min(expected.length, signal.length - lag);
    let es = 0, ee = 0, ss = 0;
    for (let i = 0; i < n; i++) {
      const e = expected[i], s = signal[i + lag];
      es += e * s;
      ee += e * e;
      ss += s * s;
    }
    const r = ee > 0 && ss > 0 ? es / Math.sqrt(ee * ss) : 0;
    if (r > best.r) best = { r, lag, gain: Math.sqrt(ss / ee) };
  }
  return best;
}

/**
 * The same for one period of periodic signals (e.g. a looped recording heard at an unknown point of its loop):
 * every circular lag 0…N−1 at once, by FFT. Both arrays hold N samples, N a power of two.
 */
export function circularAlignedCorrelation(expected: Float32Array, signal: Float32Array): AlignedCorrelation {
  const n = expected.length;
  if (signal.length !== n) throw new RangeError(`both signals need the same length, got ${n} and ${signal.length}`);
  const fft = new RealFft(n);
  const [er, ei, sr, si] = [0, 0, 0, 0].map(() => new Float64Array(fft.bins));
  fft.forward(expected, er, ei);
  fft.forward(signal, sr, si);
  // conj(E)·S: the correlation of signal against expected at every lag.
  for (let k = 0; k < fft.bins; k++) {
    const re = er[k] * sr[k] + ei[k] * si[k];
    const im = er[k] * si[k] - ei[k] * sr[k];
    sr[k] = re;
    si[k] = im;
  }
  const correlation = new Float64Array(n);
  fft.inverse(sr, si, correlation);
  let lag = 0;
  for (let k = 1; k < n; k++) if (correlation[k] > correlation[lag]) lag = k;
  let ee = 0, ss = 0;
  for (let i = 0; i < n; i++) {
    ee += expected[i] * expected[i];
    ss += signal[i] * signal[i];
  }
  if (ee === 0 || ss === 0) return { r: 0, lag: 0, gain: 0 };
  return { r: correlation[lag] / Math.sqrt(ee * ss), lag, gain: Math.sqrt(ss / ee) };
}

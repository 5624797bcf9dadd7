/**
 * How well a signal that went through a channel (a codec, a network, a resampler) matches what was expected: the
 * normalised cross-correlation at the best lag. A channel that only delays and scales gives r = 1 at its delay;
 * noise, distortion and lost stretches lower it; `gain` is the level of `signal` relative to `expected` at that lag.
 */
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

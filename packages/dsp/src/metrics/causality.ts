/**
 * Causality margin of a feedforward ANC set-up (Kuo & Morgan 1996, §3.3.2; DESIGN.md §1): broadband noise can
 * only be cancelled if the anti-noise reaches the error point before the noise does, i.e. if
 * delay(P) ≥ delay(S) + loop latency. A negative margin leaves only predictable (periodic) noise cancellable.
 *
 * Delay of a measured path = index of its largest |tap|: the direct sound of a room response, or the group delay of
 * a linear-phase FIR (the first of the two equal centre taps for an even length, e.g. 255 for 512 taps).
 */

/** Index of the largest |tap| (the first one on a tie). */
export function pathDelaySamples(taps: ArrayLike<number>): number {
  if (taps.length === 0) throw new RangeError('a path needs at least one tap');
  let peak = 0;
  for (let i = 1; i < taps.length; i++) if (Math.abs(taps[i]) > Math.abs(taps[peak])) peak = i;
  return peak;
}

/** delay(P) − (delay(S) + loopLatencySamples), in samples; ≥ 0 means broadband noise is cancellable. */
export function causalityMarginSamples(
  primary: ArrayLike<number>,
  secondary: ArrayLike<number>,
  loopLatencySamples = 0,
): number {
  return pathDelaySamples(primary) - (pathDelaySamples(secondary) + loopLatencySamples);
}

/** causalityMarginSamples in milliseconds at `sampleRate` Hz (the rate of both paths). */
export function causalityMarginMs(
  primary: ArrayLike<number>,
  secondary: ArrayLike<number>,
  sampleRate: number,
  loopLatencySamples = 0,
): number {
  if (!(Number.isFinite(sampleRate) && sampleRate > 0)) throw new RangeError(`sampleRate must be positive, got ${sampleRate}`);
  return (causalityMarginSamples(primary, secondary, loopLatencySamples) * 1000) / sampleRate;
}

/**
 * Noise-reduction measures of an ANC run (Kuo & Morgan, "Active Noise Control Systems", 1996, §1.4; Elliott,
 * "Signal Processing for Active Control", 2001, §3.3): d is the noise at the error point without control, e the
 * residual with control, NR = 10·log10(Σd² / Σe²) over a window.
 *
 * Conventions, shared by every function here: a window where d is silent has NR 0 dB (nothing to reduce); a window
 * where e is silent but d is not has NR +Infinity (perfect cancellation; clamp it before JSON, which has no
 * Infinity). Sums are accumulated in float64.
 */

/** Σx² over [start, end), in float64. */
export function energy(x: Float32Array, start = 0, end = x.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += x[i] * x[i];
  return sum;
}

/** 10·log10(before/after) for two energies, with the silent-window conventions above. */
export function energyRatioDb(before: number, after: number): number {
  if (before === 0) return 0;
  if (after === 0) return Infinity;
  return 10 * Math.log10(before / after);
}

function checkPair(d: Float32Array, e: Float32Array): void {
  if (d.length !== e.length) throw new RangeError(`d has ${d.length} samples but e has ${e.length}`);
}

function checkSampleRate(sampleRate: number): void {
  if (!(Number.isFinite(sampleRate) && sampleRate > 0)) throw new RangeError(`sampleRate must be positive, got ${sampleRate}`);
}

/** NR in dB of e against d over samples [start, end) (default: all). */
export function noiseReductionDb(d: Float32Array, e: Float32Array, start = 0, end = d.length): number {
  checkPair(d, e);
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= d.length)) {
    throw new RangeError(`window [${start}, ${end}) is not inside [0, ${d.length})`);
  }
  return energyRatioDb(energy(d, start, end), energy(e, start, end));
}

/**
 * NR of each whole second: value i covers samples [round(i·fs), round((i+1)·fs)). A trailing partial second counts
 * only when it lasts at least 0.5 s, so the last value is never dominated by a few samples.
 */
export function perSecondNoiseReductionDb(d: Float32Array, e: Float32Array, sampleRate: number): number[] {
  checkPair(d, e);
  checkSampleRate(sampleRate);
  const result: number[] = [];
  for (let i = 0; ; i++) {
    const start = Math.round(i * sampleRate);
    const end = Math.min(Math.round((i + 1) * sampleRate), d.length);
    if (end <= start || end - start < sampleRate / 2) return result;
    result.push(energyRatioDb(energy(d, start, end), energy(e, start, end)));
  }
}

/**
 * Steady-state NR: the NR over the final min(lastSeconds, half the signal) seconds, so the window never reaches
 * into the first half, where the controller is still converging.
 */
export function steadyStateNrDb(d: Float32Array, e: Float32Array, sampleRate: number, lastSeconds = 5): number {
  checkPair(d, e);
  checkSampleRate(sampleRate);
  if (!(lastSeconds > 0)) throw new RangeError(`lastSeconds must be positive, got ${lastSeconds}`);
  const window = Math.min(Math.round(lastSeconds * sampleRate), Math.floor(d.length / 2));
  return noiseReductionDb(d, e, d.length - window, d.length);
}

export interface ConvergenceOptions {
  /** How far below the steady-state NR still counts as converged, in dB. Default 3. */
  thresholdDb?: number;
  /**
   * Steady-state NR in dB to converge to. Default: the median of the last min(5, ⌈n/2⌉) per-second values, the
   * per-second counterpart of steadyStateNrDb (the median ignores a single odd second).
   */
  steadyStateDb?: number;
}

/**
 * Convergence time in seconds from per-second NR values (perSecondNoiseReductionDb): the end of the first second
 * from which every later second has NR ≥ steady-state NR − thresholdDb. Seconds above the steady state count as
 * converged. Resolution is one second, rounded up: 1 means "converged within the first second".
 *
 * Returns null when there is nothing to converge to or it is never reached: no values, a steady-state NR ≤ 0 dB
 * (the controller does not reduce the noise), or a last second below the threshold.
 */
export function convergenceTimeS(perSecondNrDb: number[], options: ConvergenceOptions = {}): number | null {
  const n = perSecondNrDb.length;
  if (n === 0) return null;
  const thresholdDb = options.thresholdDb ?? 3;
  if (!(thresholdDb >= 0)) throw new RangeError(`thresholdDb must be ≥ 0, got ${thresholdDb}`);
  const tail = perSecondNrDb.slice(n - Math.min(5, Math.ceil(n / 2))).sort((a, b) => a - b);
  const median = tail.length % 2 ? tail[(tail.length - 1) / 2] : (tail[tail.length / 2 - 1] + tail[tail.length / 2]) / 2;
  const steady = options.steadyStateDb ?? median;
  if (!(steady > 0)) return null;
  const target = steady - thresholdDb;
  let first = n;
  while (first > 0 && perSecondNrDb[first - 1] >= target) first--;
  return first === n ? null : first + 1;
}

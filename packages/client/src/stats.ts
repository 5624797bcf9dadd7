/** Latency statistics: percentiles (nearest rank) and a fixed-edge histogram. Browser-safe. */

export interface LatencySummary {
  count: number;
  /** Same unit as the samples (the room reports µs). */
  mean: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of sorted values, p in [0, 100]; NaN for no values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1];
}

export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return {
    count: n,
    mean: n ? sum / n : NaN,
    min: n ? sorted[0] : NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: n ? sorted[n - 1] : NaN,
  };
}

export interface HistogramBin {
  /** Lower edge (inclusive), upper edge (exclusive; Infinity for the last bin). */
  from: number;
  to: number;
  count: number;
}

/** Counts values into [edges[i], edges[i+1]) bins, with an underflow bin from 0 and an overflow bin to Infinity. */
export function histogram(values: ArrayLike<number>, edges: readonly number[]): HistogramBin[] {
  const bounds = [0, ...edges, Infinity];
  const bins: HistogramBin[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) bins.push({ from: bounds[i], to: bounds[i + 1], count: 0 });
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let b = 0;
    while (b + 1 < bins.length && v >= bins[b].to) b++;
    bins[b].count++;
  }
  return bins;
}

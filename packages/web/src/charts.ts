/** uPlot helpers: a time-series chart whose data is a fixed-length window, and a tiny axis-less sparkline. */
import uPlot from 'uplot';

export class WindowChart {
  readonly plot: uPlot;
  private readonly columns: number[][];

  constructor(parent: HTMLElement, title: string, series: { label: string; stroke: string }[], private readonly window = 120, options: { width?: number; height?: number; xLabel?: string; yLabel?: string } = {}) {
    this.columns = [[], ...series.map(() => [])];
    this.plot = new uPlot({
      title, width: options.width ?? 520, height: options.height ?? 220,
      scales: { x: { time: options.xLabel === undefined } },
      axes: [{ label: options.xLabel }, { label: options.yLabel }],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: true }))],
    }, this.columns as uPlot.AlignedData, parent);
  }

  push(x: number, values: (number | null)[]): void {
    this.columns[0].push(x);
    values.forEach((v, i) => this.columns[i + 1].push(v as number));
    if (this.columns[0].length > this.window) for (const c of this.columns) c.shift();
    this.plot.setData(this.columns as uPlot.AlignedData);
  }

  /** Replaces the data (x and one column per series). */
  set(columns: number[][]): void {
    this.columns.splice(0, this.columns.length, ...columns);
    this.plot.setData(this.columns as uPlot.AlignedData);
  }

  destroy(): void {
    this.plot.destroy();
  }
}

export function sparkline(parent: HTMLElement, values: number[]): uPlot {
  const plot = new uPlot({
    width: 140, height: 32, legend: { show: false }, cursor: { show: false }, axes: [{ show: false }, { show: false }],
    scales: { x: { time: false } }, series: [{}, { stroke: '#2f6fde', width: 1.5 }],
  }, [values.map((_, i) => i), values], parent);
  return plot;
}

/**
 * Grouped bars over categories (octave bands): x is the category index, labelled on the axis; bars rise from the
 * bottom of the value scale (levels in dB are negative). Two series sit side by side, one left of the tick, one right.
 */
export class BandChart {
  readonly plot: uPlot;
  private labels: string[] = [];

  constructor(parent: HTMLElement, title: string, series: { label: string; fill: string }[], options: { width?: number; height?: number; xLabel?: string; yLabel?: string } = {}) {
    const size = 0.8 / series.length;
    const bars = uPlot.paths.bars!;
    this.plot = new uPlot({
      title, width: options.width ?? 520, height: options.height ?? 240,
      scales: { x: { time: false, range: (_u, min, max) => [min - 0.6, max + 0.6] } },
      axes: [
        { label: options.xLabel, splits: () => this.labels.map((_, i) => i), values: (_u, splits) => splits.map((i) => this.labels[i] ?? '') },
        { label: options.yLabel },
      ],
      series: [{}, ...series.map((s, i) => ({
        label: s.label, fill: s.fill, stroke: s.fill, width: 0,
        paths: bars({ size: [size, 60], align: (series.length === 1 ? 0 : i === 0 ? -1 : 1) as -1 | 0 | 1 }),
        fillTo: (u: uPlot) => u.scales.y.min ?? 0,
        points: { show: false },
      }))],
    }, [[], ...series.map(() => [])] as unknown as uPlot.AlignedData, parent);
  }

  set(labels: string[], columns: (number | null)[][]): void {
    this.labels = labels;
    this.plot.setData([labels.map((_, i) => i), ...columns] as uPlot.AlignedData);
  }

  destroy(): void {
    this.plot.destroy();
  }
}

/** Lines over a logarithmic frequency axis (spectra). */
export class SpectrumChart {
  readonly plot: uPlot;

  constructor(parent: HTMLElement, title: string, series: { label: string; stroke: string }[], options: { width?: number; height?: number; yLabel?: string } = {}) {
    this.plot = new uPlot({
      title, width: options.width ?? 520, height: options.height ?? 240,
      scales: { x: { time: false, distr: 3, log: 10 } },
      axes: [{ label: 'Hz' }, { label: options.yLabel }],
      series: [{ label: 'Hz', value: (_u, v) => (v == null ? '–' : `${v.toFixed(0)} Hz`) }, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2 }))],
    }, [[], ...series.map(() => [])] as unknown as uPlot.AlignedData, parent);
  }

  set(frequencyHz: number[], columns: (number | null)[][]): void {
    this.plot.setData([frequencyHz, ...columns] as uPlot.AlignedData);
  }

  destroy(): void {
    this.plot.destroy();
  }
}

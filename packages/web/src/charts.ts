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

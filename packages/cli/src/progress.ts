/**
 * A one-line progress bar on stderr. It draws only when stderr is a terminal and the output is not --json, so
 * pipes, logs and tests never see carriage returns.
 */
export class ProgressBar {
  private readonly enabled: boolean;
  private lastDrawn = -1;

  constructor(
    private readonly label: string,
    options: { json?: boolean; stream?: NodeJS.WriteStream } = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.enabled = Boolean(this.stream.isTTY) && !options.json;
  }

  private readonly stream: NodeJS.WriteStream;

  /** Shows `fraction` (0…1) done; redraws at most once per whole percent. */
  update(fraction: number): void {
    if (!this.enabled) return;
    const percent = Math.max(0, Math.min(100, Math.floor(fraction * 100)));
    if (percent === this.lastDrawn) return;
    this.lastDrawn = percent;
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}%`);
  }

  /** Clears the bar's line. */
  done(): void {
    if (!this.enabled || this.lastDrawn < 0) return;
    this.stream.write('\r\x1b[2K');
    this.lastDrawn = -1;
  }
}

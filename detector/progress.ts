/**
 * A progress bar for long jobs (simulate, train, the local pipeline, benchmarks):
 * redrawn in place on a terminal at most 10 times a second, one line per 10 % when
 * the output is a file or CI log. Writes to stderr so stdout stays for results.
 */
export class Progress {
  private done = 0;
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly unit = '',
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  tick(n = 1): void {
    this.done += n;
    const now = Date.now();
    if (this.tty) {
      if (now - this.lastDraw >= 100 || this.done >= this.total) {
        this.lastDraw = now;
        this.stream.write(`\r${this.line(now)}\x1b[K`);
      }
    } else {
      const decile = Math.floor((10 * this.done) / Math.max(1, this.total));
      if (decile > this.lastDecile) {
        this.lastDecile = decile;
        this.stream.write(`${this.line(now)}\n`);
      }
    }
  }

  finish(note = ''): void {
    const seconds = (Date.now() - this.started) / 1000;
    const text = `${this.label}: ${this.done.toLocaleString('en-US')}${this.unit ? ` ${this.unit}` : ''} in ${seconds.toFixed(1)} s${note ? ` · ${note}` : ''}`;
    this.stream.write(this.tty ? `\r${text}\x1b[K\n` : `${text}\n`);
  }

  private line(now: number): string {
    const fraction = Math.min(1, this.done / Math.max(1, this.total));
    const width = 24;
    const filled = Math.round(fraction * width);
    const elapsed = (now - this.started) / 1000;
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : NaN;
    const count = `${this.done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')}${this.unit ? ` ${this.unit}` : ''}`;
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${count} · ${elapsed.toFixed(1)} s${Number.isFinite(eta) ? ` · ETA ${eta.toFixed(0)} s` : ''}`;
  }
}

// A progress bar on stderr for long reads, drawn only when stderr is a terminal.

const BAR_WIDTH = 30;
const REDRAW_MS = 100;
/**
 * A read shorter than this draws nothing, and does not even look at stderr: setting up
 * process.stderr loads Node's stream modules, a cost a short run would see.
 */
const FIRST_DRAW_MS = 500;

export class Progress {
  /** stderr is a terminal (looked up at the first draw) */
  private enabled?: boolean;
  private lastDraw = Date.now() + FIRST_DRAW_MS - REDRAW_MS;
  private drawn = false;

  constructor(private readonly label: string, private readonly totalBytes: number | undefined) {}

  /** Reports how far the read is; draws after half a second of reading, then at most every 100 ms. */
  update(bytes: number, packets: number, matched: number): void {
    const now = Date.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.enabled ??= process.stderr.isTTY === true;
    if (!this.enabled) return;
    const counts = `${packets} packets, ${matched} matched`;
    let line: string;
    if (this.totalBytes) {
      const fraction = Math.min(1, bytes / this.totalBytes);
      const filled = Math.round(fraction * BAR_WIDTH);
      line = `${this.label} [${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${counts}`;
    } else {
      line = `${this.label} ${(bytes / 1e6).toFixed(1)} MB, ${counts}`;
    }
    process.stderr.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  /** Erases the bar. */
  done(): void {
    if (this.drawn) process.stderr.write('\r\x1b[K');
    this.drawn = false;
  }
}

// Where matching packets go: a capture file (-w), lines or JSON on stdout, or only a count (--count).
import { writeSync } from 'node:fs';
import {
  createCaptureWriter, batchTimestamp, PCAP_RECORD_HEADER_BYTES,
  type CaptureBatch, type CapturedPacket, type CaptureWriter,
} from '../capture/index.js';
import type { FilterSet } from '../filter-set.js';
import type { CliOptions } from './args.js';
import { packetJson, packetLine, type PrintablePacket } from './packet-line.js';

/**
 * One short line to stdout, written at once: setting up process.stdout (its stream modules) would cost
 * a --count run a few milliseconds. A reader that went away is ignored, as the stream's EPIPE is.
 */
function printLine(text: string): void {
  try {
    writeSync(1, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN') process.stdout.write(text); // a non-blocking stdout: the stream waits for room
    else if (code !== 'EPIPE') throw e;
  }
}

/** A compiler warning, as the command reports it. */
export function printWarning(text: string): void {
  process.stderr.write(`filter: warning: ${text}\n`);
}

/** What the filters know of the verdicts they gave for the last batch (a FilterSet). */
export type FilteredBatch = Pick<FilterSet, 'matchCount' | 'gatherMatches'>;

export interface BatchProgress {
  /** records of the batch looked at (all of them unless -c stopped early) */
  examined: number;
  /** -c reached, or stdout closed: read no further */
  done: boolean;
  /** the output is full: wait for this before handing it more */
  drained?: Promise<void>;
}

export class MatchOutput {
  matched = 0;
  private writer?: CaptureWriter;
  private stdoutClosed = false;
  private stdoutWatched = false;

  constructor(private readonly opts: CliOptions) {}

  /**
   * process.stdout, first touched when something goes there (opening it loads Node's stream modules,
   * time a run that writes a file does not need).
   */
  private get stdout(): NodeJS.WriteStream {
    if (!this.stdoutWatched) {
      this.stdoutWatched = true;
      // A reader that goes away (`filter ... | head`) ends the run quietly, as SIGPIPE ends tcpdump.
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE') throw e;
        this.stdoutClosed = true;
      });
    }
    return process.stdout;
  }

  /** Handles the matches of one batch (see BatchProgress.drained for when the output can take more). */
  matches(batch: CaptureBatch, verdicts: Uint32Array, filtered?: FilteredBatch): BatchProgress {
    const limit = this.opts.maxMatches ?? Infinity;
    const n = batch.count;
    let i = 0;
    let matched = this.matched;
    let drained: Promise<void> | undefined;
    // The JIT counted the batch's matches: a batch without any, or --count short of -c, needs no loop
    // (a -w file still gets its header from the first batch, as tcpdump's does).
    const count = filtered?.matchCount;
    if (count !== undefined && matched + count < limit && (count === 0 || this.opts.countOnly)) {
      if (this.opts.write !== undefined) this.writer ??= this.openWriter(batch);
      this.matched += count;
      return { examined: n, done: this.stdoutClosed };
    }
    // One loop per kind of output: these run once per packet of the input.
    if (this.opts.write !== undefined) {
      const writer = (this.writer ??= this.openWriter(batch));
      let full = false;
      // Records the file holds as the output wants them go out as they are, gathered by the JIT.
      const gathered = writer.takesAsRead(batch) ? filtered?.gatherMatches(PCAP_RECORD_HEADER_BYTES, 0, limit - matched) : undefined;
      if (gathered) {
        full = !writer.writeAsRead(batch, gathered.bytes);
        matched += gathered.taken;
        i = gathered.next;
      }
      for (; i < n && matched < limit; i++) {
        if (verdicts[i] !== 0) {
          matched++;
          if (!writer.writeBatchRecord(batch, i)) full = true;
        }
      }
      this.matched = matched;
      if (full) drained = writer.drain();
    } else if (this.opts.countOnly) {
      for (; i < n && matched < limit; i++) if (verdicts[i] !== 0) matched++;
      this.matched = matched;
    } else {
      const lines: string[] = [];
      for (; i < n && matched < limit; i++) {
        if (verdicts[i] !== 0) {
          matched++;
          lines.push(this.describe(batch, i));
        }
      }
      this.matched = matched;
      if (lines.length > 0) drained = this.print(`${lines.join('\n')}\n`);
    }
    return { examined: i, done: this.matched >= limit || this.stdoutClosed, drained };
  }

  /**
   * Handles one matching packet of a live capture; the -w file is flushed so that a reader sees complete
   * records. Resolves to true when -c is reached or stdout closed.
   */
  async livePacket(packet: CapturedPacket, snaplen: number): Promise<boolean> {
    this.matched++;
    if (this.opts.write !== undefined) {
      this.writer ??= this.createWriter(this.opts.write, packet.linktype, snaplen, true);
      this.writer.write(packet, snaplen);
      await this.writer.flush();
    } else if (!this.opts.countOnly) {
      await this.print(`${this.format(packet)}\n`);
    }
    return this.matched >= (this.opts.maxMatches ?? Infinity) || this.stdoutClosed;
  }

  private describe(batch: CaptureBatch, i: number): string {
    const offset = batch.offsets[i];
    return this.format({
      linktype: batch.interfaces[batch.interfaceIds[i]].linktype,
      timestamp: batchTimestamp(batch, i),
      wirelen: batch.wirelens[i],
      data: batch.buffer.subarray(offset, offset + batch.caplens[i]),
    });
  }

  private format(packet: PrintablePacket): string {
    return this.opts.json ? packetJson(packet, this.opts.hex) : packetLine(packet, this.opts.hex);
  }

  /** The -w writer for file input, in the precision of the input (microsecond files stay so, like tcpdump). */
  private openWriter(batch: CaptureBatch): CaptureWriter {
    const first = batch.interfaces[0];
    const ts = first.timestamps;
    const nanosecond = ts.kind === 'pcap' ? ts.fractionNs === 1 : ts.unitsPerSecond > 1_000_000n;
    return this.createWriter(this.opts.write!, first.linktype, first.snaplen, nanosecond, first.linktypeExt);
  }

  private createWriter(path: string, linktype: number, snaplen: number, nanosecond: boolean, linktypeExt = 0): CaptureWriter {
    return createCaptureWriter(path === '-' ? this.stdout : path, {
      format: this.opts.pcapng ? 'pcapng' : 'pcap',
      precision: nanosecond ? 'ns' : 'us',
      linktype,
      linktypeExt,
      snaplen,
    });
  }

  /** Writes to stdout; a promise of the moment it takes more when it is full, else undefined. */
  private print(text: string): Promise<void> | undefined {
    if (this.stdoutClosed) return undefined;
    const stdout = this.stdout;
    if (stdout.write(text)) return undefined;
    return new Promise((resolve) => stdout.once('drain', resolve));
  }

  async close(): Promise<void> {
    if (this.opts.write !== undefined && !this.writer) {
      // No packet at all: still write a valid, empty capture file.
      this.writer = this.createWriter(this.opts.write, 1, 262144, false);
    }
    await this.writer?.close();
    if (this.opts.countOnly && !this.stdoutClosed) printLine(`${this.matched} packet${this.matched === 1 ? '' : 's'}\n`);
  }
}

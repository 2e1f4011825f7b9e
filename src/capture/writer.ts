// createCaptureWriter: pcap or pcapng output to a path or a writable stream.
import { type CaptureBatch, batchTimestamp } from './batch.js';
import { ByteSink } from './byte-sink.js';
import { CaptureWriteError } from './errors.js';
import { MAXIMUM_SNAPLEN } from './linktype.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter } from './pcapng-writer.js';
import type { RecordSink } from './record-sink.js';
import type { CapturedPacket, CaptureWriterOptions } from './types.js';

const DLT_EN10MB = 1;

export interface CaptureWriter {
  /**
   * Queues one packet (its first `caplen` bytes of `data`). `snaplen` is the snapshot length recorded for it
   * (pcap: the header's, taken from the first packet; pcapng: one IDB per link type and snaplen); default
   * options.snaplen, else 262144. Returns false when the target is backed up: await drain() before more.
   */
  write(packet: CapturedPacket, snaplen?: number): boolean;
  /** Queues record i of a batch (its interface's link type and snaplen); same return as write(). */
  writeBatchRecord(batch: CaptureBatch, i: number): boolean;
  /**
   * True when the records of this batch, as the file holds them (batch.pcapAsRead), are byte for byte
   * what this writer writes for them: pcap output in the input's time precision and link type.
   */
  takesAsRead(batch: CaptureBatch): boolean;
  /**
   * Queues records of a batch that takesAsRead(), given as they are in the file (headers and data, e.g.
   * the matching ones gathered together); same return as write().
   */
  writeAsRead(batch: CaptureBatch, records: Uint8Array): boolean;
  /** Resolves when the target accepts more data. */
  drain(): Promise<void>;
  /** Hands everything queued to the target and resolves once it is written (the target stays open). */
  flush(): Promise<void>;
  /** Writes everything still queued (a valid empty file if nothing was written) and resolves once it is all
   * written; ends the target unless options.end is false. Rejects with the target's error, if any. */
  close(): Promise<void>;
}

class Writer implements CaptureWriter {
  constructor(
    private readonly sink: ByteSink,
    private readonly format: RecordSink,
    private readonly options: CaptureWriterOptions,
  ) {}

  write(packet: CapturedPacket, snaplen?: number): boolean {
    const { data, caplen } = packet;
    if (caplen > data.length) throw new CaptureWriteError(`packet caplen ${caplen} exceeds its ${data.length} data bytes`);
    this.format.record(
      packet.linktype,
      snaplen ?? this.options.snaplen ?? MAXIMUM_SNAPLEN,
      packet.timestamp,
      packet.wirelen,
      caplen === data.length ? data : data.subarray(0, caplen),
    );
    return !this.sink.full;
  }

  writeBatchRecord(batch: CaptureBatch, i: number): boolean {
    const iface = batch.interfaces[batch.interfaceIds[i]];
    const offset = batch.offsets[i];
    const caplen = batch.caplens[i];
    const ts = iface.timestamps;
    // pcap input: its time fields as they are (no bigint per record; a fraction of a second or more in a
    // damaged file is written back as it is, as tcpdump -w does)
    if (ts.kind === 'pcap') {
      const nanos = batch.tsLow[i] * ts.fractionNs;
      this.format.recordSplit(iface.linktype, iface.snaplen, batch.tsHigh[i], nanos, batch.wirelens[i], batch.buffer, offset, caplen);
    } else {
      const data = batch.buffer.subarray(offset, offset + caplen);
      this.format.record(iface.linktype, iface.snaplen, batchTimestamp(batch, i), batch.wirelens[i], data);
    }
    return !this.sink.full;
  }

  takesAsRead(batch: CaptureBatch): boolean {
    return batch.pcapAsRead && batch.linktype >= 0 && batch.count > 0 && this.format.takesAsRead(batch.interfaces[batch.interfaceIds[0]]);
  }

  writeAsRead(batch: CaptureBatch, records: Uint8Array): boolean {
    if (!this.takesAsRead(batch)) throw new CaptureWriteError('these records are not what this writer writes for them');
    this.format.recordsAsRead(batch.interfaces[batch.interfaceIds[0]], records);
    return !this.sink.full;
  }

  drain(): Promise<void> {
    return this.sink.drain();
  }

  flush(): Promise<void> {
    return this.sink.flush();
  }

  async close(): Promise<void> {
    this.format.finish(this.options.linktype ?? DLT_EN10MB, this.options.snaplen ?? MAXIMUM_SNAPLEN);
    await this.sink.close();
  }
}

// What a writer gathers before a write: a pipe's whole buffer. Bigger chunks save few write calls, and
// cost more than that: each page of a chunk is a page fault the first time it is filled.
const DEFAULT_CHUNK_BYTES = 64 * 1024;

/** A pcap or pcapng writer to a path (created or truncated) or a writable stream. */
export function createCaptureWriter(target: string | NodeJS.WritableStream, options: CaptureWriterOptions): CaptureWriter {
  const sink = new ByteSink(target, options.bufferBytes ?? DEFAULT_CHUNK_BYTES, options.end);
  const nanosecond = (options.precision ?? 'ns') === 'ns';
  const format = options.format === 'pcap' ? new PcapWriter(sink, nanosecond, options.linktypeExt) : new PcapngWriter(sink, nanosecond);
  return new Writer(sink, format, options);
}

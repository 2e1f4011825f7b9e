// What a format writer does with each record; the CaptureWriter front end feeds it.
import type { CaptureInterface } from './types.js';

export interface RecordSink {
  /** Appends one record; `data` holds exactly the captured bytes. */
  record(linktype: number, snaplen: number, timestamp: bigint, wirelen: number, data: Uint8Array): void;
  /**
   * record() of the bytes `source[start, start + caplen)` for a time given as the fields of a pcap
   * record: whole seconds (0 <= seconds < 2^32) and a fraction in nanoseconds (0 <= nanos, beyond a
   * second in a damaged file: pcap output writes it back as it is, as libpcap does). Written without a
   * bigint or a subarray per packet (the -w path runs it for every matching packet).
   */
  recordSplit(
    linktype: number, snaplen: number, seconds: number, nanos: number, wirelen: number,
    source: Uint8Array, start: number, caplen: number,
  ): void;
  /**
   * True when pcap records of this interface as a file holds them (CaptureBatch.pcapAsRead) are byte
   * for byte what this format writes for them: then recordsAsRead() takes them.
   */
  takesAsRead(iface: CaptureInterface): boolean;
  /** Appends whole pcap records (16-byte headers and data) of an interface that takesAsRead(). */
  recordsAsRead(iface: CaptureInterface, records: Uint8Array): void;
  /** Writes whatever a valid file still needs (e.g. a pcap header when no packet came). */
  finish(fallbackLinktype: number, fallbackSnaplen: number): void;
}

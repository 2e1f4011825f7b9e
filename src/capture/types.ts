// Public types of the capture-file reader and writers.
import type { RecordWalk } from './pcap-scan.js';

/** One packet as the library hands it out (readCapture) and takes it in (writers). */
export interface CapturedPacket {
  /** DLT_ value, as pcap_datalink() reports it (the file's LINKTYPE_ value mapped like libpcap does). */
  linktype: number;
  /** Nanoseconds since the epoch. */
  timestamp: bigint;
  /** Bytes present in `data` (after libpcap's cut to the interface snaplen). */
  caplen: number;
  /** Length of the packet on the wire. */
  wirelen: number;
  /**
   * The captured bytes, `data.length === caplen`. From the reader: a copy the caller owns, never the
   * reader's buffer (small packets' copies may share one ArrayBuffer).
   */
  data: Uint8Array;
  /** Index into the reader's interface list (pcap files: always 0; pcapng: IDBs counted from the file start). */
  interface: number;
}

/** What the reader knows about one capture interface (one pcap file header, or one pcapng IDB). */
export interface CaptureInterface {
  format: 'pcap' | 'pcapng';
  /** DLT_ value. */
  linktype: number;
  /** Snapshot length as libpcap adjusts it (0 or over 2^31 - 1 -> the link type's maximum). */
  snaplen: number;
  /**
   * pcap: the bits of the file header's link-type field above the link type (LT_LINKTYPE_EXT: an FCS
   * length), which tcpdump -w writes back; 0 for pcapng.
   */
  linktypeExt: number;
  /** pcapng section (0-based) the IDB belongs to; 0 for pcap. */
  section: number;
  /**
   * The file was written in the other byte order than this host's (libpcap's "swapped"). Filters compiled
   * for it test DLT_NULL-style address families in that order, as libpcap does for a savefile.
   */
  swapped: boolean;
  /**
   * Timestamp encoding of this interface's records. pcap: tsHigh = seconds, tsLow = fraction in
   * `fractionNs`-nanosecond units (1000 or 1). pcapng: tsHigh:tsLow is a 64-bit count of
   * 1/`unitsPerSecond` seconds, plus `offsetSeconds` (if_tsoffset).
   */
  timestamps:
    | { kind: 'pcap'; fractionNs: 1 | 1000 }
    | { kind: 'pcapng'; unitsPerSecond: bigint; offsetSeconds: bigint };
}

/** Options of readCapture / readBatches. */
export interface ReadOptions {
  /** Name used in error messages (default: the path, or 'standard input', or 'stream'). */
  name?: string;
  /**
   * Bytes of file per batch (default 1 MiB, and 64 KiB for the first batch). A batch grows past it only to
   * hold one record bigger than this.
   */
  batchBytes?: number;
}

export interface BatchReadOptions extends ReadOptions {
  /**
   * Returns the memory the next batch is read into; called once per batch, when the previous batch is no
   * longer in use, with the number of bytes needed. It must return a Uint8Array of at least `size` bytes
   * (e.g. a view on WebAssembly memory: records are then read straight into it, and the filter can run on
   * the bytes where they lie). Default: one internal buffer reused for every batch.
   */
  allocate?: (size: number) => Uint8Array;
  /**
   * A record walk over the WebAssembly.Memory a buffer from `allocate` is a view on, if it is one
   * (plainRecordWalk(memory), or one a filter's JIT hosts, which filters as it walks): the reader then
   * walks pcap records in WebAssembly, using the memory past the end of the buffer (whatever there is)
   * as scratch space until the batch is handed out.
   */
  walkOf?: (buffer: Uint8Array) => RecordWalk | undefined;
}

/** Options of createCaptureWriter. */
export interface CaptureWriterOptions {
  format: 'pcap' | 'pcapng';
  /**
   * 'ns' (default): pcap with the nanosecond magic 0xa1b23c4d, pcapng IDBs with if_tsresol=9.
   * 'us': pcap with the microsecond magic 0xa1b2c3d4, pcapng IDBs without if_tsresol (microseconds).
   * Timestamps are truncated to the precision.
   */
  precision?: 'us' | 'ns';
  /** Snapshot length written when a packet comes without one (default 262144). */
  snaplen?: number;
  /** pcap: link type (DLT_) of the file header when close() comes before any packet (default 1, EN10MB). */
  linktype?: number;
  /** pcap: bits written above the link type in the header's link-type field (CaptureInterface.linktypeExt; default 0). */
  linktypeExt?: number;
  /** End the target stream on close() (default true, except for process.stdout and process.stderr). */
  end?: boolean;
  /** Bytes gathered before a write to the target (default 64 KiB). */
  bufferBytes?: number;
}

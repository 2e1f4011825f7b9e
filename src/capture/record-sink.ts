// What a format writer does with each record; the CaptureWriter front end feeds it.

export interface RecordSink {
  /** Appends one record; `data` holds exactly the captured bytes. */
  record(linktype: number, snaplen: number, timestamp: bigint, wirelen: number, data: Uint8Array): void;
  /**
   * record() of the bytes `source[start, start + caplen)` for a time given as whole seconds
   * (0 <= seconds < 2^32) and 0 <= nanos < 1e9: the usual pcap input, written without a bigint or a
   * subarray per packet (the -w path runs it for every matching packet).
   */
  recordSplit(
    linktype: number, snaplen: number, seconds: number, nanos: number, wirelen: number,
    source: Uint8Array, start: number, caplen: number,
  ): void;
  /** Writes whatever a valid file still needs (e.g. a pcap header when no packet came). */
  finish(fallbackLinktype: number, fallbackSnaplen: number): void;
}

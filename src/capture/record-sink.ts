// What a format writer does with each record; the CaptureWriter front end feeds it.

export interface RecordSink {
  /** Appends one record; `data` holds exactly the captured bytes. */
  record(linktype: number, snaplen: number, timestamp: bigint, wirelen: number, data: Uint8Array): void;
  /** Writes whatever a valid file still needs (e.g. a pcap header when no packet came). */
  finish(fallbackLinktype: number, fallbackSnaplen: number): void;
}

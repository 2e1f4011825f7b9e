// Typed errors of the capture reader and writers.

/** A capture file (or stream) that cannot be read further: names the input and the byte offset. */
export class CaptureFormatError extends Error {
  override readonly name = 'CaptureFormatError';
  constructor(
    /** The file name, 'standard input' or the stream's name. */
    readonly file: string,
    /** Offset of the offending structure (in the decompressed bytes for gzip input). */
    readonly offset: number,
    /** What is wrong, without the file name and offset. */
    readonly reason: string,
  ) {
    super(`${file}: ${reason} (at byte offset ${offset})`);
  }
}

/** A packet a writer cannot store (e.g. a second link type in a pcap file), or use after close(). */
export class CaptureWriteError extends Error {
  override readonly name = 'CaptureWriteError';
}

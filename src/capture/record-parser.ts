// The contract between the batch reader and the per-format parsers.
import type { RecordTable } from './batch.js';
import type { RecordWalk } from './pcap-scan.js';

/** Where a parser works: a buffer holding input bytes [0, end), of which buffer[0] is input offset `inputOffset`. */
export interface ScanWindow {
  buffer: Uint8Array;
  view: DataView;
  end: number;
  inputOffset: number;
  /** No input follows `end`: an incomplete structure is an error, not a reason to wait. */
  eof: boolean;
  /** A walk over the WebAssembly memory `buffer` is a view on, if any (a parser may walk records with it). */
  walk?: RecordWalk;
}

export interface RecordParser {
  /**
   * Adds every complete record from `start` on to `table` and returns the offset of the first byte not
   * consumed. Throws CaptureFormatError at the first bad structure; the records added before it are good.
   */
  scan(w: ScanWindow, start: number, table: RecordTable): number;
  /** After scan: bytes needed from the returned offset before the next record can be parsed. */
  readonly need: number;
}

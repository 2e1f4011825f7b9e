// readBatches: the fast path. Input is read in large pieces into one buffer; the format parser records
// where each packet lies; whole records go out as a batch, a record cut by the end of the piece is carried
// to the start of the next one. The loop is written once (batchLoop) for two drivers: readBatches waits
// for any input; readFileBatchesSync reads a regular file without waiting between batches.
import { type CaptureBatch, RecordTable } from './batch.js';
import { openByteSource, openFileSource } from './byte-source.js';
import { CaptureFormatError } from './errors.js';
import { isPcapMagic, PcapParser } from './pcap-parser.js';
import { BLOCK_SHB, PcapngParser } from './pcapng-parser.js';
import type { RecordParser, ScanWindow } from './record-parser.js';
import type { BatchReadOptions } from './types.js';

// 1 MiB: a batch's bytes are still in the CPU cache when the parser and then the filter go over them
// (4 MiB batches filter a large file measurably slower).
export const DEFAULT_BATCH_BYTES = 1024 * 1024;
// Unless the caller sets the batch size, the first batch is small: it is enough to learn the link type (a
// filter compiled for it can then hand out its own memory for the rest, see BatchReadOptions.allocate),
// and its records are parsed while V8 still runs the parser in its slow tiers.
const FIRST_BATCH_BYTES = 64 * 1024;

/** Picks the parser from the first four bytes; undefined when they are no capture magic. */
function parserFor(name: string, head: Uint8Array, length: number): RecordParser | undefined {
  if (length < 4) return undefined;
  const le32 = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
  if (isPcapMagic(le32)) return new PcapParser(name);
  if (le32 === BLOCK_SHB) return new PcapngParser(name);
  return undefined;
}

/** Default allocator: one buffer, replaced only by a bigger one. */
function reusedBuffer(): (size: number) => Uint8Array {
  let buffer = new Uint8Array(0);
  return (size) => (buffer.length >= size ? buffer : (buffer = new Uint8Array(size)));
}

/**
 * Reads a pcap or pcapng file (a path, '-' for standard input, or a readable stream; gzip is detected by
 * its magic) as batches of records. A bad file ends the iteration with a CaptureFormatError, thrown after
 * the batch holding every good record before the fault.
 */
export async function* readBatches(
  input: string | NodeJS.ReadableStream,
  options: BatchReadOptions = {},
): AsyncGenerator<CaptureBatch, void, void> {
  const source = await openByteSource(input, options.name);
  try {
    const loop = batchLoop(source.name, options);
    for (let step = loop.next(0); !step.done;) {
      const s = step.value;
      step = loop.next(s instanceof RecordTable ? (yield s, 0) : await source.read(s.buffer, s.offset, s.length));
    }
  } finally {
    await source.close();
  }
}

/**
 * readBatches() for a regular, uncompressed capture file, read without waiting: no promise between two
 * batches. Undefined for anything else (a FIFO, a device, a gzip file), which readBatches() reads.
 */
export function readFileBatchesSync(path: string, options: BatchReadOptions = {}): Generator<CaptureBatch, void, void> | undefined {
  const source = openFileSource(path, options.name ?? path);
  if (!source) return undefined;
  return (function* () {
    try {
      const loop = batchLoop(source.name, options);
      for (let step = loop.next(0); !step.done;) {
        const s = step.value;
        step = loop.next(s instanceof RecordTable ? (yield s, 0) : source.readSync(s.buffer, s.offset, s.length));
      }
    } finally {
      source.closeSync();
    }
  })();
}

/** What the batch loop asks its driver for: input bytes read into buffer[offset, offset + length). */
interface ReadRequest {
  buffer: Uint8Array;
  offset: number;
  length: number;
}

/**
 * The batch loop: yields a ReadRequest, to be resumed with the number of bytes read (0 at the end of
 * the input, never otherwise), or a batch, to be resumed when the batch is no longer in use.
 */
function* batchLoop(name: string, options: BatchReadOptions): Generator<ReadRequest | RecordTable, void, number> {
  const request: ReadRequest = { buffer: new Uint8Array(0), offset: 0, length: 0 };
  const batchBytes = Math.max(64, options.batchBytes ?? DEFAULT_BATCH_BYTES);
  let nextBatchBytes = options.batchBytes === undefined ? Math.min(batchBytes, FIRST_BATCH_BYTES) : batchBytes;
  const allocate = options.allocate ?? reusedBuffer();
  const table = new RecordTable();
  let parser: RecordParser | undefined;
  let carry = new Uint8Array(0); // bytes of an unfinished record, kept between batches
  let carried = 0;
  let inputOffset = 0; // input offset of the batch buffer's first byte
  let eof = false;
  let yielded = false;

  while (!eof || carried > 0) {
    let need = Math.max(nextBatchBytes, parser ? Math.min(parser.need, 2 * carried) : 0);
    nextBatchBytes = batchBytes;
    let buffer = allocate(need);
    if (buffer.length < need) throw new RangeError(`allocate(${need}) returned only ${buffer.length} bytes`);
    buffer.set(carry.subarray(0, carried), 0);
    let filled = carried;
    let pos = 0;
    let failure: CaptureFormatError | undefined;
    table.reset(buffer, inputOffset);
    for (;;) {
      // Read at least once, then parse what is there; read more only when nothing could be parsed yet.
      while (!eof && filled < need) {
        request.buffer = buffer;
        request.offset = filled;
        request.length = need - filled;
        const n: number = yield request;
        if (n === 0) eof = true;
        filled += n;
        if (n > 0 && (parser === undefined || filled - pos >= parser.need)) break;
      }
      if (!parser) {
        if (filled < 4 && !eof) continue;
        parser = parserFor(name, buffer, filled);
        if (!parser) {
          throw new CaptureFormatError(name, 0, filled < 4 ? `file too short (${filled} bytes) to be a capture` : 'unknown file format: neither pcap nor pcapng');
        }
      }
      const window: ScanWindow = {
        buffer, view: new DataView(buffer.buffer, buffer.byteOffset, filled), end: filled, inputOffset, eof,
        walk: options.walkOf?.(buffer),
      };
      try {
        pos = parser.scan(window, pos, table);
      } catch (e) {
        if (!(e instanceof CaptureFormatError)) throw e;
        failure = e;
      }
      if (failure || table.count > 0 || eof) break;
      if (filled === need) {
        // Not one whole record fits: move to a bigger buffer. It at most doubles at a time, so a length
        // field cut short by the end of the file never costs more memory than twice the bytes present.
        need = Math.max(batchBytes, Math.min(parser.need, 2 * need));
        const unfinished = buffer.slice(pos, filled); // a copy: `allocate` may hand back the same memory
        inputOffset += pos;
        filled -= pos;
        pos = 0;
        buffer = allocate(need);
        if (buffer.length < need) throw new RangeError(`allocate(${need}) returned only ${buffer.length} bytes`);
        buffer.set(unfinished);
        table.reset(buffer, inputOffset);
      }
    }
    table.end = pos;
    carried = filled - pos;
    if (carry.length < carried) carry = new Uint8Array(Math.max(carried, carry.length * 2));
    carry.set(buffer.subarray(pos, filled));
    inputOffset += pos;
    // A capture without packets still yields one (empty) batch, so its interfaces are known.
    if (table.count > 0 || (eof && !yielded && table.interfaces.length > 0)) {
      yielded = true;
      yield table;
    }
    if (failure) throw failure;
    if (eof && carried === 0) return;
    // Unreachable: at the end of input a parser fails on an unfinished record rather than waiting for it.
    if (eof) throw new CaptureFormatError(name, inputOffset, `${carried} unparsed bytes at the end`);
  }
}

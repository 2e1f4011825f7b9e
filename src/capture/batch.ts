// The zero-copy batch: records found in one large buffer, described by parallel typed arrays.
import type { CaptureInterface, CapturedPacket } from './types.js';

/**
 * A run of records read into one buffer. Record i's bytes are
 * `buffer.subarray(offsets[i], offsets[i] + caplens[i])`; nothing is copied per packet.
 *
 * The batch object, its arrays and (with the default allocator) its buffer are reused: a batch is valid
 * until the iterator's next() is called. The arrays may be longer than `count`; only the first `count`
 * entries are meaningful. For a filter run, copying `offsets`, `caplens` and `wirelens` (3 x 4 bytes a
 * record) next to the buffer is all the per-record state needed.
 */
export interface CaptureBatch {
  /** The memory the records were read into (the `allocate` callback's result, or the internal buffer). */
  readonly buffer: Uint8Array;
  readonly count: number;
  /** Offset of each record's first data byte in `buffer`. */
  readonly offsets: Uint32Array;
  /** Captured bytes of each record (already cut to the interface snaplen, as libpcap does). */
  readonly caplens: Uint32Array;
  /** Wire length of each record. */
  readonly wirelens: Uint32Array;
  /** Interface of each record: an index into `interfaces`. */
  readonly interfaceIds: Uint32Array;
  /** Raw timestamp words; see CaptureInterface.timestamps, or use batchTimestamp(). */
  readonly tsHigh: Uint32Array;
  readonly tsLow: Uint32Array;
  /** DLT_ of every record in this batch, or -1 when the batch mixes link types (multi-interface pcapng). */
  readonly linktype: number;
  /** Every interface seen so far in the file (it only grows). */
  readonly interfaces: readonly CaptureInterface[];
  /**
   * Every record is a little-endian pcap record exactly as the file holds it: the
   * PCAP_RECORD_HEADER_BYTES before offsets[i] are its header, saying tsHigh/tsLow/caplens/wirelens as
   * they are here (no length cut or rewritten).
   */
  readonly pcapAsRead: boolean;
  /**
   * Verdicts a record walk gave every record as it read them (a walk that filters, see
   * BatchReadOptions.walkOf); undefined when some record has none.
   */
  readonly walkVerdicts?: WalkVerdicts;
  /** Offset in the (decompressed) input of buffer[0]. */
  readonly inputOffset: number;
  /** Offset in `buffer` just past the last record: the batch covers input [inputOffset, inputOffset + end). */
  readonly end: number;
}

/** The verdicts of a batch's records, given by a record walk that filters (see RecordWalk). */
export interface WalkVerdicts {
  /** who filtered (RecordWalk.filter) */
  readonly by: object;
  /** verdict of record i (the array may be longer than the batch) */
  readonly verdicts: Uint32Array;
  /** how many of them are non-zero */
  readonly matches: number;
}

/** Bytes of a (standard) pcap record header: seconds, fraction, captured length, wire length. */
export const PCAP_RECORD_HEADER_BYTES = 16;

const NS_PER_SECOND = 1_000_000_000n;

// Consecutive packets mostly share their second: keep its nanosecond value.
let cachedSeconds = -1;
let cachedSecondsNs = 0n;

/** Nanoseconds since the epoch of a record given as raw timestamp words of an interface. */
export function timestampNs(iface: CaptureInterface, high: number, low: number): bigint {
  const ts = iface.timestamps;
  if (ts.kind === 'pcap') {
    if (high !== cachedSeconds) {
      cachedSeconds = high;
      cachedSecondsNs = BigInt(high) * NS_PER_SECOND;
    }
    return cachedSecondsNs + BigInt(low * ts.fractionNs);
  }
  const t = (BigInt(high) << 32n) | BigInt(low);
  const units = ts.unitsPerSecond;
  // Seconds and fraction like libpcap (sec = t / resolution + offset); the fraction scaled to ns, rounded down.
  return (t / units + ts.offsetSeconds) * NS_PER_SECOND + ((t % units) * NS_PER_SECOND) / units;
}

/** Nanosecond timestamp of record i. */
export function batchTimestamp(batch: CaptureBatch, i: number): bigint {
  return timestampNs(batch.interfaces[batch.interfaceIds[i]], batch.tsHigh[i], batch.tsLow[i]);
}

// Packet copies are carved out of 64 KiB slabs: one ArrayBuffer per packet costs several times the copy.
// A kept packet keeps at most its slab alive; bigger packets get their own buffer.
const SLAB_BYTES = 64 * 1024;
const OWN_BUFFER_BYTES = 8 * 1024;
let slab = new Uint8Array(0);
let slabUsed = 0;

function copyOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n > OWN_BUFFER_BYTES) return bytes.slice(start, end);
  if (slabUsed + n > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + n);
  out.set(bytes.subarray(start, end));
  slabUsed += (n + 7) & ~7;
  return out;
}

/** Record i as a CapturedPacket with its own copy of the bytes. */
export function batchPacket(batch: CaptureBatch, i: number): CapturedPacket {
  const iface = batch.interfaceIds[i];
  const offset = batch.offsets[i];
  const caplen = batch.caplens[i];
  return {
    linktype: batch.interfaces[iface].linktype,
    timestamp: timestampNs(batch.interfaces[iface], batch.tsHigh[i], batch.tsLow[i]),
    caplen,
    wirelen: batch.wirelens[i],
    data: copyOf(batch.buffer, offset, offset + caplen),
    interface: iface,
  };
}

// Room for a default batch of typical packets (1 MiB of ~130-byte records) from the start: growing to it
// would fill three generations of arrays, each page of them a page fault, to be thrown away.
const INITIAL_RECORDS = 8192;

/** The mutable batch the parsers fill. */
export class RecordTable implements CaptureBatch {
  buffer: Uint8Array = new Uint8Array(0);
  count = 0;
  offsets = new Uint32Array(INITIAL_RECORDS);
  caplens = new Uint32Array(INITIAL_RECORDS);
  wirelens = new Uint32Array(INITIAL_RECORDS);
  interfaceIds = new Uint32Array(INITIAL_RECORDS);
  tsHigh = new Uint32Array(INITIAL_RECORDS);
  tsLow = new Uint32Array(INITIAL_RECORDS);
  linktype = -1;
  interfaces: CaptureInterface[] = [];
  inputOffset = 0;
  end = 0;
  /** set by the pcap parser (see CaptureBatch.pcapAsRead) */
  pcapAsRead = false;
  /** verdicts of records 0..walked.records-1 from a filtering walk; records -1: some record has none */
  private readonly walked = { by: undefined as object | undefined, verdicts: new Uint32Array(INITIAL_RECORDS), matches: 0, records: 0 };

  get walkVerdicts(): WalkVerdicts | undefined {
    const w = this.walked;
    return w.by !== undefined && w.records === this.count ? (w as WalkVerdicts) : undefined;
  }

  reset(buffer: Uint8Array, inputOffset: number): void {
    this.buffer = buffer;
    this.inputOffset = inputOffset;
    this.end = 0;
    this.count = 0;
    this.linktype = -1;
    this.pcapAsRead = false;
    this.walked.by = undefined;
    this.walked.records = 0;
    this.walked.matches = 0;
  }

  /**
   * Records at..at+verdicts.length-1, just added, got `verdicts` from a walk that filters (`by`),
   * `matches` of them non-zero. The batch keeps them only while every record of it has one, from `by`.
   */
  addedWalkVerdicts(by: object, at: number, verdicts: Uint32Array, matches: number): void {
    const w = this.walked;
    if (w.records !== at || (at > 0 && w.by !== by)) {
      w.records = -1;
      return;
    }
    w.by = by;
    w.verdicts.set(verdicts, at);
    w.records = at + verdicts.length;
    w.matches += matches;
  }

  add(offset: number, caplen: number, wirelen: number, iface: number, high: number, low: number): void {
    const n = this.count;
    if (n === this.offsets.length) this.grow();
    this.offsets[n] = offset;
    this.caplens[n] = caplen;
    this.wirelens[n] = wirelen;
    this.interfaceIds[n] = iface;
    this.tsHigh[n] = high;
    this.tsLow[n] = low;
    const lt = this.interfaces[iface].linktype;
    if (n === 0) this.linktype = lt;
    else if (this.linktype !== lt) this.linktype = -1;
    this.count = n + 1;
  }

  /**
   * Room for `total` records in all. A parser that fills the arrays itself (a loop without a call per
   * record) reserves first, then ends its run with addedRun().
   */
  reserve(total: number): void {
    while (this.offsets.length < total) this.grow();
  }

  /** Records count..n-1 were written straight into the arrays; all of them are of interface `iface`. */
  addedRun(n: number, iface: number): void {
    if (n === this.count) return;
    const lt = this.interfaces[iface].linktype;
    if (this.count === 0) this.linktype = lt;
    else if (this.linktype !== lt) this.linktype = -1;
    this.interfaceIds.fill(iface, this.count, n);
    this.count = n;
  }

  private grow(): void {
    const more = (a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.offsets = more(this.offsets);
    this.caplens = more(this.caplens);
    this.wirelens = more(this.wirelens);
    this.interfaceIds = more(this.interfaceIds);
    this.tsHigh = more(this.tsHigh);
    this.tsLow = more(this.tsLow);
    this.walked.verdicts = more(this.walked.verdicts);
  }
}

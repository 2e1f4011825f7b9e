// pcapng writer: one little-endian section, an Interface Description Block per (link type, snaplen) seen,
// Enhanced Packet Blocks with if_tsresol=9 for nanoseconds (microseconds, the default, otherwise).
import type { ByteSink } from './byte-sink.js';
import { CaptureWriteError } from './errors.js';
import { dltToLinktype } from './linktype.js';
import {
  BLOCK_EPB, BLOCK_IDB, BLOCK_SHB, BYTE_ORDER_MAGIC, OPT_ENDOFOPT, OPT_IF_TSRESOL,
} from './pcapng-parser.js';
import type { RecordSink } from './record-sink.js';

const SHB_BYTES = 28;
const EPB_OVERHEAD = 32; // block header 8 + fixed part 20 + trailer 4
const U64 = 1n << 64n;
const NS = 1_000_000_000n;

export class PcapngWriter implements RecordSink {
  private readonly interfaces = new Map<string, number>();
  private started = false;

  constructor(private readonly sink: ByteSink, private readonly nanosecond: boolean) {}

  private sectionHeader(): void {
    const at = this.sink.reserve(SHB_BYTES);
    const v = this.sink.view;
    v.setUint32(at, BLOCK_SHB, true);
    v.setUint32(at + 4, SHB_BYTES, true);
    v.setUint32(at + 8, BYTE_ORDER_MAGIC, true);
    v.setUint16(at + 12, 1, true);
    v.setUint16(at + 14, 0, true);
    v.setBigInt64(at + 16, -1n, true); // section length not given
    v.setUint32(at + 24, SHB_BYTES, true);
    this.started = true;
  }

  private interfaceId(linktype: number, snaplen: number): number {
    const key = `${linktype}/${snaplen}`;
    const known = this.interfaces.get(key);
    if (known !== undefined) return known;
    const fileLinktype = dltToLinktype(linktype);
    if (fileLinktype > 0xffff || fileLinktype < 0) throw new CaptureWriteError(`link type ${linktype} does not fit a pcapng interface`);
    const length = this.nanosecond ? 32 : 20;
    const at = this.sink.reserve(length);
    const v = this.sink.view;
    v.setUint32(at, BLOCK_IDB, true);
    v.setUint32(at + 4, length, true);
    v.setUint16(at + 8, fileLinktype, true);
    v.setUint16(at + 10, 0, true);
    v.setUint32(at + 12, snaplen, true);
    if (this.nanosecond) {
      v.setUint16(at + 16, OPT_IF_TSRESOL, true);
      v.setUint16(at + 18, 1, true);
      v.setUint32(at + 20, 9, true); // value 9 (10^-9) and 3 bytes of padding
      v.setUint16(at + 24, OPT_ENDOFOPT, true);
      v.setUint16(at + 26, 0, true);
    }
    v.setUint32(at + length - 4, length, true);
    const id = this.interfaces.size;
    this.interfaces.set(key, id);
    return id;
  }

  record(linktype: number, snaplen: number, timestamp: bigint, wirelen: number, data: Uint8Array): void {
    if (!this.started) this.sectionHeader();
    const id = this.interfaceId(linktype, snaplen);
    const units = BigInt.asUintN(64, ((this.nanosecond ? timestamp : timestamp / 1000n) % U64 + U64) % U64);
    const padded = (data.length + 3) & ~3;
    const length = EPB_OVERHEAD + padded;
    const at = this.sink.reserve(length);
    const v = this.sink.view;
    v.setUint32(at, BLOCK_EPB, true);
    v.setUint32(at + 4, length, true);
    v.setUint32(at + 8, id, true);
    v.setUint32(at + 12, Number(units >> 32n), true);
    v.setUint32(at + 16, Number(units & 0xffffffffn), true);
    v.setUint32(at + 20, data.length, true);
    v.setUint32(at + 24, wirelen, true);
    const bytes = this.sink.bytes;
    bytes.set(data, at + 28);
    bytes.fill(0, at + 28 + data.length, at + 28 + padded);
    v.setUint32(at + length - 4, length, true);
  }

  recordSplit(
    linktype: number, snaplen: number, seconds: number, nanos: number, wirelen: number,
    source: Uint8Array, start: number, caplen: number,
  ): void {
    this.record(linktype, snaplen, BigInt(seconds) * NS + BigInt(nanos), wirelen, source.subarray(start, start + caplen));
  }

  takesAsRead(): boolean {
    return false;
  }

  recordsAsRead(): void {
    throw new CaptureWriteError('pcapng output has no pcap records to take as they are');
  }

  finish(fallbackLinktype: number, fallbackSnaplen: number): void {
    if (!this.started) this.sectionHeader();
    // libpcap refuses a pcapng file without interfaces: an empty capture still gets one.
    if (this.interfaces.size === 0) this.interfaceId(fallbackLinktype, fallbackSnaplen);
  }
}

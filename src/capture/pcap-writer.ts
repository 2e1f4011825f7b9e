// pcap file writer: one link type per file, microsecond or nanosecond magic, little-endian.
import type { ByteSink } from './byte-sink.js';
import { CaptureWriteError } from './errors.js';
import { dltToLinktype } from './linktype.js';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from './pcap-parser.js';
import type { RecordSink } from './record-sink.js';

const NS = 1_000_000_000n;
const U32 = 0x1_0000_0000n;

export class PcapWriter implements RecordSink {
  private linktype = -1;

  constructor(
    private readonly sink: ByteSink,
    private readonly nanosecond: boolean,
  ) {}

  private header(linktype: number, snaplen: number): void {
    const at = this.sink.reserve(24);
    const v = this.sink.view;
    v.setUint32(at, this.nanosecond ? PCAP_MAGIC_NS : PCAP_MAGIC_US, true);
    v.setUint16(at + 4, 2, true);
    v.setUint16(at + 6, 4, true);
    v.setInt32(at + 8, 0, true);
    v.setUint32(at + 12, 0, true);
    v.setUint32(at + 16, snaplen, true);
    v.setUint32(at + 20, dltToLinktype(linktype), true);
    this.linktype = linktype;
  }

  record(linktype: number, snaplen: number, timestamp: bigint, wirelen: number, data: Uint8Array): void {
    // The file header takes the first packet's link type and snaplen.
    if (this.linktype < 0) this.header(linktype, snaplen);
    else if (linktype !== this.linktype) {
      throw new CaptureWriteError(`a pcap file holds one link type: ${this.linktype} was written, got ${linktype} (use pcapng)`);
    }
    let seconds = timestamp / NS;
    let fraction = timestamp % NS;
    if (fraction < 0n) {
      fraction += NS;
      seconds -= 1n;
    }
    // Seconds are an unsigned 32-bit field: later times wrap (pcapng has no such limit).
    seconds = ((seconds % U32) + U32) % U32;
    const at = this.sink.reserve(16 + data.length);
    const v = this.sink.view;
    v.setUint32(at, Number(seconds), true);
    v.setUint32(at + 4, this.nanosecond ? Number(fraction) : Number(fraction / 1000n), true);
    v.setUint32(at + 8, data.length, true);
    v.setUint32(at + 12, wirelen, true);
    this.sink.bytes.set(data, at + 16);
  }

  finish(fallbackLinktype: number, fallbackSnaplen: number): void {
    if (this.linktype < 0) this.header(fallbackLinktype, fallbackSnaplen);
  }
}

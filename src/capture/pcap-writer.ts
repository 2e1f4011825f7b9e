// pcap file writer: one link type per file, microsecond or nanosecond magic, little-endian.
import type { ByteSink } from './byte-sink.js';
import { CaptureWriteError } from './errors.js';
import { dltToLinktype } from './linktype.js';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from './pcap-parser.js';
import type { RecordSink } from './record-sink.js';
import type { CaptureInterface } from './types.js';

const NS = 1_000_000_000n;
const U32 = 0x1_0000_0000n;

export class PcapWriter implements RecordSink {
  private linktype = -1;

  constructor(
    private readonly sink: ByteSink,
    private readonly nanosecond: boolean,
    /** bits above the link type in the header's link-type field (an FCS length), as the input had them */
    private readonly linktypeExt = 0,
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
    v.setUint32(at + 20, (dltToLinktype(linktype) | this.linktypeExt) >>> 0, true);
    this.linktype = linktype;
  }

  /** Before the first record: writes the file header; later: refuses a second link type. */
  private checkLinktype(linktype: number, snaplen: number): void {
    // The file header takes the first packet's link type and snaplen.
    if (this.linktype < 0) this.header(linktype, snaplen);
    else throw new CaptureWriteError(`a pcap file holds one link type: ${this.linktype} was written, got ${linktype} (use pcapng)`);
  }

  record(linktype: number, snaplen: number, timestamp: bigint, wirelen: number, data: Uint8Array): void {
    let seconds = timestamp / NS;
    let fraction = timestamp % NS;
    if (fraction < 0n) {
      fraction += NS;
      seconds -= 1n;
    }
    // Seconds are an unsigned 32-bit field: later times wrap (pcapng has no such limit).
    seconds = ((seconds % U32) + U32) % U32;
    this.recordSplit(linktype, snaplen, Number(seconds), Number(fraction), wirelen, data, 0, data.length);
  }

  recordSplit(
    linktype: number, snaplen: number, seconds: number, nanos: number, wirelen: number,
    source: Uint8Array, start: number, caplen: number,
  ): void {
    if (this.linktype < 0 || linktype !== this.linktype) this.checkLinktype(linktype, snaplen);
    let fraction = this.nanosecond ? nanos : Math.floor(nanos / 1000);
    if (fraction > 0xffffffff) {
      // more than the field holds (a damaged microsecond file written in nanoseconds): whole seconds carried
      seconds = (seconds + Math.floor(nanos / 1e9)) % 0x1_0000_0000;
      fraction = nanos % 1e9;
    }
    const sink = this.sink;
    const at = sink.reserve(16 + caplen);
    const v = sink.view;
    v.setUint32(at, seconds, true);
    v.setUint32(at + 4, fraction, true);
    v.setUint32(at + 8, caplen, true);
    v.setUint32(at + 12, wirelen, true);
    sink.bytes.set(source.subarray(start, start + caplen), at + 16);
  }

  takesAsRead(iface: CaptureInterface): boolean {
    const ts = iface.timestamps;
    // (pcap records as read are little-endian, as this writer writes)
    return ts.kind === 'pcap' && (ts.fractionNs === 1) === this.nanosecond && (this.linktype < 0 || this.linktype === iface.linktype);
  }

  recordsAsRead(iface: CaptureInterface, records: Uint8Array): void {
    if (this.linktype < 0 || iface.linktype !== this.linktype) this.checkLinktype(iface.linktype, iface.snaplen);
    this.sink.put(records);
  }

  finish(fallbackLinktype: number, fallbackSnaplen: number): void {
    if (this.linktype < 0) this.header(fallbackLinktype, fallbackSnaplen);
  }
}

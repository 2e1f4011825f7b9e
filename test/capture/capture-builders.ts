// Builds pcapng files block by block, in either byte order, for tests that need what the corpus lacks
// (big-endian, several sections, SPB and obsolete PB blocks, binary if_tsresol, if_tsoffset, ...).

export interface IdbOptions {
  /** Raw if_tsresol byte (bit 7: power of 2). */
  tsresol?: number;
  /** if_tsoffset in seconds. */
  tsoffset?: bigint;
}

export class PcapngBuilder {
  private readonly parts: Uint8Array[] = [];
  constructor(private readonly littleEndian = true) {}

  block(type: number, body: Uint8Array): this {
    const padded = (body.length + 3) & ~3;
    const length = 12 + padded;
    const b = new Uint8Array(length);
    const v = new DataView(b.buffer);
    v.setUint32(0, type, this.littleEndian);
    v.setUint32(4, length, this.littleEndian);
    b.set(body, 8);
    v.setUint32(length - 4, length, this.littleEndian);
    this.parts.push(b);
    return this;
  }

  private body(size: number, fill: (v: DataView) => void, tail: Uint8Array = new Uint8Array(0)): Uint8Array {
    const b = new Uint8Array(size + tail.length);
    fill(new DataView(b.buffer));
    b.set(tail, size);
    return b;
  }

  shb(major = 1, minor = 0): this {
    return this.block(0x0a0d0d0a, this.body(16, (v) => {
      v.setUint32(0, 0x1a2b3c4d, this.littleEndian);
      v.setUint16(4, major, this.littleEndian);
      v.setUint16(6, minor, this.littleEndian);
      v.setBigInt64(8, -1n, this.littleEndian);
    }));
  }

  idb(linktype: number, snaplen: number, options: IdbOptions = {}): this {
    const opts: Uint8Array[] = [];
    const option = (code: number, value: Uint8Array): void => {
      const o = new Uint8Array(4 + ((value.length + 3) & ~3));
      const v = new DataView(o.buffer);
      v.setUint16(0, code, this.littleEndian);
      v.setUint16(2, value.length, this.littleEndian);
      o.set(value, 4);
      opts.push(o);
    };
    if (options.tsresol !== undefined) option(9, Uint8Array.of(options.tsresol));
    if (options.tsoffset !== undefined) {
      const value = new Uint8Array(8);
      new DataView(value.buffer).setBigInt64(0, options.tsoffset, this.littleEndian);
      option(14, value);
    }
    if (opts.length > 0) option(0, new Uint8Array(0));
    const tail = new Uint8Array(opts.reduce((n, o) => n + o.length, 0));
    opts.reduce((at, o) => (tail.set(o, at), at + o.length), 0);
    return this.block(1, this.body(8, (v) => {
      v.setUint16(0, linktype, this.littleEndian);
      v.setUint32(4, snaplen, this.littleEndian);
    }, tail));
  }

  epb(iface: number, ticks: bigint, wirelen: number, data: Uint8Array, caplen = data.length): this {
    return this.block(6, this.body(20, (v) => {
      v.setUint32(0, iface, this.littleEndian);
      v.setUint32(4, Number(ticks >> 32n), this.littleEndian);
      v.setUint32(8, Number(ticks & 0xffffffffn), this.littleEndian);
      v.setUint32(12, caplen, this.littleEndian);
      v.setUint32(16, wirelen, this.littleEndian);
    }, data));
  }

  pb(iface: number, ticks: bigint, wirelen: number, data: Uint8Array, caplen = data.length): this {
    return this.block(2, this.body(20, (v) => {
      v.setUint16(0, iface, this.littleEndian);
      v.setUint32(4, Number(ticks >> 32n), this.littleEndian);
      v.setUint32(8, Number(ticks & 0xffffffffn), this.littleEndian);
      v.setUint32(12, caplen, this.littleEndian);
      v.setUint32(16, wirelen, this.littleEndian);
    }, data));
  }

  spb(wirelen: number, data: Uint8Array): this {
    return this.block(3, this.body(4, (v) => v.setUint32(0, wirelen, this.littleEndian), data));
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    this.parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    return out;
  }
}

export interface PcapRecord {
  seconds: number;
  fraction: number;
  caplen?: number;
  wirelen: number;
  data: Uint8Array;
}

/** A pcap file (version 2.4 unless given) in either byte order. */
export function pcapFile(
  littleEndian: boolean,
  header: { linktype: number; snaplen: number; nanosecond?: boolean; version?: [number, number] },
  records: PcapRecord[],
): Uint8Array {
  const size = 24 + records.reduce((n, r) => n + 16 + r.data.length, 0);
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setUint32(0, header.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, littleEndian);
  v.setUint16(4, header.version?.[0] ?? 2, littleEndian);
  v.setUint16(6, header.version?.[1] ?? 4, littleEndian);
  v.setUint32(16, header.snaplen, littleEndian);
  v.setUint32(20, header.linktype, littleEndian);
  let at = 24;
  for (const r of records) {
    v.setUint32(at, r.seconds, littleEndian);
    v.setUint32(at + 4, r.fraction, littleEndian);
    v.setUint32(at + 8, r.caplen ?? r.data.length, littleEndian);
    v.setUint32(at + 12, r.wirelen, littleEndian);
    b.set(r.data, at + 16);
    at += 16 + r.data.length;
  }
  return b;
}

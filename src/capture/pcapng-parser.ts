// pcapng parsing with libpcap 1.10.3's checks, except that interfaces may differ in link type and snaplen
// (libpcap refuses such files; here every packet carries its own interface's link type and snaplen).
import type { RecordTable } from './batch.js';
import { CaptureFormatError } from './errors.js';
import { adjustSnaplen, linktypeToDlt, maxSnaplenForDlt } from './linktype.js';
import { fixedWirelen, hasPseudoHeaderFixups, HOST_LITTLE_ENDIAN, swapPseudoHeader } from './pseudo-headers.js';
import type { RecordParser, ScanWindow } from './record-parser.js';

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 1;
export const BLOCK_PB = 2;
export const BLOCK_SPB = 3;
export const BLOCK_EPB = 6;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const OPT_ENDOFOPT = 0;
export const OPT_IF_TSRESOL = 9;
export const OPT_IF_TSOFFSET = 14;

const BLOCK_OVERHEAD = 12; // type, length, trailing length
const SHB_FIXED = 16;
const SHB_MAX = 1024 * 1024; // libpcap's BT_SHB_INSANE_MAX, checked on the first SHB
const INITIAL_MAX_BLOCK = 16 * 1024 * 1024;
const EPB_FIXED = 20;
const PB_FIXED = 20;
const IDB_FIXED = 8;

/** libpcap's largest block for a link type: an EPB with a maximum-size packet and 128 KiB of options. */
const maxBlockForDlt = (dlt: number): number => Math.max(INITIAL_MAX_BLOCK, 8 + EPB_FIXED + maxSnaplenForDlt(dlt) + 131072 + 4);

const swap32 = (x: number): number =>
  (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;

export class PcapngParser implements RecordParser {
  need = BLOCK_OVERHEAD;
  private littleEndian = true;
  private sawShb = false;
  private section = -1;
  /** Global interface index of each IDB of the current section. */
  private sectionIfaces: number[] = [];
  private maxBlock = INITIAL_MAX_BLOCK;
  private sawIdb = false;

  constructor(private readonly name: string) {}

  private fail(w: ScanWindow, at: number, reason: string): never {
    throw new CaptureFormatError(this.name, w.inputOffset + at, reason);
  }

  scan(w: ScanWindow, start: number, table: RecordTable): number {
    const v = w.view;
    const end = w.end;
    let pos = start;
    for (;;) {
      const left = end - pos;
      const headerBytes = this.sawShb ? 8 : 12; // the first SHB's byte-order magic tells how to read its length
      if (left < headerBytes) {
        if (w.eof) {
          if (left > 0 || !this.sawShb) this.fail(w, pos, `truncated block header: ${left} of ${headerBytes} bytes`);
          if (!this.sawIdb) this.fail(w, pos, 'the capture has no Interface Description Block');
        }
        this.need = headerBytes;
        return pos;
      }
      if (!this.sawShb) this.readByteOrder(w, pos);
      const le = this.littleEndian;
      const type = v.getUint32(pos, le);
      const length = v.getUint32(pos + 4, le);
      if (length < BLOCK_OVERHEAD) this.fail(w, pos, `block of type ${type} has a length of ${length} < ${BLOCK_OVERHEAD}`);
      if (length % 4 !== 0) this.fail(w, pos, `block of type ${type} has a length of ${length}, not a multiple of 4`);
      if (!this.sawShb && (length < BLOCK_OVERHEAD + SHB_FIXED || length > SHB_MAX)) {
        this.fail(w, pos, `Section Header Block length ${length} is outside [${BLOCK_OVERHEAD + SHB_FIXED}, ${SHB_MAX}]`);
      }
      if (length > this.maxBlock) this.fail(w, pos, `block of type ${type} is ${length} bytes, over the maximum of ${this.maxBlock}`);
      if (left < length) {
        if (w.eof) this.fail(w, pos, `truncated block of type ${type}: ${length} bytes announced, ${left} present`);
        this.need = length;
        return pos;
      }
      // libpcap does not check the trailer of the first SHB.
      if (this.sawShb && v.getUint32(pos + length - 4, le) !== length) {
        this.fail(w, pos, `block of type ${type}: total length in header ${length} and trailer ${v.getUint32(pos + length - 4, le)} differ`);
      }
      this.block(w, pos, type, length, table);
      pos += length;
    }
  }

  private readByteOrder(w: ScanWindow, pos: number): void {
    const bom = w.view.getUint32(pos + 8, true);
    if (bom === BYTE_ORDER_MAGIC) this.littleEndian = true;
    else if (bom === swap32(BYTE_ORDER_MAGIC)) this.littleEndian = false;
    else this.fail(w, pos + 8, 'not a pcapng file: bad byte-order magic in the Section Header Block');
  }

  private block(w: ScanWindow, pos: number, type: number, length: number, table: RecordTable): void {
    const body = pos + 8;
    const bodyBytes = length - BLOCK_OVERHEAD;
    const tooShort = (): never => this.fail(w, pos, `block of type ${type} is too short (${length} bytes)`);
    const v = w.view;
    const le = this.littleEndian;
    switch (type) {
      case BLOCK_SHB:
        this.sectionHeader(w, pos, bodyBytes);
        return;
      case BLOCK_IDB:
        this.interfaceDescription(w, pos, body, bodyBytes, table);
        return;
      case BLOCK_EPB: {
        if (bodyBytes < EPB_FIXED) tooShort();
        const ifaceId = v.getUint32(body, le);
        this.packet(w, pos, table, ifaceId, v.getUint32(body + 4, le), v.getUint32(body + 8, le),
          v.getUint32(body + 12, le), v.getUint32(body + 16, le), body + EPB_FIXED, bodyBytes - EPB_FIXED);
        return;
      }
      case BLOCK_SPB: {
        if (bodyBytes < 4) tooShort();
        const wirelen = v.getUint32(body, le);
        const snaplen = this.sectionIfaces.length > 0 ? table.interfaces[this.sectionIfaces[0]].snaplen : 0;
        this.packet(w, pos, table, 0, 0, 0, Math.min(wirelen, snaplen), wirelen, body + 4, bodyBytes - 4);
        return;
      }
      case BLOCK_PB: {
        if (bodyBytes < PB_FIXED) tooShort();
        this.packet(w, pos, table, v.getUint16(body, le), v.getUint32(body + 4, le), v.getUint32(body + 8, le),
          v.getUint32(body + 12, le), v.getUint32(body + 16, le), body + PB_FIXED, bodyBytes - PB_FIXED);
        return;
      }
      default:
        if (!this.sawShb) this.fail(w, pos, 'not a pcapng file');
      // Name resolution, statistics, decryption secrets, custom and unknown blocks carry no packets.
    }
  }

  private sectionHeader(w: ScanWindow, pos: number, bodyBytes: number): void {
    if (bodyBytes < SHB_FIXED) this.fail(w, pos, `Section Header Block is too short (${bodyBytes + BLOCK_OVERHEAD} bytes)`);
    const v = w.view;
    const bom = v.getUint32(pos + 8, this.littleEndian);
    if (bom !== BYTE_ORDER_MAGIC) {
      this.fail(w, pos + 8, bom === swap32(BYTE_ORDER_MAGIC)
        ? 'the file has sections with different byte orders'
        : 'a Section Header Block has a bad byte-order magic');
    }
    const major = v.getUint16(pos + 12, this.littleEndian);
    const minor = v.getUint16(pos + 14, this.littleEndian);
    // The first section must be 1.0 (or 1.2, the same format); later ones only need major version 1.
    if (major !== 1 || (!this.sawShb && minor !== 0 && minor !== 2)) {
      this.fail(w, pos + 12, `unsupported pcapng version ${major}.${minor}`);
    }
    this.sawShb = true;
    this.section++;
    this.sectionIfaces = [];
  }

  private interfaceDescription(w: ScanWindow, pos: number, body: number, bodyBytes: number, table: RecordTable): void {
    if (bodyBytes < IDB_FIXED) this.fail(w, pos, `Interface Description Block is too short (${bodyBytes + BLOCK_OVERHEAD} bytes)`);
    const v = w.view;
    const le = this.littleEndian;
    const linktype = linktypeToDlt(v.getUint16(body, le));
    const snaplen = adjustSnaplen(linktype, v.getUint32(body + 4, le));
    let unitsPerSecond = 1_000_000n;
    let offsetSeconds = 0n;
    let sawResolution = false;
    let sawOffset = false;
    const optionsEnd = body + bodyBytes;
    for (let p = body + IDB_FIXED; p < optionsEnd; ) {
      if (optionsEnd - p < 4) this.fail(w, p, 'Interface Description Block option header cut short');
      const code = v.getUint16(p, le);
      const len = v.getUint16(p + 2, le);
      const value = p + 4;
      const padded = (len + 3) & ~3;
      if (optionsEnd - value < padded) this.fail(w, p, `Interface Description Block option ${code} runs past the block`);
      if (code === OPT_ENDOFOPT) {
        if (len !== 0) this.fail(w, p, `Interface Description Block opt_endofopt has length ${len} != 0`);
        break;
      } else if (code === OPT_IF_TSRESOL) {
        if (len !== 1) this.fail(w, p, `Interface Description Block if_tsresol has length ${len} != 1`);
        if (sawResolution) this.fail(w, p, 'Interface Description Block has more than one if_tsresol');
        sawResolution = true;
        const r = w.buffer[value];
        if (r & 0x80) {
          if ((r & 0x7f) > 63) this.fail(w, p, `if_tsresol 2^-${r & 0x7f} is too fine`);
          unitsPerSecond = 1n << BigInt(r & 0x7f);
        } else {
          if (r > 19) this.fail(w, p, `if_tsresol 10^-${r} is too fine`);
          unitsPerSecond = 10n ** BigInt(r);
        }
      } else if (code === OPT_IF_TSOFFSET) {
        if (len !== 8) this.fail(w, p, `Interface Description Block if_tsoffset has length ${len} != 8`);
        if (sawOffset) this.fail(w, p, 'Interface Description Block has more than one if_tsoffset');
        sawOffset = true;
        offsetSeconds = v.getBigInt64(value, le);
      }
      p = value + padded;
    }
    if (!this.sawIdb) {
      this.sawIdb = true;
      this.maxBlock = maxBlockForDlt(linktype);
    }
    this.sectionIfaces.push(table.interfaces.length);
    table.interfaces.push({
      format: 'pcapng',
      linktype,
      snaplen,
      linktypeExt: 0,
      section: this.section,
      swapped: this.littleEndian !== HOST_LITTLE_ENDIAN,
      timestamps: { kind: 'pcapng', unitsPerSecond, offsetSeconds },
    });
  }

  private packet(
    w: ScanWindow, pos: number, table: RecordTable, ifaceId: number, high: number, low: number,
    caplen: number, wirelen: number, data: number, dataRoom: number,
  ): void {
    if (!this.sawIdb) this.fail(w, pos, 'a packet block comes before any Interface Description Block');
    if (ifaceId >= this.sectionIfaces.length) {
      this.fail(w, pos, `a packet of interface ${ifaceId}, but the section has ${this.sectionIfaces.length} Interface Description Blocks`);
    }
    const iface = this.sectionIfaces[ifaceId];
    const snaplen = table.interfaces[iface].snaplen;
    if (caplen > snaplen) this.fail(w, pos, `invalid captured length ${caplen}, bigger than the snaplen of ${snaplen}`);
    if (caplen > dataRoom) this.fail(w, pos, `packet block is too short for its ${caplen} captured bytes`);
    const linktype = table.interfaces[iface].linktype;
    if (hasPseudoHeaderFixups(linktype)) {
      if (this.littleEndian !== HOST_LITTLE_ENDIAN) swapPseudoHeader(linktype, w.buffer, data, caplen, wirelen);
      wirelen = fixedWirelen(linktype, w.buffer, data, caplen, wirelen);
    }
    table.add(data, caplen, wirelen, iface, high, low);
  }
}

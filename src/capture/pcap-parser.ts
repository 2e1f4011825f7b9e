// pcap (libpcap savefile) parsing, with libpcap 1.10.3's checks and quirks.
import { PCAP_RECORD_HEADER_BYTES, type RecordTable } from './batch.js';
import { CaptureFormatError } from './errors.js';
import { adjustSnaplen, linktypeToDlt, maxSnaplenForDlt, pcapLinktypeExt, pcapLinktypeField } from './linktype.js';
import { fixedWirelen, hasPseudoHeaderFixups, HOST_LITTLE_ENDIAN, swapPseudoHeader } from './pseudo-headers.js';
import { scanPcapRecords } from './pcap-scan.js';
import type { RecordParser, ScanWindow } from './record-parser.js';
import type { CaptureInterface } from './types.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Alexey Kuznetzov's patched format: 24-byte record headers. */
const PCAP_MAGIC_KUZNETZOV = 0xa1b2cd34;
const FILE_HEADER_BYTES = 24;
const DLT_EN10MB = 1;

const swap32 = (x: number): number =>
  (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;

/** True when the first four bytes (read little-endian) are one of the pcap magics in either byte order. */
export function isPcapMagic(le32: number): boolean {
  return [PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAP_MAGIC_KUZNETZOV].some((m) => le32 === m || le32 === swap32(m));
}

/** How the caplen and len fields are ordered (files before version 2.3 had them the other way). */
const enum Lengths {
  InOrder,
  MaybeSwapped,
  Swapped,
}

export class PcapParser implements RecordParser {
  need = FILE_HEADER_BYTES;
  private started = false;
  private littleEndian = true;
  private recordHeaderBytes = PCAP_RECORD_HEADER_BYTES;
  private snaplen = 0;
  private maxCaplen = 0;
  private lengths = Lengths.InOrder;
  private linktype = 0;
  /** The link type has pseudo-header fields libpcap rewrites. */
  private fixups = false;
  /** Records are in the layout scanPcapRecords() walks. */
  private fastScan = false;

  constructor(private readonly name: string) {}

  private fail(w: ScanWindow, at: number, reason: string): never {
    throw new CaptureFormatError(this.name, w.inputOffset + at, reason);
  }

  private readFileHeader(w: ScanWindow, pos: number, table: RecordTable): void {
    const v = w.view;
    const raw = v.getUint32(pos, true);
    this.littleEndian = raw === PCAP_MAGIC_US || raw === PCAP_MAGIC_NS || raw === PCAP_MAGIC_KUZNETZOV;
    const le = this.littleEndian;
    const magic = le ? raw : swap32(raw);
    const major = v.getUint16(pos + 4, le);
    const minor = v.getUint16(pos + 6, le);
    if (major < 2) this.fail(w, pos + 4, `archaic pcap savefile format (version ${major}.${minor})`);
    if (!((major === 2 && minor <= 4) || (major === 543 && minor === 0))) {
      this.fail(w, pos + 4, `unsupported pcap savefile version ${major}.${minor}`);
    }
    const linktypeField = v.getUint32(pos + 20, le);
    const linktype = linktypeToDlt(pcapLinktypeField(linktypeField));
    let snaplen = adjustSnaplen(linktype, v.getUint32(pos + 16, le));
    this.lengths = major === 543 || minor < 3 ? Lengths.Swapped : minor === 3 ? Lengths.MaybeSwapped : Lengths.InOrder;
    if (magic === PCAP_MAGIC_KUZNETZOV) {
      this.recordHeaderBytes = 24;
      // libpcap assumes such Ethernet captures were made in cooked mode with a 14-byte fake header added.
      if (linktype === DLT_EN10MB) snaplen = Math.min(snaplen + 14, 0x7fffffff);
    }
    this.snaplen = snaplen;
    this.maxCaplen = maxSnaplenForDlt(linktype);
    this.linktype = linktype;
    this.fixups = hasPseudoHeaderFixups(linktype);
    this.fastScan = le && HOST_LITTLE_ENDIAN && this.recordHeaderBytes === PCAP_RECORD_HEADER_BYTES && this.lengths === Lengths.InOrder && !this.fixups;
    const iface: CaptureInterface = {
      format: 'pcap',
      linktype,
      snaplen,
      linktypeExt: pcapLinktypeExt(linktypeField),
      section: 0,
      swapped: le !== HOST_LITTLE_ENDIAN,
      timestamps: { kind: 'pcap', fractionNs: magic === PCAP_MAGIC_NS ? 1 : 1000 },
    };
    table.interfaces.push(iface);
  }

  scan(w: ScanWindow, start: number, table: RecordTable): number {
    let pos = start;
    const end = w.end;
    if (!this.started) {
      if (end - pos < FILE_HEADER_BYTES) {
        if (w.eof) this.fail(w, pos, `truncated pcap file header: ${end - pos} of ${FILE_HEADER_BYTES} bytes`);
        this.need = FILE_HEADER_BYTES;
        return pos;
      }
      this.readFileHeader(w, pos, table);
      this.started = true;
      pos += FILE_HEADER_BYTES;
    }
    // A batch's records are as read until one is not (see CaptureBatch.pcapAsRead).
    if (table.count === 0) table.pcapAsRead = this.fastScan;
    // In WebAssembly memory the common records are walked there first (see pcap-scan.ts).
    if (w.walk && this.fastScan) pos = scanPcapRecords(w.walk, w.buffer, pos, end, Math.min(this.snaplen, this.maxCaplen), table);
    // Records go straight into the table's arrays (reserved for the most the window can hold): this loop
    // runs once per packet of the file, so it calls nothing in the common case.
    table.reserve(table.count + Math.floor((end - pos) / this.recordHeaderBytes));
    const { offsets, caplens, wirelens, tsHigh, tsLow } = table;
    let n = table.count;
    try {
      const v = w.view;
      const le = this.littleEndian;
      const hdr = this.recordHeaderBytes;
      const snaplen = this.snaplen;
      const maxCaplen = this.maxCaplen;
      const inOrder = this.lengths === Lengths.InOrder;
      const fixups = this.fixups;
      for (;;) {
        const left = end - pos;
        if (left < hdr) {
          if (w.eof && left > 0) this.fail(w, pos, `truncated record header: ${left} of ${hdr} bytes`);
          this.need = hdr;
          return pos;
        }
        let caplen = v.getUint32(pos + 8, le);
        let wirelen = v.getUint32(pos + 12, le);
        if (!inOrder && (this.lengths === Lengths.Swapped || caplen > wirelen)) {
          const t = caplen;
          caplen = wirelen;
          wirelen = t;
        }
        if (caplen > maxCaplen) {
          this.fail(
            w,
            pos,
            caplen > snaplen
              ? `invalid captured length ${caplen}, bigger than the snaplen of ${snaplen}`
              : `invalid captured length ${caplen}, bigger than the maximum of ${maxCaplen} for this link type`,
          );
        }
        const size = hdr + caplen;
        if (left < size) {
          if (w.eof) this.fail(w, pos, `truncated record: ${caplen} captured bytes announced, ${left - hdr} present`);
          this.need = size;
          return pos;
        }
        // libpcap cuts a record longer than the snaplen to the snaplen (the rest is skipped).
        if (caplen > snaplen) {
          caplen = snaplen;
          table.pcapAsRead = false;
        }
        if (fixups) {
          if (le !== HOST_LITTLE_ENDIAN) swapPseudoHeader(this.linktype, w.buffer, pos + hdr, caplen, wirelen);
          wirelen = fixedWirelen(this.linktype, w.buffer, pos + hdr, caplen, wirelen);
        }
        offsets[n] = pos + hdr;
        caplens[n] = caplen;
        wirelens[n] = wirelen;
        tsHigh[n] = v.getUint32(pos, le);
        tsLow[n] = v.getUint32(pos + 4, le);
        n++;
        pos += size;
      }
    } finally {
      table.addedRun(n, 0);
    }
  }
}

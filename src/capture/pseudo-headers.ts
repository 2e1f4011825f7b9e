// libpcap's post-processing of records whose link-layer pseudo-header holds host-byte-order fields:
// in a file of the other byte order it swaps them (Linux USB, NFLOG), and it corrects the wire length
// older libpcaps recorded for memory-mapped Linux USB isochronous captures.

const DLT_USB_LINUX = 189;
const DLT_USB_LINUX_MMAPPED = 220;
const DLT_NFLOG = 239;
const DLT_PFLOG = 117;

const USB_HEADER_BYTES = 48;
const USB_MMAPPED_HEADER_BYTES = 64;
const USB_ISO_DESCRIPTOR_BYTES = 16;
const URB_ISOCHRONOUS = 0;
const URB_COMPLETE = 0x43; // 'C'
const URB_TRANSFER_IN = 0x80;

/** True on little-endian hosts (the byte order pseudo-header fields are converted to). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Does libpcap touch records of this link type? */
export const hasPseudoHeaderFixups = (dlt: number): boolean =>
  dlt === DLT_USB_LINUX || dlt === DLT_USB_LINUX_MMAPPED || dlt === DLT_NFLOG || dlt === DLT_PFLOG;

function swapField(b: Uint8Array, at: number, size: 2 | 4 | 8): void {
  for (let i = 0, j = at + size - 1; i < size / 2; i++, j--) {
    const t = b[at + i];
    b[at + i] = b[j];
    b[j] = t;
  }
}

/** Linux USB pseudo-header: each multi-byte field is swapped only if the captured bytes hold all of it. */
function swapUsbHeader(b: Uint8Array, at: number, caplen: number, mmapped: boolean): void {
  let end = 0;
  const swapNext = (skip: number, size: 2 | 4 | 8): boolean => {
    end += skip + size;
    if (caplen < end) return false;
    swapField(b, at + end - size, size);
    return true;
  };
  // id; (event, transfer type, endpoint, device) bus_id; (setup and data flags) ts_sec, ts_usec, status, urb_len, data_len
  if (!swapNext(0, 8) || !swapNext(4, 2) || !swapNext(2, 8) || !swapNext(0, 4) || !swapNext(0, 4) || !swapNext(0, 4) || !swapNext(0, 4)) return;
  const isochronous = b[at + 9] === URB_ISOCHRONOUS;
  if (isochronous) {
    if (!swapNext(0, 4) || !swapNext(0, 4)) return; // error_count, numdesc
  } else end += 8; // the setup bytes
  if (!mmapped) return;
  if (!swapNext(0, 4) || !swapNext(0, 4) || !swapNext(0, 4) || !swapNext(0, 4)) return; // interval, start_frame, xfer_flags, ndesc
  if (!isochronous) return;
  const ndesc = readU32(b, at + 60);
  for (let i = 0; i < ndesc; i++) {
    // status, offset, len, then 4 bytes of padding
    if (!swapNext(0, 4) || !swapNext(0, 4) || !swapNext(0, 4)) return;
    end += 4;
  }
}

/** NFLOG: a 4-byte header, then TLVs whose 16-bit length and type are in host byte order. */
function swapNflog(b: Uint8Array, at: number, caplen: number, wirelen: number): void {
  if (caplen < 4 || wirelen < 4 || b[at + 1] !== 0) return; // too short, or an unknown NFLOG version
  let p = at + 4;
  let capLeft = caplen - 4;
  let lenLeft = wirelen - 4;
  while (capLeft >= 4) {
    swapField(b, p, 2);
    swapField(b, p + 2, 2);
    let size = readU16(b, p);
    if (size % 4 !== 0) size = (size + 4 - (size % 4)) & 0xffff;
    if (size < 4 || capLeft < size || lenLeft < size) return;
    capLeft -= size;
    lenLeft -= size;
    p += size;
  }
}

/**
 * PFLOG: uid, pid, rule_uid and rule_pid (4 bytes each from offset 44) are in host byte order; each is
 * swapped while the captured bytes, the wire length and the header's own length byte all cover it.
 */
function swapPflog(b: Uint8Array, at: number, caplen: number, wirelen: number): void {
  const headerLength = caplen > 0 ? b[at] : 0;
  for (let field = 44; field <= 56; field += 4) {
    const end = field + 4;
    if (caplen < end || wirelen < end || headerLength < end) return;
    swapField(b, at + field, 4);
  }
}

const readU16 = (b: Uint8Array, at: number): number =>
  HOST_LITTLE_ENDIAN ? b[at] | (b[at + 1] << 8) : (b[at] << 8) | b[at + 1];
const readU32 = (b: Uint8Array, at: number): number =>
  HOST_LITTLE_ENDIAN
    ? (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0
    : ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

/** Converts a record's pseudo-header fields to host byte order, in place (the file's order differs). */
export function swapPseudoHeader(dlt: number, b: Uint8Array, at: number, caplen: number, wirelen: number): void {
  if (dlt === DLT_USB_LINUX) swapUsbHeader(b, at, caplen, false);
  else if (dlt === DLT_USB_LINUX_MMAPPED) swapUsbHeader(b, at, caplen, true);
  else if (dlt === DLT_NFLOG) swapNflog(b, at, caplen, wirelen);
  else if (dlt === DLT_PFLOG) swapPflog(b, at, caplen, wirelen);
}

/**
 * The wire length libpcap reports for a record: for a memory-mapped USB isochronous IN completion whose
 * length was computed from the URB length, the end of the data its descriptors place (libpcap's fix for
 * a bug of older libpcaps).
 */
export function fixedWirelen(dlt: number, b: Uint8Array, at: number, caplen: number, wirelen: number): number {
  if (dlt !== DLT_USB_LINUX_MMAPPED || caplen < USB_MMAPPED_HEADER_BYTES || b[at + 15] !== 0) return wirelen;
  const ndesc = readU32(b, at + 60);
  const urbLen = readU32(b, at + 32);
  const computedFromUrb = USB_MMAPPED_HEADER_BYTES + ndesc * USB_ISO_DESCRIPTOR_BYTES + urbLen;
  if (wirelen !== computedFromUrb) return wirelen;
  if (b[at + 9] !== URB_ISOCHRONOUS || b[at + 8] !== URB_COMPLETE || (b[at + 10] & URB_TRANSFER_IN) === 0) return wirelen;
  let dataEnd = 0;
  let left = caplen - USB_MMAPPED_HEADER_BYTES;
  for (let i = 0, d = at + USB_MMAPPED_HEADER_BYTES; i < ndesc && left >= USB_ISO_DESCRIPTOR_BYTES; i++, d += USB_ISO_DESCRIPTOR_BYTES, left -= USB_ISO_DESCRIPTOR_BYTES) {
    const len = readU32(b, d + 8);
    if (len !== 0) {
      const end = (readU32(b, d + 4) + len) >>> 0; // 32-bit arithmetic, as in libpcap
      if (end > dataEnd) dataEnd = end;
    }
  }
  const total = (USB_MMAPPED_HEADER_BYTES + ndesc * USB_ISO_DESCRIPTOR_BYTES + dataEnd) >>> 0; // a 32-bit field
  // Taken only when it covers the captured bytes; either way the length ends at least the captured length.
  return total >= caplen ? total : Math.max(wirelen, caplen);
}

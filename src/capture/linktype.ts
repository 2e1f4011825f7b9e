// LINKTYPE_ (file) <-> DLT_ (pcap_datalink) numbers and libpcap's per-link-type snapshot limits, for Linux.

// The LINKTYPE_ values whose DLT_ value differs on Linux; every other value is the same in both.
const LINKTYPE_TO_DLT = new Map<number, number>([
  [100, 11], // ATM_RFC1483
  [101, 12], // RAW
  [102, 15], // SLIP_BSDOS
  [103, 16], // PPP_BSDOS
  [106, 19], // ATM_CLIP
]);
const DLT_TO_LINKTYPE = new Map<number, number>([...LINKTYPE_TO_DLT].map(([lt, dlt]) => [dlt, lt]));

/** The link-type field of a pcap file header without its FCS/reserved bits (LT_LINKTYPE). */
export const pcapLinktypeField = (field: number): number => (field & 0x03ffffff) >>> 0;
/** Those bits (LT_LINKTYPE_EXT): libpcap keeps them and writes them back in a -w file's header. */
export const pcapLinktypeExt = (field: number): number => (field & ~0x03ffffff) >>> 0;

export const linktypeToDlt = (linktype: number): number => LINKTYPE_TO_DLT.get(linktype) ?? linktype;
export const dltToLinktype = (dlt: number): number => DLT_TO_LINKTYPE.get(dlt) ?? dlt;

/** libpcap's MAXIMUM_SNAPLEN. */
export const MAXIMUM_SNAPLEN = 262144;

const DLT_DBUS = 231;
const DLT_USBPCAP = 249;
const DLT_EBHSCR = 279;

/** The largest captured length libpcap accepts for a link type (max_snaplen_for_dlt). */
export function maxSnaplenForDlt(dlt: number): number {
  switch (dlt) {
    case DLT_DBUS:
      return 128 * 1024 * 1024;
    case DLT_EBHSCR:
      return 8 * 1024 * 1024;
    case DLT_USBPCAP:
      return 1024 * 1024;
    default:
      return MAXIMUM_SNAPLEN;
  }
}

/**
 * A file's snapshot length as libpcap uses it (pcap_adjust_snapshot): 0, or more than fits an int,
 * means the link type's maximum. A larger one than that maximum stays: libpcap compiles `ret` with it
 * and writes it in a -w file's header, while a record longer than the maximum is refused anyway.
 */
export function adjustSnaplen(dlt: number, snaplen: number): number {
  return snaplen === 0 || snaplen > 0x7fffffff ? maxSnaplenForDlt(dlt) : snaplen;
}

// The context a translated classic program sees in r1 (then r6): a small structure laid out like the
// first fields of Linux's `struct __sk_buff`, so the same program loads into the kernel. Our VM fills
// `len` with the packet's wire length (what classic BPF_LEN reads) and the other fields from options.

/** Byte offsets of the `__sk_buff` fields we model (each a 32-bit little-endian word). */
export const SKB_LEN = 0;
export const SKB_PKT_TYPE = 4;
export const SKB_MARK = 8;
export const SKB_QUEUE_MAPPING = 12;
/** The link-layer protocol as a 16-bit big-endian value in the low half of the word (as in Linux). */
export const SKB_PROTOCOL = 16;
export const SKB_VLAN_PRESENT = 20;
export const SKB_VLAN_TCI = 24;
/** The VLAN TPID as a 16-bit big-endian value (as in Linux). */
export const SKB_VLAN_PROTO = 28;
export const SKB_IFINDEX = 40;
export const SKB_HASH = 68;
/**
 * `data` and `data_end`: in Linux, pointers to the packet's first byte and one past its last. Our VM
 * does not model direct packet access; it gives them as offsets, 0 and the captured length, so
 * `data_end - data` is the captured length in both.
 */
export const SKB_DATA = 76;
export const SKB_DATA_END = 80;
/** Size of the context region the VM maps (through `napi_id`, offset 84). */
export const SKB_CONTEXT_SIZE = 88;

/** Values for the modelled fields; all default to 0. Protocol and VLAN TPID are given in host order. */
export interface SkbFields {
  pktType?: number;
  mark?: number;
  queueMapping?: number;
  protocol?: number;
  vlanPresent?: number;
  vlanTci?: number;
  vlanProto?: number;
  ifindex?: number;
  hash?: number;
}

/** Writes the context for one packet into `into` (at least SKB_CONTEXT_SIZE bytes from `at`). */
export function fillSkbContext(into: DataView, at: number, caplen: number, wirelen: number, fields?: SkbFields): void {
  for (let i = 0; i < SKB_CONTEXT_SIZE; i += 4) into.setUint32(at + i, 0, true);
  into.setUint32(at + SKB_LEN, wirelen >>> 0, true);
  into.setUint32(at + SKB_DATA_END, caplen >>> 0, true);
  if (!fields) return;
  into.setUint32(at + SKB_PKT_TYPE, (fields.pktType ?? 0) >>> 0, true);
  into.setUint32(at + SKB_MARK, (fields.mark ?? 0) >>> 0, true);
  into.setUint32(at + SKB_QUEUE_MAPPING, (fields.queueMapping ?? 0) >>> 0, true);
  into.setUint16(at + SKB_PROTOCOL, (fields.protocol ?? 0) & 0xffff, false);
  into.setUint32(at + SKB_VLAN_PRESENT, (fields.vlanPresent ?? 0) >>> 0, true);
  into.setUint32(at + SKB_VLAN_TCI, (fields.vlanTci ?? 0) >>> 0, true);
  into.setUint16(at + SKB_VLAN_PROTO, (fields.vlanProto ?? 0) & 0xffff, false);
  into.setUint32(at + SKB_IFINDEX, (fields.ifindex ?? 0) >>> 0, true);
  into.setUint32(at + SKB_HASH, (fields.hash ?? 0) >>> 0, true);
}

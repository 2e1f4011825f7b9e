// One-line packet summaries in the spirit of `tcpdump -n -q`: the layers filterjit understands
// (Ethernet/VLAN/MPLS, IPv4/IPv6, ARP, TCP/UDP/SCTP, ICMP/ICMPv6), decoded defensively: every read
// is bounds-checked, and a header cut short ends the summary with `[|proto]` as tcpdump does.

/** Decoded layers of one packet, shared by the text line and the JSON output. */
export interface PacketLayers {
  /** human-readable description, tcpdump style */
  text: string;
  /** structured fields for --json */
  fields: Record<string, string | number | boolean>;
}

// LINKTYPE_ values of the link layers decoded here.
const LT_NULL = 0;
const LT_EN10MB = 1;
const LT_RAW = 101;
const LT_LOOP = 108;
const LT_LINUX_SLL = 113;
const LT_IPV4 = 228;
const LT_IPV6 = 229;
const LT_LINUX_SLL2 = 276;
const LT_RAW_OPENBSD = 12;
const LT_RAW_BSD = 14;

class Cursor {
  constructor(readonly data: Uint8Array) {}
  has(offset: number, length: number): boolean {
    return offset >= 0 && offset + length <= this.data.length;
  }
  u8(offset: number): number {
    return this.data[offset];
  }
  u16(offset: number): number {
    return (this.data[offset] << 8) | this.data[offset + 1];
  }
  u32(offset: number): number {
    return ((this.data[offset] << 24) | (this.data[offset + 1] << 16) | (this.data[offset + 2] << 8) | this.data[offset + 3]) >>> 0;
  }
}

const ETHERTYPE_NAMES: Record<number, string> = {
  0x0800: 'IPv4', 0x0806: 'ARP', 0x8035: 'RARP', 0x86dd: 'IPv6', 0x8100: '802.1Q', 0x88a8: '802.1ad',
  0x8847: 'MPLS unicast', 0x8848: 'MPLS multicast', 0x8863: 'PPPoE D', 0x8864: 'PPPoE S', 0x88cc: 'LLDP',
  0x809b: 'AppleTalk', 0x80f3: 'AARP', 0x6003: 'DECnet', 0x8137: 'IPX', 0x88e5: 'MACsec', 0x8809: 'Slow Protocols',
};

const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply', 3: 'unreachable', 4: 'source quench', 5: 'redirect', 8: 'echo request', 9: 'router advertisement',
  10: 'router solicitation', 11: 'time exceeded', 12: 'parameter problem', 13: 'time stamp request',
  14: 'time stamp reply', 17: 'address mask request', 18: 'address mask reply',
};

const ICMP6_TYPES: Record<number, string> = {
  1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded', 4: 'parameter problem',
  128: 'echo request', 129: 'echo reply', 130: 'multicast listener query', 131: 'multicast listener report',
  132: 'multicast listener done', 133: 'router solicitation', 134: 'router advertisement',
  135: 'neighbor solicitation', 136: 'neighbor advertisement', 137: 'redirect', 143: 'multicast listener report v2',
};

const TCP_FLAG_LETTERS: [number, string][] = [
  [0x02, 'S'], [0x01, 'F'], [0x04, 'R'], [0x08, 'P'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W'],
];

/** tcpdump's flag notation: `[S.]` for SYN+ACK, `[.]` for a bare ACK, `[none]` for no flags. */
function tcpFlags(flags: number): string {
  let s = '';
  for (const [bit, letter] of TCP_FLAG_LETTERS) if (flags & bit) s += letter;
  if (flags & 0x10) s += '.';
  return s === '' ? 'none' : s;
}

function ipv4ToString(c: Cursor, offset: number): string {
  return `${c.u8(offset)}.${c.u8(offset + 1)}.${c.u8(offset + 2)}.${c.u8(offset + 3)}`;
}

/** RFC 5952 text form of the IPv6 address at `offset`. */
function ipv6ToString(c: Cursor, offset: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(c.u16(offset + 2 * i));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

function macToString(c: Cursor, offset: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(c.u8(offset + i).toString(16).padStart(2, '0'));
  return parts.join(':');
}

interface Out {
  parts: string[];
  fields: Record<string, string | number | boolean>;
}

function truncated(out: Out, proto: string): void {
  out.parts.push(`[|${proto}]`);
  out.fields.truncated = true;
}

function transport(c: Cursor, out: Out, proto: number, off: number, src: string, dst: string, payloadEnd: number, fragmentOffset: number): string {
  if (fragmentOffset > 0) {
    out.fields.fragment = true;
    return `${src} > ${dst}: ip-proto-${proto} fragment`;
  }
  switch (proto) {
    case 6: {
      if (!c.has(off, 20)) return `${src} > ${dst}: [|tcp]`;
      const sport = c.u16(off);
      const dport = c.u16(off + 2);
      const hlen = (c.u8(off + 12) >> 4) * 4;
      const flags = c.u8(off + 13);
      const len = Math.max(0, payloadEnd - off - hlen);
      Object.assign(out.fields, { proto: 'tcp', sport, dport, flags: tcpFlags(flags), length: len });
      return `${src}.${sport} > ${dst}.${dport}: tcp [${tcpFlags(flags)}] ${len}`;
    }
    case 17: {
      if (!c.has(off, 8)) return `${src} > ${dst}: [|udp]`;
      const sport = c.u16(off);
      const dport = c.u16(off + 2);
      const len = Math.max(0, c.u16(off + 4) - 8);
      Object.assign(out.fields, { proto: 'udp', sport, dport, length: len });
      return `${src}.${sport} > ${dst}.${dport}: UDP, length ${len}`;
    }
    case 132: {
      if (!c.has(off, 4)) return `${src} > ${dst}: [|sctp]`;
      const sport = c.u16(off);
      const dport = c.u16(off + 2);
      Object.assign(out.fields, { proto: 'sctp', sport, dport });
      return `${src}.${sport} > ${dst}.${dport}: sctp`;
    }
    case 1:
    case 58: {
      const v6 = proto === 58;
      const name = v6 ? 'ICMP6' : 'ICMP';
      if (!c.has(off, 2)) return `${src} > ${dst}: [|${name.toLowerCase()}]`;
      const type = c.u8(off);
      const code = c.u8(off + 1);
      const desc = (v6 ? ICMP6_TYPES : ICMP_TYPES)[type] ?? `type ${type}`;
      Object.assign(out.fields, { proto: v6 ? 'icmp6' : 'icmp', icmpType: type, icmpCode: code });
      return `${src} > ${dst}: ${name} ${desc}, length ${Math.max(0, payloadEnd - off)}`;
    }
    default:
      out.fields.proto = proto;
      return `${src} > ${dst}: ip-proto-${proto} ${Math.max(0, payloadEnd - off)}`;
  }
}

function ipv4(c: Cursor, out: Out, off: number): void {
  if (!c.has(off, 20)) return truncated(out, 'ip');
  const ihl = (c.u8(off) & 0x0f) * 4;
  const total = c.u16(off + 2);
  const frag = c.u16(off + 6) & 0x1fff;
  const proto = c.u8(off + 9);
  const src = ipv4ToString(c, off + 12);
  const dst = ipv4ToString(c, off + 16);
  Object.assign(out.fields, { network: 'ipv4', src, dst });
  const end = Math.min(c.data.length, off + Math.max(total, ihl));
  out.parts.push(`IP ${transport(c, out, proto, off + ihl, src, dst, end, frag)}`);
}

// IPv6 extension headers that are walked to find the transport header (hop-by-hop, routing, destination).
const IPV6_EXTENSIONS = new Set([0, 43, 60]);

function ipv6(c: Cursor, out: Out, off: number): void {
  if (!c.has(off, 40)) return truncated(out, 'ip6');
  let next = c.u8(off + 6);
  const src = ipv6ToString(c, off + 8);
  const dst = ipv6ToString(c, off + 24);
  const end = Math.min(c.data.length, off + 40 + c.u16(off + 4));
  Object.assign(out.fields, { network: 'ipv6', src, dst });
  let p = off + 40;
  let fragment = 0;
  while (c.has(p, 8)) {
    if (IPV6_EXTENSIONS.has(next)) {
      const n = c.u8(p);
      p += (c.u8(p + 1) + 1) * 8;
      next = n;
    } else if (next === 44) {
      fragment = c.u16(p + 2) >> 3;
      next = c.u8(p);
      p += 8;
    } else break;
  }
  out.parts.push(`IP6 ${transport(c, out, next, p, src, dst, end, fragment)}`);
}

function arp(c: Cursor, out: Out, off: number, rarp: boolean): void {
  const name = rarp ? 'RARP' : 'ARP';
  if (!c.has(off, 28) || c.u16(off + 2) !== 0x0800 || c.u8(off + 4) !== 6 || c.u8(off + 5) !== 4) {
    out.parts.push(c.has(off, 8) ? `${name}, op ${c.u16(off + 6)}` : `[|${name.toLowerCase()}]`);
    return;
  }
  const op = c.u16(off + 6);
  const sha = macToString(c, off + 8);
  const spa = ipv4ToString(c, off + 14);
  const tpa = ipv4ToString(c, off + 24);
  Object.assign(out.fields, { network: name.toLowerCase(), op, spa, tpa });
  if (op === 1) out.parts.push(`${name}, Request who-has ${tpa} tell ${spa}`);
  else if (op === 2) out.parts.push(`${name}, Reply ${spa} is-at ${sha}`);
  else out.parts.push(`${name}, op ${op} ${spa} > ${tpa}`);
}

function mpls(c: Cursor, out: Out, off: number): void {
  const labels: number[] = [];
  for (;;) {
    if (!c.has(off, 4)) return truncated(out, 'mpls');
    const entry = c.u32(off);
    labels.push(entry >>> 12);
    off += 4;
    if (entry & 0x100) break;
  }
  out.fields.mpls = labels.join(',');
  out.parts.push(`MPLS (label ${labels.join(', ')})`);
  if (!c.has(off, 1)) return;
  const version = c.u8(off) >> 4;
  if (version === 4) ipv4(c, out, off);
  else if (version === 6) ipv6(c, out, off);
}

function ethertype(c: Cursor, out: Out, type: number, off: number, depth = 0): void {
  switch (type) {
    case 0x0800: return ipv4(c, out, off);
    case 0x86dd: return ipv6(c, out, off);
    case 0x0806: return arp(c, out, off, false);
    case 0x8035: return arp(c, out, off, true);
    case 0x8847:
    case 0x8848: return mpls(c, out, off);
    case 0x8100:
    case 0x88a8:
    case 0x9100: {
      if (!c.has(off, 4) || depth > 8) return truncated(out, 'vlan');
      const vid = c.u16(off) & 0x0fff;
      out.fields.vlan = out.fields.vlan === undefined ? vid : `${out.fields.vlan},${vid}`;
      out.parts.push(`vlan ${vid}`);
      return ethertype(c, out, c.u16(off + 2), off + 4, depth + 1);
    }
    default:
      out.fields.ethertype = type;
      out.parts.push(type <= 1500 ? `802.3, length ${type}` : `ethertype ${ETHERTYPE_NAMES[type] ?? `0x${type.toString(16).padStart(4, '0')}`}`);
  }
}

function byIpVersion(c: Cursor, out: Out, off: number): void {
  if (!c.has(off, 1)) return truncated(out, 'ip');
  const version = c.u8(off) >> 4;
  if (version === 4) ipv4(c, out, off);
  else if (version === 6) ipv6(c, out, off);
  else out.parts.push(`IP version ${version}`);
}

// BSD address families for IPv4/IPv6 in DLT_NULL / DLT_LOOP headers (values differ across OSes).
const AF_INET = 2;
const AF_INET6 = new Set([10, 24, 28, 30]);

function nullHeader(c: Cursor, out: Out, bigEndian: boolean): void {
  if (!c.has(0, 4)) return truncated(out, 'null');
  let family = c.u32(0);
  // DLT_NULL is in the capturing host's byte order; accept both.
  if (!bigEndian && family > 0xffff) family = ((family & 0xff) << 24 | (family & 0xff00) << 8 | (family >>> 8) & 0xff00 | family >>> 24) >>> 0;
  if (family === AF_INET) ipv4(c, out, 4);
  else if (AF_INET6.has(family)) ipv6(c, out, 4);
  else out.parts.push(`AF ${family}`);
}

/** Summarise one packet of the given link type. */
export function summarize(linktype: number, data: Uint8Array, wirelen: number): PacketLayers {
  const c = new Cursor(data);
  const out: Out = { parts: [], fields: {} };
  switch (linktype) {
    case LT_EN10MB: {
      if (!c.has(0, 14)) { truncated(out, 'ether'); break; }
      out.fields.etherSrc = macToString(c, 6);
      out.fields.etherDst = macToString(c, 0);
      ethertype(c, out, c.u16(12), 14);
      break;
    }
    case LT_LINUX_SLL:
      if (!c.has(0, 16)) { truncated(out, 'sll'); break; }
      ethertype(c, out, c.u16(14), 16);
      break;
    case LT_LINUX_SLL2:
      if (!c.has(0, 20)) { truncated(out, 'sll2'); break; }
      ethertype(c, out, c.u16(0), 20);
      break;
    case LT_RAW:
    case LT_RAW_OPENBSD:
    case LT_RAW_BSD:
      byIpVersion(c, out, 0);
      break;
    case LT_IPV4:
      ipv4(c, out, 0);
      break;
    case LT_IPV6:
      ipv6(c, out, 0);
      break;
    case LT_NULL:
      nullHeader(c, out, false);
      break;
    case LT_LOOP:
      nullHeader(c, out, true);
      break;
    default:
      out.parts.push(`linktype ${linktype}`);
  }
  // IP lines end with their transport's own length, as in tcpdump -q; the rest get the frame length.
  if (out.fields.network !== 'ipv4' && out.fields.network !== 'ipv6') out.parts.push(`length ${wirelen}`);
  return { text: out.parts.join(', '), fields: out.fields };
}

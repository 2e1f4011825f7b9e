// Bare protocol keywords (`ip`, `tcp`, `isis`, `l1`, ...) and the link-layer protocol names.
import type { ProtoQual } from '../grammar/ast.js';
import { or, type Frag } from './blocks.js';
import { CompileError } from './errors.js';
import { ETHERTYPE, LLCSAP, linktypeTest } from './linkproto.js';
import { genProto, IPPROTO } from './net.js';
import type { Gen } from './state.js';

const ISO = { CLNP: 0x81, ESIS: 0x82, ISIS: 0x83 } as const;
const ISIS = {
  L1_LAN_IIH: 15, L2_LAN_IIH: 16, PTP_IIH: 17, L1_LSP: 18, L2_LSP: 20,
  L1_CSNP: 24, L2_CSNP: 25, L1_PSNP: 26, L2_PSNP: 27,
} as const;

/** EtherType names of `link proto NAME` (pcap_nametoeproto). */
export const ETHER_PROTO_NAMES: Record<string, number> = {
  aarp: ETHERTYPE.AARP, arp: ETHERTYPE.ARP, atalk: ETHERTYPE.ATALK, decnet: ETHERTYPE.DN, ip: ETHERTYPE.IP,
  ip6: ETHERTYPE.IPV6, lat: ETHERTYPE.LAT, loopback: ETHERTYPE.LOOPBACK, mopdl: ETHERTYPE.MOPDL,
  moprc: ETHERTYPE.MOPRC, rarp: ETHERTYPE.REVARP, sca: ETHERTYPE.SCA, lldp: ETHERTYPE.LLDP, slow: ETHERTYPE.SLOW,
};
/** LLC SAP names of `link proto NAME` (pcap_nametollc). */
export const LLC_PROTO_NAMES: Record<string, number> = {
  iso: LLCSAP.ISONS, stp: LLCSAP.STP, ipx: LLCSAP.IPX, netbeui: LLCSAP.NETBEUI,
};
export const ISO_PROTO_NAMES: Record<string, number> = { clnp: ISO.CLNP, esis: ISO.ESIS, isis: ISO.ISIS };

function isisAny(g: Gen, types: number[]): Frag {
  // libpcap ORs each new test in front of the previous ones
  const tests = types.map((t) => genProto(g, t, 'isis', undefined));
  return tests.slice(1).reduce((acc, t) => or(t, acc), tests[0]);
}

export function protoAbbrev(g: Gen, proto: ProtoQual, protoText: string): Frag {
  switch (proto) {
    case 'sctp': return genProto(g, IPPROTO.SCTP, undefined, undefined);
    case 'tcp': return genProto(g, IPPROTO.TCP, undefined, undefined);
    case 'udp': return genProto(g, IPPROTO.UDP, undefined, undefined);
    case 'icmp': return genProto(g, IPPROTO.ICMP, 'ip', undefined);
    case 'igmp': return genProto(g, IPPROTO.IGMP, 'ip', undefined);
    case 'igrp': return genProto(g, IPPROTO.IGRP, 'ip', undefined);
    case 'pim': return genProto(g, IPPROTO.PIM, undefined, undefined);
    case 'vrrp': case 'carp': return genProto(g, IPPROTO.VRRP, 'ip', undefined);
    case 'ip': return linktypeTest(g, ETHERTYPE.IP);
    case 'arp': return linktypeTest(g, ETHERTYPE.ARP);
    case 'rarp': return linktypeTest(g, ETHERTYPE.REVARP);
    case 'atalk': return linktypeTest(g, ETHERTYPE.ATALK);
    case 'aarp': return linktypeTest(g, ETHERTYPE.AARP);
    case 'decnet': return linktypeTest(g, ETHERTYPE.DN);
    case 'sca': return linktypeTest(g, ETHERTYPE.SCA);
    case 'lat': return linktypeTest(g, ETHERTYPE.LAT);
    case 'mopdl': return linktypeTest(g, ETHERTYPE.MOPDL);
    case 'moprc': return linktypeTest(g, ETHERTYPE.MOPRC);
    case 'ip6': return linktypeTest(g, ETHERTYPE.IPV6);
    case 'icmp6': return genProto(g, IPPROTO.ICMPV6, 'ip6', undefined);
    case 'ah': return genProto(g, IPPROTO.AH, undefined, undefined);
    case 'esp': return genProto(g, IPPROTO.ESP, undefined, undefined);
    case 'iso': return linktypeTest(g, LLCSAP.ISONS);
    case 'esis': return genProto(g, ISO.ESIS, 'iso', undefined);
    case 'isis': return genProto(g, ISO.ISIS, 'iso', undefined);
    case 'clnp': return genProto(g, ISO.CLNP, 'iso', undefined);
    case 'l1': return isisAny(g, [ISIS.L1_LAN_IIH, ISIS.PTP_IIH, ISIS.L1_LSP, ISIS.L1_CSNP, ISIS.L1_PSNP]);
    case 'l2': return isisAny(g, [ISIS.L2_LAN_IIH, ISIS.PTP_IIH, ISIS.L2_LSP, ISIS.L2_CSNP, ISIS.L2_PSNP]);
    case 'iih': return isisAny(g, [ISIS.L1_LAN_IIH, ISIS.L2_LAN_IIH, ISIS.PTP_IIH]);
    case 'lsp': return isisAny(g, [ISIS.L1_LSP, ISIS.L2_LSP]);
    case 'snp': return isisAny(g, [ISIS.L1_CSNP, ISIS.L2_CSNP, ISIS.L1_PSNP, ISIS.L2_PSNP]);
    case 'csnp': return isisAny(g, [ISIS.L1_CSNP, ISIS.L2_CSNP]);
    case 'psnp': return isisAny(g, [ISIS.L1_PSNP, ISIS.L2_PSNP]);
    case 'stp': return linktypeTest(g, LLCSAP.STP);
    case 'ipx': return linktypeTest(g, LLCSAP.IPX);
    case 'netbeui': return linktypeTest(g, LLCSAP.NETBEUI);
    case 'link': case 'radio':
      throw new CompileError(`'${protoText}' cannot be used as an abbreviation`);
  }
}


// The reserved words of the pcap-filter language and the token each one becomes. Several words share a
// token type when libpcap's grammar uses them in exactly the same places (e.g. every protocol
// qualifier is one PNAME token); the token's value then says which word it was, spelled canonically.
import type { ProtoQual } from './ast.js';

export type KeywordType =
  | 'PNAME' | 'SRC' | 'DST' | 'ADDRQ' | 'HOST' | 'NET' | 'PORT' | 'PORTRANGE' | 'NETMASK'
  /** proto, protochain, gateway: type qualifiers that take no direction qualifier */
  | 'TQUAL' | 'TYPE' | 'SUBTYPE' | 'DIR' | 'BYTE' | 'CAST'
  | 'AND' | 'OR' | 'NOT' | 'LEN' | 'ENCAP' | 'LLC' | 'PF_RNR' | 'PF_REASON'
  /** a primitive by itself: inbound, outbound, pppoed, the ATM and MTP2 keywords */
  | 'ALONE'
  /** keyword + number: less, greater, ifindex, srnr */
  | 'KW_NUM'
  /** keyword + name: ifname, rset, action */
  | 'KW_ID'
  /** vpi, vci and the MTP3 fields: keyword + value, relop value, or a value list */
  | 'FIELD';

/** ALONE words that are ATM / MTP2 keywords (the others are inbound, outbound, pppoed). */
export const ATM_WORDS = new Set(['lane', 'metac', 'bcc', 'oamf4ec', 'oamf4sc', 'sc', 'ilmic', 'oam', 'oamf4',
  'connectmsg', 'metaconnect']);
export const MTP2_WORDS = new Set(['fisu', 'lssu', 'msu', 'hfisu', 'hlssu', 'hmsu']);

/** Protocol qualifiers; the aliases of `link` (and es-is / is-is) map to their canonical name. */
const PROTOCOLS: Record<string, ProtoQual> = {
  link: 'link', ether: 'link', ppp: 'link', slip: 'link', fddi: 'link', tr: 'link', wlan: 'link',
  arp: 'arp', rarp: 'rarp', ip: 'ip', sctp: 'sctp', tcp: 'tcp', udp: 'udp', icmp: 'icmp',
  igmp: 'igmp', igrp: 'igrp', pim: 'pim', vrrp: 'vrrp', carp: 'carp', radio: 'radio',
  ip6: 'ip6', icmp6: 'icmp6', ah: 'ah', esp: 'esp',
  atalk: 'atalk', aarp: 'aarp', decnet: 'decnet', lat: 'lat', sca: 'sca', moprc: 'moprc', mopdl: 'mopdl',
  iso: 'iso', esis: 'esis', 'es-is': 'esis', isis: 'isis', 'is-is': 'isis',
  l1: 'l1', l2: 'l2', iih: 'iih', lsp: 'lsp', snp: 'snp', csnp: 'csnp', psnp: 'psnp',
  clnp: 'clnp', stp: 'stp', ipx: 'ipx', netbeui: 'netbeui',
};

/** word -> [token type, canonical value] */
const OTHERS: Record<string, [KeywordType, string]> = {
  src: ['SRC', 'src'], dst: ['DST', 'dst'],
  addr1: ['ADDRQ', 'addr1'], address1: ['ADDRQ', 'addr1'], addr2: ['ADDRQ', 'addr2'],
  address2: ['ADDRQ', 'addr2'], addr3: ['ADDRQ', 'addr3'], address3: ['ADDRQ', 'addr3'],
  addr4: ['ADDRQ', 'addr4'], address4: ['ADDRQ', 'addr4'], ra: ['ADDRQ', 'ra'], ta: ['ADDRQ', 'ta'],
  host: ['HOST', 'host'], net: ['NET', 'net'], mask: ['NETMASK', 'mask'], port: ['PORT', 'port'],
  portrange: ['PORTRANGE', 'portrange'], proto: ['TQUAL', 'proto'],
  protochain: ['TQUAL', 'protochain'], gateway: ['TQUAL', 'gateway'],
  type: ['TYPE', 'type'], subtype: ['SUBTYPE', 'subtype'], dir: ['DIR', 'dir'], direction: ['DIR', 'dir'],
  less: ['KW_NUM', 'less'], greater: ['KW_NUM', 'greater'], byte: ['BYTE', 'byte'],
  broadcast: ['CAST', 'broadcast'], multicast: ['CAST', 'multicast'],
  and: ['AND', 'and'], '&&': ['AND', 'and'], or: ['OR', 'or'], '||': ['OR', 'or'], not: ['NOT', 'not'],
  '!': ['NOT', 'not'],
  len: ['LEN', 'len'], length: ['LEN', 'len'],
  inbound: ['ALONE', 'inbound'], outbound: ['ALONE', 'outbound'], ifindex: ['KW_NUM', 'ifindex'],
  vlan: ['ENCAP', 'vlan'], mpls: ['ENCAP', 'mpls'], pppoes: ['ENCAP', 'pppoes'],
  geneve: ['ENCAP', 'geneve'], vxlan: ['ENCAP', 'vxlan'], pppoed: ['ALONE', 'pppoed'],
  llc: ['LLC', 'llc'],
  lane: ['ALONE', 'lane'], metac: ['ALONE', 'metac'], bcc: ['ALONE', 'bcc'],
  oamf4ec: ['ALONE', 'oamf4ec'], oamf4sc: ['ALONE', 'oamf4sc'], sc: ['ALONE', 'sc'],
  ilmic: ['ALONE', 'ilmic'], oam: ['ALONE', 'oam'], oamf4: ['ALONE', 'oamf4'],
  connectmsg: ['ALONE', 'connectmsg'], metaconnect: ['ALONE', 'metaconnect'],
  vpi: ['FIELD', 'vpi'], vci: ['FIELD', 'vci'],
  on: ['KW_ID', 'ifname'], ifname: ['KW_ID', 'ifname'], rset: ['KW_ID', 'rset'],
  ruleset: ['KW_ID', 'rset'], rnr: ['PF_RNR', 'rnr'], rulenum: ['PF_RNR', 'rnr'],
  srnr: ['KW_NUM', 'srnr'], subrulenum: ['KW_NUM', 'srnr'], reason: ['PF_REASON', 'reason'],
  action: ['KW_ID', 'action'],
  fisu: ['ALONE', 'fisu'], lssu: ['ALONE', 'lssu'], lsu: ['ALONE', 'lssu'],
  msu: ['ALONE', 'msu'], hfisu: ['ALONE', 'hfisu'], hlssu: ['ALONE', 'hlssu'],
  hmsu: ['ALONE', 'hmsu'],
  sio: ['FIELD', 'sio'], opc: ['FIELD', 'opc'], dpc: ['FIELD', 'dpc'],
  sls: ['FIELD', 'sls'], hsio: ['FIELD', 'hsio'], hopc: ['FIELD', 'hopc'],
  hdpc: ['FIELD', 'hdpc'], hsls: ['FIELD', 'hsls'],
};

/** Named constants: the scanner turns these words into plain numbers. */
export const NAMED_CONSTANTS: Record<string, number> = {
  icmptype: 0, icmpcode: 1, icmp6type: 0, icmp6code: 1, tcpflags: 13,
  'icmp-echoreply': 0, 'icmp-unreach': 3, 'icmp-sourcequench': 4, 'icmp-redirect': 5, 'icmp-echo': 8,
  'icmp-routeradvert': 9, 'icmp-routersolicit': 10, 'icmp-timxceed': 11, 'icmp-paramprob': 12,
  'icmp-tstamp': 13, 'icmp-tstampreply': 14, 'icmp-ireq': 15, 'icmp-ireqreply': 16,
  'icmp-maskreq': 17, 'icmp-maskreply': 18,
  'icmp6-destinationunreach': 1, 'icmp6-packettoobig': 2, 'icmp6-timeexceeded': 3,
  'icmp6-parameterproblem': 4, 'icmp6-echo': 128, 'icmp6-echoreply': 129,
  'icmp6-multicastlistenerquery': 130, 'icmp6-multicastlistenerreportv1': 131,
  'icmp6-multicastlistenerdone': 132, 'icmp6-routersolicit': 133, 'icmp6-routeradvert': 134,
  'icmp6-neighborsolicit': 135, 'icmp6-neighboradvert': 136, 'icmp6-redirect': 137,
  'icmp6-routerrenum': 138, 'icmp6-nodeinformationquery': 139, 'icmp6-nodeinformationresponse': 140,
  'icmp6-ineighbordiscoverysolicit': 141, 'icmp6-ineighbordiscoveryadvert': 142,
  'icmp6-multicastlistenerreportv2': 143, 'icmp6-homeagentdiscoveryrequest': 144,
  'icmp6-homeagentdiscoveryreply': 145, 'icmp6-mobileprefixsolicit': 146,
  'icmp6-mobileprefixadvert': 147, 'icmp6-certpathsolicit': 148, 'icmp6-certpathadvert': 149,
  'icmp6-multicastrouteradvert': 151, 'icmp6-multicastroutersolicit': 152,
  'icmp6-multicastrouterterm': 153,
  'tcp-fin': 0x01, 'tcp-syn': 0x02, 'tcp-rst': 0x04, 'tcp-push': 0x08, 'tcp-ack': 0x10,
  'tcp-urg': 0x20, 'tcp-ece': 0x40, 'tcp-cwr': 0x80,
};

/** The token a reserved word becomes, or undefined for an ordinary word. Keywords are case-sensitive. */
export function keyword(word: string): [KeywordType, string] | undefined {
  if (Object.hasOwn(PROTOCOLS, word)) return ['PNAME', PROTOCOLS[word]!];
  return Object.hasOwn(OTHERS, word) ? OTHERS[word] : undefined;
}

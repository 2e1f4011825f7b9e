// Typed AST of a pcap-filter expression. Every node carries the span of source text it came from
// (0-based character offsets, end exclusive); the 1-based column shown to users is span.start + 1.
//
// The parser resolves libpcap's qualifier inheritance: an id without qualifiers that follows
// `and`/`or` (e.g. the `b` of `host a or b`) becomes a full IdPrimitive carrying the qualifiers of
// the previous primitive, with `inherited: true`. Code generation never has to look back.

export interface Span {
  start: number;
  end: number;
}

/** Protocol qualifiers. `link` stands for all its aliases (ether, fddi, tr, wlan, ppp, slip). */
export type ProtoQual =
  | 'link' | 'ip' | 'ip6' | 'arp' | 'rarp' | 'atalk' | 'aarp' | 'decnet' | 'lat' | 'sca'
  | 'mopdl' | 'moprc' | 'iso' | 'esis' | 'isis' | 'clnp' | 'stp' | 'ipx' | 'netbeui'
  | 'tcp' | 'udp' | 'sctp' | 'icmp' | 'icmp6' | 'igmp' | 'igrp' | 'pim' | 'vrrp' | 'carp'
  | 'ah' | 'esp' | 'radio'
  | 'l1' | 'l2' | 'iih' | 'lsp' | 'snp' | 'csnp' | 'psnp';

export type DirQual =
  | 'src' | 'dst' | 'src or dst' | 'src and dst'
  | 'addr1' | 'addr2' | 'addr3' | 'addr4' | 'ra' | 'ta';

export type TypeQual = 'host' | 'net' | 'port' | 'portrange' | 'gateway' | 'proto' | 'protochain';

export interface Qualifiers {
  /** undefined = not given (libpcap's Q_DEFAULT) */
  proto?: ProtoQual;
  /** the word the user wrote for proto (e.g. 'ether' for link), for messages */
  protoText?: string;
  dir?: DirQual;
  type?: TypeQual;
  /** where each qualifier was written (for an inherited id: in the primitive it inherits from) */
  protoSpan?: Span;
  dirSpan?: Span;
  typeSpan?: Span;
}

/** The id of a qualified primitive, as lexed. Names are kept; resolving them is codegen's job. */
export type Id =
  | { kind: 'num'; value: number; text: string }
  /**
   * dotted IPv4 with 2..4 parts as written (`10.1`, `10.1.2`, `10.1.2.3`; a bare `10` is a 'num');
   * value left-aligned (`10.1` -> 0x0a010000). `octets`: each part read as decimal digits the way
   * libpcap's __pcap_atoin does, NOT range checked: a part > 255 is libpcap's "invalid IPv4 address",
   * codegen's to refuse since the same text is a valid DECnet address after `decnet` (`50.764`).
   * `value` masks each part to 8 bits.
   */
  | { kind: 'ipv4'; value: number; parts: number; octets: number[]; text: string }
  /** `A/len` (IPv4, 2..4 parts: `10/8` is a syntax error) */
  | { kind: 'ipv4cidr'; value: number; parts: number; octets: number[]; prefix: number; text: string }
  /** `A mask M` */
  | { kind: 'ipv4mask'; value: number; mask: number; octets: number[]; maskOctets: number[]; text: string }
  /** IPv6 address, optionally `/len` */
  | { kind: 'ipv6'; bytes: number[]; prefix?: number; text: string }
  /** MAC-48 in any notation */
  | { kind: 'mac'; bytes: number[]; text: string }
  /** MAC-8 `$xx` (ARCnet / MS/TP) */
  | { kind: 'mac8'; value: number; text: string }
  /** host, network, port, protocol or service name; `escaped` when written `\name` */
  | { kind: 'name'; name: string; escaped: boolean; text: string };

export interface IdPrimitive {
  kind: 'id';
  q: Qualifiers;
  id: Id;
  /**
   * true when the qualifiers were inherited from the previous primitive (`b` in `host a or b`);
   * false for ids written after their own qualifiers, including each id of a list `host (a or b)`
   */
  inherited: boolean;
  /** the whole primitive (qualifiers and id); for an inherited id or a member of `host (a or b)`, the id alone */
  span: Span;
  /** the id alone (always set by parse()) */
  idSpan?: Span;
}

export type RelOp = '>' | '>=' | '<' | '<=' | '=' | '!=';
export type ArithOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>';

export type Arith =
  | { kind: 'num'; value: number; span: Span }
  | { kind: 'len'; span: Span }
  /** `proto[index]` / `proto[index : size]` */
  | { kind: 'load'; proto: ProtoQual; protoText: string; index: Arith; size: 1 | 2 | 4; span: Span }
  | { kind: 'binary'; op: ArithOp; left: Arith; right: Arith; span: Span }
  | { kind: 'neg'; operand: Arith; span: Span };

export type Expr =
  | { kind: 'and'; left: Expr; right: Expr; span: Span }
  | { kind: 'or'; left: Expr; right: Expr; span: Span }
  | { kind: 'not'; operand: Expr; span: Span }
  /** the empty expression: accepts every packet */
  | { kind: 'empty'; span: Span }
  | IdPrimitive
  /** bare protocol keyword used alone (`ip`, `tcp`, `l1`, `iih`, ...) */
  | { kind: 'abbrev'; proto: ProtoQual; protoText: string; span: Span }
  | { kind: 'relation'; op: RelOp; left: Arith; right: Arith; span: Span }
  | { kind: 'less' | 'greater'; value: number; span: Span }
  /** `[link|ip|ip6] broadcast|multicast` */
  | { kind: 'broadcast' | 'multicast'; proto?: ProtoQual; protoText?: string; span: Span }
  /** deprecated `byte IDX OP VAL`; op is '=', '<', '>', '&' or '|' */
  | { kind: 'byte'; index: number; op: '=' | '<' | '>' | '&' | '|'; value: number; span: Span }
  | { kind: 'inbound' | 'outbound'; span: Span }
  | { kind: 'ifindex'; value: number; span: Span }
  | { kind: 'vlan' | 'mpls' | 'pppoes' | 'geneve' | 'vxlan'; value?: number; span: Span }
  | { kind: 'pppoed'; span: Span }
  /** `llc` or `llc TYPE` (i, s, u, rr, rnr, rej, ui, ua, disc, dm, sabme, test, xid, frmr), lower-cased */
  | { kind: 'llc'; type?: string; span: Span }
  /** 802.11 `type T [subtype S]` / `subtype S` / `dir D`: values are numbers or names as written */
  | { kind: 'wlanType'; type: number | string; subtype?: number | string; span: Span }
  | { kind: 'wlanSubtype'; subtype: number | string; span: Span }
  | { kind: 'wlanDir'; dir: number | string; span: Span }
  /** PF log fields */
  | { kind: 'pf'; field: 'ifname' | 'rnr' | 'srnr' | 'rset' | 'reason' | 'action'; value: number | string; span: Span }
  /** SUNATM keywords without a value: lane, oamf4sc, oamf4ec, oamf4, oam, metac, bcc, sc, ilmic, connectmsg, metaconnect */
  | { kind: 'atm'; name: string; span: Span }
  /** `vpi|vci [relop] N` */
  | { kind: 'atmField'; field: 'vpi' | 'vci'; op: RelOp; value: number; span: Span }
  /** MTP2 signal unit kinds: fisu, lssu, msu, hfisu, hlssu, hmsu */
  | { kind: 'mtp2'; name: string; span: Span }
  /** `sio|opc|dpc|sls|hsio|hopc|hdpc|hsls [relop] N` */
  | { kind: 'mtp3Field'; field: string; op: RelOp; value: number; span: Span };

export type ExprKind = Expr['kind'];

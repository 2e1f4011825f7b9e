// Network- and transport-layer primitives: IPv4/IPv6/ARP addresses and networks, protocol
// numbers, TCP/UDP/SCTP ports and port ranges, protochain, DECnet addresses.
import {
  BPF_ADD, BPF_ALU, BPF_B, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_LDX, BPF_MEM,
  BPF_MISC, BPF_MSH, BPF_MUL, BPF_ST, BPF_TAX, BPF_TXA, BPF_X, BPF_ABS, type Insn, insn,
} from '../cbpf/insn.js';
import type { DirQual, ProtoQual } from '../grammar/ast.js';
import { and, not, or, test, type Frag } from './blocks.js';
import { CompileError } from './errors.js';
import { ETHERTYPE, LLCSAP, linktypeTest } from './linkproto.js';
import { DLT } from './linktypes.js';
import type { Gen } from './state.js';

export const IPPROTO = { TCP: 6, UDP: 17, SCTP: 132, ICMP: 1, IGMP: 2, IGRP: 9, PIM: 103, VRRP: 112, AH: 51, ESP: 50, ICMPV6: 58, FRAGMENT: 44 } as const;
/** tcp or udp or sctp */
export const PROTO_UNDEF = -1;

export const WLAN_DIRS: DirQual[] = ['addr1', 'addr2', 'addr3', 'addr4', 'ra', 'ta'];

function wlanDirError(dir: DirQual): CompileError {
  return new CompileError(`'${dir}' is valid for 802.11 syntax only`);
}

/** src/dst/both/either combination of a per-direction test. */
export function byDir(dir: DirQual | undefined, one: (which: 'src' | 'dst') => Frag): Frag {
  switch (dir) {
    case 'src': return one('src');
    case 'dst': return one('dst');
    case 'src and dst': return and(one('src'), one('dst'));
    case undefined: case 'src or dst': return or(one('src'), one('dst'));
    default: throw wlanDirError(dir);
  }
}

function hostop(g: Gen, addr: number, mask: number, dir: DirQual | undefined, proto: number, srcOff: number, dstOff: number): Frag {
  // a /0 network matches every packet of the protocol: no address load
  if (mask === 0) {
    if (dir && WLAN_DIRS.includes(dir)) throw wlanDirError(dir);
    return linktypeTest(g, proto);
  }
  return byDir(dir, (w) => and(linktypeTest(g, proto), g.mcmp('linkpl', w === 'src' ? srcOff : dstOff, 4, addr, mask)));
}

/** Address of one family at fixed source/destination offsets of the network header, without the protocol test. */
export function addrTest(g: Gen, addr: number, srcOff: number, dstOff: number): Frag {
  return or(g.cmp('linkpl', srcOff, 4, addr), g.cmp('linkpl', dstOff, 4, addr));
}

/** Source and destination offsets of IPv4 addresses in ip / arp / rarp headers. */
export const IPV4_ADDR_OFFSETS: Record<'ip' | 'arp' | 'rarp', [number, number, number]> = {
  ip: [ETHERTYPE.IP, 12, 16],
  arp: [ETHERTYPE.ARP, 14, 24],
  rarp: [ETHERTYPE.REVARP, 14, 24],
};

/** IPv4 host/net test for ip/arp/rarp or (no qualifier) all three. */
export function genHost(g: Gen, addr: number, mask: number, proto: ProtoQual | undefined, dir: DirQual | undefined, what: string): Frag {
  switch (proto) {
    case undefined: {
      let b = genHost(g, addr, mask, 'ip', dir, what);
      if (g.labelStackDepth === 0) {
        b = or(b, genHost(g, addr, mask, 'arp', dir, what));
        b = or(b, genHost(g, addr, mask, 'rarp', dir, what));
      }
      return b;
    }
    case 'ip': return hostop(g, addr, mask, dir, ETHERTYPE.IP, 12, 16);
    case 'arp': return hostop(g, addr, mask, dir, ETHERTYPE.ARP, 14, 24);
    case 'rarp': return hostop(g, addr, mask, dir, ETHERTYPE.REVARP, 14, 24);
    default: throw new CompileError(`'${proto}' is not a valid qualifier for '${what}'`);
  }
}

function word(b: number[], i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

export function genHost6(g: Gen, addr: number[], mask: number[], proto: ProtoQual | undefined, dir: DirQual | undefined, what: string): Frag {
  if (proto !== undefined && proto !== 'ip6') throw new CompileError(`'${proto}' is not a valid qualifier for '${what}'`);
  return byDir(dir, (w) => {
    const off = w === 'src' ? 8 : 24;
    // words the prefix does not cover are not loaded
    let b: Frag = linktypeTest(g, ETHERTYPE.IPV6);
    for (let i = 0; i < 16; i += 4) {
      if (word(mask, i) !== 0) b = and(b, g.mcmp('linkpl', off + i, 4, word(addr, i), word(mask, i)));
    }
    return b;
  });
}

/** All 16 bytes of an IPv6 address at `off` of the network header. */
export function ipv6AddrTest(g: Gen, addr: number[], off: number): Frag {
  let b = g.cmp('linkpl', off, 4, word(addr, 0));
  for (let i = 4; i < 16; i += 4) b = and(b, g.cmp('linkpl', off + i, 4, word(addr, i)));
  return b;
}

/** IPv4: not a fragment other than the first. */
export function ipFirstFrag(g: Gen): Frag {
  return not(g.jset('linkpl', 6, 2, 0x1fff));
}

function portAtom(g: Gen, ipv6: boolean, off: number, lo: number, hi: number): Frag {
  const rel = ipv6 ? 'tran_ipv6' : 'tran_ipv4';
  if (lo === hi) return g.cmp(rel, off, 2, lo);
  return and(g.cmpGe(rel, off, 2, lo), g.cmpLe(rel, off, 2, hi));
}

function portOp(g: Gen, ipv6: boolean, lo: number, hi: number, ipProto: number, dir: DirQual | undefined): Frag {
  const head = ipv6 ? g.cmp('linkpl', 6, 1, ipProto) : and(g.cmp('linkpl', 9, 1, ipProto), ipFirstFrag(g));
  if (dir && WLAN_DIRS.includes(dir)) throw wlanDirError(dir);
  const ports = byDir(dir, (w) => portAtom(g, ipv6, w === 'src' ? 0 : 2, lo, hi));
  return and(head, ports);
}

function portFamily(g: Gen, ipv6: boolean, lo: number, hi: number, ipProto: number, dir: DirQual | undefined): Frag {
  const b0 = linktypeTest(g, ipv6 ? ETHERTYPE.IPV6 : ETHERTYPE.IP);
  let b1: Frag;
  if (ipProto === PROTO_UNDEF) {
    b1 = or(portOp(g, ipv6, lo, hi, IPPROTO.TCP, dir), portOp(g, ipv6, lo, hi, IPPROTO.UDP, dir));
    b1 = or(b1, portOp(g, ipv6, lo, hi, IPPROTO.SCTP, dir));
  } else b1 = portOp(g, ipv6, lo, hi, ipProto, dir);
  return and(b0, b1);
}

/** `[tcp|udp|sctp] [dir] port P` / `portrange LO-HI`, over IPv6 and IPv4 (IPv6 tested first, as libpcap). */
export function genPortRange(g: Gen, lo: number, hi: number, ipProto: number, dir: DirQual | undefined): Frag {
  if (lo > hi) [lo, hi] = [hi, lo];
  return or(portFamily(g, true, lo, hi, ipProto, dir), portFamily(g, false, lo, hi, ipProto, dir));
}

const ISO = { CLNP: 0x81, ESIS: 0x82, ISIS: 0x83 } as const;

/** `[link|ip|ip6|iso|isis] proto N` */
export function genProto(g: Gen, v: number, proto: ProtoQual | undefined, dir: DirQual | undefined): Frag {
  if (dir !== undefined) throw new CompileError("direction applied to 'proto'");
  switch (proto) {
    case undefined:
      if (v > 255) throw new CompileError(`protocol number ${v} greater than maximum 255`);
      return or(genProto(g, v, 'ip', dir), genProto(g, v, 'ip6', dir));
    case 'link':
      return linktypeTest(g, v);
    case 'ip':
      if (v > 255) throw new CompileError(`protocol number ${v} greater than maximum 255`);
      return and(linktypeTest(g, ETHERTYPE.IP), g.cmp('linkpl', 9, 1, v));
    case 'ip6': {
      if (v > 255) throw new CompileError(`protocol number ${v} greater than maximum 255`);
      const b0 = linktypeTest(g, ETHERTYPE.IPV6);
      let b1 = and(g.cmp('linkpl', 6, 1, IPPROTO.FRAGMENT), g.cmp('linkpl', 40, 1, v));
      b1 = or(g.cmp('linkpl', 6, 1, v), b1);
      return and(b0, b1);
    }
    case 'iso':
      if (v > 255) throw new CompileError(`ISO protocol ${v} greater than maximum 255`);
      switch (g.linktype) {
        case DLT.FRELAY:
          return g.cmp('linkhdr', 2, 2, 0x0300 | v);
        case DLT.C_HDLC:
          return and(linktypeTest(g, (LLCSAP.ISONS << 8) | LLCSAP.ISONS), g.cmp('linkpl_nosnap', 1, 1, v));
        default:
          return and(linktypeTest(g, LLCSAP.ISONS), g.cmp('linkpl_nosnap', 0, 1, v));
      }
    case 'isis': {
      if (v > 31) throw new CompileError(`IS-IS PDU type ${v} greater than maximum 31`);
      const b0 = genProto(g, ISO.ISIS, 'iso', undefined);
      // C-HDLC puts a fudge byte before the OSI header
      const at = g.linktype === DLT.C_HDLC ? 5 : 4;
      return and(b0, g.mcmp('linkpl_nosnap', at, 1, v, 0x1f));
    }
    default:
      throw new CompileError(`'${proto}' is not a valid qualifier for 'proto'`);
  }
}

// ---- protochain: walk the IPv4/IPv6 header chain with a loop (optimizer turned off) ----

/** Straight-line code with internal labels; jumps are resolved to relative offsets. */
class Chain {
  readonly code: Array<Insn & { tl?: string; fl?: string; jl?: string }> = [];
  readonly labels = new Map<string, number>();
  label(name: string): void {
    this.labels.set(name, this.code.length);
  }
  s(i: Insn): void {
    this.code.push(i);
  }
  jeq(k: number, tl: string | null, fl: string | null): void {
    this.code.push({ ...insn(BPF_JMP | BPF_JEQ | BPF_K, k), tl: tl ?? undefined, fl: fl ?? undefined });
  }
  ja(target: string): void {
    this.code.push({ ...insn(BPF_JMP | BPF_JA), jl: target });
  }
  /** resolve labels; a missing label means "next instruction" */
  finish(): Insn[] {
    return this.code.map((c, i) => {
      const rel = (l?: string): number => (l === undefined ? 0 : this.labels.get(l)! - i - 1);
      if (c.jl !== undefined) return insn(c.code, rel(c.jl));
      return { code: c.code, jt: rel(c.tl), jf: rel(c.fl), k: c.k };
    });
  }
}

export function genProtochain(g: Gen, v: number, proto: ProtoQual | undefined): Frag {
  if (proto === undefined) return or(genProtochain(g, v, 'ip'), genProtochain(g, v, 'ip6'));
  if (proto !== 'ip' && proto !== 'ip6') throw new CompileError(`'${proto}' is not a valid qualifier for 'protochain'`);
  if (g.offLinkpl.variable) throw new CompileError("'protochain' not supported with variable length headers");
  if (v > 255) throw new CompileError(`protocol number ${v} greater than maximum 255`);
  g.noOptimize = true;
  const reg = g.allocReg();
  const base = g.offLinkpl.constant + g.offNl;
  const c = new Chain();
  let b0: Frag;
  if (proto === 'ip') {
    b0 = linktypeTest(g, ETHERTYPE.IP);
    c.s(insn(BPF_LD | BPF_ABS | BPF_B, base + 9));
    c.s(insn(BPF_LDX | BPF_MSH | BPF_B, base));
  } else {
    b0 = linktypeTest(g, ETHERTYPE.IPV6);
    c.s(insn(BPF_LD | BPF_ABS | BPF_B, base + 6));
    c.s(insn(BPF_LDX | BPF_IMM, 40));
  }
  c.label('again');
  c.jeq(v, 'end', null);
  c.jeq(59, 'end', null); // IPPROTO_NONE
  if (proto === 'ip6') {
    c.jeq(0, 'advance', null); // hop-by-hop
    c.jeq(60, 'advance', null); // destination options
    c.jeq(43, 'advance', null); // routing
    c.jeq(IPPROTO.FRAGMENT, 'advance', 'ah');
    c.label('advance');
    c.s(insn(BPF_LD | BPF_IND | BPF_B, base));
    c.s(insn(BPF_ST, reg));
    c.s(insn(BPF_LD | BPF_IND | BPF_B, base + 1));
    c.s(insn(BPF_ALU | BPF_ADD | BPF_K, 1));
    c.s(insn(BPF_ALU | BPF_MUL | BPF_K, 8));
    c.s(insn(BPF_ALU | BPF_ADD | BPF_X));
    c.s(insn(BPF_MISC | BPF_TAX));
    c.s(insn(BPF_LD | BPF_MEM, reg));
    c.ja('again');
  } else {
    c.s(insn(BPF_ALU | BPF_ADD | BPF_K, 0));
  }
  c.label('ah');
  c.jeq(IPPROTO.AH, null, 'end');
  c.s(insn(BPF_LD | BPF_IND | BPF_B, base));
  c.s(insn(BPF_ST, reg));
  c.s(insn(BPF_MISC | BPF_TXA));
  c.s(insn(BPF_ALU | BPF_ADD | BPF_K, 1));
  c.s(insn(BPF_MISC | BPF_TAX));
  c.s(insn(BPF_LD | BPF_IND | BPF_B, base));
  c.s(insn(BPF_ALU | BPF_ADD | BPF_K, 2));
  c.s(insn(BPF_ALU | BPF_MUL | BPF_K, 4));
  c.s(insn(BPF_MISC | BPF_TAX));
  c.s(insn(BPF_LD | BPF_MEM, reg));
  c.ja('again');
  c.label('end');
  c.s(insn(BPF_ALU | BPF_ADD | BPF_K, 0));
  const b = test(c.finish(), BPF_JEQ | BPF_K, v);
  g.freeReg(reg);
  return and(b0, b);
}

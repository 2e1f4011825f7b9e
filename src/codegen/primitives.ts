// Lowering of the AST to the block graph: boolean structure, then one case per primitive, with the
// qualifier checks libpcap makes (which proto/dir qualifiers go with which type and id).
import type { DirQual, Expr, Id, IdPrimitive, ProtoQual } from '../grammar/ast.js';
import { run, type Walk } from '../grammar/trampoline.js';
import { protoAbbrev, ETHER_PROTO_NAMES, ISO_PROTO_NAMES, LLC_PROTO_NAMES } from './abbrev.js';
import { genLen, genRelation } from './arith.js';
import { and, constant, not, or, type Frag } from './blocks.js';
import { genGeneve, genMpls, genPppoed, genPppoes, genVlan, genVxlan } from './encap.js';
import { CompileError } from './errors.js';
import { linkBroadcast, linkMulticast, mac8Host, macHost, isEthernetLike, isWlan } from './linkaddr.js';
import { DLT, dltName } from './linktypes.js';
import {
  addrTest, genHost, genHost6, ipv6AddrTest, genPortRange, genProto, genProtochain, IPPROTO, IPV4_ADDR_OFFSETS, PROTO_UNDEF,
  WLAN_DIRS, byDir,
} from './net.js';
import type { HostAddr } from './names.js';
import {
  genAtm, genAtmField, genByte, genDirection, genIfindex, genIpBroadcast, genIpMulticast, genLlc, genMtp2,
  genMtp3Field, genPf, genWlanDir, genWlanSubtype, genWlanType,
} from './special.js';
import { ETHERTYPE, linktypeTest } from './linkproto.js';
import type { Gen } from './state.js';

/**
 * The block graph of an expression, left operand first (as libpcap's parser reduces). The walk keeps
 * its calls on the heap (../grammar/trampoline.ts): a list of thousands of `host a or host b ...`
 * terms is a tree that deep.
 */
export function genExpr(g: Gen, root: Expr): Frag {
  return run(exprFrag(g, root));
}

function* exprFrag(g: Gen, e: Expr): Walk<Frag> {
  switch (e.kind) {
    case 'and': {
      const left: Frag = yield exprFrag(g, e.left);
      return and(left, yield exprFrag(g, e.right));
    }
    case 'or': {
      const left: Frag = yield exprFrag(g, e.left);
      return or(left, yield exprFrag(g, e.right));
    }
    case 'not': return not(yield exprFrag(g, e.operand));
    case 'empty': return constant(true);
    default:
      try {
        return genPrimitive(g, e);
      } catch (err) {
        if (err instanceof CompileError && !err.span) throw new CompileError(err.message, e.span);
        throw err;
      }
  }
}

function genPrimitive(g: Gen, e: Exclude<Expr, { kind: 'and' | 'or' | 'not' | 'empty' }>): Frag {
  switch (e.kind) {
    case 'id': return genId(g, e);
    case 'abbrev': return protoAbbrev(g, e.proto, e.protoText);
    case 'relation': return genRelation(g, e.op, e.left, e.right);
    case 'less': case 'greater': return genLen(e.kind, e.value);
    case 'broadcast':
      if (e.proto === 'ip') return genIpBroadcast(g);
      if (e.proto === undefined || e.proto === 'link') return linkBroadcast(g);
      throw new CompileError(`'${e.protoText ?? e.proto}' is not a valid qualifier for 'broadcast'`);
    case 'multicast':
      if (e.proto === 'ip' || e.proto === 'ip6') return genIpMulticast(g, e.proto === 'ip6');
      if (e.proto === undefined || e.proto === 'link') return linkMulticast(g);
      throw new CompileError(`'${e.protoText ?? e.proto}' is not a valid qualifier for 'multicast'`);
    case 'byte': return genByte(g, e.index, e.op, e.value);
    case 'inbound': case 'outbound': return genDirection(g, e.kind === 'outbound');
    case 'ifindex': return genIfindex(g, e.value);
    case 'vlan': return genVlan(g, e.value);
    case 'mpls': return genMpls(g, e.value);
    case 'pppoes': return genPppoes(g, e.value);
    case 'pppoed': return genPppoed(g);
    case 'geneve': return genGeneve(g, e.value);
    case 'vxlan': return genVxlan(g, e.value);
    case 'llc': return genLlc(g, e.type);
    case 'wlanType': return genWlanType(g, e.type, e.subtype);
    case 'wlanSubtype': return genWlanSubtype(g, e.subtype);
    case 'wlanDir': return genWlanDir(g, e.dir);
    case 'pf': return genPf(g, e.field, e.value);
    case 'atm': return genAtm(g, e.name);
    case 'atmField': return genAtmField(g, e.field, e.op, e.value);
    case 'mtp2': return genMtp2(g, e.name);
    case 'mtp3Field': return genMtp3Field(g, e.field, e.op, e.value);
  }
}

const IPV4_PROTOS: ReadonlySet<ProtoQual | undefined> = new Set([undefined, 'ip', 'arp', 'rarp']);
const PORT_PROTOS: ReadonlySet<ProtoQual | undefined> = new Set([undefined, 'tcp', 'udp', 'sctp']);

function invalid(q: string | undefined, what: string): CompileError {
  return new CompileError(`'${q}' is not a valid qualifier for '${what}'`);
}

function isWlanDir(dir: DirQual | undefined): boolean {
  return dir !== undefined && WLAN_DIRS.includes(dir);
}

function genId(g: Gen, p: IdPrimitive): Frag {
  const { proto, dir, type } = p.q;
  const id = p.id;
  const protoText = p.q.protoText ?? proto;
  if (isWlanDir(dir) && !(id.kind === 'mac' && (type === undefined || type === 'host'))) {
    if (type === 'port' || type === 'portrange') throw invalid(dir, type);
    throw new CompileError(`'${dir}' is valid for 802.11 syntax only`);
  }
  if (id.kind === 'mac' && type !== undefined && type !== 'host') {
    throw new CompileError('Ethernet address used in non-ether expression');
  }
  if (id.kind === 'mac8' && type !== undefined && type !== 'host') throw invalid(type, '$XX');
  switch (type) {
    case 'port': case 'portrange': return genPortId(g, p, type);
    case 'proto': case 'protochain': return genProtoId(g, p, type);
    case 'gateway': return genGateway(g, p);
    default: break;
  }
  // host, net or no type
  switch (id.kind) {
    case 'num': case 'ipv4': {
      if (id.kind === 'ipv4' && id.text.split('.').some((part) => cNumber(part) > 255)) {
        if (proto !== 'decnet') throw new CompileError(`invalid IPv4 address '${id.text}'`);
      }
      if (proto === 'decnet') {
        if (type === 'net') throw invalid('decnet', 'net');
        return genDecnetHost(g, decnetAddress(id), dir);
      }
      if (proto === 'link') throw new CompileError(`illegal link-layer address '${id.text}'`);
      if (!IPV4_PROTOS.has(proto)) throw invalid(protoText, `${type ?? 'host'} <IPv4 address>`);
      let v: number;
      let mask = 0xffffffff;
      if (id.kind === 'num') {
        v = id.value >>> 0;
        if (type === 'net') {
          while (v !== 0 && (v & 0xff000000) === 0) {
            v = (v << 8) >>> 0;
            mask = (mask << 8) >>> 0;
          }
        }
      } else {
        v = id.value >>> 0;
        mask = (0xffffffff << (32 - 8 * id.parts)) >>> 0;
      }
      return genHost(g, v, mask, proto, dir, type ?? 'host');
    }
    case 'ipv4cidr': case 'ipv4mask': {
      if (type !== 'net') throw invalid(type ?? 'host', id.text);
      if (!IPV4_PROTOS.has(proto)) throw invalid(protoText, 'net <IPv4 prefix>');
      let mask: number;
      if (id.kind === 'ipv4cidr') {
        if (id.prefix > 32) throw new CompileError(`netmask length ${id.prefix} greater than maximum 32`);
        mask = id.prefix === 0 ? 0 : (0xffffffff << (32 - id.prefix)) >>> 0;
      } else mask = id.mask >>> 0;
      if ((id.value & ~mask) >>> 0 !== 0) throw new CompileError(`non-network bits set in "${id.text}"`);
      return genHost(g, id.value >>> 0, mask, proto, dir, 'net');
    }
    case 'ipv6': {
      const len = id.prefix ?? 128;
      if (len > 128) throw new CompileError('mask length must be <= 128');
      const mask = new Array<number>(16).fill(0).map((_, i) => {
        const bits = Math.max(0, Math.min(8, len - 8 * i));
        return (0xff << (8 - bits)) & 0xff;
      });
      if (id.bytes.some((b, i) => (b & ~mask[i]) !== 0)) throw new CompileError(`non-network bits set in "${id.text}"`);
      if (type !== 'net' && len !== 128) throw invalid(type ?? 'host', id.text);
      if (proto !== undefined && proto !== 'ip6') throw invalid(protoText, type === 'net' ? 'net <IPv6 prefix>' : 'host <IPv6 address>');
      return genHost6(g, id.bytes, mask, proto, dir, type ?? 'host');
    }
    case 'mac': {
      if (type === 'net') throw invalid('net', id.text);
      if (proto !== undefined && proto !== 'link') throw new CompileError('Ethernet address used in non-ether expression');
      const b = macHost(g, id.bytes, dir);
      if (!b) throw new CompileError(`'link host XX:XX:XX:XX:XX:XX' not supported on ${dltName(g.linktype)}`);
      return b;
    }
    case 'mac8': {
      if (type === 'net') throw invalid('net', id.text);
      if (proto !== undefined && proto !== 'link') throw new CompileError("'link' is the only valid proto qualifier for 'host $XX'");
      const b = mac8Host(g, id.value, dir);
      if (!b) throw new CompileError(`'link host $XX' not supported on ${dltName(g.linktype)}`);
      return b;
    }
    case 'name':
      return type === 'net' ? genNetName(g, p, id.name) : genHostName(g, p, id.name);
  }
}

/** A number as C's strtoul with base 0 reads it (0x hex, leading-0 octal, decimal). */
function cNumber(s: string): number {
  if (/^0x/i.test(s)) return parseInt(s.slice(2), 16);
  if (/^0\d/.test(s)) return parseInt(s, 8);
  return Number(s);
}

function decnetAddress(id: Id): number {
  const m = /^(\d+)\.(\d+)$/.exec(id.text);
  if (!m || Number(m[1]) > 63 || Number(m[2]) > 1023) throw new CompileError(`invalid DECnet address '${id.text}'`);
  return (Number(m[1]) << 10) | Number(m[2]);
}

/** DECnet routing header: long or short form, with or without padding; addresses are little-endian. */
function genDecnetHost(g: Gen, addr: number, dir: DirQual | undefined): Frag {
  const swapped = ((addr & 0xff) << 8) | ((addr >>> 8) & 0xff);
  const one = (w: 'src' | 'dst'): Frag => {
    const lh = w === 'dst' ? 7 : 15;
    let shortNoPad: Frag;
    let shortPad: Frag;
    if (w === 'dst') {
      // the flags byte and the destination of a short header fit in one word
      shortNoPad = g.mcmp('linkpl', 2, 4, (0x02000000 | (swapped << 8)) >>> 0, 0x07ffff00);
      shortPad = g.mcmp('linkpl', 2, 4, (0x81020000 | swapped) >>> 0, 0xff07ffff);
    } else {
      shortNoPad = and(g.mcmp('linkpl', 2, 1, 0x02, 0x07), g.cmp('linkpl', 2 + 3, 2, swapped));
      shortPad = and(g.mcmp('linkpl', 2, 2, 0x8102, 0xff07), g.cmp('linkpl', 2 + 1 + 3, 2, swapped));
    }
    const longNoPad = and(g.mcmp('linkpl', 2, 1, 0x06, 0x07), g.cmp('linkpl', 2 + lh, 2, swapped));
    const longPad = and(g.mcmp('linkpl', 2, 2, 0x8106, 0xff07), g.cmp('linkpl', 2 + 1 + lh, 2, swapped));
    return and(linktypeTest(g, ETHERTYPE.DN), or(or(or(shortNoPad, shortPad), longNoPad), longPad));
  };
  return byDir(dir, one);
}

function genHostName(g: Gen, p: IdPrimitive, name: string): Frag {
  const { proto, dir } = p.q;
  const protoText = p.q.protoText ?? proto;
  if (proto === 'link') {
    const mac = g.opts.resolver.ether(name);
    if (!macLinktype(g)) throw new CompileError(`'link host NAME' not supported on ${dltName(g.linktype)}`);
    if (!mac) throw new CompileError(`unknown Ethernet-like host '${name}'`);
    return macHost(g, mac, dir)!;
  }
  if (proto === 'decnet') throw invalid('decnet', 'host');
  if (proto !== undefined && proto !== 'ip' && proto !== 'ip6' && proto !== 'arp' && proto !== 'rarp') {
    throw invalid(protoText, 'host <Internet hostname>');
  }
  const addrs = g.opts.resolver.host(name);
  if (!addrs.length) throw new CompileError(`unknown host '${name}'`);
  const v4 = addrs.filter((a): a is Extract<HostAddr, { family: 4 }> => a.family === 4).map((a) => a.addr);
  const v6 = addrs.filter((a): a is Extract<HostAddr, { family: 6 }> => a.family === 6).map((a) => a.addr);
  // one protocol test per family, then every address of that family (as libpcap master groups them)
  let fams4: Array<'ip' | 'arp' | 'rarp'> = [];
  if (proto === undefined) fams4 = g.offLinktype.constant === -1 || g.labelStackDepth > 0 ? ['ip'] : ['ip', 'arp', 'rarp'];
  else if (proto !== 'ip6') fams4 = [proto as 'ip' | 'arp' | 'rarp'];
  const parts: Frag[] = [];
  if (v4.length) {
    for (const f of fams4) {
      const [ethertype, src, dst] = IPV4_ADDR_OFFSETS[f];
      const tests = v4.map((a) => byDir(dir, (w) => g.cmp('linkpl', w === 'src' ? src : dst, 4, a)));
      parts.push(and(linktypeTest(g, ethertype), tests.reduce((acc, t) => or(acc, t))));
    }
  }
  if (v6.length && (proto === undefined || proto === 'ip6')) {
    const tests = v6.map((a) => byDir(dir, (w) => ipv6AddrTest(g, a, w === 'src' ? 8 : 24)));
    parts.push(and(linktypeTest(g, ETHERTYPE.IPV6), tests.reduce((acc, t) => or(acc, t))));
  }
  if (!parts.length) throw new CompileError(`unknown host '${name}' for specified address family`);
  return parts.reduce((acc, t) => or(acc, t));
}

function macLinktype(g: Gen): boolean {
  return isEthernetLike(g.linktype) || isWlan(g.linktype) || g.linktype === DLT.FDDI ||
    g.linktype === DLT.IEEE802 || g.linktype === DLT.IP_OVER_FC;
}

function genNetName(g: Gen, p: IdPrimitive, name: string): Frag {
  const { proto, dir } = p.q;
  if (!IPV4_PROTOS.has(proto)) throw invalid(p.q.protoText ?? proto, 'net <IPv4 network name>');
  let addr = g.opts.resolver.network(name);
  if (addr === undefined || addr === 0) throw new CompileError(`unknown network '${name}'`);
  let mask = 0xffffffff;
  while (addr !== 0 && (addr & 0xff000000) === 0) {
    addr = (addr << 8) >>> 0;
    mask = (mask << 8) >>> 0;
  }
  return genHost(g, addr, mask, proto, dir, 'net');
}

// ---- ports ----

interface Port {
  port: number;
  proto: number;
}

/** A service name's port and protocol (libpcap's pcap_nametoport). */
function servicePort(g: Gen, name: string): Port | null {
  const s = g.opts.resolver.service(name);
  if (s.tcp !== undefined) return { port: s.tcp, proto: s.udp === s.tcp ? PROTO_UNDEF : IPPROTO.TCP };
  if (s.udp !== undefined) return { port: s.udp, proto: IPPROTO.UDP };
  if (s.sctp !== undefined) return { port: s.sctp, proto: IPPROTO.SCTP };
  return null;
}

function portOf(g: Gen, text: string): Port {
  if (/^\d+$/.test(text) || /^0x[0-9a-f]+$/i.test(text)) {
    const v = Number(text);
    if (v > 65535) throw new CompileError(`port number ${v} greater than maximum 65535`);
    return { port: v, proto: PROTO_UNDEF };
  }
  const p = servicePort(g, text);
  if (!p) throw new CompileError(`unknown port '${text}'`);
  return p;
}

const PROTO_NAME: Record<number, string> = { [IPPROTO.TCP]: 'tcp', [IPPROTO.UDP]: 'udp', [IPPROTO.SCTP]: 'sctp' };

function genPortId(g: Gen, p: IdPrimitive, type: 'port' | 'portrange'): Frag {
  const { proto, dir } = p.q;
  const id = p.id;
  if (id.kind !== 'num' && id.kind !== 'name') throw new CompileError(`'${type}' qualifier applied to ${describeId(id)}`);
  if (!PORT_PROTOS.has(proto)) throw invalid(p.q.protoText ?? proto, type);
  let lo: number;
  let hi: number;
  let real = PROTO_UNDEF;
  if (id.kind === 'num') {
    if (id.value > 65535) throw new CompileError(`port number ${id.value} greater than maximum 65535`);
    lo = hi = id.value;
  } else if (id.kind === 'name') {
    if (type === 'port') {
      const r = portOf(g, id.name);
      lo = hi = r.port;
      real = r.proto;
    } else {
      const m = /^(.+?)-(.+)$/.exec(id.name);
      if (!m) {
        const r = portOf(g, id.name);
        lo = hi = r.port;
        real = r.proto;
      } else {
        const a = portOf(g, m[1]);
        const b = portOf(g, m[2]);
        lo = a.port;
        hi = b.port;
        real = a.proto === b.proto ? a.proto : PROTO_UNDEF;
      }
    }
  } else {
    throw new CompileError(`'${type}' qualifier applied to ${describeId(id)}`);
  }
  if (proto !== undefined) {
    const want = proto === 'tcp' ? IPPROTO.TCP : proto === 'udp' ? IPPROTO.UDP : IPPROTO.SCTP;
    if (real !== PROTO_UNDEF && real !== want) throw new CompileError(`port '${p.id.text}' is ${PROTO_NAME[real]}`);
    real = want;
  }
  return genPortRange(g, lo, hi, real, dir);
}

function describeId(id: Id): string {
  switch (id.kind) {
    case 'ipv4': return 'IPv4 address';
    case 'ipv4cidr': return 'IPv4 address and prefix length';
    case 'ipv4mask': return 'IPv4 address and netmask';
    case 'ipv6': return id.prefix === undefined ? 'IPv6 address' : 'IPv6 address and prefix length';
    case 'mac': return 'MAC-48 address';
    case 'mac8': return 'MAC-8 address';
    default: return id.text;
  }
}

// ---- proto, protochain ----

/** A protocol name in the table of the qualifier; `what` names the qualifiers for the message. */
function protoValue(g: Gen, proto: ProtoQual | undefined, name: string, what: string): number {
  let v: number | undefined;
  switch (proto) {
    case undefined: case 'ip': case 'ip6': v = g.opts.resolver.protocol(name); break;
    case 'link': v = ETHER_PROTO_NAMES[name] ?? LLC_PROTO_NAMES[name]; break;
    case 'iso': v = ISO_PROTO_NAMES[name]; break;
    default: break;
  }
  if (v === undefined) throw new CompileError(`unknown '${what}' value '${name}'`);
  return v;
}

function genProtoId(g: Gen, p: IdPrimitive, type: 'proto' | 'protochain'): Frag {
  const { proto, dir } = p.q;
  const id = p.id;
  const allowed: ReadonlyArray<ProtoQual | undefined> = type === 'proto'
    ? [undefined, 'link', 'ip', 'ip6', 'iso', 'isis'] : [undefined, 'ip', 'ip6'];
  if (id.kind !== 'num' && id.kind !== 'name') throw new CompileError(`'${type}' qualifier applied to ${describeId(id)}`);
  const protoText = p.q.protoText ?? proto;
  if (!allowed.includes(proto)) {
    if (id.kind === 'name' && proto !== 'decnet') throw new CompileError(`unknown '${protoText} ${type}' value '${id.name}'`);
    throw invalid(protoText, type);
  }
  if (dir !== undefined) throw new CompileError(`direction applied to '${type}'`);
  let v: number;
  if (id.kind === 'num') v = id.value;
  else if (id.kind === 'name') {
    if (proto === 'isis') throw new CompileError(`unknown 'isis proto' value '${id.name}'`);
    v = protoValue(g, proto, id.name, protoText === undefined ? type : `${protoText} ${type}`);
  } else throw new CompileError(`'${type}' qualifier applied to ${describeId(id)}`);
  if (type === 'protochain') return genProtochain(g, v, proto);
  if (proto === 'link') checkLinkProtoRange(g, v);
  return genProto(g, v, proto, undefined);
}

/** Link types whose `link proto N` with N <= 1500 means an LLC DSAP. */
const DSAP_LINKTYPES: ReadonlySet<number> = new Set([
  DLT.LINUX_SLL, DLT.LINUX_SLL2, DLT.FDDI, DLT.IEEE802, DLT.ATM_RFC1483, DLT.ATM_CLIP, DLT.IP_OVER_FC, DLT.SUNATM,
]);

function checkLinkProtoRange(g: Gen, v: number): void {
  if (v > 65535) {
    const what = g.linktype === DLT.C_HDLC ? 'HDLC protocol' : g.linktype === DLT.PPP || g.linktype === DLT.PPP_BSDOS ? 'PPP protocol' : 'EtherType';
    throw new CompileError(`${what} ${v} greater than maximum 65535`);
  }
  const dsap = isEthernetLike(g.linktype) || isWlan(g.linktype) || DSAP_LINKTYPES.has(g.linktype);
  if (dsap && v <= 1500 && v > 255) throw new CompileError(`LLC DSAP ${v} greater than maximum 255`);
}

// ---- gateway ----

function genGateway(g: Gen, p: IdPrimitive): Frag {
  const { proto, dir } = p.q;
  if (!IPV4_PROTOS.has(proto)) throw invalid(p.q.protoText ?? proto, 'gateway');
  if (p.id.kind !== 'name') throw invalid('gateway', p.id.text);
  if (dir !== undefined) throw new CompileError("direction applied to 'gateway'");
  if (!macLinktype(g)) throw new CompileError(`'gateway' not supported on ${dltName(g.linktype)}`);
  if (g.labelStackDepth > 0) throw new CompileError("'gateway' cannot be used within MPLS");
  if (g.isEncap) throw new CompileError("'gateway' cannot be used within VXLAN or Geneve");
  const name = p.id.name;
  const mac = g.opts.resolver.ether(name);
  if (!mac) throw new CompileError(`unknown Ethernet-like host '${name}'`);
  const addrs = g.opts.resolver.host(name).filter((a): a is Extract<HostAddr, { family: 4 }> => a.family === 4);
  if (!addrs.length) throw new CompileError(`unknown host '${name}'`);
  const b0 = macHost(g, mac, 'src or dst')!;
  // per protocol: a packet of it whose addresses are none of the gateway's
  let b1: Frag | null = null;
  const families: Array<'ip' | 'arp' | 'rarp'> = proto === undefined ? ['ip', 'arp', 'rarp'] : [proto as 'ip' | 'arp' | 'rarp'];
  for (const f of families) {
    const [ethertype, src, dst] = IPV4_ADDR_OFFSETS[f];
    const hosts = addrs.map((a) => addrTest(g, a.addr, src, dst)).reduce((acc, t) => or(acc, t));
    const t = and(linktypeTest(g, ethertype), not(hosts));
    b1 = b1 ? or(b1, t) : t;
  }
  return and(b0, b1!);
}

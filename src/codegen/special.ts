// Primitives tied to one family of link types: 802.11 frame type/direction, LLC frames, PF log
// fields, SunATM circuits, MTP2/MTP3 signalling, packet direction and interface index, plus
// `byte`, `ip broadcast` and `ip/ip6 multicast`.
import { BPF_ALU, BPF_AND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_K, BPF_OR, SKF_AD_IFINDEX, SKF_AD_OFF, SKF_AD_PKTTYPE, insn } from '../cbpf/insn.js';
import type { RelOp } from '../grammar/ast.js';
import { and, constant, not, or, test, type Frag } from './blocks.js';
import { CompileError } from './errors.js';
import { ETHERMTU, ETHERTYPE, atmProtoIsLlc, linktypeTest, wlanDataFrame } from './linkproto.js';
import { DLT, dltName } from './linktypes.js';
import { isWlan } from './linkaddr.js';
import type { Gen } from './state.js';

const REL: Record<RelOp, [number, boolean]> = {
  '>': [BPF_JGT, false], '>=': [BPF_JGE, false], '=': [BPF_JEQ, false],
  '!=': [BPF_JEQ, true], '<': [BPF_JGE, true], '<=': [BPF_JGT, true],
};

// ---- 802.11 ----

const WLAN_TYPES: Record<string, number> = { mgt: 0x00, management: 0x00, ctl: 0x04, control: 0x04, data: 0x08 };
const WLAN_SUBTYPES: Array<[number, Record<string, number>]> = [
  [0x00, {
    'assoc-req': 0x00, assocreq: 0x00, 'assoc-resp': 0x10, assocresp: 0x10, 'reassoc-req': 0x20, reassocreq: 0x20,
    'reassoc-resp': 0x30, reassocresp: 0x30, 'probe-req': 0x40, probereq: 0x40, 'probe-resp': 0x50, proberesp: 0x50,
    beacon: 0x80, atim: 0x90, disassoc: 0xa0, disassociation: 0xa0, auth: 0xb0, authentication: 0xb0,
    deauth: 0xc0, deauthentication: 0xc0,
  }],
  [0x04, {
    bar: 0x80, ba: 0x90, 'ps-poll': 0xa0, rts: 0xb0, cts: 0xc0, ack: 0xd0, 'cf-end': 0xe0, 'cf-end-ack': 0xf0,
  }],
  [0x08, {
    data: 0x00, 'data-cf-ack': 0x10, 'data-cf-poll': 0x20, 'data-cf-ack-poll': 0x30, null: 0x40, 'cf-ack': 0x50,
    'cf-poll': 0x60, 'cf-ack-poll': 0x70, 'qos-data': 0x80, 'qos-data-cf-ack': 0x90, 'qos-data-cf-poll': 0xa0,
    'qos-data-cf-ack-poll': 0xb0, qos: 0xc0, 'qos-cf-poll': 0xe0, 'qos-cf-ack-poll': 0xf0,
  }],
];
const WLAN_DIRS: Record<string, number> = { nods: 0, tods: 1, fromds: 2, dstods: 3 };

function requireWlan(g: Gen, what: string): void {
  if (!isWlan(g.linktype)) throw new CompileError(`'${what}' not supported on ${dltName(g.linktype)}`);
}

function wlanTypeValue(t: number | string): number {
  if (typeof t === 'number') {
    if (t & ~0x0c) throw new CompileError(`invalid 802.11 type value ${t}`);
    return t;
  }
  const v = WLAN_TYPES[t.toLowerCase()];
  if (v === undefined) throw new CompileError(`unknown 802.11 type name '${t}'`);
  return v;
}

function wlanSubtypeValue(type: number | null, s: number | string): number {
  if (typeof s === 'number') {
    if (s & ~0xf0) throw new CompileError(`invalid 802.11 subtype value ${s}`);
    return type === null ? s : type | s;
  }
  for (const [t, names] of WLAN_SUBTYPES) {
    if (type !== null && t !== type) continue;
    const v = names[s.toLowerCase()];
    if (v !== undefined) return t | v;
  }
  throw new CompileError(`unknown 802.11 subtype name '${s}'`);
}

export function genWlanType(g: Gen, type: number | string, subtype?: number | string): Frag {
  requireWlan(g, 'type/subtype');
  const t = wlanTypeValue(type);
  if (subtype === undefined) return g.mcmp('linkhdr', 0, 1, t, 0x0c);
  return g.mcmp('linkhdr', 0, 1, wlanSubtypeValue(t, subtype), 0xfc);
}

export function genWlanSubtype(g: Gen, subtype: number | string): Frag {
  requireWlan(g, 'type/subtype');
  return g.mcmp('linkhdr', 0, 1, wlanSubtypeValue(null, subtype), 0xfc);
}

export function genWlanDir(g: Gen, dir: number | string): Frag {
  requireWlan(g, 'dir');
  let v: number;
  if (typeof dir === 'number') {
    if (dir > 3) throw new CompileError(`invalid 802.11 direction ${dir}`);
    v = dir;
  } else {
    const d = WLAN_DIRS[dir.toLowerCase()];
    if (d === undefined) throw new CompileError(`unknown 802.11 direction '${dir}'`);
    v = d;
  }
  return g.mcmp('linkhdr', 1, 1, v, 0x03);
}

// ---- LLC ----

const LLC_S: Record<string, number> = { rr: 0x01, rnr: 0x05, rej: 0x09 };
const LLC_U: Record<string, number> = { ui: 0x03, ua: 0x63, disc: 0x43, dm: 0x0f, sabme: 0x6f, test: 0xe3, xid: 0xaf, frmr: 0x87 };

function llcFrame(g: Gen): Frag {
  const lt = g.linktype;
  if (lt === DLT.EN10MB || lt === DLT.DSA_TAG_BRCM || lt === DLT.DSA_TAG_DSA) {
    return and(not(g.cmpGt('linktype', 0, 2, ETHERMTU)), not(g.cmp('llc', 0, 2, 0xffff)));
  }
  if (lt === DLT.SUNATM) return atmProtoIsLlc(g);
  if (lt === DLT.IEEE802 || lt === DLT.FDDI || lt === DLT.ATM_RFC1483) return constant(true);
  if (isWlan(lt)) return wlanDataFrame(g);
  throw new CompileError(`'llc' not supported on ${dltName(lt)}`);
}

export function genLlc(g: Gen, type?: string): Frag {
  const b0 = llcFrame(g);
  if (type === undefined) return b0;
  const t = type.toLowerCase();
  if (t === 'i') return and(b0, not(g.jset('llc', 2, 1, 0x01)));
  if (t === 's') return and(b0, g.mcmp('llc', 2, 1, 0x01, 0x03));
  if (t === 'u') return and(b0, g.mcmp('llc', 2, 1, 0x03, 0x03));
  if (t in LLC_S) return and(b0, g.mcmp('llc', 2, 1, LLC_S[t], 0x0f));
  if (t in LLC_U) return and(b0, g.mcmp('llc', 2, 1, LLC_U[t], 0xef));
  throw new CompileError(`unknown LLC type name '${type}'`);
}

// ---- PF log (struct pfloghdr) ----

const PF_REASONS = ['match', 'bad-offset', 'fragment', 'short', 'normalize', 'memory', 'bad-timestamp', 'congestion',
  'ip-option', 'proto-cksum', 'state-mismatch', 'state-insert', 'state-limit', 'src-limit', 'synproxy'];
const PF_ACTIONS: Record<string, number> = {
  pass: 0, accept: 0, block: 1, drop: 1, scrub: 2, noscrub: 3, nat: 4, nonat: 5, binat: 6, nobinat: 7, rdr: 8,
  nordr: 9, 'synproxy-drop': 10,
};

export function genPf(g: Gen, field: 'ifname' | 'rnr' | 'srnr' | 'rset' | 'reason' | 'action', value: number | string): Frag {
  if (g.linktype !== DLT.PFLOG) throw new CompileError(`'${field}' supported only on PFLOG linktype`);
  const bytes = (s: string): number[] => [...Buffer.from(s, 'latin1')];
  switch (field) {
    case 'ifname': {
      const s = String(value);
      if (s.length >= 16) throw new CompileError('ifname interface names can only be 15 characters');
      return g.bcmp('linkhdr', 4, bytes(s));
    }
    case 'rset': {
      const s = String(value);
      if (s.length >= 16) throw new CompileError('ruleset names can only be 15 characters');
      return g.bcmp('linkhdr', 20, bytes(s));
    }
    case 'rnr': return g.cmp('linkhdr', 36, 4, Number(value));
    case 'srnr': return g.cmp('linkhdr', 40, 4, Number(value));
    case 'reason': {
      let v: number;
      if (typeof value === 'number') v = value;
      else {
        v = PF_REASONS.indexOf(value.toLowerCase());
        if (v < 0) throw new CompileError(`unknown PF reason "${value}"`);
      }
      if (v > 255) throw new CompileError(`reason ${v} greater than maximum 255`);
      return g.cmp('linkhdr', 3, 1, v);
    }
    case 'action': {
      let v: number;
      if (typeof value === 'number') v = value;
      else {
        const a = PF_ACTIONS[value.toLowerCase()];
        if (a === undefined) throw new CompileError(`unknown PF action "${value}"`);
        v = a;
      }
      if (v > 255) throw new CompileError(`action ${v} greater than maximum 255`);
      return g.cmp('linkhdr', 2, 1, v);
    }
  }
}

// ---- SunATM ----

function requireAtm(g: Gen, what: string): void {
  if (!g.isAtm) throw new CompileError(`'${what}' supported only on SUNATM`);
}

function atmVpi(g: Gen, v: number, op: RelOp = '='): Frag {
  if (v > 255) throw new CompileError(`VPI ${v} greater than maximum 255`);
  const [code, rev] = REL[op];
  return g.ncmp('linkhdr', g.offVpi, 1, 0xffffffff, code, rev, v);
}

function atmVci(g: Gen, v: number, op: RelOp = '='): Frag {
  if (v > 65535) throw new CompileError(`VCI ${v} greater than maximum 65535`);
  const [code, rev] = REL[op];
  return g.ncmp('linkhdr', g.offVci, 2, 0xffffffff, code, rev, v);
}

export function genAtmField(g: Gen, field: 'vpi' | 'vci', op: RelOp, value: number): Frag {
  requireAtm(g, field);
  return field === 'vpi' ? atmVpi(g, value, op) : atmVci(g, value, op);
}

function circuit(g: Gen, vci: number): Frag {
  return and(atmVpi(g, 0), atmVci(g, vci));
}

function q2931(g: Gen, types: number[]): Frag {
  const tests = types.map((t) => g.cmp('linkhdr', g.offPayload + 5, 1, t));
  return tests.slice(1).reduce((acc, t) => or(t, acc), tests[0]);
}

export function genAtm(g: Gen, name: string): Frag {
  requireAtm(g, name);
  switch (name) {
    case 'metac': return circuit(g, 1);
    case 'bcc': return circuit(g, 2);
    case 'oamf4sc': return circuit(g, 3);
    case 'oamf4ec': return circuit(g, 4);
    case 'sc': return circuit(g, 5);
    case 'ilmic': return circuit(g, 16);
    case 'oam': case 'oamf4': return and(atmVpi(g, 0), or(atmVci(g, 3), atmVci(g, 4)));
    case 'lane': {
      const b = g.mcmp('linkhdr', g.offProto, 1, 1, 0x0f);
      // from now on: LANE-encapsulated Ethernet after the 2-byte LANE header
      g.prevLinktype = g.linktype;
      g.offPrevLinkhdr = g.offLinkhdr;
      g.linktype = DLT.EN10MB;
      const hdr = g.offPayload + 2;
      g.offLinkhdr = { constant: hdr, variable: false, slot: { reg: -1 } };
      g.offLinktype = { constant: hdr + 12, variable: false, slot: { reg: -1 } };
      g.offLinkpl = { constant: hdr + 14, variable: false, slot: { reg: -1 } };
      g.offNl = 0;
      g.offNlNosnap = 3;
      return b;
    }
    case 'connectmsg':
      return and(circuit(g, 5), q2931(g, [0x05, 0x02, 0x07, 0x0f, 0x4d, 0x5a]));
    case 'metaconnect':
      return and(circuit(g, 1), q2931(g, [0x05, 0x02, 0x07, 0x4d, 0x5a]));
    default:
      throw new CompileError(`unknown ATM keyword '${name}'`);
  }
}

// ---- MTP2 / MTP3 ----

function requireSs7(g: Gen, what: string): void {
  if (g.offLi === -1) throw new CompileError(`'${what}' supported only on SS7`);
}

export function genMtp2(g: Gen, name: string): Frag {
  requireSs7(g, name);
  const li = (mask: number, size: 1 | 2, op: number, rev: boolean, v: number, off: number): Frag =>
    g.ncmp('packet', off, size, mask, op, rev, v);
  switch (name) {
    case 'fisu': return li(0x3f, 1, BPF_JEQ, false, 0, g.offLi);
    case 'lssu': return and(li(0x3f, 1, BPF_JGT, false, 0, g.offLi), li(0x3f, 1, BPF_JGT, true, 2, g.offLi));
    case 'msu': return li(0x3f, 1, BPF_JGT, false, 2, g.offLi);
    case 'hfisu': return li(0xff80, 2, BPF_JEQ, false, 0, g.offLiHsl);
    case 'hlssu': return and(li(0xff80, 2, BPF_JGT, false, 0, g.offLiHsl), li(0xff80, 2, BPF_JGT, true, 0x0100, g.offLiHsl));
    case 'hmsu': return li(0xff80, 2, BPF_JGT, false, 0x0100, g.offLiHsl);
    default: throw new CompileError(`unknown MTP2 keyword '${name}'`);
  }
}

export function genMtp3Field(g: Gen, field: string, op: RelOp, v: number): Frag {
  const high = field.startsWith('h');
  const base = high ? field.slice(1) : field;
  requireSs7(g, field);
  const [code, rev] = REL[op];
  const extra = high ? 3 : 0;
  switch (base) {
    case 'sio':
      if (v > 255) throw new CompileError(`${field} ${v} greater than maximum 255`);
      return g.ncmp('packet', g.offSio + extra, 1, 0xffffffff, code, rev, v);
    case 'opc': {
      if (v > 16383) throw new CompileError(`${field} ${v} greater than maximum 16383`);
      const k = ((v & 0x3c00) >>> 10) + ((v & 0x03fc) << 6) + ((v & 0x0003) << 22);
      return g.ncmp('packet', g.offOpc + extra, 4, 0x00c0ff0f, code, rev, k);
    }
    case 'dpc': {
      // 14 bits, little-endian: low byte first
      if (v > 16383) throw new CompileError(`${field} ${v} greater than maximum 16383`);
      const k = ((v & 0xff) << 8) | ((v >>> 8) & 0x3f);
      return g.ncmp('packet', g.offDpc + extra, 2, 0xff3f, code, rev, k);
    }
    case 'sls':
      if (v > 15) throw new CompileError(`${field} ${v} greater than maximum 15`);
      return g.ncmp('packet', g.offSls + extra, 1, 0xf0, code, rev, v << 4);
    default:
      throw new CompileError(`unknown MTP3 field '${field}'`);
  }
}

// ---- direction, interface ----

const JUNIPER = new Set(Object.entries(DLT).filter(([n]) => n.startsWith('JUNIPER_') && n !== 'JUNIPER_PIC_PEER').map(([, v]) => v));

export function genDirection(g: Gen, outbound: boolean): Frag {
  const what = outbound ? 'outbound' : 'inbound';
  const lt = g.linktype;
  switch (lt) {
    case DLT.SLIP: return g.cmp('linkhdr', 0, 1, outbound ? 1 : 0);
    case DLT.IPNET: return g.cmp('linkhdr', 2, 2, outbound ? 1 : 2);
    case DLT.LINUX_SLL: {
      const b = g.cmp('linkhdr', 0, 2, 4);
      return outbound ? b : not(b);
    }
    case DLT.LINUX_SLL2: {
      const b = g.cmp('linkhdr', 10, 1, 4);
      return outbound ? b : not(b);
    }
    case DLT.PFLOG: return g.cmp('linkhdr', 60, 1, outbound ? 2 : 1);
    case DLT.PPP_PPPD: return g.cmp('linkhdr', 0, 1, outbound ? 1 : 0);
    // Broadcom tag opcode (top 3 bits): 0 towards the CPU, 1 from it
    case DLT.DSA_TAG_BRCM: return outbound ? g.mcmp('linkhdr', 12, 1, 0x20, 0xe0) : g.mcmp('linkhdr', 12, 1, 0x00, 0xe0);
    // Marvell DSA tag mode (top 2 bits): TO_CPU has bit 6 clear, FROM_CPU is 01
    case DLT.DSA_TAG_DSA: return outbound ? g.mcmp('linkhdr', 12, 1, 0x40, 0xc0) : g.mcmp('linkhdr', 12, 1, 0x00, 0x40);
  }
  if (JUNIPER.has(lt)) return g.mcmp('linkhdr', 3, 1, outbound ? 0 : 1, 0x01);
  if (!g.opts.linuxExt) throw new CompileError(`not a live capture, '${what}' not supported on ${dltName(lt)}`);
  const b = g.cmp('linkhdr', SKF_AD_OFF + SKF_AD_PKTTYPE - g.offLinkhdr.constant, 2, 4);
  return outbound ? b : not(b);
}

export function genIfindex(g: Gen, ifindex: number): Frag {
  if (g.linktype === DLT.LINUX_SLL2) return g.cmp('linkhdr', 4, 4, ifindex);
  if (!g.opts.linuxExt) throw new CompileError('not a live capture');
  return g.cmp('linkhdr', SKF_AD_OFF + SKF_AD_IFINDEX - g.offLinkhdr.constant, 4, ifindex);
}

// ---- byte, ip broadcast, ip/ip6 multicast ----

export function genByte(g: Gen, index: number, op: '=' | '<' | '>' | '&' | '|', value: number): Frag {
  if (value > 255) throw new CompileError(`byte argument ${value} greater than maximum 255`);
  switch (op) {
    case '=': return g.cmp('linkhdr', index, 1, value);
    case '<': return g.cmpLt('linkhdr', index, 1, value);
    case '>': return g.cmpGt('linkhdr', index, 1, value);
    default: {
      const s = g.load('linkhdr', index, 1);
      s.push(insn(BPF_ALU | (op === '&' ? BPF_AND : BPF_OR) | BPF_K, value));
      return not(test(s, BPF_JEQ | BPF_K, 0));
    }
  }
}

export function genIpBroadcast(g: Gen): Frag {
  if (g.opts.netmask >>> 0 === 0xffffffff) throw new CompileError("netmask not known, so 'ip broadcast' not supported");
  const b0 = linktypeTest(g, ETHERTYPE.IP);
  const hostmask = ~g.opts.netmask >>> 0;
  const b1 = or(g.mcmp('linkpl', 16, 4, 0, hostmask), g.mcmp('linkpl', 16, 4, hostmask, hostmask));
  return and(b0, b1);
}

export function genIpMulticast(g: Gen, v6: boolean): Frag {
  if (v6) return and(linktypeTest(g, ETHERTYPE.IPV6), g.cmp('linkpl', 24, 1, 255));
  // class D: 224.0.0.0/4
  return and(linktypeTest(g, ETHERTYPE.IP), g.mcmp('linkpl', 16, 1, 0xe0, 0xf0));
}


// Encapsulations that move the decoding point deeper into the packet: VLAN tags, MPLS labels,
// PPPoE, Geneve, VXLAN. Each test also changes the compiler state, so that every later primitive
// of the expression looks inside (libpcap's order-dependent semantics).
import {
  BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_H, BPF_IMM, BPF_IND, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_LDX,
  BPF_MEM, BPF_MISC, BPF_MUL, BPF_ST, BPF_STX, BPF_TAX, BPF_TXA, BPF_X, BPF_ABS, SKF_AD_OFF,
  SKF_AD_VLAN_TAG, SKF_AD_VLAN_TAG_PRESENT, type Insn, insn,
} from '../cbpf/insn.js';
import { always, and, not, or, test, type Frag } from './blocks.js';
import { CompileError } from './errors.js';
import { ETHERTYPE, linktypeTest } from './linkproto.js';
import { DLT, dltName } from './linktypes.js';
import { isEthernetLike } from './linkaddr.js';
import { IPPROTO } from './net.js';
import { absOffset, shifted, type Gen, type RegSlot } from './state.js';

/** Make the link header of the packet's payload the current one (libpcap's PUSH_LINKHDR). */
function pushLinkhdr(g: Gen, linktype: number, variable: boolean, constantPart: number, slot: RegSlot): void {
  g.prevLinktype = g.linktype;
  g.offPrevLinkhdr = g.offLinkhdr;
  g.linktype = linktype;
  g.offLinkhdr = { constant: constantPart, variable, slot };
  g.isGeneve = false;
}

function vlanTpid(g: Gen): Frag {
  let b = or(linktypeTest(g, ETHERTYPE.VLAN), linktypeTest(g, ETHERTYPE.QINQ_AD));
  b = or(b, linktypeTest(g, ETHERTYPE.QINQ_OLD));
  return b;
}

export function genVlan(g: Gen, vid: number | undefined): Frag {
  if (g.labelStackDepth > 0) throw new CompileError('no VLAN match after MPLS');
  const lt = g.linktype;
  if (!isEthernetLike(lt) && lt !== DLT.IEEE802_11 && lt !== DLT.PRISM_HEADER &&
    lt !== DLT.IEEE802_11_RADIO_AVS && lt !== DLT.IEEE802_11_RADIO) {
    throw new CompileError(`'vlan' not supported on ${dltName(lt)}`);
  }
  if (vid !== undefined && vid > 0x0fff) throw new CompileError(`VLAN tag ${vid} greater than maximum 4095`);
  const outermost = g.vlanStackDepth === 0 && !g.offLinkhdr.variable &&
    g.offLinkhdr.constant === g.offOutermostLinkhdr.constant && lt === DLT.EN10MB;
  let b: Frag;
  if (outermost && g.opts.linuxExt) b = vlanWithExtensions(g, vid);
  else {
    b = vlanTpid(g);
    if (vid !== undefined) b = and(b, g.mcmp('linkpl', 0, 2, vid, 0x0fff));
    g.offLinkpl = shifted(g.offLinkpl, 4);
    g.offLinktype = shifted(g.offLinktype, 4);
  }
  g.vlanStackDepth++;
  return b;
}

/**
 * Linux live capture: the kernel may have moved the outermost tag into metadata (`vlan_avail`).
 * When the tag is still in the packet, every later offset moves by 4: the shift is kept in two
 * scratch registers (zeroed at the start of the program) added to the link payload and type offsets.
 */
function vlanWithExtensions(g: Gen, vid: number | undefined): Frag {
  const regPl = g.allocReg();
  const regLt = g.allocReg();
  g.prologue.push(insn(BPF_LD | BPF_IMM, 0), insn(BPF_ST, regPl), insn(BPF_ST, regLt));
  const avail = (): Frag => test([insn(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT)], BPF_JEQ | BPF_K, 1);
  const tpid = vlanTpid(g);
  tpid.head.stmts = [
    insn(BPF_LD | BPF_MEM, regPl), insn(BPF_ALU | BPF_ADD | BPF_K, 4), insn(BPF_ST, regPl),
    insn(BPF_LD | BPF_MEM, regLt), insn(BPF_ALU | BPF_ADD | BPF_K, 4), insn(BPF_ST, regLt),
    ...tpid.head.stmts,
  ];
  let b = or(avail(), tpid);
  if (vid !== undefined) {
    const tci = test([insn(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG), insn(BPF_ALU | BPF_AND | BPF_K, 0x0fff)], BPF_JEQ | BPF_K, vid);
    const meta = and(avail(), tci);
    const pkt = and(not(avail()), g.mcmp('linkpl', 0, 2, vid, 0x0fff));
    b = and(b, or(meta, pkt));
  }
  g.offLinkpl = absOffset(g.offLinkpl.constant, true, regPl);
  g.offLinktype = absOffset(g.offLinktype.constant, true, regLt);
  return b;
}

export function genMpls(g: Gen, label: number | undefined): Frag {
  let b: Frag;
  if (g.labelStackDepth > 0) {
    b = g.mcmp('prevmplshdr', 2, 1, 0, 0x01);
  } else {
    const lt = g.linktype;
    if (isEthernetLike(lt) || lt === DLT.C_HDLC) b = linktypeTest(g, ETHERTYPE.MPLS);
    else if (lt === DLT.PPP) b = linktypeTest(g, 0x0281);
    else throw new CompileError(`'mpls' not supported on ${dltName(lt)}`);
  }
  if (label !== undefined) {
    if (label > 0xfffff) throw new CompileError(`MPLS label ${label} greater than maximum 1048575`);
    b = and(b, g.mcmp('linkpl', 0, 4, (label << 12) >>> 0, 0xfffff000));
  }
  g.offNlNosnap += 4;
  g.offNl += 4;
  g.labelStackDepth++;
  return b;
}

export function genPppoed(g: Gen): Frag {
  return linktypeTest(g, ETHERTYPE.PPPOED);
}

export function genPppoes(g: Gen, session: number | undefined): Frag {
  let b = linktypeTest(g, ETHERTYPE.PPPOES);
  if (session !== undefined) {
    if (session > 0xffff) throw new CompileError(`PPPoE session number ${session} greater than maximum 65535`);
    b = and(b, g.mcmp('linkpl', 0, 4, session, 0xffff));
  }
  pushLinkhdr(g, DLT.PPP, g.offLinkpl.variable, g.offLinkpl.constant + g.offNl + 6, g.offLinkpl.slot);
  g.offLinktype = shifted(g.offLinkhdr, 0);
  g.offLinkpl = shifted(g.offLinkhdr, 2);
  g.offNl = 0;
  g.offNlNosnap = 0;
  return b;
}

/** UDP tunnel header check (dst port, version/flags, VNI) over IPv4 and IPv6, leaving A = X = offset of the IP payload. */
function udpTunnel(g: Gen, port: number, check: (rel: 'tran_ipv4' | 'tran_ipv6') => Frag): Frag {
  // IPv4
  let b4 = and(udpDstPort(g, false, port), check('tran_ipv4'));
  b4 = and(b4, test([...g.loadxIpHdrLen(), insn(BPF_MISC | BPF_TXA)], BPF_JEQ | BPF_X, 0));
  // IPv6
  let b6 = and(udpDstPort(g, true, port), check('tran_ipv6'));
  const v = g.varPart(g.offLinkpl);
  const s6: Insn[] = v.length
    ? [...v, insn(BPF_LD | BPF_IMM, 40), insn(BPF_ALU | BPF_ADD | BPF_X), insn(BPF_MISC | BPF_TAX)]
    : [insn(BPF_LD | BPF_IMM, 40), insn(BPF_MISC | BPF_TAX)];
  b6 = and(b6, test(s6, BPF_JEQ | BPF_X, 0));
  return or(b4, b6);
}

/** `udp dst port P` for one IP version. */
function udpDstPort(g: Gen, ipv6: boolean, port: number): Frag {
  const b0 = linktypeTest(g, ipv6 ? ETHERTYPE.IPV6 : ETHERTYPE.IP);
  const head = ipv6 ? g.cmp('linkpl', 6, 1, IPPROTO.UDP) : and(g.cmp('linkpl', 9, 1, IPPROTO.UDP), not(g.jset('linkpl', 6, 2, 0x1fff)));
  return and(b0, and(head, g.cmp(ipv6 ? 'tran_ipv6' : 'tran_ipv4', 2, 2, port)));
}

function vniCheck(g: Gen, rel: 'tran_ipv4' | 'tran_ipv6', vni: number | undefined): Frag | null {
  if (vni === undefined) return null;
  return g.mcmp(rel, 12, 4, (vni << 8) >>> 0, 0xffffff00);
}

export function genGeneve(g: Gen, vni: number | undefined): Frag {
  if (vni !== undefined && vni > 0xffffff) throw new CompileError(`Geneve VNI ${vni} greater than maximum 16777215`);
  const b0 = udpTunnel(g, 6081, (rel) => {
    const b = g.mcmp(rel, 8, 1, 0, 0xc0);
    const v = vniCheck(g, rel, vni);
    return v ? and(b, v) : b;
  });
  const regLt = g.allocReg();
  const regHdr = g.allocReg();
  const regPl = g.allocReg();
  const s: Insn[] = [
    insn(BPF_ALU | BPF_ADD | BPF_K, g.offLinkpl.constant + g.offNl + 8),
    insn(BPF_MISC | BPF_TAX),
    insn(BPF_ALU | BPF_ADD | BPF_K, 2),
    insn(BPF_ST, regLt),
    insn(BPF_LD | BPF_IND | BPF_B, 0),
    insn(BPF_ALU | BPF_AND | BPF_K, 0x3f),
    insn(BPF_ALU | BPF_MUL | BPF_K, 4),
    insn(BPF_ALU | BPF_ADD | BPF_K, 8),
    insn(BPF_ALU | BPF_ADD | BPF_X),
    insn(BPF_ST, regHdr),
    insn(BPF_LD | BPF_IND | BPF_H, 2),
    insn(BPF_LDX | BPF_MEM, regHdr),
  ];
  // if proto == TEB: inner Ethernet: type at hdr+12, payload at hdr+14
  const tail: Insn[] = [
    insn(BPF_MISC | BPF_TXA),
    insn(BPF_ALU | BPF_ADD | BPF_K, 12),
    insn(BPF_ST, regLt),
    insn(BPF_ALU | BPF_ADD | BPF_K, 2),
    insn(BPF_MISC | BPF_TAX),
  ];
  s.push({ code: BPF_JMP | BPF_JEQ | BPF_K, jt: 0, jf: tail.length, k: ETHERTYPE.TEB });
  s.push(...tail, insn(BPF_STX, regPl));
  enterInnerEthernet(g, regHdr, regLt, regPl, true);
  return and(b0, always(s));
}

export function genVxlan(g: Gen, vni: number | undefined): Frag {
  if (vni !== undefined && vni > 0xffffff) throw new CompileError(`VXLAN VNI ${vni} greater than maximum 16777215`);
  const b0 = udpTunnel(g, 4789, (rel) => {
    const b = g.cmp(rel, 8, 1, 0x08);
    const v = vniCheck(g, rel, vni);
    return v ? and(b, v) : b;
  });
  const regHdr = g.allocReg();
  const regLt = g.allocReg();
  const regPl = g.allocReg();
  const s: Insn[] = [
    insn(BPF_ALU | BPF_ADD | BPF_K, g.offLinkpl.constant + g.offNl + 8),
    insn(BPF_ALU | BPF_ADD | BPF_K, 8),
    insn(BPF_ST, regHdr),
    insn(BPF_ALU | BPF_ADD | BPF_K, 12),
    insn(BPF_ST, regLt),
    insn(BPF_ALU | BPF_ADD | BPF_K, 2),
    insn(BPF_MISC | BPF_TAX),
    insn(BPF_STX, regPl),
  ];
  g.prevLinktype = g.linktype;
  g.offPrevLinkhdr = g.offLinkhdr;
  enterInnerEthernet(g, regHdr, regLt, regPl, false);
  return and(b0, always(s));
}

/** From here on the link layer is the tunnel's inner Ethernet, its offsets held in the given scratch registers. */
function enterInnerEthernet(g: Gen, regHdr: number, regLt: number, regPl: number, geneve: boolean): void {
  g.linktype = DLT.EN10MB;
  g.offLinkhdr = absOffset(0, true, regHdr);
  g.offLinktype = absOffset(0, true, regLt);
  g.offLinkpl = absOffset(0, true, regPl);
  g.offNl = 0;
  g.offNlNosnap = 0;
  g.isGeneve = geneve;
  g.isEncap = true;
}

/** Inside Geneve: is there an inner Ethernet header (link header and payload offsets differ)? */
export function geneveLlCheck(g: Gen): Frag {
  const s: Insn[] = [...loadReg(g.offLinkhdr.slot.reg, false), ...loadReg(g.offLinkpl.slot.reg, true)];
  return not(test(s, BPF_JEQ | BPF_X, 0));
}

function loadReg(reg: number, toX: boolean): Insn[] {
  return [insn((toX ? BPF_LDX : BPF_LD) | BPF_MEM, reg)];
}


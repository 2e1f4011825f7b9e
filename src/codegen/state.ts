// Compiler state and the low-level code builders every primitive uses: offsets of the link header,
// link payload and network layer (constant, or read at run time into a scratch register), loads
// relative to those offsets, comparisons, and scratch-register allocation.
import {
  BPF_ABS, BPF_ALU, BPF_AND, BPF_B, BPF_ADD, BPF_H, BPF_IND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET,
  BPF_K, BPF_LD, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MEMWORDS, BPF_MISC, BPF_MSH, BPF_TAX, BPF_W, BPF_X,
  type Insn, insn,
} from '../cbpf/insn.js';
import { and as fAnd, not as fNot, test, type Frag } from './blocks.js';
import { CompileError } from './errors.js';
import type { LinkLayout } from './linktypes.js';
import type { NameResolver } from './names.js';

/** Scratch register holding the variable part of an offset; shared by offsets derived from it. */
export interface RegSlot {
  /** -1 until first used */
  reg: number;
}

/** An offset from the start of the packet: a constant plus, when variable, a scratch register. */
export interface AbsOffset {
  constant: number;
  variable: boolean;
  slot: RegSlot;
}

const NOT_SET = -1;

export function absOffset(constant: number, variable = false, reg = -1): AbsOffset {
  return { constant, variable, slot: { reg } };
}

/** The same offset moved by `delta` bytes. */
export function shifted(off: AbsOffset, delta: number): AbsOffset {
  return { constant: off.constant + delta, variable: off.variable, slot: off.slot };
}

export type OffRel =
  | 'packet' | 'linkhdr' | 'prevlinkhdr' | 'llc' | 'prevmplshdr' | 'linkpl' | 'linkpl_nosnap'
  | 'linktype' | 'tran_ipv4' | 'tran_ipv6';

export type Size = 1 | 2 | 4;
const SIZE_CODE: Record<Size, number> = { 1: BPF_B, 2: BPF_H, 4: BPF_W };

export interface GenOptions {
  snaplen: number;
  netmask: number;
  resolver: NameResolver;
  /** Linux BPF extensions allowed (live capture on Linux): ancillary loads for vlan/inbound/ifindex */
  linuxExt: boolean;
  /** reading a savefile: 'unswapped' or 'swapped' byte order of DLT_NULL/LOOP AF values; null = live */
  offline: 'unswapped' | 'swapped' | null;
}

export class Gen {
  readonly opts: GenOptions;
  /** DLT of the capture */
  readonly outermostLinktype: number;
  linktype: number;
  prevLinktype = NOT_SET;
  offOutermostLinkhdr: AbsOffset;
  offLinkhdr: AbsOffset;
  offPrevLinkhdr: AbsOffset = absOffset(NOT_SET);
  offLinktype: AbsOffset;
  offLinkpl: AbsOffset;
  offNl: number;
  offNlNosnap: number;
  /** SUNATM fields */
  isAtm = false;
  offVpi = NOT_SET;
  offVci = NOT_SET;
  offProto = NOT_SET;
  offPayload = NOT_SET;
  /** MTP2/MTP3 fields */
  offLi = NOT_SET;
  offLiHsl = NOT_SET;
  offSio = NOT_SET;
  offOpc = NOT_SET;
  offDpc = NOT_SET;
  offSls = NOT_SET;
  /** state changed by vlan/mpls/pppoes/geneve/vxlan/lane */
  labelStackDepth = 0;
  vlanStackDepth = 0;
  /** register of the link payload offset of the capture's own header (802.11, PFLOG), computed by the prologue */
  readonly outermostPayload: RegSlot;
  /** inside Geneve or VXLAN (`gateway` is refused) */
  isEncap = false;
  isGeneve = false;
  /** statements run first of all (zeroing the VLAN offset registers of a Linux live capture) */
  readonly prologue: Insn[] = [];
  /** protochain present: the optimizer is turned off for the whole expression, as in libpcap */
  noOptimize = false;
  private regUsed: boolean[] = new Array<boolean>(BPF_MEMWORDS).fill(false);
  private curReg = 0;

  constructor(linktype: number, layout: LinkLayout, opts: GenOptions) {
    this.opts = opts;
    this.outermostLinktype = linktype;
    this.linktype = linktype;
    this.offOutermostLinkhdr = absOffset(layout.linkhdr, layout.linkhdrVariable);
    this.offLinkhdr = this.offOutermostLinkhdr;
    this.offLinktype = absOffset(layout.linktype);
    this.offLinkpl = absOffset(layout.linkpl, layout.linkplVariable);
    this.outermostPayload = this.offLinkpl.slot;
    this.offNl = layout.nl;
    this.offNlNosnap = layout.nlNosnap;
    if (layout.atm) {
      this.isAtm = true;
      this.offVpi = 1;
      this.offVci = 2;
      this.offProto = 0;
      this.offPayload = 4;
    }
    if (layout.mtp) {
      const b = layout.mtp;
      this.offLi = b;
      this.offLiHsl = b + 2;
      this.offSio = b + 1;
      this.offOpc = b + 2;
      this.offDpc = b + 2;
      this.offSls = b + 5;
    }
  }

  // ---- scratch registers (libpcap's round-robin allocator) ----

  allocReg(): number {
    for (let n = 0; n < BPF_MEMWORDS; n++) {
      if (!this.regUsed[this.curReg]) {
        this.regUsed[this.curReg] = true;
        return this.curReg;
      }
      this.curReg = (this.curReg + 1) % BPF_MEMWORDS;
    }
    throw new CompileError('too many registers needed to evaluate expression');
  }

  freeReg(n: number): void {
    this.regUsed[n] = false;
  }

  // ---- loads ----

  /** `ldx M[reg]` for the variable part of an offset (allocating its register), or nothing. */
  varPart(off: AbsOffset): Insn[] {
    if (!off.variable) return [];
    if (off.slot.reg === -1) off.slot.reg = this.allocReg();
    return [insn(BPF_LDX | BPF_MEM, off.slot.reg)];
  }

  loadAbsRel(off: AbsOffset, offset: number, size: Size): Insn[] {
    const v = this.varPart(off);
    if (v.length) return [...v, insn(BPF_LD | BPF_IND | SIZE_CODE[size], off.constant + offset)];
    return [insn(BPF_LD | BPF_ABS | SIZE_CODE[size], off.constant + offset)];
  }

  /** X = offset of the IPv4 transport header relative to the link payload's variable part. */
  loadxIpHdrLen(): Insn[] {
    const v = this.varPart(this.offLinkpl);
    const at = this.offLinkpl.constant + this.offNl;
    if (v.length) {
      return [
        ...v,
        insn(BPF_LD | BPF_IND | BPF_B, at),
        insn(BPF_ALU | BPF_AND | BPF_K, 0xf),
        insn(BPF_ALU | BPF_LSH | BPF_K, 2),
        insn(BPF_ALU | BPF_ADD | BPF_X),
        insn(BPF_MISC | BPF_TAX),
      ];
    }
    return [insn(BPF_LDX | BPF_MSH | BPF_B, at)];
  }

  load(rel: OffRel, offset: number, size: Size): Insn[] {
    switch (rel) {
      case 'packet': return [insn(BPF_LD | BPF_ABS | SIZE_CODE[size], offset)];
      case 'linkhdr': return this.loadAbsRel(this.offLinkhdr, offset, size);
      case 'prevlinkhdr': return this.loadAbsRel(this.offPrevLinkhdr, offset, size);
      case 'llc': return this.loadAbsRel(this.offLinkpl, offset, size);
      case 'prevmplshdr': return this.loadAbsRel(this.offLinkpl, this.offNl - 4 + offset, size);
      case 'linkpl': return this.loadAbsRel(this.offLinkpl, this.offNl + offset, size);
      case 'linkpl_nosnap': return this.loadAbsRel(this.offLinkpl, this.offNlNosnap + offset, size);
      case 'linktype': return this.loadAbsRel(this.offLinktype, offset, size);
      case 'tran_ipv4':
        return [
          ...this.loadxIpHdrLen(),
          insn(BPF_LD | BPF_IND | SIZE_CODE[size], this.offLinkpl.constant + this.offNl + offset),
        ];
      case 'tran_ipv6': return this.loadAbsRel(this.offLinkpl, this.offNl + 40 + offset, size);
    }
  }

  // ---- comparisons ----

  /** Compare (load & mask) with v using jump op; `reverse` negates the result. */
  ncmp(rel: OffRel, offset: number, size: Size, mask: number, op: number, reverse: boolean, v: number): Frag {
    const stmts = this.load(rel, offset, size);
    if (mask >>> 0 !== 0xffffffff) stmts.push(insn(BPF_ALU | BPF_AND | BPF_K, mask));
    const f = test(stmts, op | BPF_K, v);
    return reverse ? fNot(f) : f;
  }

  cmp(rel: OffRel, offset: number, size: Size, v: number): Frag {
    return this.ncmp(rel, offset, size, 0xffffffff, BPF_JEQ, false, v);
  }
  cmpGt(rel: OffRel, offset: number, size: Size, v: number): Frag {
    return this.ncmp(rel, offset, size, 0xffffffff, BPF_JGT, false, v);
  }
  cmpGe(rel: OffRel, offset: number, size: Size, v: number): Frag {
    return this.ncmp(rel, offset, size, 0xffffffff, BPF_JGE, false, v);
  }
  cmpLt(rel: OffRel, offset: number, size: Size, v: number): Frag {
    return this.ncmp(rel, offset, size, 0xffffffff, BPF_JGE, true, v);
  }
  cmpLe(rel: OffRel, offset: number, size: Size, v: number): Frag {
    return this.ncmp(rel, offset, size, 0xffffffff, BPF_JGT, true, v);
  }
  mcmp(rel: OffRel, offset: number, size: Size, v: number, mask: number): Frag {
    return this.ncmp(rel, offset, size, mask, BPF_JEQ, false, v);
  }
  /** (load & bits) != 0 */
  jset(rel: OffRel, offset: number, size: Size, bits: number): Frag {
    return test(this.load(rel, offset, size), BPF_JSET | BPF_K, bits);
  }

  /** Byte-string equality, compared from the end in 4-, 2- and 1-byte pieces as libpcap does. */
  bcmp(rel: OffRel, offset: number, bytes: number[]): Frag {
    let size = bytes.length;
    let acc: Frag | null = null;
    const push = (f: Frag): void => {
      acc = acc ? fAnd(acc, f) : f;
    };
    while (size >= 4) {
      const p = size - 4;
      const v = ((bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3]) >>> 0;
      push(this.cmp(rel, offset + p, 4, v));
      size -= 4;
    }
    while (size >= 2) {
      const p = size - 2;
      push(this.cmp(rel, offset + p, 2, (bytes[p] << 8) | bytes[p + 1]));
      size -= 2;
    }
    if (size > 0) push(this.cmp(rel, offset, 1, bytes[0]));
    return acc!;
  }
}

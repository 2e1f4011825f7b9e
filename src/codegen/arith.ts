// Arithmetic expressions and relations (`len - 14 > tcp[2:2] * 4`): each value lives in a scratch
// register, packet loads carry the protocol checks that guard them, as in libpcap.
import {
  BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_DIV, BPF_H, BPF_IMM, BPF_IND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_LD,
  BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_ST,
  BPF_SUB, BPF_TAX, BPF_W, BPF_X, BPF_XOR, type Insn, insn,
} from '../cbpf/insn.js';
import type { Arith, ArithOp, ProtoQual, RelOp } from '../grammar/ast.js';
import { run, type Walk } from '../grammar/trampoline.js';
import { and, not, test, type Frag } from './blocks.js';
import { CompileError } from './errors.js';
import { DLT } from './linktypes.js';
import { ipFirstFrag } from './net.js';
import { protoAbbrev } from './abbrev.js';
import type { Gen } from './state.js';

/** A value being computed: its code, the protocol checks that guard it, and its register. */
interface Value {
  s: Insn[];
  b: Frag | null;
  reg: number;
}

const ALU_OP: Record<ArithOp, number> = {
  '+': BPF_ADD, '-': BPF_SUB, '*': BPF_MUL, '/': BPF_DIV, '%': BPF_MOD,
  '&': BPF_AND, '|': BPF_OR, '^': BPF_XOR, '<<': BPF_LSH, '>>': BPF_RSH,
};

const SIZE = { 1: BPF_B, 2: BPF_H, 4: BPF_W } as const;

const toX = (v: Value): Insn => insn(BPF_LDX | BPF_MEM, v.reg);
const toA = (v: Value): Insn => insn(BPF_LD | BPF_MEM, v.reg);

function andChecks(a: Frag | null, b: Frag | null): Frag | null {
  if (a && b) return and(a, b);
  return a ?? b;
}

function loadImm(g: Gen, k: number, code = BPF_LD | BPF_IMM): Value {
  const reg = g.allocReg();
  return { s: [insn(code, k), insn(BPF_ST, reg)], b: null, reg };
}

const TRANSPORT_V4: ReadonlySet<ProtoQual> = new Set(['tcp', 'udp', 'sctp', 'icmp', 'igmp', 'igrp', 'pim', 'vrrp', 'carp']);
const NETWORK: ReadonlySet<ProtoQual> = new Set(['ip', 'arp', 'rarp', 'atalk', 'decnet', 'sca', 'lat', 'moprc', 'mopdl', 'ip6']);

function load(g: Gen, proto: ProtoQual, protoText: string, index: Value, size: 1 | 2 | 4): Value {
  const reg = g.allocReg();
  g.freeReg(index.reg);
  const ld = BPF_LD | BPF_IND | SIZE[size];
  const addVar = (v: Insn[]): Insn[] => [...v, toA(index), insn(BPF_ALU | BPF_ADD | BPF_X), insn(BPF_MISC | BPF_TAX)];
  if (proto === 'radio') {
    const lt = g.linktype;
    if (lt !== DLT.IEEE802_11_RADIO_AVS && lt !== DLT.IEEE802_11_RADIO && lt !== DLT.PRISM_HEADER) {
      throw new CompileError('radio information not present in capture');
    }
    index.s.push(toX(index), insn(ld, 0));
  } else if (proto === 'link') {
    const v = g.varPart(g.offLinkhdr);
    index.s.push(...(v.length ? addVar(v) : [toX(index)]), insn(ld, g.offLinkhdr.constant));
  } else if (NETWORK.has(proto)) {
    const v = g.varPart(g.offLinkpl);
    index.s.push(...(v.length ? addVar(v) : [toX(index)]), insn(ld, g.offLinkpl.constant + g.offNl));
    index.b = andChecks(index.b, protoAbbrev(g, proto, protoText));
  } else if (TRANSPORT_V4.has(proto)) {
    index.s.push(...g.loadxIpHdrLen(), toA(index), insn(BPF_ALU | BPF_ADD | BPF_X), insn(BPF_MISC | BPF_TAX),
      insn(ld, g.offLinkpl.constant + g.offNl));
    // IPv4 carrying the protocol, first fragment
    const ipv4Proto = and(g.cmp('linkpl', 9, 1, transportNumber(proto)), ipFirstFrag(g));
    const guard = and(protoAbbrev(g, 'ip', 'ip'), index.b ? and(index.b, ipv4Proto) : ipv4Proto);
    index.b = guard;
  } else if (proto === 'icmp6') {
    index.b = andChecks(index.b, protoAbbrev(g, 'ip6', 'ip6'));
    index.b = and(index.b!, g.cmp('linkpl', 6, 1, 58));
    const v = g.varPart(g.offLinkpl);
    index.s.push(...(v.length ? addVar(v) : [toX(index)]), insn(ld, g.offLinkpl.constant + g.offNl + 40));
  } else {
    throw new CompileError(`'${protoText}' does not support the index operation`);
  }
  index.reg = reg;
  index.s.push(insn(BPF_ST, reg));
  return index;
}

function transportNumber(p: ProtoQual): number {
  switch (p) {
    case 'tcp': return 6;
    case 'udp': return 17;
    case 'sctp': return 132;
    case 'icmp': return 1;
    case 'igmp': return 2;
    case 'igrp': return 9;
    case 'pim': return 103;
    default: return 112; // vrrp, carp
  }
}

function isConstant(v: Value, k?: number): boolean {
  return v.s[0]?.code === (BPF_LD | BPF_IMM) && (k === undefined || v.s[0].k === k);
}

function binary(g: Gen, op: ArithOp, a0: Value, a1: Value): Value {
  if (op === '/' && isConstant(a1, 0)) throw new CompileError('division by zero');
  if (op === '%' && isConstant(a1, 0)) throw new CompileError('modulus by zero');
  if ((op === '<<' || op === '>>') && isConstant(a1) && a1.s[0].k > 31) throw new CompileError('shift by more than 31 bits');
  // a0's code grows in place: in a long `1 + 2 + ...` chain, copying it at every step would be quadratic
  const s = a0.s;
  for (const x of a1.s) s.push(x);
  s.push(toX(a1), toA(a0), insn(BPF_ALU | ALU_OP[op] | BPF_X));
  g.freeReg(a0.reg);
  g.freeReg(a1.reg);
  const reg = g.allocReg();
  s.push(insn(BPF_ST, reg));
  return { s, b: andChecks(a0.b, a1.b), reg };
}

/** The code of an arithmetic tree, operands in order; the walk keeps its calls on the heap (chains can be long). */
function evaluate(g: Gen, root: Arith): Value {
  return run(valueOf(g, root));
}

function* valueOf(g: Gen, e: Arith): Walk<Value> {
  switch (e.kind) {
    case 'num': return loadImm(g, e.value);
    case 'len': return loadImm(g, 0, BPF_LD | BPF_LEN | BPF_W);
    case 'load': return load(g, e.proto, e.protoText, yield valueOf(g, e.index), e.size);
    case 'neg': {
      const a: Value = yield valueOf(g, e.operand);
      a.s.push(toA(a), insn(BPF_ALU | BPF_NEG), insn(BPF_ST, a.reg));
      return a;
    }
    case 'binary': {
      const a0: Value = yield valueOf(g, e.left);
      return binary(g, e.op, a0, yield valueOf(g, e.right));
    }
  }
}

/** `A REL B`: compare in A (left) and X (right); the protocol checks of both sides run first. */
export function genRelation(g: Gen, op: RelOp, left: Arith, right: Arith): Frag {
  const a0 = evaluate(g, left);
  const a1 = evaluate(g, right);
  const [code, reversed] = ({
    '>': [BPF_JGT, false], '>=': [BPF_JGE, false], '=': [BPF_JEQ, false],
    '!=': [BPF_JEQ, true], '<': [BPF_JGE, true], '<=': [BPF_JGT, true],
  } as const)[op];
  let b = test([...a0.s, ...a1.s, toX(a1), toA(a0)], code | BPF_X);
  if (reversed) b = not(b);
  g.freeReg(a0.reg);
  g.freeReg(a1.reg);
  const checks = andChecks(a0.b, a1.b);
  return checks ? and(checks, b) : b;
}

/** `len <= N` (less) / `len >= N` (greater) */
export function genLen(op: 'less' | 'greater', n: number): Frag {
  const b = test([insn(BPF_LD | BPF_LEN | BPF_W)], (op === 'less' ? BPF_JGT : BPF_JGE), n);
  return op === 'less' ? not(b) : b;
}

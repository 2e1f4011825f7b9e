// Classic BPF -> eBPF, following the Linux kernel's conversion (bpf_convert_filter):
//   A = r0 (kept as a zero-extended 32-bit value: all ALU work is 32-bit), X = r7, the context in r6
//   (copied from r1), scratch word M[k] in the 32-bit stack slot at r10 - 4(k+1), r2 a temporary.
//   Prologue: A and X cleared with mov32 (not the kernel's xor32, which reads a register never
//   written and fails the verifier), r6 = r1, and a zero store to every scratch slot some path may
//   read before writing. Conditional jumps: the true branch as a jump and the false branch as a `ja`,
//   a single jump when the false branch falls through, or the inverted condition when the true branch
//   does (eq/gt/ge). A negative constant operand is loaded into r2 with mov32 and compared as a
//   register, since an eBPF immediate is sign-extended to 64 bits. Packet loads stay the legacy
//   LD_ABS / LD_IND instructions; BPF_LEN reads the context's `len` (offset 0 of `__sk_buff`).
//
// Where libpcap's interpreter (master) and the kernel differ, the result follows libpcap, the
// project's reference, so a translated program gives libpcap's verdict on every packet:
// - Division or modulo by X = 0 returns 0 (the kernel does the same, through a guard); by a constant 0
//   (refused by both checkers) also returns 0.
// - Shifts by 32 or more give 0: a shift by X is guarded, a shift by a constant >= 32 becomes A = 0.
// - `ja` sign-extends k: protochain jumps backward. The kernel refuses backward jumps; our VM runs
//   them. As in libpcap master, a `ja` to itself returns 0, and so that no loop runs forever a run
//   may make at most 64 + caplen backward jumps (our cBPF interpreter's allowance; the next one
//   returns 0). The allowance left is kept in r8, set up only when the program has a backward `ja`,
//   from the context's `data_end - data` (the captured length).
// - A `ja` too far for the 16-bit offset (programs of tens of thousands of slots) becomes RFC 9669's
//   ja32 (`gotol`), whose offset is the 32-bit imm.
// - Jumps outside the program, falling off its end, unknown opcodes, scratch indexes >= 16 and
//   `ret x` return 0, through a shared `mov32 r0, 0; exit` epilogue.
// - Linux ancillary loads (`ld [SKF_AD_OFF + n]`): the VLAN tag and VLAN-tag-present ones read the
//   context's `vlan_tci` / `vlan_present` fields, as the kernel does. The others (protocol, packet
//   type, ifindex, ...) stay legacy packet loads at that offset, which lies outside any packet and
//   so return 0 — libpcap's userland result, not the kernel's. Likewise the kernel's negative offsets
//   SKF_NET_OFF / SKF_LL_OFF (relative to the network / link-layer header) lie outside any packet here.

import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT,
  BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MEMWORDS, BPF_MISC, BPF_MOD,
  BPF_MSH, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_X,
  BPF_XOR, BPF_B, BPF_CLASS, BPF_MODE, BPF_OP, BPF_SIZE, BPF_SRC, SKF_AD_OFF, SKF_AD_VLAN_TAG,
  SKF_AD_VLAN_TAG_PRESENT, type Insn,
} from '../cbpf/insn.js';
// the cBPF interpreter's bound on backward jumps, which the translation reproduces
import { BACKWARD_JUMP_ALLOWANCE } from '../cbpf/interpreter.js';
import {
  EBPF_ABS, EBPF_ADD, EBPF_ALU, EBPF_ALU64, EBPF_AND, EBPF_B, EBPF_EXIT, EBPF_IND, EBPF_JA, EBPF_JEQ,
  EBPF_JLE, EBPF_JLT, EBPF_JMP, EBPF_JMP32, EBPF_JNE, EBPF_K, EBPF_LD, EBPF_LDX, EBPF_LSH, EBPF_MEM, EBPF_MOV, EBPF_NEG,
  EBPF_ST, EBPF_STX, EBPF_SUB, EBPF_W, EBPF_X, ebpf, type EbpfInsn,
} from './insn.js';
import { SKB_DATA, SKB_DATA_END, SKB_LEN, SKB_VLAN_PRESENT, SKB_VLAN_TCI } from './skb.js';

/** Register assignment of the translation. */
const REG_A = 0;
const REG_CTX_ARG = 1;
const REG_TMP = 2;
const REG_CTX = 6;
const REG_X = 7;
const REG_BACKWARD_BUDGET = 8;
const REG_FP = 10;

/** A program that cannot be expressed (a conditional jump offset beyond the 16-bit field). */
export class EbpfTranslateError extends Error {
  override readonly name = 'EbpfTranslateError';
}

/** Stack offset of scratch word M[k]. */
const scratchOffset = (k: number): number => -4 * (k + 1);

const mov32Imm = (dst: number, imm: number): EbpfInsn => ebpf(EBPF_ALU | EBPF_MOV | EBPF_K, dst, 0, 0, imm);
const mov64Reg = (dst: number, src: number): EbpfInsn => ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_X, dst, src);
const exit = (): EbpfInsn => ebpf(EBPF_JMP | EBPF_EXIT);

/** Where a jump slot must point, resolved after all instructions are placed. */
type Target = { cbpf: number } | 'return0';

interface Fixup {
  at: number;
  target: Target;
}

/** Translate a classic program into an eBPF program (one EbpfInsn per slot). */
export function translateCbpf(program: readonly Insn[]): EbpfInsn[] {
  const out: EbpfInsn[] = [];
  const fixups: Fixup[] = [];
  const start: number[] = [];
  const len = program.length;
  const jumpTo = (opcode: number, dst: number, src: number, imm: number, target: Target): void => {
    fixups.push({ at: out.length, target });
    out.push(ebpf(opcode, dst, src, 0, imm));
  };
  /** Target of a classic jump to index t: out-of-range targets end the program with 0. */
  const cbpfTarget = (t: number): Target => (t >= 0 && t < len ? { cbpf: t } : 'return0');
  const hasBackwardJump = program.some((i, pc) => i.code === (BPF_JMP | BPF_JA) && (i.k | 0) < -1 && pc + 1 + (i.k | 0) >= 0);

  out.push(mov32Imm(REG_A, 0), mov32Imm(REG_X, 0), mov64Reg(REG_CTX, REG_CTX_ARG));
  if (hasBackwardJump) {
    out.push(
      ebpf(EBPF_LDX | EBPF_MEM | EBPF_W, REG_BACKWARD_BUDGET, REG_CTX, SKB_DATA_END),
      ebpf(EBPF_LDX | EBPF_MEM | EBPF_W, REG_TMP, REG_CTX, SKB_DATA),
      ebpf(EBPF_ALU | EBPF_SUB | EBPF_X, REG_BACKWARD_BUDGET, REG_TMP),
      ebpf(EBPF_ALU | EBPF_ADD | EBPF_K, REG_BACKWARD_BUDGET, 0, 0, BACKWARD_JUMP_ALLOWANCE),
    );
  }
  for (const k of scratchSlotsReadBeforeWrite(program)) {
    out.push(ebpf(EBPF_ST | EBPF_MEM | EBPF_W, REG_FP, 0, scratchOffset(k), 0));
  }

  program.forEach((insn, pc) => {
    start[pc] = out.length;
    const k = insn.k >>> 0;
    const code = insn.code;
    const return0 = (): void => jumpTo(EBPF_JMP | EBPF_JA, 0, 0, 0, 'return0');
    switch (BPF_CLASS(code)) {
      case BPF_ALU:
        translateAlu(insn, out, return0);
        return;
      case BPF_JMP:
        if (code === (BPF_JMP | BPF_JA)) {
          const target = pc + 1 + (k | 0);
          if (target < 0 || target >= len || target === pc) return return0();
          if (target < pc) {
            jumpTo(EBPF_JMP | EBPF_JEQ | EBPF_K, REG_BACKWARD_BUDGET, 0, 0, 'return0');
            out.push(ebpf(EBPF_ALU | EBPF_SUB | EBPF_K, REG_BACKWARD_BUDGET, 0, 0, 1));
          }
          jumpTo(EBPF_JMP | EBPF_JA, 0, 0, 0, { cbpf: target });
          return;
        }
        if (!CONDITIONS.has(BPF_OP(code)) || (code & ~0xf8) !== BPF_JMP) return return0();
        translateConditional(insn, pc, out, jumpTo, cbpfTarget);
        return;
      case BPF_LD:
      case BPF_LDX:
        if (!translateLoad(insn, out)) return0();
        return;
      case BPF_ST:
      case BPF_STX:
        if (code !== BPF_ST && code !== BPF_STX) return return0();
        if (k >= BPF_MEMWORDS) return return0();
        out.push(ebpf(EBPF_STX | EBPF_MEM | EBPF_W, REG_FP, code === BPF_ST ? REG_A : REG_X, scratchOffset(k)));
        return;
      case BPF_RET:
        if (code === (BPF_RET | BPF_K)) out.push(mov32Imm(REG_A, k), exit());
        else if (code === (BPF_RET | BPF_A)) out.push(exit());
        else return0();
        return;
      case BPF_MISC:
        if (code === (BPF_MISC | BPF_TAX)) out.push(mov64Reg(REG_X, REG_A));
        else if (code === (BPF_MISC | BPF_TXA)) out.push(mov64Reg(REG_A, REG_X));
        else return0();
        return;
    }
  });

  // Shared epilogue: falling off the end, and every "return 0" above, land here.
  const return0At = out.length;
  out.push(mov32Imm(REG_A, 0), exit());

  for (const { at, target } of fixups) {
    const dest = target === 'return0' ? return0At : start[target.cbpf]!;
    const off = dest - (at + 1);
    const slot = out[at]!;
    if (off >= -0x8000 && off <= 0x7fff) {
      slot.off = off;
    } else if (slot.opcode === (EBPF_JMP | EBPF_JA)) {
      // a far `ja` (a huge program): RFC 9669's ja32 (`gotol`) carries a 32-bit offset in imm
      slot.opcode = EBPF_JMP32 | EBPF_JA;
      slot.imm = off;
    } else {
      // only a jump to the shared epilogue can get here (a classic conditional jump reaches 255 insns at most)
      throw new EbpfTranslateError(`conditional jump from slot ${at} to ${dest} does not fit in 16 bits`);
    }
  }
  return dropUnusedEpilogue(out, return0At, fixups, program);
}

/** The epilogue is only needed when something jumps to it or the last instruction can fall into it. */
function dropUnusedEpilogue(out: EbpfInsn[], return0At: number, fixups: Fixup[], program: readonly Insn[]): EbpfInsn[] {
  const last = program.at(-1)?.code;
  const fallsThrough = last !== (BPF_RET | BPF_K) && last !== (BPF_RET | BPF_A) && last !== (BPF_JMP | BPF_JA);
  const used = fallsThrough || fixups.some((f) => f.target === 'return0');
  return used ? out : out.slice(0, return0At);
}

const CONDITIONS = new Set([BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET]);
/** Inversions used when the true branch falls through (the kernel inverts only these three). */
const INVERTED: ReadonlyMap<number, number> = new Map([
  [BPF_JEQ, EBPF_JNE],
  [BPF_JGT, EBPF_JLE],
  [BPF_JGE, EBPF_JLT],
]);

function translateConditional(
  insn: Insn,
  pc: number,
  out: EbpfInsn[],
  jumpTo: (opcode: number, dst: number, src: number, imm: number, target: Target) => void,
  cbpfTarget: (t: number) => Target,
): void {
  const op = BPF_OP(insn.code); // cBPF and eBPF share the codes of eq/gt/ge/set
  let src = 0;
  let srcBit = EBPF_K;
  let imm = insn.k | 0;
  if (BPF_SRC(insn.code) === BPF_X) {
    src = REG_X;
    srcBit = EBPF_X;
    imm = 0;
  } else if (imm < 0) {
    // an eBPF immediate is sign-extended to 64 bits; A is zero-extended, so compare through a register
    out.push(mov32Imm(REG_TMP, imm));
    src = REG_TMP;
    srcBit = EBPF_X;
    imm = 0;
  }
  const whenTrue = cbpfTarget(pc + 1 + insn.jt);
  const whenFalse = cbpfTarget(pc + 1 + insn.jf);
  if (insn.jf === 0) {
    jumpTo(EBPF_JMP | op | srcBit, REG_A, src, imm, whenTrue);
    return;
  }
  const inverted = INVERTED.get(op);
  if (insn.jt === 0 && inverted !== undefined) {
    jumpTo(EBPF_JMP | inverted | srcBit, REG_A, src, imm, whenFalse);
    return;
  }
  jumpTo(EBPF_JMP | op | srcBit, REG_A, src, imm, whenTrue);
  jumpTo(EBPF_JMP | EBPF_JA, 0, 0, 0, whenFalse);
}

/** ALU: 32-bit operations on A; returns via return0 for what libpcap ends with 0. */
function translateAlu(insn: Insn, out: EbpfInsn[], return0: () => void): void {
  const op = BPF_OP(insn.code);
  const k = insn.k >>> 0;
  const isX = BPF_SRC(insn.code) === BPF_X;
  if ((insn.code & ~0xf8) !== BPF_ALU || !ALU_OPS.has(op) || (op === BPF_NEG && isX)) return return0();
  if (op === BPF_NEG) {
    out.push(ebpf(EBPF_ALU | EBPF_NEG | EBPF_K, REG_A));
    return;
  }
  const aluX = ebpf(EBPF_ALU | op | EBPF_X, REG_A, REG_X);
  if (op === BPF_DIV || op === BPF_MOD) {
    if (isX) {
      // X = 0 ends the program with 0 (the kernel's guard)
      out.push(ebpf(EBPF_JMP | EBPF_JNE | EBPF_K, REG_X, 0, 2, 0), mov32Imm(REG_A, 0), exit(), aluX);
    } else if (k === 0) return0();
    else out.push(ebpf(EBPF_ALU | op | EBPF_K, REG_A, 0, 0, k));
    return;
  }
  if (op === BPF_LSH || op === BPF_RSH) {
    if (isX) {
      // libpcap: a shift by 32 or more gives 0 (eBPF would mask the count)
      out.push(ebpf(EBPF_JMP | EBPF_JLT | EBPF_K, REG_X, 0, 2, 32), mov32Imm(REG_A, 0), ebpf(EBPF_JMP | EBPF_JA, 0, 0, 1), aluX);
    } else if (k >= 32) out.push(mov32Imm(REG_A, 0));
    else out.push(ebpf(EBPF_ALU | op | EBPF_K, REG_A, 0, 0, k));
    return;
  }
  out.push(isX ? aluX : ebpf(EBPF_ALU | op | EBPF_K, REG_A, 0, 0, k));
}

const ALU_OPS = new Set([BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR]);

const VLAN_TAG_K = (SKF_AD_OFF + SKF_AD_VLAN_TAG) >>> 0;
const VLAN_TAG_PRESENT_K = (SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT) >>> 0;

/** LD / LDX. Returns false for codes libpcap does not run (the caller makes them return 0). */
function translateLoad(insn: Insn, out: EbpfInsn[]): boolean {
  const code = insn.code;
  const k = insn.k >>> 0;
  const isLdx = BPF_CLASS(code) === BPF_LDX;
  const dst = isLdx ? REG_X : REG_A;
  const mode = BPF_MODE(code);
  const size = BPF_SIZE(code);
  const ldxw = (src: number, off: number): EbpfInsn => ebpf(EBPF_LDX | EBPF_MEM | EBPF_W, dst, src, off);
  if (code > 0xff) return false;
  if (mode === BPF_IMM && size === 0) out.push(mov32Imm(dst, k));
  else if (mode === BPF_MEM && size === 0) {
    if (k >= BPF_MEMWORDS) return false;
    out.push(ldxw(REG_FP, scratchOffset(k)));
  } else if (mode === BPF_LEN && size === 0) out.push(ldxw(REG_CTX, SKB_LEN));
  else if (isLdx && code === (BPF_LDX | BPF_MSH | BPF_B)) {
    // X = 4 * (P[k] & 0xf), through A: X = A; A = P[k]; A &= 0xf; A <<= 2; tmp = X; X = A; A = tmp
    out.push(
      mov64Reg(REG_X, REG_A),
      ebpf(EBPF_LD | EBPF_ABS | EBPF_B, 0, 0, 0, k),
      ebpf(EBPF_ALU | EBPF_AND | EBPF_K, REG_A, 0, 0, 0xf),
      ebpf(EBPF_ALU | EBPF_LSH | EBPF_K, REG_A, 0, 0, 2),
      mov64Reg(REG_TMP, REG_X),
      mov64Reg(REG_X, REG_A),
      mov64Reg(REG_A, REG_TMP),
    );
  } else if (!isLdx && (mode === BPF_ABS || mode === BPF_IND) && size !== 0x18) {
    if (mode === BPF_ABS && k === VLAN_TAG_K) out.push(ldxw(REG_CTX, SKB_VLAN_TCI));
    else if (mode === BPF_ABS && k === VLAN_TAG_PRESENT_K) out.push(ldxw(REG_CTX, SKB_VLAN_PRESENT));
    else out.push(ebpf(EBPF_LD | (mode === BPF_ABS ? EBPF_ABS : EBPF_IND) | size, 0, mode === BPF_IND ? REG_X : 0, 0, k));
  } else return false;
  return true;
}

/**
 * Scratch slots some path may read before any write to them (a forward "definitely written"
 * dataflow over the classic control-flow graph; unlike the kernel's one-pass check it also follows
 * protochain's backward jumps). Reading an unwritten stack slot fails Linux's verifier, so the
 * prologue zeroes these slots — the value libpcap's interpreter starts them with.
 */
export function scratchSlotsReadBeforeWrite(program: readonly Insn[]): number[] {
  const len = program.length;
  const written: (number | undefined)[] = new Array(len).fill(undefined);
  const work: number[] = [];
  let needed = 0;
  const flow = (pc: number, state: number): void => {
    if (pc < 0 || pc >= len) return;
    const old = written[pc];
    const merged = old === undefined ? state : old & state;
    if (merged !== old) {
      written[pc] = merged;
      work.push(pc);
    }
  };
  flow(0, 0);
  while (work.length > 0) {
    const pc = work.pop()!;
    const insn = program[pc]!;
    let state = written[pc]!;
    const cls = BPF_CLASS(insn.code);
    const k = insn.k >>> 0;
    if (k < BPF_MEMWORDS) {
      if (insn.code === BPF_ST || insn.code === BPF_STX) state |= 1 << k;
      else if (insn.code === (BPF_LD | BPF_MEM) || insn.code === (BPF_LDX | BPF_MEM)) {
        if (!(state & (1 << k))) needed |= 1 << k;
      }
    }
    if (cls === BPF_RET) continue;
    if (cls === BPF_JMP) {
      if (insn.code === (BPF_JMP | BPF_JA)) flow(pc + 1 + (k | 0), state);
      else {
        flow(pc + 1 + insn.jt, state);
        flow(pc + 1 + insn.jf, state);
      }
      continue;
    }
    flow(pc + 1, state);
  }
  const slots: number[] = [];
  for (let s = 0; s < BPF_MEMWORDS; s++) if (needed & (1 << s)) slots.push(s);
  return slots;
}


// Disassembler: instruction slots -> assembly text that assembleEbpf turns back into the same bytes.
// Jump and local-call targets are written as signed slot offsets (`+N`/`-N`). A slot that no mnemonic
// expresses exactly (unknown opcode, a non-zero field the mnemonic does not carry) is written as
// `.raw 0x<u64>`, so any program round-trips.

import { slotToU64 } from './encode.js';
import {
  EBPF_ABS, EBPF_ALU, EBPF_ALU64, EBPF_ATOMIC, EBPF_CALL_HELPER, EBPF_CALL_LOCAL, EBPF_CALL_RUNTIME,
  EBPF_DW, EBPF_END, EBPF_FETCH, EBPF_IND, EBPF_JA, EBPF_JMP, EBPF_JMP32, EBPF_LD, EBPF_LDX, EBPF_MEM,
  EBPF_MEMSX, EBPF_MOV, EBPF_NEG, EBPF_OP_CALL, EBPF_OP_CALLX, EBPF_OP_EXIT, EBPF_OP_LDDW, EBPF_ST,
  EBPF_TO_BE, EBPF_W, EBPF_X, ebpfClass, ebpfMode, ebpfOp, ebpfSize, ebpfSrc, lddwValue, type EbpfInsn,
} from './insn.js';
import { ALU_OPS, ATOMIC_OPS, JUMP_OPS, MOVSX_OPS, SIZES } from './mnemonics.js';

/** Whole program as assembly text, one instruction per line (lddw takes one line for its two slots). */
export function ebpfToAssembly(prog: readonly EbpfInsn[]): string {
  const lines: string[] = [];
  for (let i = 0; i < prog.length; i++) {
    const next = prog[i + 1];
    if (prog[i]!.opcode === EBPF_OP_LDDW && next && isCanonicalLddw(prog[i]!, next)) {
      lines.push(`lddw ${reg(prog[i]!.dst)}, ${lddwValueHex(prog[i]!, next)}`);
      i++;
      continue;
    }
    lines.push(disassembleSlot(prog[i]!) ?? raw(prog[i]!));
  }
  return lines.join('\n') + '\n';
}

function lddwValueHex(first: EbpfInsn, second: EbpfInsn): string {
  return `0x${lddwValue(first, second).toString(16)}`;
}

function isCanonicalLddw(first: EbpfInsn, second: EbpfInsn): boolean {
  return (
    first.src === 0 && first.off === 0 && second.opcode === 0 && second.dst === 0 && second.src === 0 && second.off === 0
  );
}

const reg = (n: number): string => `%r${n}`;
const raw = (i: EbpfInsn): string => `.raw 0x${slotToU64(i).toString(16).padStart(16, '0')}`;
const signed = (n: number): string => (n < 0 ? `${n}` : `+${n}`);
const memOperand = (r: number, off: number): string => `[${reg(r)}${off === 0 ? '' : off < 0 ? off : `+${off}`}]`;
const sizeName = (opcode: number): string => SIZES.find((s) => s.size === ebpfSize(opcode))!.name;

/** One slot's text, or undefined when no mnemonic expresses it exactly (the caller writes `.raw`). */
function disassembleSlot(i: EbpfInsn): string | undefined {
  if (i.dst > 10 || i.src > 10) return undefined; // no register name for 11..15
  const cls = ebpfClass(i.opcode);
  switch (cls) {
    case EBPF_ALU:
    case EBPF_ALU64:
      return disassembleAlu(i, cls === EBPF_ALU64);
    case EBPF_JMP:
    case EBPF_JMP32:
      return disassembleJump(i, cls === EBPF_JMP32);
    case EBPF_LD:
      return disassembleLegacyLoad(i);
    case EBPF_LDX:
      if (i.imm !== 0 || ebpfSize(i.opcode) === EBPF_DW && ebpfMode(i.opcode) === EBPF_MEMSX) return undefined;
      if (ebpfMode(i.opcode) === EBPF_MEM) return `ldx${sizeName(i.opcode)} ${reg(i.dst)}, ${memOperand(i.src, i.off)}`;
      if (ebpfMode(i.opcode) === EBPF_MEMSX) return `ldxs${sizeName(i.opcode)} ${reg(i.dst)}, ${memOperand(i.src, i.off)}`;
      return undefined;
    case EBPF_ST:
      if (ebpfMode(i.opcode) !== EBPF_MEM || i.src !== 0 || i.dst > 10) return undefined;
      return `st${sizeName(i.opcode)} ${memOperand(i.dst, i.off)}, ${i.imm}`;
    default:
      return disassembleStore(i);
  }
}

function disassembleAlu(i: EbpfInsn, alu64: boolean): string | undefined {
  const op = ebpfOp(i.opcode);
  const suffix = alu64 ? '' : '32';
  if (i.dst > 10 || i.src > 10) return undefined;
  if (op === EBPF_END) {
    if (i.src !== 0 || i.off !== 0 || ![16, 32, 64].includes(i.imm)) return undefined;
    if (alu64) return ebpfSrc(i.opcode) === 0 ? `bswap${i.imm} ${reg(i.dst)}` : undefined;
    return `${ebpfSrc(i.opcode) === EBPF_TO_BE ? 'be' : 'le'}${i.imm} ${reg(i.dst)}`;
  }
  if (op === EBPF_NEG) {
    return ebpfSrc(i.opcode) === 0 && i.src === 0 && i.off === 0 && i.imm === 0 ? `neg${suffix} ${reg(i.dst)}` : undefined;
  }
  const isX = ebpfSrc(i.opcode) === EBPF_X;
  if (op === EBPF_MOV && i.off !== 0) {
    const sx = MOVSX_OPS.find((m) => m.alu64 === alu64 && m.off === i.off);
    return sx && isX && i.imm === 0 ? `${sx.name} ${reg(i.dst)}, ${reg(i.src)}` : undefined;
  }
  const entry = ALU_OPS.find((a) => a.op === op && a.off === i.off);
  if (!entry) return undefined;
  if (isX) return i.imm === 0 ? `${entry.name}${suffix} ${reg(i.dst)}, ${reg(i.src)}` : undefined;
  return i.src === 0 ? `${entry.name}${suffix} ${reg(i.dst)}, ${i.imm}` : undefined;
}

function disassembleJump(i: EbpfInsn, jmp32: boolean): string | undefined {
  const op = ebpfOp(i.opcode);
  const isX = ebpfSrc(i.opcode) === EBPF_X;
  if (i.opcode === EBPF_OP_EXIT) return i.dst === 0 && i.src === 0 && i.off === 0 && i.imm === 0 ? 'exit' : undefined;
  if (i.opcode === EBPF_OP_CALL) {
    if (i.dst !== 0 || i.off !== 0) return undefined;
    if (i.src === EBPF_CALL_HELPER) return `call ${i.imm}`;
    if (i.src === EBPF_CALL_LOCAL) return `call local ${signed(i.imm)}`;
    if (i.src === EBPF_CALL_RUNTIME) return `call runtime ${i.imm}`;
    return undefined;
  }
  if (i.opcode === EBPF_OP_CALLX) return i.src === 0 && i.off === 0 && i.imm === 0 && i.dst <= 10 ? `call ${reg(i.dst)}` : undefined;
  if (op === EBPF_JA && !isX) {
    if (i.dst !== 0 || i.src !== 0) return undefined;
    if (jmp32) return i.off === 0 ? `ja32 ${signed(i.imm)}` : undefined;
    return i.imm === 0 ? `ja ${signed(i.off)}` : undefined;
  }
  const entry = JUMP_OPS.find((j) => j.op === op);
  if (!entry || i.dst > 10 || i.src > 10) return undefined;
  const name = `${entry.name}${jmp32 ? '32' : ''}`;
  if (isX) return i.imm === 0 ? `${name} ${reg(i.dst)}, ${reg(i.src)}, ${signed(i.off)}` : undefined;
  return i.src === 0 ? `${name} ${reg(i.dst)}, ${i.imm}, ${signed(i.off)}` : undefined;
}

function disassembleLegacyLoad(i: EbpfInsn): string | undefined {
  const mode = ebpfMode(i.opcode);
  if (ebpfSize(i.opcode) === EBPF_DW || i.dst !== 0 || i.off !== 0) return undefined;
  if (mode === EBPF_ABS && i.src === 0) return `ldabs${sizeName(i.opcode)} ${i.imm}`;
  if (mode === EBPF_IND && i.src <= 10) return `ldind${sizeName(i.opcode)} ${reg(i.src)}, ${i.imm}`;
  return undefined;
}

function disassembleStore(i: EbpfInsn): string | undefined {
  const mode = ebpfMode(i.opcode);
  if (i.dst > 10 || i.src > 10) return undefined;
  if (mode === EBPF_MEM) return i.imm === 0 ? `stx${sizeName(i.opcode)} ${memOperand(i.dst, i.off)}, ${reg(i.src)}` : undefined;
  if (mode !== EBPF_ATOMIC) return undefined;
  const size = ebpfSize(i.opcode);
  if (size !== EBPF_W && size !== EBPF_DW) return undefined;
  const op = ATOMIC_OPS.find((a) => a.imm === i.imm || a.imm === (i.imm & ~EBPF_FETCH));
  if (!op) return undefined;
  const fetch = op.imm !== i.imm; // xchg/cmpxchg carry FETCH in their own code
  return `lock ${fetch ? 'fetch ' : ''}${op.name}${size === EBPF_W ? '32' : ''} ${memOperand(i.dst, i.off)}, ${reg(i.src)}`;
}

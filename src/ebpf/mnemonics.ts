// Mnemonic tables shared by the assembler and the disassembler (syntax of the bpf_conformance suite).

import {
  EBPF_ADD, EBPF_AND, EBPF_ARSH, EBPF_B, EBPF_DIV, EBPF_DW, EBPF_H, EBPF_JEQ, EBPF_JGE, EBPF_JGT,
  EBPF_JLE, EBPF_JLT, EBPF_JNE, EBPF_JSET, EBPF_JSGE, EBPF_JSGT, EBPF_JSLE, EBPF_JSLT, EBPF_LSH,
  EBPF_MOD, EBPF_MOV, EBPF_MUL, EBPF_NEG, EBPF_OR, EBPF_RSH, EBPF_SUB, EBPF_W, EBPF_XOR,
  EBPF_CMPXCHG, EBPF_XCHG,
} from './insn.js';

/** ALU operation names (the ones with offset=1 are the signed forms). */
export const ALU_OPS: ReadonlyArray<{ name: string; op: number; off: number }> = [
  { name: 'add', op: EBPF_ADD, off: 0 },
  { name: 'sub', op: EBPF_SUB, off: 0 },
  { name: 'mul', op: EBPF_MUL, off: 0 },
  { name: 'div', op: EBPF_DIV, off: 0 },
  { name: 'sdiv', op: EBPF_DIV, off: 1 },
  { name: 'or', op: EBPF_OR, off: 0 },
  { name: 'and', op: EBPF_AND, off: 0 },
  { name: 'lsh', op: EBPF_LSH, off: 0 },
  { name: 'rsh', op: EBPF_RSH, off: 0 },
  { name: 'neg', op: EBPF_NEG, off: 0 },
  { name: 'mod', op: EBPF_MOD, off: 0 },
  { name: 'smod', op: EBPF_MOD, off: 1 },
  { name: 'xor', op: EBPF_XOR, off: 0 },
  { name: 'mov', op: EBPF_MOV, off: 0 },
  { name: 'arsh', op: EBPF_ARSH, off: 0 },
];

/** Conditional jump names. */
export const JUMP_OPS: ReadonlyArray<{ name: string; op: number }> = [
  { name: 'jeq', op: EBPF_JEQ },
  { name: 'jgt', op: EBPF_JGT },
  { name: 'jge', op: EBPF_JGE },
  { name: 'jset', op: EBPF_JSET },
  { name: 'jne', op: EBPF_JNE },
  { name: 'jsgt', op: EBPF_JSGT },
  { name: 'jsge', op: EBPF_JSGE },
  { name: 'jlt', op: EBPF_JLT },
  { name: 'jle', op: EBPF_JLE },
  { name: 'jslt', op: EBPF_JSLT },
  { name: 'jsle', op: EBPF_JSLE },
];

/** Load/store size suffixes. */
export const SIZES: ReadonlyArray<{ name: string; size: number }> = [
  { name: 'b', size: EBPF_B },
  { name: 'h', size: EBPF_H },
  { name: 'w', size: EBPF_W },
  { name: 'dw', size: EBPF_DW },
];

/** Atomic operation names as they appear after `lock` (without `fetch`). */
export const ATOMIC_OPS: ReadonlyArray<{ name: string; imm: number }> = [
  { name: 'add', imm: EBPF_ADD },
  { name: 'or', imm: EBPF_OR },
  { name: 'and', imm: EBPF_AND },
  { name: 'xor', imm: EBPF_XOR },
  { name: 'xchg', imm: EBPF_XCHG },
  { name: 'cmpxchg', imm: EBPF_CMPXCHG },
];

/** movsx variants: name, whether ALU64, and the source width carried in offset. */
export const MOVSX_OPS: ReadonlyArray<{ name: string; alu64: boolean; off: number }> = [
  { name: 'movsx832', alu64: false, off: 8 },
  { name: 'movsx1632', alu64: false, off: 16 },
  { name: 'movsx864', alu64: true, off: 8 },
  { name: 'movsx1664', alu64: true, off: 16 },
  { name: 'movsx3264', alu64: true, off: 32 },
];

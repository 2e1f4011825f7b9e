// eBPF instruction model (RFC 9669). One EbpfInsn is one 8-byte slot; `lddw` (opcode 0x18)
// occupies two slots: the first carries the low 32 bits of the immediate in `imm`, the second
// slot is a pseudo-instruction with opcode 0 whose `imm` holds the high 32 bits.

export interface EbpfInsn {
  /** 8-bit opcode: class in the low 3 bits. */
  opcode: number;
  /** destination register, 0..10 */
  dst: number;
  /** source register, 0..10 */
  src: number;
  /** signed 16-bit offset */
  off: number;
  /** signed 32-bit immediate */
  imm: number;
}

// classes
export const EBPF_LD = 0x00;
export const EBPF_LDX = 0x01;
export const EBPF_ST = 0x02;
export const EBPF_STX = 0x03;
export const EBPF_ALU = 0x04;
export const EBPF_JMP = 0x05;
export const EBPF_JMP32 = 0x06;
export const EBPF_ALU64 = 0x07;

// source
export const EBPF_K = 0x00;
export const EBPF_X = 0x08;

// ALU operations (high 4 bits)
export const EBPF_ADD = 0x00;
export const EBPF_SUB = 0x10;
export const EBPF_MUL = 0x20;
export const EBPF_DIV = 0x30;
export const EBPF_OR = 0x40;
export const EBPF_AND = 0x50;
export const EBPF_LSH = 0x60;
export const EBPF_RSH = 0x70;
export const EBPF_NEG = 0x80;
export const EBPF_MOD = 0x90;
export const EBPF_XOR = 0xa0;
export const EBPF_MOV = 0xb0;
export const EBPF_ARSH = 0xc0;
export const EBPF_END = 0xd0;

// jump operations (high 4 bits)
export const EBPF_JA = 0x00;
export const EBPF_JEQ = 0x10;
export const EBPF_JGT = 0x20;
export const EBPF_JGE = 0x30;
export const EBPF_JSET = 0x40;
export const EBPF_JNE = 0x50;
export const EBPF_JSGT = 0x60;
export const EBPF_JSGE = 0x70;
export const EBPF_CALL = 0x80;
export const EBPF_EXIT = 0x90;
export const EBPF_JLT = 0xa0;
export const EBPF_JLE = 0xb0;
export const EBPF_JSLT = 0xc0;
export const EBPF_JSLE = 0xd0;

// load/store sizes and modes
export const EBPF_W = 0x00;
export const EBPF_H = 0x08;
export const EBPF_B = 0x10;
export const EBPF_DW = 0x18;
export const EBPF_IMM = 0x00;
export const EBPF_ABS = 0x20; // legacy packet load
export const EBPF_IND = 0x40; // legacy packet load
export const EBPF_MEM = 0x60;
export const EBPF_MEMSX = 0x80;
export const EBPF_ATOMIC = 0xc0;

/** Stack size the VM, verifier and JIT give a program (bytes below r10). */
export const EBPF_STACK_SIZE = 512;

export const ebpfClass = (opcode: number): number => opcode & 0x07;

export function ebpf(opcode: number, dst = 0, src = 0, off = 0, imm = 0): EbpfInsn {
  return { opcode, dst, src, off, imm: imm | 0 };
}

// byte-swap source bit (END operation): to little-endian / to big-endian. ALU64|END (0xd7) is bswap.
export const EBPF_TO_LE = 0x00;
export const EBPF_TO_BE = 0x08;

// atomic operations (in imm of STX|ATOMIC); FETCH may be ORed into ADD/OR/AND/XOR and is always in XCHG/CMPXCHG
export const EBPF_FETCH = 0x01;
export const EBPF_XCHG = 0xe0 | EBPF_FETCH;
export const EBPF_CMPXCHG = 0xf0 | EBPF_FETCH;

// src field of a call: helper by id, program-local call (imm = relative slot offset), runtime (kfunc) call
export const EBPF_CALL_HELPER = 0;
export const EBPF_CALL_LOCAL = 1;
export const EBPF_CALL_RUNTIME = 2;

// whole opcodes that are handled specially
export const EBPF_OP_LDDW = EBPF_LD | EBPF_IMM | EBPF_DW; // 0x18, two slots
export const EBPF_OP_CALL = EBPF_JMP | EBPF_CALL; // 0x85
/** callx: 0x8d with the register number in dst (uBPF / conformance-suite encoding, not RFC 9669). */
export const EBPF_OP_CALLX = EBPF_JMP | EBPF_CALL | EBPF_X;
export const EBPF_OP_EXIT = EBPF_JMP | EBPF_EXIT; // 0x95

/** Helper id the conformance suite requires: uBPF's "unwind" (returns r1; a 0 result stops the program). */
export const EBPF_HELPER_UNWIND = 5;

/** Registers: r0 return value, r1-r5 arguments (clobbered by calls), r6-r9 callee-saved, r10 frame pointer. */
export const EBPF_FP = 10;

/** Deepest local-call nesting the VM allows (Linux's MAX_CALL_FRAMES). */
export const EBPF_MAX_CALL_FRAMES = 8;

export const ebpfOp = (opcode: number): number => opcode & 0xf0;
export const ebpfSrc = (opcode: number): number => opcode & 0x08;
export const ebpfSize = (opcode: number): number => opcode & 0x18;
export const ebpfMode = (opcode: number): number => opcode & 0xe0;

/** Bytes accessed by a load/store of the given size field. */
export function ebpfSizeBytes(opcode: number): number {
  switch (ebpfSize(opcode)) {
    case EBPF_B:
      return 1;
    case EBPF_H:
      return 2;
    case EBPF_W:
      return 4;
    default:
      return 8;
  }
}

/** The 64-bit immediate of an lddw pair (its two slots), unsigned. */
export function lddwValue(first: EbpfInsn, second: EbpfInsn): bigint {
  return (BigInt(second.imm >>> 0) << 32n) | BigInt(first.imm >>> 0);
}

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

// Reference interpreter for RFC 9669 eBPF, plus the legacy packet loads (LD_ABS / LD_IND) with
// libpcap's semantics, so translated classic filters run on it.
//
// Registers are held as two unsigned 32-bit halves (hi/lo); 32-bit ALU work touches only `lo`, and
// BigInt is used only for 64-bit multiply, divide, modulo and shifts.
//
// Memory model (the JIT in jit/ mirrors it exactly): one flat address space holds three regions, one
// after the other — the context (a `__sk_buff`-like structure, see skb.ts) at flat offset 0, the
// caller's `mem` bytes, then the stack (EBPF_MAX_CALL_FRAMES frames of 512 bytes, r10 at its top). A
// pointer is the 64-bit value (EBPF_POINTER_HI << 32) | flat offset. Every access must lie inside one
// region, and the context is read-only. Regions are adjacent, so pointer arithmetic that strays from
// one region into the next is not caught (reading past the end of `mem` reads the stack's lowest,
// deepest-frame bytes); no access can leave the three regions.

import {
  EBPF_ADD, EBPF_ALU, EBPF_ALU64, EBPF_AND, EBPF_ARSH, EBPF_ATOMIC, EBPF_CALL_HELPER,
  EBPF_CALL_LOCAL, EBPF_CMPXCHG, EBPF_DIV, EBPF_END, EBPF_FETCH, EBPF_FP, EBPF_HELPER_UNWIND,
  EBPF_JA, EBPF_JEQ, EBPF_JGE, EBPF_JGT, EBPF_JLE, EBPF_JLT, EBPF_JMP, EBPF_JMP32, EBPF_JNE,
  EBPF_JSET, EBPF_JSGE, EBPF_JSGT, EBPF_JSLE, EBPF_JSLT, EBPF_LDX, EBPF_LSH, EBPF_MAX_CALL_FRAMES,
  EBPF_MEM, EBPF_MEMSX, EBPF_MOD, EBPF_MOV, EBPF_MUL, EBPF_NEG, EBPF_OP_CALL, EBPF_OP_CALLX, EBPF_OP_EXIT,
  EBPF_OP_LDDW, EBPF_OR, EBPF_RSH, EBPF_ST, EBPF_STACK_SIZE, EBPF_STX, EBPF_SUB, EBPF_TO_BE,
  EBPF_X, EBPF_XCHG, EBPF_XOR, ebpfClass, ebpfMode, ebpfOp, ebpfSizeBytes, ebpfSrc, lddwValue, type EbpfInsn,
} from './insn.js';
import { SKB_CONTEXT_SIZE, fillSkbContext, type SkbFields } from './skb.js';

/** A fault while running: bad memory access, budget exhausted, unknown opcode or helper, and so on. */
export class EbpfRuntimeError extends Error {
  override readonly name = 'EbpfRuntimeError';
  constructor(
    message: string,
    /** Slot index of the faulting instruction. */
    readonly pc: number,
  ) {
    super(`instruction ${pc}: ${message}`);
  }
}

/** A helper function: receives r1-r5 (unsigned 64-bit), returns the new r0. */
export type EbpfHelper = (r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

/** Helpers the VM provides unless overridden: id 5 is uBPF's "unwind" (returns r1; 0 stops the program). */
export const DEFAULT_EBPF_HELPERS: ReadonlyMap<number, EbpfHelper> = new Map([[EBPF_HELPER_UNWIND, (r1: bigint) => r1]]);

/** Instructions a run may execute before it fails (so a loop cannot run forever). */
export const DEFAULT_EBPF_BUDGET = 1_000_000;

export interface EbpfRunOptions {
  /** Bytes r1 points at (a writable copy is used); r2 holds their length. */
  mem?: Uint8Array;
  /** Packet the legacy LD_ABS / LD_IND loads read. */
  packet?: Uint8Array;
  /** Wire length the context's `len` field reports (default: packet length). */
  wirelen?: number;
  /** Other context fields (VLAN tag, packet type, ...), for translated ancillary loads. */
  skb?: SkbFields;
  /** Maximum number of instructions executed (default DEFAULT_EBPF_BUDGET). */
  budget?: number;
  /** Helper functions by id (default DEFAULT_EBPF_HELPERS). */
  helpers?: ReadonlyMap<number, EbpfHelper>;
}

/** High half of every pointer the VM hands out. */
export const EBPF_POINTER_HI = 1;
const STACK_BYTES = EBPF_STACK_SIZE * EBPF_MAX_CALL_FRAMES;
const U32 = 0x1_0000_0000;

interface Frame {
  returnPc: number;
  saved: number[]; // hi/lo of r6..r10
}

/**
 * Run a program with r1 = address of a copy of `mem`, r2 = its length, r10 = the stack.
 * Returns r0 as an unsigned 64-bit value.
 */
export function runEbpf(prog: readonly EbpfInsn[], opts: EbpfRunOptions = {}): bigint {
  const packet = opts.packet ?? NO_BYTES;
  const m = new Machine(prog, opts, packet, opts.wirelen ?? packet.length);
  try {
    m.setReg(1, EBPF_POINTER_HI, m.memStart);
    m.setReg(2, 0, opts.mem?.length ?? 0);
    m.run();
    return (BigInt(m.hi[0]!) << 32n) | BigInt(m.lo[0]!);
  } finally {
    m.release();
  }
}

/**
 * Run a packet filter (for example a translated classic program): r1 = the context whose `len` is the
 * wire length, the legacy packet loads read `packet`. Returns the low 32 bits of r0 (the snapshot
 * length a classic filter returns; 0 rejects).
 */
export function runEbpfFilter(
  prog: readonly EbpfInsn[],
  packet: Uint8Array,
  wirelen = packet.length,
  opts: Omit<EbpfRunOptions, 'packet' | 'wirelen' | 'mem'> = {},
): number {
  const m = new Machine(prog, opts, packet, wirelen);
  try {
    m.setReg(1, EBPF_POINTER_HI, m.ctxStart);
    m.run();
    return m.lo[0]!;
  } finally {
    m.release();
  }
}

const NO_BYTES = new Uint8Array(0);

/** The buffers of one run. The last one released is kept for the next run, so a run allocates nothing. */
interface Scratch {
  bytes: Uint8Array;
  view: DataView;
  hi: Uint32Array;
  lo: Uint32Array;
}

let spareScratch: Scratch | undefined;

function takeScratch(size: number): Scratch {
  const spare = spareScratch;
  if (spare && spare.bytes.length >= size) {
    spareScratch = undefined; // a nested run (from a helper) gets its own
    spare.hi.fill(0);
    spare.lo.fill(0);
    return spare;
  }
  const bytes = new Uint8Array(Math.max(size, 2 * (SKB_CONTEXT_SIZE + STACK_BYTES)));
  return { bytes, view: new DataView(bytes.buffer), hi: new Uint32Array(11), lo: new Uint32Array(11) };
}

class Machine {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly ctxStart = 0;
  readonly memStart = SKB_CONTEXT_SIZE;
  // the regions, one after the other: context [ctxStart, memStart), mem [memStart, stackStart), stack [stackStart, stackEnd)
  private readonly stackStart: number;
  private readonly stackEnd: number;
  private readonly scratch: Scratch;
  private readonly view: DataView;
  private readonly budget: number;
  private readonly helpers: ReadonlyMap<number, EbpfHelper>;
  private readonly frames: Frame[] = [];
  private pc = 0;
  /** Slot of the instruction being executed (for fault messages). */
  private at = 0;

  constructor(
    private readonly prog: readonly EbpfInsn[],
    opts: EbpfRunOptions,
    private readonly packet: Uint8Array,
    wirelen: number,
  ) {
    this.stackStart = this.memStart + (opts.mem?.length ?? 0);
    this.stackEnd = this.stackStart + STACK_BYTES;
    this.scratch = takeScratch(this.stackEnd);
    const { bytes, view, hi, lo } = this.scratch;
    this.view = view;
    this.hi = hi;
    this.lo = lo;
    if (opts.mem) bytes.set(opts.mem, this.memStart);
    bytes.fill(0, this.stackStart, this.stackEnd);
    fillSkbContext(view, this.ctxStart, packet.length, wirelen, opts.skb);
    this.budget = opts.budget ?? DEFAULT_EBPF_BUDGET;
    this.helpers = opts.helpers ?? DEFAULT_EBPF_HELPERS;
    this.setReg(EBPF_FP, EBPF_POINTER_HI, this.stackEnd);
  }

  /** Hands the buffers back for the next run. */
  release(): void {
    spareScratch = this.scratch;
  }

  setReg(r: number, hi: number, lo: number): void {
    this.hi[r] = hi;
    this.lo[r] = lo;
  }

  private big(r: number): bigint {
    return (BigInt(this.hi[r]!) << 32n) | BigInt(this.lo[r]!);
  }

  private setBig(r: number, v: bigint): void {
    this.lo[r] = Number(v & 0xffffffffn);
    this.hi[r] = Number((v >> 32n) & 0xffffffffn);
  }

  private fail(message: string): never {
    throw new EbpfRuntimeError(message, this.at);
  }

  /**
   * Runs to the final exit, leaving r0 in hi[0]/lo[0]. The instructions translated classic programs
   * use are handled inline with literal opcodes (some module loaders turn every use of an imported
   * constant into a property read, which this loop cannot afford); the rest go to generic(), which
   * works on this.pc.
   */
  run(): void {
    const prog = this.prog;
    const { hi, lo } = this;
    const length = prog.length;
    const budget = this.budget;
    const view = this.view;
    let steps = 0;
    let pc = this.pc;
    for (;;) {
      this.at = pc;
      if (pc < 0 || pc >= length) this.fail(`control reached slot ${pc}, outside the program (${length} slots)`);
      if (++steps > budget) this.fail(`instruction budget of ${budget} exhausted`);
      const insn = prog[pc]!;
      const opcode = insn.opcode;
      const d = insn.dst;
      const imm = insn.imm;
      if (d > 10 || insn.src > 10) this.fail(`register r${Math.max(d, insn.src)} does not exist`);
      pc++;
      switch (opcode) {
        case 0x04: // add32 K
          lo[d] = lo[d]! + imm;
          hi[d] = 0;
          continue;
        case 0x0c: // add32 X
          lo[d] = lo[d]! + lo[insn.src]!;
          hi[d] = 0;
          continue;
        case 0x14: // sub32 K
          lo[d] = lo[d]! - imm;
          hi[d] = 0;
          continue;
        case 0x1c: // sub32 X
          lo[d] = lo[d]! - lo[insn.src]!;
          hi[d] = 0;
          continue;
        case 0x24: // mul32 K
          lo[d] = Math.imul(lo[d]!, imm);
          hi[d] = 0;
          continue;
        case 0x2c: // mul32 X
          lo[d] = Math.imul(lo[d]!, lo[insn.src]!);
          hi[d] = 0;
          continue;
        case 0x44: // or32 K
          lo[d] = lo[d]! | imm;
          hi[d] = 0;
          continue;
        case 0x4c: // or32 X
          lo[d] = lo[d]! | lo[insn.src]!;
          hi[d] = 0;
          continue;
        case 0x54: // and32 K
          lo[d] = lo[d]! & imm;
          hi[d] = 0;
          continue;
        case 0x5c: // and32 X
          lo[d] = lo[d]! & lo[insn.src]!;
          hi[d] = 0;
          continue;
        case 0x64: // lsh32 K
          lo[d] = lo[d]! << (imm & 31);
          hi[d] = 0;
          continue;
        case 0x6c: // lsh32 X
          lo[d] = lo[d]! << (lo[insn.src]! & 31);
          hi[d] = 0;
          continue;
        case 0x74: // rsh32 K
          lo[d] = lo[d]! >>> (imm & 31);
          hi[d] = 0;
          continue;
        case 0x7c: // rsh32 X
          lo[d] = lo[d]! >>> (lo[insn.src]! & 31);
          hi[d] = 0;
          continue;
        case 0x84: // neg32
          lo[d] = -lo[d]!;
          hi[d] = 0;
          continue;
        case 0xa4: // xor32 K
          lo[d] = lo[d]! ^ imm;
          hi[d] = 0;
          continue;
        case 0xac: // xor32 X
          lo[d] = lo[d]! ^ lo[insn.src]!;
          hi[d] = 0;
          continue;
        case 0xb4: // mov32 K
          lo[d] = imm;
          hi[d] = 0;
          continue;
        case 0xb7: // mov K
          lo[d] = imm;
          hi[d] = imm < 0 ? 0xffffffff : 0;
          continue;
        case 0xbc: // mov32 X (movsx, with an offset, is generic)
          if (insn.off !== 0) break;
          lo[d] = lo[insn.src]!;
          hi[d] = 0;
          continue;
        case 0xbf: // mov X
          if (insn.off !== 0) break;
          lo[d] = lo[insn.src]!;
          hi[d] = hi[insn.src]!;
          continue;
        case 0x05: // ja
          pc += insn.off;
          continue;
        case 0x15: // jeq jne jgt jge jlt jle jset, K and X
        case 0x1d:
        case 0x55:
        case 0x5d:
        case 0x25:
        case 0x2d:
        case 0x35:
        case 0x3d:
        case 0xa5:
        case 0xad:
        case 0xb5:
        case 0xbd:
        case 0x45:
        case 0x4d: {
          const isX = (opcode & 0x08) !== 0;
          const bLo = isX ? lo[insn.src]! : imm >>> 0;
          const bHi = isX ? hi[insn.src]! : imm < 0 ? 0xffffffff : 0;
          if (unsignedCondition(opcode & 0xf0, hi[d]!, lo[d]!, bHi, bLo)) pc += insn.off;
          continue;
        }
        case 0x61: // ldxw
          lo[d] = view.getUint32(this.address(insn.src, insn.off, 4, false), true);
          hi[d] = 0;
          continue;
        case 0x63: // stxw
          view.setUint32(this.address(d, insn.off, 4, true), lo[insn.src]!, true);
          continue;
        case 0x62: // stw
          view.setUint32(this.address(d, insn.off, 4, true), imm, true);
          continue;
        case 0x20: // legacy packet loads ldabs w/h/b, ldind w/h/b: outside the packet ends with 0
        case 0x28:
        case 0x30:
        case 0x40:
        case 0x48:
        case 0x50:
          if (this.legacyLoad(insn)) continue;
          lo[0] = 0;
          hi[0] = 0;
          return;
        case 0x95: // exit
          if (this.frames.length === 0) return;
          break;
      }
      this.pc = pc;
      if (!this.generic(insn)) return;
      pc = this.pc;
    }
  }

  /** What run() does not handle inline. Returns false when the program stops (unwind: r0 = 0). */
  private generic(insn: EbpfInsn): boolean {
    const opcode = insn.opcode;
    switch (ebpfClass(opcode)) {
      case EBPF_ALU:
        this.alu32(insn);
        break;
      case EBPF_ALU64:
        this.alu64(insn);
        break;
      case EBPF_JMP:
      case EBPF_JMP32:
        if (opcode === EBPF_OP_EXIT) {
          const frame = this.frames.pop()!; // the outermost exit is handled in run()
          for (let r = 6; r <= 10; r++) this.setReg(r, frame.saved[2 * (r - 6)]!, frame.saved[2 * (r - 6) + 1]!);
          this.pc = frame.returnPc;
        } else if (opcode === EBPF_OP_CALL || opcode === EBPF_OP_CALLX) {
          if (this.call(insn)) {
            this.setReg(0, 0, 0);
            return false;
          }
        } else {
          this.jump(insn);
        }
        break;
      case EBPF_LDX: {
        const size = ebpfSizeBytes(opcode);
        const mode = ebpfMode(opcode);
        if (mode !== EBPF_MEM && !(mode === EBPF_MEMSX && size !== 8)) this.fail(`unknown opcode 0x${hex(opcode)}`);
        const at = this.address(insn.src, insn.off, size, false);
        this.load(insn.dst, at, size, mode === EBPF_MEMSX);
        break;
      }
      case EBPF_ST:
      case EBPF_STX:
        this.store(insn);
        break;
      default: {
        // class LD: lddw (run() handles the legacy packet loads)
        const next = this.prog[this.at + 1];
        if (opcode !== EBPF_OP_LDDW) this.fail(`unknown opcode 0x${hex(opcode)}`);
        if (!next || insn.src !== 0) this.fail(insn.src !== 0 ? `lddw with src ${insn.src} is not supported` : 'lddw without its second slot');
        this.setBig(insn.dst, lddwValue(insn, next));
        this.pc = this.at + 2;
      }
    }
    return true;
  }

  private alu32(insn: EbpfInsn): void {
    const { lo, hi } = this;
    const d = insn.dst;
    const op = ebpfOp(insn.opcode);
    const isX = ebpfSrc(insn.opcode) === EBPF_X;
    const a = lo[d]!;
    const b = isX ? lo[insn.src]! : insn.imm >>> 0;
    let r: number;
    switch (op) {
      case EBPF_ADD:
        r = a + b;
        break;
      case EBPF_SUB:
        r = a - b;
        break;
      case EBPF_MUL:
        r = Math.imul(a, b);
        break;
      case EBPF_DIV:
        if (insn.off === 1) r = b === 0 ? 0 : Math.trunc((a | 0) / (b | 0));
        else r = b === 0 ? 0 : Math.floor(a / b);
        break;
      case EBPF_MOD:
        if (insn.off === 1) r = b === 0 ? a : (b | 0) === -1 ? 0 : (a | 0) % (b | 0);
        else r = b === 0 ? a : a % b;
        break;
      case EBPF_OR:
        r = a | b;
        break;
      case EBPF_AND:
        r = a & b;
        break;
      case EBPF_XOR:
        r = a ^ b;
        break;
      case EBPF_LSH:
        r = a << (b & 31);
        break;
      case EBPF_RSH:
        r = a >>> (b & 31);
        break;
      case EBPF_ARSH:
        r = (a | 0) >> (b & 31);
        break;
      case EBPF_NEG:
        r = -a;
        break;
      case EBPF_MOV:
        r = insn.off === 8 ? (b << 24) >> 24 : insn.off === 16 ? (b << 16) >> 16 : b;
        break;
      case EBPF_END:
        this.byteSwap(insn, ebpfSrc(insn.opcode) === EBPF_TO_BE);
        return;
      default:
        this.fail(`unknown opcode 0x${hex(insn.opcode)}`);
    }
    lo[d] = r;
    hi[d] = 0;
  }

  private alu64(insn: EbpfInsn): void {
    const { lo, hi } = this;
    const d = insn.dst;
    const op = ebpfOp(insn.opcode);
    const isX = ebpfSrc(insn.opcode) === EBPF_X;
    const bLo = isX ? lo[insn.src]! : insn.imm >>> 0;
    const bHi = isX ? hi[insn.src]! : insn.imm < 0 ? 0xffffffff : 0;
    const aLo = lo[d]!;
    const aHi = hi[d]!;
    switch (op) {
      case EBPF_ADD: {
        const sum = aLo + bLo;
        lo[d] = sum;
        hi[d] = aHi + bHi + (sum >= U32 ? 1 : 0);
        return;
      }
      case EBPF_SUB: {
        const diff = aLo - bLo;
        lo[d] = diff;
        hi[d] = aHi - bHi - (diff < 0 ? 1 : 0);
        return;
      }
      case EBPF_OR:
        lo[d] = aLo | bLo;
        hi[d] = aHi | bHi;
        return;
      case EBPF_AND:
        lo[d] = aLo & bLo;
        hi[d] = aHi & bHi;
        return;
      case EBPF_XOR:
        lo[d] = aLo ^ bLo;
        hi[d] = aHi ^ bHi;
        return;
      case EBPF_NEG:
        lo[d] = -aLo;
        hi[d] = ~aHi + (aLo === 0 ? 1 : 0);
        return;
      case EBPF_MOV:
        if (insn.off === 0) {
          lo[d] = bLo;
          hi[d] = bHi;
        } else {
          const v = insn.off === 8 ? (bLo << 24) >> 24 : insn.off === 16 ? (bLo << 16) >> 16 : bLo | 0;
          lo[d] = v;
          hi[d] = v < 0 ? 0xffffffff : 0;
        }
        return;
      case EBPF_END:
        this.byteSwap(insn, true);
        return;
    }
    const a = (BigInt(aHi) << 32n) | BigInt(aLo);
    const b = (BigInt(bHi) << 32n) | BigInt(bLo);
    this.setBig(d, this.alu64Big(insn, op, a, b));
  }

  /** 64-bit operations done with BigInt; a and b are unsigned. */
  private alu64Big(insn: EbpfInsn, op: number, a: bigint, b: bigint): bigint {
    const signed = insn.off === 1;
    switch (op) {
      case EBPF_MUL:
        return BigInt.asUintN(64, a * b);
      case EBPF_DIV:
        if (b === 0n) return 0n;
        return signed ? BigInt.asUintN(64, BigInt.asIntN(64, a) / BigInt.asIntN(64, b)) : a / b;
      case EBPF_MOD:
        if (b === 0n) return a;
        return signed ? BigInt.asUintN(64, BigInt.asIntN(64, a) % BigInt.asIntN(64, b)) : a % b;
      case EBPF_LSH:
        return BigInt.asUintN(64, a << (b & 63n));
      case EBPF_RSH:
        return a >> (b & 63n);
      case EBPF_ARSH:
        return BigInt.asUintN(64, BigInt.asIntN(64, a) >> (b & 63n));
      default:
        return this.fail(`unknown opcode 0x${hex(insn.opcode)}`);
    }
  }

  /** le/be (ALU class, toBigEndian says which) and bswap (ALU64 class, always swaps); host is little-endian. */
  private byteSwap(insn: EbpfInsn, swap: boolean): void {
    const d = insn.dst;
    const { lo, hi } = this;
    const v = lo[d]!;
    switch (insn.imm) {
      case 16:
        lo[d] = swap ? ((v & 0xff) << 8) | ((v >>> 8) & 0xff) : v & 0xffff;
        hi[d] = 0;
        return;
      case 32:
        lo[d] = swap ? swap32(v) : v;
        hi[d] = 0;
        return;
      case 64:
        if (swap) {
          const h = hi[d]!;
          hi[d] = swap32(v);
          lo[d] = swap32(h);
        }
        return;
      default:
        this.fail(`byte swap width ${insn.imm} is not 16, 32 or 64`);
    }
  }

  private jump(insn: EbpfInsn): void {
    const op = ebpfOp(insn.opcode);
    const is32 = ebpfClass(insn.opcode) === EBPF_JMP32;
    if (op === EBPF_JA) {
      if (ebpfSrc(insn.opcode) !== 0) this.fail(`unknown opcode 0x${hex(insn.opcode)}`);
      this.pc += is32 ? insn.imm : insn.off;
      return;
    }
    const { lo, hi } = this;
    const isX = ebpfSrc(insn.opcode) === EBPF_X;
    const aLo = lo[insn.dst]!;
    const bLo = isX ? lo[insn.src]! : insn.imm >>> 0;
    // JMP32 compares only the low halves: treat both high halves as equal (zero).
    const aHi = is32 ? 0 : hi[insn.dst]!;
    const bHi = is32 ? 0 : isX ? hi[insn.src]! : insn.imm < 0 ? 0xffffffff : 0;
    // signed views: the sign lives in the high half (64-bit) or in bit 31 of the low half (32-bit)
    const sHiA = is32 ? aLo | 0 : aHi | 0;
    const sHiB = is32 ? bLo | 0 : bHi | 0;
    const ucmp = aHi !== bHi ? (aHi < bHi ? -1 : 1) : aLo === bLo ? 0 : aLo < bLo ? -1 : 1;
    const scmp = sHiA !== sHiB ? (sHiA < sHiB ? -1 : 1) : aLo === bLo ? 0 : aLo < bLo ? -1 : 1;
    let taken: boolean;
    switch (op) {
      case EBPF_JEQ:
        taken = ucmp === 0;
        break;
      case EBPF_JNE:
        taken = ucmp !== 0;
        break;
      case EBPF_JGT:
        taken = ucmp > 0;
        break;
      case EBPF_JGE:
        taken = ucmp >= 0;
        break;
      case EBPF_JLT:
        taken = ucmp < 0;
        break;
      case EBPF_JLE:
        taken = ucmp <= 0;
        break;
      case EBPF_JSGT:
        taken = scmp > 0;
        break;
      case EBPF_JSGE:
        taken = scmp >= 0;
        break;
      case EBPF_JSLT:
        taken = scmp < 0;
        break;
      case EBPF_JSLE:
        taken = scmp <= 0;
        break;
      case EBPF_JSET:
        taken = (aLo & bLo) !== 0 || (aHi & bHi) !== 0;
        break;
      default:
        this.fail(`unknown opcode 0x${hex(insn.opcode)}`);
    }
    if (taken) this.pc += insn.off;
  }

  /** Helper or local call. Returns true when the program must stop with r0 = 0 (unwind). */
  private call(insn: EbpfInsn): boolean {
    if (insn.opcode === EBPF_OP_CALL && insn.src === EBPF_CALL_LOCAL) {
      if (this.frames.length + 1 >= EBPF_MAX_CALL_FRAMES) this.fail(`call depth exceeds ${EBPF_MAX_CALL_FRAMES} frames`);
      const saved: number[] = [];
      for (let r = 6; r <= 10; r++) saved.push(this.hi[r]!, this.lo[r]!);
      this.frames.push({ returnPc: this.pc, saved });
      this.lo[EBPF_FP] -= EBPF_STACK_SIZE; // a fresh 512-byte frame below the caller's
      this.pc += insn.imm;
      return false;
    }
    // callx (0x8d) names the helper through the register in dst, as uBPF does
    const id = insn.opcode === EBPF_OP_CALLX ? this.lo[insn.dst]! : insn.src === EBPF_CALL_HELPER ? insn.imm : undefined;
    const helper = id === undefined ? undefined : this.helpers.get(id);
    if (!helper) this.fail(id === undefined ? `call with src ${insn.src} is not supported` : `unknown helper ${id}`);
    const result = BigInt.asUintN(64, helper(this.big(1), this.big(2), this.big(3), this.big(4), this.big(5)));
    this.setBig(0, result);
    return id === EBPF_HELPER_UNWIND && result === 0n;
  }

  /** Flat offset of [reg + off, +size), after checking that it lies inside one region. */
  private address(reg: number, off: number, size: number, write: boolean): number {
    if (this.hi[reg] !== EBPF_POINTER_HI) this.fail(`access through r${reg}, which holds no valid pointer`);
    const at = this.lo[reg]! + off;
    const end = at + size;
    const inside =
      (at >= this.stackStart && end <= this.stackEnd) ||
      (at >= this.memStart && end <= this.stackStart) ||
      (at >= this.ctxStart && end <= this.memStart);
    if (!inside) this.fail(`${size}-byte ${write ? 'write' : 'read'} at r${reg}${off < 0 ? off : `+${off}`} is out of bounds`);
    if (write && end <= this.memStart) this.fail(`write to the read-only context at offset ${at - this.ctxStart}`);
    return at;
  }

  private load(dst: number, at: number, size: number, signExtend: boolean): void {
    const view = this.view;
    let v: number;
    switch (size) {
      case 1:
        v = signExtend ? view.getInt8(at) : view.getUint8(at);
        break;
      case 2:
        v = signExtend ? view.getInt16(at, true) : view.getUint16(at, true);
        break;
      case 4:
        v = signExtend ? view.getInt32(at, true) : view.getUint32(at, true);
        break;
      default:
        this.lo[dst] = view.getUint32(at, true);
        this.hi[dst] = view.getUint32(at + 4, true);
        return;
    }
    this.lo[dst] = v;
    this.hi[dst] = v < 0 ? 0xffffffff : 0;
  }

  private store(insn: EbpfInsn): void {
    const mode = ebpfMode(insn.opcode);
    const size = ebpfSizeBytes(insn.opcode);
    const isStx = ebpfClass(insn.opcode) === EBPF_STX;
    if (mode === EBPF_ATOMIC && isStx && (size === 4 || size === 8)) {
      this.atomic(insn, this.address(insn.dst, insn.off, size, true), size);
      return;
    }
    if (mode !== EBPF_MEM) this.fail(`unknown opcode 0x${hex(insn.opcode)}`);
    const at = this.address(insn.dst, insn.off, size, true);
    const vLo = isStx ? this.lo[insn.src]! : insn.imm >>> 0;
    const vHi = isStx ? this.hi[insn.src]! : insn.imm < 0 ? 0xffffffff : 0;
    this.write(at, size, vHi, vLo);
  }

  private write(at: number, size: number, vHi: number, vLo: number): void {
    const view = this.view;
    if (size === 1) view.setUint8(at, vLo & 0xff);
    else if (size === 2) view.setUint16(at, vLo & 0xffff, true);
    else if (size === 4) view.setUint32(at, vLo, true);
    else {
      view.setUint32(at, vLo, true);
      view.setUint32(at + 4, vHi, true);
    }
  }

  /** Read-modify-write; single-threaded, so plain operations are atomic. */
  private atomic(insn: EbpfInsn, at: number, size: number): void {
    const view = this.view;
    const { lo, hi } = this;
    const wide = size === 8;
    const oldLo = view.getUint32(at, true);
    const oldHi = wide ? view.getUint32(at + 4, true) : 0;
    const s = insn.src;
    const sLo = lo[s]!;
    const sHi = wide ? hi[s]! : 0;
    const op = insn.imm;
    if (op === EBPF_CMPXCHG) {
      if (lo[0] === oldLo && (!wide || hi[0] === oldHi)) this.write(at, size, sHi, sLo);
      lo[0] = oldLo;
      hi[0] = oldHi;
      return;
    }
    if (op === EBPF_XCHG) {
      this.write(at, size, sHi, sLo);
    } else {
      let nLo: number;
      let nHi: number;
      switch (op & ~EBPF_FETCH) {
        case EBPF_ADD: {
          const sum = oldLo + sLo;
          nLo = sum >>> 0;
          nHi = (oldHi + sHi + (sum >= U32 ? 1 : 0)) >>> 0;
          break;
        }
        case EBPF_OR:
          nLo = oldLo | sLo;
          nHi = oldHi | sHi;
          break;
        case EBPF_AND:
          nLo = oldLo & sLo;
          nHi = oldHi & sHi;
          break;
        case EBPF_XOR:
          nLo = oldLo ^ sLo;
          nHi = oldHi ^ sHi;
          break;
        default:
          return this.fail(`unknown atomic operation 0x${hex(op)}`);
      }
      this.write(at, size, nHi, nLo);
      if ((op & EBPF_FETCH) === 0) return;
    }
    lo[s] = oldLo;
    hi[s] = oldHi;
  }

  /**
   * LD_ABS / LD_IND: r0 = the big-endian value at packet offset imm (+ src for IND), the offset taken
   * as unsigned and without wrap-around, as libpcap's bpf_filter computes it. Returns false when the
   * bytes lie outside the packet: the program then ends returning 0.
   */
  private legacyLoad(insn: EbpfInsn): boolean {
    // literal opcodes, as in run(): 0x20/0x28/0x30 ABS w/h/b, 0x40/0x48/0x50 IND w/h/b
    const opcode = insn.opcode;
    const ind = opcode === 0x40 || opcode === 0x48 || opcode === 0x50;
    if (!ind && opcode !== 0x20 && opcode !== 0x28 && opcode !== 0x30) this.fail(`unknown opcode 0x${hex(opcode)}`);
    const size = opcode & 0x18;
    const bytes = size === 0x10 ? 1 : size === 0x08 ? 2 : 4;
    const at = (insn.imm >>> 0) + (ind ? this.lo[insn.src]! : 0);
    const p = this.packet;
    if (at + bytes > p.length) return false;
    this.lo[0] =
      bytes === 1
        ? p[at]!
        : bytes === 2
          ? (p[at]! << 8) | p[at + 1]!
          : ((p[at]! << 24) | (p[at + 1]! << 16) | (p[at + 2]! << 8) | p[at + 3]!) >>> 0;
    this.hi[0] = 0;
    return true;
  }
}

/** Unsigned 64-bit condition (jeq jne jgt jge jlt jle jset) on hi/lo halves. */
function unsignedCondition(op: number, aHi: number, aLo: number, bHi: number, bLo: number): boolean {
  const cmp = aHi !== bHi ? (aHi < bHi ? -1 : 1) : aLo === bLo ? 0 : aLo < bLo ? -1 : 1;
  switch (op) {
    case 0x10:
      return cmp === 0;
    case 0x50:
      return cmp !== 0;
    case 0x20:
      return cmp > 0;
    case 0x30:
      return cmp >= 0;
    case 0xa0:
      return cmp < 0;
    case 0xb0:
      return cmp <= 0;
    default: // 0x40 jset
      return (aLo & bLo) !== 0 || (aHi & bHi) !== 0;
  }
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

const hex = (n: number): string => n.toString(16).padStart(2, '0');


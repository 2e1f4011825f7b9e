// eBPF -> WebAssembly. The program becomes straight wasm code over eleven i64 locals:
//  - every jump target t gets a `block` that ends right before t's code, all opened at the top in
//    nesting order, so a forward jump is a plain `br` (the common, forward-only DAG case);
//  - when the program has backward jumps or local calls, a `loop` around those blocks with a
//    `br_table` on a state local dispatches to any target (backward jumps, call entries, returns);
//    local calls keep their frames (return index, r6..r10) in linear memory and get their own
//    512-byte stack each;
//  - every load/store is checked against the regions a program may touch (its stack, the context or
//    test memory) and a bad one stops the program with a status code, as the VM does.
// Nothing is ever turned into text: the module is built from opcodes and numbers.

import {
  EBPF_ABS, EBPF_ADD, EBPF_ALU, EBPF_ALU64, EBPF_AND, EBPF_ARSH, EBPF_ATOMIC, EBPF_CALL,
  EBPF_CALL_HELPER, EBPF_CALL_LOCAL, EBPF_CMPXCHG, EBPF_DIV, EBPF_END, EBPF_EXIT, EBPF_FETCH,
  EBPF_HELPER_UNWIND, EBPF_IND, EBPF_JA, EBPF_JEQ, EBPF_JGE, EBPF_JGT, EBPF_JLE, EBPF_JLT, EBPF_JMP,
  EBPF_JMP32, EBPF_JNE, EBPF_JSET, EBPF_JSGE, EBPF_JSGT, EBPF_JSLE, EBPF_JSLT, EBPF_LD, EBPF_LDX,
  EBPF_LSH, EBPF_MAX_CALL_FRAMES, EBPF_MEM, EBPF_MEMSX, EBPF_MOD, EBPF_MOV, EBPF_MUL, EBPF_NEG,
  EBPF_OP_CALL, EBPF_OP_CALLX, EBPF_OP_EXIT, EBPF_OP_LDDW, EBPF_OR, EBPF_RSH, EBPF_ST, EBPF_STACK_SIZE,
  EBPF_STX, EBPF_SUB, EBPF_TO_BE, EBPF_X, EBPF_XCHG, EBPF_XOR, ebpfClass, ebpfMode, ebpfOp, ebpfSizeBytes,
  lddwValue, type EbpfInsn,
} from '../insn.js';
import { SKB_DATA_END, SKB_LEN } from '../skb.js';
import {
  BATCH_ADDR, CALLSTACK_ADDR, CALLSTACK_ENTRY, CTX_SIZE, FLAT_ADDR, GATHER_ADDR, JitStatus, PACKET_STACK_FLAT,
  POINTER_HI, R0_ADDR, SCRATCH_ADDR, STACK_TOTAL, STATUS_ADDR, WASM_PAGE,
} from './layout.js';
import { FunctionBody, I32, I64, ModuleBuilder, Op, type Label } from './wasm-writer.js';

/** Where the module finds its memory (imports[module][name]); the JS side creates it. */
export const JIT_MEMORY_IMPORT = { module: 'env', name: 'memory' } as const;

/** Initial pages of a JIT memory: everything below the batch area, plus one page of batch room. */
export const JIT_MEMORY_PAGES = Math.ceil((BATCH_ADDR + WASM_PAGE) / WASM_PAGE);

/** Names of the module's exports. */
export const JIT_EXPORTS = {
  /** run_packet(pktOffset, caplen, wirelen) -> low 32 bits of r0 (0 after an error; see STATUS_ADDR) */
  runPacket: 'run_packet',
  /** run_mem(memLen, pktOffset, caplen) -> status; r0 (64 bits) at R0_ADDR. r1 = memory, r2 = its length. */
  runMem: 'run_mem',
  /**
   * run_batch(descOffset, count, outOffset) -> number of non-zero verdicts. From descOffset: count u32
   * packet offsets (from BATCH_ADDR), count captured lengths, count wire lengths; verdicts at outOffset.
   */
  runBatch: 'run_batch',
  /**
   * gather(descOffset, count, verdictOffset, from, before, outOffset, limit) -> index after the last
   * packet looked at. Copies the packets from `from` on whose verdict is non-zero, each with the `before`
   * bytes in front of it, one after another to outOffset, until `limit` are copied; leaves the number of
   * bytes copied and of packets taken at GATHER_ADDR (two u32).
   */
  gather: 'gather',
} as const;

// ---------------------------------------------------------------------------------------------
// Program analysis

interface Analysis {
  /** slots that start an instruction (false for the second slot of lddw) */
  isInsn: boolean[];
  /** positions some jump or call lands on, that are real instructions */
  targets: Set<number>;
  /** targets reached through the dispatch loop: backward-jump targets, call entries, return points */
  dispatch: number[];
  hasLocalCalls: boolean;
  /** no instruction writes r10, so [r10+off] is a static stack slot */
  r10ReadOnly: boolean;
  /** slots where a basic block starts (for the instruction budget) */
  leaders: Set<number>;
  /**
   * What a run can leave behind on the stack for the next run to read (the VM starts every run with a
   * zeroed stack; the JIT reuses its memory): 'all' when some store or call may reach any stack byte,
   * otherwise the frame-0 byte offsets below r10 written through fixed [r10-k] slots.
   */
  stackWrites: 'all' | Set<number>;
  /** some load goes through a pointer register (it may read the context), not a fixed [r10-k] slot */
  readsThroughPointers: boolean;
}

/** [r10+off] of `size` bytes is a fixed slot of the current frame (r10 is never written). */
const isFixedSlot = (reg: number, off: number, size: number, r10ReadOnly: boolean) =>
  reg === 10 && r10ReadOnly && off >= -EBPF_STACK_SIZE && off <= -size;

const isLddw = (insn: EbpfInsn) => insn.opcode === EBPF_OP_LDDW;

function isAtomic(insn: EbpfInsn): boolean {
  return ebpfClass(insn.opcode) === EBPF_STX && ebpfMode(insn.opcode) === EBPF_ATOMIC;
}

/** Jump target of a JMP/JMP32 jump, or undefined for call/exit and non-jumps. */
function jumpTarget(insn: EbpfInsn, at: number): number | undefined {
  const cls = ebpfClass(insn.opcode);
  if (cls !== EBPF_JMP && cls !== EBPF_JMP32) return undefined;
  const op = ebpfOp(insn.opcode);
  if (op === EBPF_CALL || op === EBPF_EXIT) return undefined;
  // ja32 (`gotol`) carries its offset in imm
  if (op === EBPF_JA && cls === EBPF_JMP32) return at + 1 + insn.imm;
  return at + 1 + insn.off;
}

const isLocalCall = (insn: EbpfInsn) => insn.opcode === EBPF_OP_CALL && insn.src === EBPF_CALL_LOCAL;

/** Instructions after which the program may stop normally in the middle of straight-line code. */
function mayStop(insn: EbpfInsn): boolean {
  const cls = ebpfClass(insn.opcode);
  if (cls === EBPF_LD) return !isLddw(insn); // LD_ABS/LD_IND out of the packet
  return insn.opcode === EBPF_OP_CALL || insn.opcode === EBPF_OP_CALLX; // unwind helper
}

function writesRegister(insn: EbpfInsn, reg: number): boolean {
  const cls = ebpfClass(insn.opcode);
  if (cls === EBPF_ALU || cls === EBPF_ALU64 || cls === EBPF_LDX) return insn.dst === reg;
  if (isLddw(insn)) return insn.dst === reg;
  if (isAtomic(insn)) return (insn.imm & EBPF_FETCH) !== 0 && (insn.src === reg || (insn.imm === EBPF_CMPXCHG && reg === 0));
  return false;
}

function analyze(prog: readonly EbpfInsn[]): Analysis {
  const n = prog.length;
  const isInsn: boolean[] = new Array(n).fill(true);
  for (let i = 0; i < n; i++) if (isInsn[i] && isLddw(prog[i]) && i + 1 < n) isInsn[i + 1] = false;
  const valid = (t: number) => t >= 0 && t < n && isInsn[t];
  const targets = new Set<number>();
  const dispatch = new Set<number>();
  const leaders = new Set<number>([0]);
  let hasLocalCalls = false;
  let r10ReadOnly = true;
  for (let i = 0; i < n; i++) {
    if (!isInsn[i]) continue;
    const insn = prog[i];
    if (writesRegister(insn, 10)) r10ReadOnly = false;
    const t = jumpTarget(insn, i);
    if (t !== undefined) {
      leaders.add(i + 1);
      if (valid(t)) {
        targets.add(t);
        leaders.add(t);
        if (t <= i) dispatch.add(t);
      }
    } else if (isLocalCall(insn)) {
      hasLocalCalls = true;
      leaders.add(i + 1);
      const entry = i + 1 + insn.imm;
      if (valid(entry)) {
        targets.add(entry);
        dispatch.add(entry);
        leaders.add(entry);
      }
      if (valid(i + 1)) {
        targets.add(i + 1);
        dispatch.add(i + 1);
      }
    } else if (insn.opcode === EBPF_OP_EXIT || mayStop(insn)) {
      leaders.add(i + 1);
    }
  }
  if (dispatch.size > 0) dispatch.add(0);
  let stackWrites: 'all' | Set<number> = hasLocalCalls ? 'all' : new Set<number>();
  let readsThroughPointers = false;
  for (let i = 0; i < n; i++) {
    const insn = prog[i];
    const cls = ebpfClass(insn.opcode);
    if (!isInsn[i]) continue;
    const size = ebpfSizeBytes(insn.opcode);
    if (cls === EBPF_LDX && !isFixedSlot(insn.src, insn.off, size, r10ReadOnly)) readsThroughPointers = true;
    if ((cls !== EBPF_ST && cls !== EBPF_STX) || stackWrites === 'all') continue;
    // (an atomic reads too, but never the context: that is read-only)
    if (!isFixedSlot(insn.dst, insn.off, size, r10ReadOnly)) stackWrites = 'all';
    else for (let b = 0; b < size; b++) stackWrites.add(insn.off + b);
  }
  return {
    stackWrites,
    readsThroughPointers,
    isInsn,
    targets,
    dispatch: [...dispatch].sort((a, b) => a - b),
    hasLocalCalls,
    r10ReadOnly,
    leaders,
  };
}

// ---------------------------------------------------------------------------------------------
// Body emission

/** Locals and labels the body needs from the function it is emitted into. */
interface BodyEnv {
  f: FunctionBody;
  /** r0..r10 (i64) */
  regs: number[];
  /** local holding the length (i64) of the caller's memory after the context; undefined: none */
  memLen: number | undefined;
  /** linear address and captured length (i32) of the packet for LD_ABS/LD_IND */
  pktLin: number;
  caplen: number;
  /** status code local (i32), set before branching to `fail` */
  status: number;
  /** branch here with the result in r0 */
  exit: Label;
  /** branch here after setting `status` */
  fail: Label;
}

const SIZE_LOAD_U: Record<number, number> = { 1: Op.i64_load8_u, 2: Op.i64_load16_u, 4: Op.i64_load32_u, 8: Op.i64_load };
const SIZE_LOAD_S: Record<number, number> = { 1: Op.i64_load8_s, 2: Op.i64_load16_s, 4: Op.i64_load32_s, 8: Op.i64_load };
const SIZE_STORE: Record<number, number> = { 1: Op.i64_store8, 2: Op.i64_store16, 4: Op.i64_store32, 8: Op.i64_store };

const CMP64: Record<number, number> = {
  [EBPF_JEQ]: Op.i64_eq, [EBPF_JNE]: Op.i64_ne, [EBPF_JGT]: Op.i64_gt_u, [EBPF_JGE]: Op.i64_ge_u,
  [EBPF_JLT]: Op.i64_lt_u, [EBPF_JLE]: Op.i64_le_u, [EBPF_JSGT]: Op.i64_gt_s, [EBPF_JSGE]: Op.i64_ge_s,
  [EBPF_JSLT]: Op.i64_lt_s, [EBPF_JSLE]: Op.i64_le_s,
};
const CMP32: Record<number, number> = {
  [EBPF_JEQ]: Op.i32_eq, [EBPF_JNE]: Op.i32_ne, [EBPF_JGT]: Op.i32_gt_u, [EBPF_JGE]: Op.i32_ge_u,
  [EBPF_JLT]: Op.i32_lt_u, [EBPF_JLE]: Op.i32_le_u, [EBPF_JSGT]: Op.i32_gt_s, [EBPF_JSGE]: Op.i32_ge_s,
  [EBPF_JSLT]: Op.i32_lt_s, [EBPF_JSLE]: Op.i32_le_s,
};

/** Plain binary ALU operations: [i64 op, i32 op]. */
const ALU_SIMPLE: Record<number, [number, number]> = {
  [EBPF_ADD]: [Op.i64_add, Op.i32_add], [EBPF_SUB]: [Op.i64_sub, Op.i32_sub],
  [EBPF_MUL]: [Op.i64_mul, Op.i32_mul], [EBPF_OR]: [Op.i64_or, Op.i32_or],
  [EBPF_AND]: [Op.i64_and, Op.i32_and], [EBPF_XOR]: [Op.i64_xor, Op.i32_xor],
  [EBPF_LSH]: [Op.i64_shl, Op.i32_shl], [EBPF_RSH]: [Op.i64_shr_u, Op.i32_shr_u],
  [EBPF_ARSH]: [Op.i64_shr_s, Op.i32_shr_s],
};

class BodyEmitter {
  private readonly f: FunctionBody;
  private readonly r: number[];
  private readonly a: Analysis;
  /** label whose end is right before the code of slot t */
  private readonly labelAt = new Map<number, Label>();
  private top: Label | undefined;
  private readonly tmp64a: number;
  private readonly tmp64b: number;
  private readonly tmp32: number;
  private readonly state: number; // dispatch index (i32)
  private readonly depth: number; // call depth (i32)
  private readonly fpLin: number; // linear address of the current frame's lowest byte (i32)
  private readonly stackFlat: number; // flat offset of the stack region (i64)
  private readonly steps: number; // instructions run so far (i32), when the budget is checked
  private readonly countSteps: boolean;

  constructor(
    private readonly env: BodyEnv,
    private readonly prog: readonly EbpfInsn[],
    analysis: Analysis,
    private readonly budget: number,
  ) {
    this.f = env.f;
    this.r = env.regs;
    this.a = analysis;
    const f = this.f;
    this.tmp64a = f.local(I64);
    this.tmp64b = f.local(I64);
    this.tmp32 = f.local(I32);
    this.state = f.local(I32);
    this.depth = f.local(I32);
    this.fpLin = f.local(I32);
    this.stackFlat = f.local(I64);
    this.steps = f.local(I32);
    // a program that cannot revisit code runs at most prog.length instructions
    this.countSteps = this.a.dispatch.length > 0 || prog.length > budget;
  }

  /** Emits the whole program; control leaves only through env.exit or env.fail. */
  emit(): void {
    const { f, a, prog } = this;
    // the stack follows the context and the caller's memory; r10 points past its top frame
    f.i32Const(0).set(this.state).i32Const(0).set(this.depth).i32Const(0).set(this.steps);
    if (this.env.memLen === undefined) f.i64Const(BigInt(PACKET_STACK_FLAT));
    else f.get(this.env.memLen).i64Const(BigInt(CTX_SIZE)).op(Op.i64_add);
    f.tee(this.stackFlat).op(Op.i32_wrap_i64).i32Const(FLAT_ADDR + STACK_TOTAL - EBPF_STACK_SIZE).op(Op.i32_add).set(this.fpLin);
    f.get(this.stackFlat).i64Const((POINTER_HI << 32n) + BigInt(STACK_TOTAL)).op(Op.i64_add).set(this.r[10]);
    this.clearStack();
    const positions = [...a.targets];
    if (a.dispatch.length > 0) positions.push(0);
    const sorted = [...new Set(positions)].sort((x, y) => y - x); // outermost first
    if (a.dispatch.length > 0) this.top = f.loop();
    for (const t of sorted) this.labelAt.set(t, f.block());
    if (a.dispatch.length > 0) {
      f.get(this.state);
      f.brTable(a.dispatch.map((t) => this.labelAt.get(t)!), this.labelAt.get(0)!);
    }
    for (let i = 0; i < prog.length; i++) {
      const label = this.labelAt.get(i);
      if (label) f.end(label);
      if (!a.isInsn[i]) continue;
      if (this.countSteps && a.leaders.has(i)) this.emitStepCount(i);
      this.emitInsn(i);
    }
    // falling off the end of the program
    this.fail(JitStatus.BadInsn);
    if (this.top) f.end(this.top);
  }

  /** Zeroes what an earlier run may have left on the stack (see Analysis.stackWrites). */
  private clearStack(): void {
    const f = this.f;
    const writes = this.a.stackWrites;
    if (writes === 'all') {
      f.get(this.fpLin).i32Const(STACK_TOTAL - EBPF_STACK_SIZE).op(Op.i32_sub).i32Const(0).i32Const(STACK_TOTAL).memoryFill();
      return;
    }
    // whole 8-byte words of frame 0 that hold a written byte
    const words = new Set([...writes].map((b) => Math.floor(b / 8) * 8));
    for (const w of [...words].sort((x, y) => x - y)) {
      f.get(this.fpLin).i64Const(0n).mem(Op.i64_store, 3, EBPF_STACK_SIZE + w);
    }
  }

  private fail(code: JitStatus): void {
    this.f.i32Const(code).set(this.env.status).br(this.env.fail);
  }

  /** Budget: each basic block adds its instruction count before running. */
  private emitStepCount(at: number): void {
    const { f, a, prog } = this;
    let len = 0;
    for (let j = at; j < prog.length && (j === at || !a.leaders.has(j)); j++) if (a.isInsn[j]) len++;
    f.get(this.steps).i32Const(len).op(Op.i32_add).tee(this.steps).i32Const(this.budget).op(Op.i32_gt_u);
    const l = f.if();
    this.fail(JitStatus.Budget);
    f.end(l);
  }

  /** Jumps to slot t (t may be outside the program: then the jump fails). */
  private jumpTo(from: number, t: number): void {
    const label = this.labelAt.get(t);
    if (!label || !this.a.isInsn[t]) {
      this.fail(JitStatus.BadInsn);
    } else if (t > from) {
      this.f.br(label);
    } else {
      this.f.i32Const(this.a.dispatch.indexOf(t)).set(this.state).br(this.top!);
    }
  }

  private emitInsn(i: number): void {
    const insn = this.prog[i];
    const cls = ebpfClass(insn.opcode);
    switch (cls) {
      case EBPF_ALU:
      case EBPF_ALU64:
        return this.emitAlu(insn, cls === EBPF_ALU64);
      case EBPF_JMP:
      case EBPF_JMP32:
        return this.emitJump(insn, i, cls === EBPF_JMP32);
      case EBPF_LDX:
        return this.emitLoad(insn);
      case EBPF_ST:
      case EBPF_STX:
        return this.emitStore(insn);
      case EBPF_LD:
        return this.emitLd(insn, i);
    }
  }

  // --- ALU ---------------------------------------------------------------------------------

  /** Pushes the source operand: a register or the immediate (sign-extended for 64-bit). */
  private src(insn: EbpfInsn, is64: boolean): void {
    const f = this.f;
    if (insn.opcode & EBPF_X) {
      f.get(this.r[insn.src]);
      if (!is64) f.op(Op.i32_wrap_i64);
    } else if (is64) {
      f.i64Const(BigInt(insn.imm | 0));
    } else {
      f.i32Const(insn.imm);
    }
  }

  private dst(insn: EbpfInsn, is64: boolean): void {
    this.f.get(this.r[insn.dst]);
    if (!is64) this.f.op(Op.i32_wrap_i64);
  }

  /** Stores the value on the stack into dst (32-bit results are zero-extended). */
  private setDst(insn: EbpfInsn, is64: boolean): void {
    if (!is64) this.f.op(Op.i64_extend_i32_u);
    this.f.set(this.r[insn.dst]);
  }

  private emitAlu(insn: EbpfInsn, is64: boolean): void {
    const f = this.f;
    const op = ebpfOp(insn.opcode);
    const simple = ALU_SIMPLE[op];
    if (simple) {
      this.dst(insn, is64);
      this.src(insn, is64);
      f.op(simple[is64 ? 0 : 1]);
      return this.setDst(insn, is64);
    }
    switch (op) {
      case EBPF_NEG:
        if (is64) f.i64Const(0n);
        else f.i32Const(0);
        this.dst(insn, is64);
        f.op(is64 ? Op.i64_sub : Op.i32_sub);
        return this.setDst(insn, is64);
      case EBPF_MOV:
        return this.emitMov(insn, is64);
      case EBPF_DIV:
      case EBPF_MOD:
        return this.emitDivMod(insn, is64, op === EBPF_MOD, insn.off === 1);
      case EBPF_END:
        return this.emitEnd(insn, is64);
      default:
        return this.fail(JitStatus.BadInsn);
    }
  }

  /** mov, and movsx when offset is 8/16 (32-bit) or 8/16/other non-zero (64-bit: 32), as the VM does. */
  private emitMov(insn: EbpfInsn, is64: boolean): void {
    const f = this.f;
    this.src(insn, is64);
    if (is64 && insn.off !== 0) {
      f.op(insn.off === 8 ? Op.i64_extend8_s : insn.off === 16 ? Op.i64_extend16_s : Op.i64_extend32_s);
    } else if (!is64 && (insn.off === 8 || insn.off === 16)) {
      f.op(insn.off === 8 ? Op.i32_extend8_s : Op.i32_extend16_s);
    }
    this.setDst(insn, is64);
  }

  /**
   * RFC 9669 division: x / 0 = 0, x % 0 = x, signed INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0
   * (wasm traps on the first three, so they are tested first).
   */
  private emitDivMod(insn: EbpfInsn, is64: boolean, isMod: boolean, signed: boolean): void {
    const f = this.f;
    const T = is64 ? I64 : I32;
    const eqz = is64 ? Op.i64_eqz : Op.i32_eqz;
    const divOp = is64 ? (signed ? Op.i64_div_s : Op.i64_div_u) : signed ? Op.i32_div_s : Op.i32_div_u;
    const remOp = is64 ? (signed ? Op.i64_rem_s : Op.i64_rem_u) : signed ? Op.i32_rem_s : Op.i32_rem_u;
    const zero = () => (is64 ? f.i64Const(0n) : f.i32Const(0));
    const byZero = () => (isMod ? this.dst(insn, is64) : zero());
    const minusOne = () => {
      if (isMod) zero();
      else {
        zero();
        this.dst(insn, is64);
        f.op(is64 ? Op.i64_sub : Op.i32_sub);
      }
    };
    const regular = () => {
      this.dst(insn, is64);
      this.src(insn, is64);
      f.op(isMod ? remOp : divOp);
    };
    if (!(insn.opcode & EBPF_X)) {
      const k = insn.imm | 0;
      if (k === 0) byZero();
      else if (signed && k === -1) minusOne();
      else regular();
      return this.setDst(insn, is64);
    }
    this.src(insn, is64);
    f.op(eqz);
    const z = f.if(T);
    byZero();
    f.else();
    if (signed) {
      this.src(insn, is64);
      if (is64) f.i64Const(-1n).op(Op.i64_eq);
      else f.i32Const(-1).op(Op.i32_eq);
      const m = f.if(T);
      minusOne();
      f.else();
      regular();
      f.end(m);
    } else {
      regular();
    }
    f.end(z);
    this.setDst(insn, is64);
  }

  /** le/be (ALU) and bswap (ALU64) to 16, 32 or 64 bits. */
  private emitEnd(insn: EbpfInsn, is64: boolean): void {
    const f = this.f;
    const swap = is64 || (insn.opcode & EBPF_TO_BE) !== 0; // little-endian host: `le` only truncates
    const reg = this.r[insn.dst];
    switch (insn.imm) {
      case 16:
        f.get(reg).op(Op.i32_wrap_i64);
        if (swap) this.bswap16();
        else f.i32Const(0xffff).op(Op.i32_and);
        f.op(Op.i64_extend_i32_u).set(reg);
        return;
      case 32:
        f.get(reg).op(Op.i32_wrap_i64);
        if (swap) this.bswap32();
        f.op(Op.i64_extend_i32_u).set(reg);
        return;
      case 64:
        if (swap) {
          f.get(reg);
          this.bswap64();
          f.set(reg);
        }
        return;
      default:
        return this.fail(JitStatus.BadInsn);
    }
  }

  /** i32 on the stack -> its low 16 bits byte-swapped (upper bits zero). */
  private bswap16(): void {
    const f = this.f;
    f.tee(this.tmp32).i32Const(8).op(Op.i32_shl).i32Const(0xff00).op(Op.i32_and);
    f.get(this.tmp32).i32Const(8).op(Op.i32_shr_u).i32Const(0xff).op(Op.i32_and).op(Op.i32_or);
  }

  /** i32 on the stack -> byte-swapped. */
  private bswap32(): void {
    const f = this.f;
    f.tee(this.tmp32).i32Const(0xff00ff00 | 0).op(Op.i32_and).i32Const(8).op(Op.i32_shr_u);
    f.get(this.tmp32).i32Const(0x00ff00ff).op(Op.i32_and).i32Const(8).op(Op.i32_shl);
    f.op(Op.i32_or).i32Const(16).op(Op.i32_rotl);
  }

  /** i64 on the stack -> byte-swapped. */
  private bswap64(): void {
    const f = this.f;
    const t = this.tmp64b;
    f.tee(t).i64Const(0xff00ff00ff00ff00n).op(Op.i64_and).i64Const(8n).op(Op.i64_shr_u);
    f.get(t).i64Const(0x00ff00ff00ff00ffn).op(Op.i64_and).i64Const(8n).op(Op.i64_shl).op(Op.i64_or);
    f.tee(t).i64Const(0xffff0000ffff0000n).op(Op.i64_and).i64Const(16n).op(Op.i64_shr_u);
    f.get(t).i64Const(0x0000ffff0000ffffn).op(Op.i64_and).i64Const(16n).op(Op.i64_shl).op(Op.i64_or);
    f.i64Const(32n).op(Op.i64_rotl);
  }

  // --- jumps, calls, exit ----------------------------------------------------------------------

  private emitJump(insn: EbpfInsn, i: number, is32: boolean): void {
    const f = this.f;
    const op = ebpfOp(insn.opcode);
    if (op === EBPF_EXIT && !is32) return this.emitExit();
    if (op === EBPF_CALL && !is32) return this.emitCall(insn, i);
    const t = jumpTarget(insn, i)!;
    if (op === EBPF_JA) return insn.opcode & EBPF_X ? this.fail(JitStatus.BadInsn) : this.jumpTo(i, t);
    const cmp = (is32 ? CMP32 : CMP64)[op];
    if (cmp === undefined && op !== EBPF_JSET) return this.fail(JitStatus.BadInsn);
    this.dst(insn, !is32);
    this.src(insn, !is32);
    if (op === EBPF_JSET) {
      f.op(is32 ? Op.i32_and : Op.i64_and);
      if (!is32) f.op(Op.i64_eqz).op(Op.i32_eqz);
    } else {
      f.op(cmp);
    }
    const label = this.labelAt.get(t);
    if (label && this.a.isInsn[t] && t > i) {
      f.brIf(label);
    } else {
      const l = f.if();
      this.jumpTo(i, t);
      f.end(l);
    }
  }

  private emitExit(): void {
    const f = this.f;
    if (!this.a.hasLocalCalls) {
      f.br(this.env.exit);
      return;
    }
    f.get(this.depth).op(Op.i32_eqz).brIf(this.env.exit);
    // return from a local call: pop the frame
    f.get(this.depth).i32Const(1).op(Op.i32_sub).tee(this.depth);
    f.i32Const(CALLSTACK_ENTRY).op(Op.i32_mul).set(this.tmp32);
    for (let k = 0; k < 5; k++) {
      f.get(this.tmp32).mem(Op.i64_load, 3, CALLSTACK_ADDR + 8 + 8 * k).set(this.r[6 + k]);
    }
    f.get(this.fpLin).i32Const(EBPF_STACK_SIZE).op(Op.i32_add).set(this.fpLin);
    f.get(this.tmp32).mem(Op.i32_load, 2, CALLSTACK_ADDR).set(this.state).br(this.top!);
  }

  private emitCall(insn: EbpfInsn, i: number): void {
    const f = this.f;
    if (insn.opcode === EBPF_OP_CALLX || insn.src === EBPF_CALL_HELPER) {
      // the only helper is uBPF's unwind (id 5): r0 = r1, and r0 = 0 stops the program
      if (insn.opcode === EBPF_OP_CALLX) {
        f.get(this.r[insn.dst]).op(Op.i32_wrap_i64).i32Const(EBPF_HELPER_UNWIND).op(Op.i32_ne);
        const l = f.if();
        this.fail(JitStatus.BadInsn);
        f.end(l);
      } else if (insn.imm !== EBPF_HELPER_UNWIND) {
        return this.fail(JitStatus.BadInsn);
      }
      f.get(this.r[1]).tee(this.r[0]).op(Op.i64_eqz).brIf(this.env.exit);
      return;
    }
    if (insn.src !== EBPF_CALL_LOCAL) return this.fail(JitStatus.BadInsn);
    const entry = i + 1 + insn.imm;
    if (!this.labelAt.has(entry) || !this.a.isInsn[entry] || !this.labelAt.has(i + 1)) {
      return this.fail(JitStatus.BadInsn);
    }
    f.get(this.depth).i32Const(EBPF_MAX_CALL_FRAMES - 1).op(Op.i32_ge_u);
    const l = f.if();
    this.fail(JitStatus.CallDepth);
    f.end(l);
    // push the return point and r6..r10
    f.get(this.depth).i32Const(CALLSTACK_ENTRY).op(Op.i32_mul).set(this.tmp32);
    f.get(this.tmp32).i32Const(this.a.dispatch.indexOf(i + 1)).mem(Op.i32_store, 2, CALLSTACK_ADDR);
    for (let k = 0; k < 5; k++) {
      f.get(this.tmp32).get(this.r[6 + k]).mem(Op.i64_store, 3, CALLSTACK_ADDR + 8 + 8 * k);
    }
    f.get(this.depth).i32Const(1).op(Op.i32_add).set(this.depth);
    // a fresh frame below the caller's: the low 32 bits of r10 go down by 512, as in the VM
    const r10 = this.r[10];
    f.get(r10).i64Const(-0x1_0000_0000n).op(Op.i64_and);
    f.get(r10).i64Const(BigInt(EBPF_STACK_SIZE)).op(Op.i64_sub).i64Const(0xffffffffn).op(Op.i64_and);
    f.op(Op.i64_or).set(r10);
    f.get(this.fpLin).i32Const(EBPF_STACK_SIZE).op(Op.i32_sub).set(this.fpLin);
    f.i32Const(this.a.dispatch.indexOf(entry)).set(this.state).br(this.top!);
  }

  // --- memory ----------------------------------------------------------------------------------

  /**
   * Pushes the linear address for an access of `size` bytes at [reg+off] and returns the static
   * offset to put in the load/store memarg. As in the VM, the register must hold a pointer
   * (high half POINTER_HI) and [low half + off, +size) must lie inside one region: the context
   * (reads only), the caller's memory or the stack. A bad address branches to fail.
   */
  private address(reg: number, off: number, size: number, write: boolean): number {
    const f = this.f;
    if (isFixedSlot(reg, off, size, this.a.r10ReadOnly)) {
      // a fixed slot of the current frame
      f.get(this.fpLin);
      return EBPF_STACK_SIZE + off;
    }
    const at = this.tmp64a;
    const o = this.tmp64b;
    f.get(this.r[reg]).i64Const(32n).op(Op.i64_shr_u).i64Const(POINTER_HI).op(Op.i64_ne);
    const notPointer = f.if();
    this.fail(JitStatus.BadAccess);
    f.end(notPointer);
    f.get(this.r[reg]).i64Const(0xffffffffn).op(Op.i64_and);
    if (off !== 0) f.i64Const(BigInt(off)).op(Op.i64_add);
    f.set(at);
    const regions: Array<{ start: () => void; len: () => void }> = [];
    if (!write) regions.push({ start: () => f.i64Const(0n), len: () => f.i64Const(BigInt(CTX_SIZE)) });
    regions.push({ start: () => f.get(this.stackFlat), len: () => f.i64Const(BigInt(STACK_TOTAL)) });
    if (this.env.memLen !== undefined) {
      const memLen = this.env.memLen;
      regions.push({ start: () => f.i64Const(BigInt(CTX_SIZE)), len: () => f.get(memLen) });
    }
    // at in [start, start + len - size]  <=>  o >= 0 && (len - size - o) >= 0, with o = at - start
    const open: Label[] = [];
    for (const region of regions) {
      f.get(at);
      region.start();
      f.op(Op.i64_sub).tee(o);
      region.len();
      f.i64Const(BigInt(size)).op(Op.i64_sub).get(o).op(Op.i64_sub).op(Op.i64_or).i64Const(0n).op(Op.i64_ge_s);
      open.push(f.if(I32));
      f.get(at).op(Op.i32_wrap_i64).i32Const(FLAT_ADDR).op(Op.i32_add);
      f.else();
    }
    this.fail(JitStatus.BadAccess);
    for (const l of open.reverse()) f.end(l);
    return 0;
  }

  private emitLoad(insn: EbpfInsn): void {
    const mode = ebpfMode(insn.opcode);
    if (mode !== EBPF_MEM && mode !== EBPF_MEMSX) return this.fail(JitStatus.BadInsn);
    const size = ebpfSizeBytes(insn.opcode);
    if (mode === EBPF_MEMSX && size === 8) return this.fail(JitStatus.BadInsn);
    const offset = this.address(insn.src, insn.off, size, false);
    this.f.mem((mode === EBPF_MEMSX ? SIZE_LOAD_S : SIZE_LOAD_U)[size], 0, offset).set(this.r[insn.dst]);
  }

  private emitStore(insn: EbpfInsn): void {
    const f = this.f;
    const mode = ebpfMode(insn.opcode);
    const size = ebpfSizeBytes(insn.opcode);
    if (mode === EBPF_ATOMIC && ebpfClass(insn.opcode) === EBPF_STX) return this.emitAtomic(insn, size);
    if (mode !== EBPF_MEM) return this.fail(JitStatus.BadInsn);
    const offset = this.address(insn.dst, insn.off, size, true);
    if (ebpfClass(insn.opcode) === EBPF_ST) f.i64Const(BigInt(insn.imm | 0));
    else f.get(this.r[insn.src]);
    f.mem(SIZE_STORE[size], 0, offset);
  }

  private emitAtomic(insn: EbpfInsn, size: number): void {
    const f = this.f;
    if (size !== 4 && size !== 8) return this.fail(JitStatus.BadInsn);
    const op = insn.imm & ~EBPF_FETCH;
    const fetch = (insn.imm & EBPF_FETCH) !== 0;
    const binop = { [EBPF_ADD]: Op.i64_add, [EBPF_OR]: Op.i64_or, [EBPF_AND]: Op.i64_and, [EBPF_XOR]: Op.i64_xor }[op];
    const isXchg = insn.imm === EBPF_XCHG;
    const isCmpxchg = insn.imm === EBPF_CMPXCHG;
    if (binop === undefined && !isXchg && !isCmpxchg) return this.fail(JitStatus.BadInsn);
    const offset = this.address(insn.dst, insn.off, size, true);
    const addr = this.tmp32;
    const old = this.tmp64a;
    const load = size === 4 ? Op.i64_load32_u : Op.i64_load;
    const store = size === 4 ? Op.i64_store32 : Op.i64_store;
    const srcReg = this.r[insn.src];
    const narrow = () => {
      if (size === 4) f.i64Const(0xffffffffn).op(Op.i64_and);
    };
    f.tee(addr).mem(load, 0, offset).set(old);
    if (isCmpxchg) {
      // if (low bits of r0) == old then store src; r0 = old
      f.get(addr);
      f.get(this.r[0]);
      narrow();
      f.get(old).op(Op.i64_eq);
      const l = f.if(I64);
      f.get(srcReg);
      f.else();
      f.get(old);
      f.end(l);
      f.mem(store, 0, offset);
      f.get(old).set(this.r[0]);
      return;
    }
    f.get(addr);
    if (isXchg) f.get(srcReg);
    else f.get(old).get(srcReg).op(binop!);
    f.mem(store, 0, offset);
    if (fetch) f.get(old).set(srcReg);
  }

  // --- lddw and legacy packet loads ------------------------------------------------------------

  private emitLd(insn: EbpfInsn, i: number): void {
    const f = this.f;
    if (isLddw(insn)) {
      if (i + 1 >= this.prog.length || insn.src !== 0) return this.fail(JitStatus.BadInsn);
      f.i64Const(lddwValue(insn, this.prog[i + 1])).set(this.r[insn.dst]);
      return;
    }
    const mode = ebpfMode(insn.opcode);
    const size = ebpfSizeBytes(insn.opcode);
    if ((mode !== EBPF_ABS && mode !== EBPF_IND) || size === 8) return this.fail(JitStatus.BadInsn);
    const out = this.env.exit;
    if (mode === EBPF_ABS) {
      const end = (insn.imm >>> 0) + size;
      if (end > 0xffffffff) {
        f.i64Const(0n).set(this.r[0]).br(out);
        return;
      }
      // out of the captured bytes: the program ends with 0
      f.get(this.env.caplen).i32Const(end | 0).op(Op.i32_lt_u);
      const l = f.if();
      f.i64Const(0n).set(this.r[0]).br(out);
      f.end(l);
      f.get(this.env.pktLin);
      this.packetLoad(size, insn.imm >>> 0);
      return;
    }
    // LD_IND: offset = u32(src) + u32(imm), without wrapping
    const o = this.tmp64a;
    f.get(this.r[insn.src]).i64Const(0xffffffffn).op(Op.i64_and).i64Const(BigInt(insn.imm >>> 0)).op(Op.i64_add).tee(o);
    f.i64Const(BigInt(size)).op(Op.i64_add).get(this.env.caplen).op(Op.i64_extend_i32_u).op(Op.i64_gt_u);
    const l = f.if();
    f.i64Const(0n).set(this.r[0]).br(out);
    f.end(l);
    f.get(this.env.pktLin).get(o).op(Op.i32_wrap_i64).op(Op.i32_add);
    this.packetLoad(size, 0);
  }

  /** Big-endian packet load of `size` bytes at (address on the stack) + offset into r0. */
  private packetLoad(size: number, offset: number): void {
    const f = this.f;
    if (size === 1) {
      f.mem(Op.i64_load8_u, 0, offset);
    } else if (size === 2) {
      f.mem(Op.i32_load16_u, 0, offset);
      this.bswap16();
      f.op(Op.i64_extend_i32_u);
    } else {
      f.mem(Op.i32_load, 0, offset);
      this.bswap32();
      f.op(Op.i64_extend_i32_u);
    }
    f.set(this.r[0]);
  }
}

// ---------------------------------------------------------------------------------------------
// Module

/**
 * run_batch brings packet headers into the cache TOUCH_GROUP packets at a time, reading the byte at
 * TOUCH_OFFSET (the cache line holding the network header; the hardware fetches its neighbour too).
 */
const TOUCH_GROUP = 16;
const TOUCH_OFFSET = 32;

function declareRegs(f: FunctionBody): number[] {
  const regs: number[] = [];
  for (let k = 0; k <= 10; k++) regs.push(f.local(I64));
  return regs;
}

/**
 * Emits the program inside `fail`/`exit` blocks, then `onExit` (r0 holds the result) and a branch
 * to `done`, then `onFail` (the status local holds the code).
 */
function emitGuardedBody(
  env: Omit<BodyEnv, 'exit' | 'fail'>,
  prog: readonly EbpfInsn[],
  analysis: Analysis,
  budget: number,
  onExit: () => void,
  onFail: () => void,
  done: Label,
): void {
  const f = env.f;
  const fail = f.block();
  const exit = f.block();
  new BodyEmitter({ ...env, exit, fail }, prog, analysis, budget).emit();
  f.end(exit);
  onExit();
  f.br(done);
  f.end(fail);
  onFail();
}

/**
 * Sets the per-packet context words: `len` (wire length) and `data_end` (captured length, as the VM
 * models it); the other words stay as the host wrote them (zero). Only a program that loads through
 * a pointer register can see them.
 */
function emitContextLengths(f: FunctionBody, caplen: number, wirelen: number): void {
  f.i32Const(0).get(wirelen).mem(Op.i32_store, 2, FLAT_ADDR + SKB_LEN);
  f.i32Const(0).get(caplen).mem(Op.i32_store, 2, FLAT_ADDR + SKB_DATA_END);
}

/** Runs of the program inside a function that run_batch or a ProgramHost builds. */
export interface ProgramRunner {
  /**
   * Emits one run on the packet at linear address `pktLin`, `caplen` bytes captured of `wirelen` (i32
   * locals the run only reads); `verdict` then holds the result.
   */
  emitRun(pktLin: number, caplen: number, wirelen: number): void;
  /** i32 local: the last run's r0, low 32 bits; 0 when the run stopped with an error */
  readonly verdict: number;
  /** i32 local: JitStatus.Ok (0) until a run stops with an error, then that error's code */
  readonly status: number;
}

/**
 * Builds functions of its own into a module over the JIT's memory (JIT_MEMORY_IMPORT), running the
 * program where it needs to: `runner(f)` declares in function f what runs need, once. A capture
 * format's record walk that filters each record as it finds it is one.
 */
export type ProgramHost = (m: ModuleBuilder, runner: (f: FunctionBody) => ProgramRunner) => void;

/** Declares in `f` what runs of the program need (registers, status, verdict). */
function programRunner(f: FunctionBody, prog: readonly EbpfInsn[], analysis: Analysis, budget: number): ProgramRunner {
  const regs = declareRegs(f);
  const status = f.local(I32);
  const verdict = f.local(I32);
  return {
    verdict,
    status,
    emitRun(pktLin, caplen, wirelen) {
      if (analysis.readsThroughPointers) emitContextLengths(f, caplen, wirelen);
      for (let k = 0; k <= 9; k++) f.i64Const(k === 1 ? POINTER_HI << 32n : 0n).set(regs[k]);
      const done = f.block();
      emitGuardedBody(
        { f, regs, memLen: undefined, pktLin, caplen, status },
        prog,
        analysis,
        budget,
        () => {
          f.get(regs[0]).op(Op.i32_wrap_i64).set(verdict);
        },
        () => {
          f.i32Const(0).set(verdict);
        },
        done,
      );
      f.end(done);
    },
  };
}

/**
 * gather (see JIT_EXPORTS): packets that follow each other in memory (records of a file read as they
 * are) are copied as one run, with one memory.copy.
 */
function emitGather(m: ModuleBuilder): void {
  const { index, body: f } = m.addFunction([I32, I32, I32, I32, I32, I32, I32], [I32]);
  const [descP, countP, verdictsP, fromP, beforeP, outP, limitP] = [0, 1, 2, 3, 4, 5, 6];
  const at = f.local(I32); // where the pending run goes
  const runFrom = f.local(I32);
  const runBytes = f.local(I32);
  const src = f.local(I32);
  const taken = f.local(I32);
  const copied = f.local(I32);
  const i = fromP;
  const flushRun = (): void => {
    f.get(at).get(runFrom).get(runBytes).memoryCopy();
    f.get(at).get(runBytes).op(Op.i32_add).set(at);
    f.get(copied).get(runBytes).op(Op.i32_add).set(copied);
    f.i32Const(0).set(runBytes);
  };
  f.get(outP).set(at);
  const done = f.block();
  const next = f.loop();
  f.get(i).get(countP).op(Op.i32_ge_u).brIf(done);
  f.get(taken).get(limitP).op(Op.i32_ge_u).brIf(done);
  f.get(verdictsP).get(i).i32Const(2).op(Op.i32_shl).op(Op.i32_add).mem(Op.i32_load, 2);
  const matched = f.if();
  f.get(descP).get(i).i32Const(2).op(Op.i32_shl).op(Op.i32_add).mem(Op.i32_load, 2, 0).i32Const(BATCH_ADDR).op(Op.i32_add);
  f.get(beforeP).op(Op.i32_sub).set(src);
  // not where the pending run ends: copy that run, start a new one here
  f.get(src).get(runFrom).get(runBytes).op(Op.i32_add).op(Op.i32_ne);
  const apart = f.if();
  flushRun();
  f.get(src).set(runFrom);
  f.end(apart);
  f.get(runBytes).get(beforeP).op(Op.i32_add);
  f.get(descP).get(countP).get(i).op(Op.i32_add).i32Const(2).op(Op.i32_shl).op(Op.i32_add).mem(Op.i32_load, 2);
  f.op(Op.i32_add).set(runBytes);
  f.get(taken).i32Const(1).op(Op.i32_add).set(taken);
  f.end(matched);
  f.get(i).i32Const(1).op(Op.i32_add).set(i);
  f.br(next);
  f.end(next);
  f.end(done);
  flushRun();
  f.i32Const(GATHER_ADDR).get(copied).mem(Op.i32_store, 2, 0);
  f.i32Const(GATHER_ADDR).get(taken).mem(Op.i32_store, 2, 4);
  f.get(i);
  m.export(JIT_EXPORTS.gather, index);
}

/** The ways to run a program, each its own exported function (runBatch brings gather along). */
export type JitEntry = 'runMem' | 'runPacket' | 'runBatch';

export const JIT_ENTRIES: readonly JitEntry[] = ['runMem', 'runPacket', 'runBatch'];

export interface WasmCompileOptions {
  /** instructions a run may execute (the VM's budget) */
  budget: number;
  /** the entry points to build (default: all); each holds a copy of the program */
  entries?: readonly JitEntry[];
  /** functions of a host's own, built after the entry points (see ProgramHost) */
  host?: ProgramHost;
}

/**
 * Builds the wasm module for a program, with the entry points asked for (see JIT_EXPORTS), over an
 * imported memory (JIT_MEMORY_IMPORT, at least JIT_MEMORY_PAGES). Any instruction sequence compiles;
 * what the VM refuses at run time stops the JIT'd code with a status too.
 */
export function compileEbpfToWasm(prog: readonly EbpfInsn[], opts: WasmCompileOptions): Uint8Array {
  const { budget, entries = JIT_ENTRIES } = opts;
  const analysis = analyze(prog);
  const m = new ModuleBuilder({ ...JIT_MEMORY_IMPORT, pages: JIT_MEMORY_PAGES });

  // run_mem(memLen, pktOffset, caplen) -> status; the memory is at flat offset CTX_SIZE
  if (entries.includes('runMem')) {
    const { index, body: f } = m.addFunction([I32, I32, I32], [I32]);
    const [memLenP, pktP, caplenP] = [0, 1, 2];
    const regs = declareRegs(f);
    const memLen = f.local(I64);
    const status = f.local(I32);
    f.get(memLenP).op(Op.i64_extend_i32_u).tee(memLen).set(regs[2]);
    f.i64Const((POINTER_HI << 32n) + BigInt(CTX_SIZE)).set(regs[1]);
    const done = f.block();
    emitGuardedBody(
      { f, regs, memLen, pktLin: pktP, caplen: caplenP, status },
      prog,
      analysis,
      budget,
      () => {
        f.i32Const(R0_ADDR).get(regs[0]).mem(Op.i64_store, 3);
        f.i32Const(JitStatus.Ok).set(status);
      },
      () => {},
      done,
    );
    f.end(done);
    f.i32Const(STATUS_ADDR).get(status).mem(Op.i32_store, 2);
    f.get(status);
    m.export(JIT_EXPORTS.runMem, index);
  }

  // run_packet(pktOffset, caplen, wirelen) -> low 32 bits of r0, or 0 after an error (status word)
  if (entries.includes('runPacket')) {
    const { index, body: f } = m.addFunction([I32, I32, I32], [I32]);
    const [pktP, caplenP, wirelenP] = [0, 1, 2];
    const runner = programRunner(f, prog, analysis, budget);
    runner.emitRun(pktP, caplenP, wirelenP);
    f.i32Const(STATUS_ADDR).get(runner.status).mem(Op.i32_store, 2);
    f.get(runner.verdict);
    m.export(JIT_EXPORTS.runPacket, index);
  }

  // run_batch(descOffset, count, outOffset) -> non-zero verdicts (packets stopped by an error get 0).
  // Descriptors are three u32 arrays of `count` entries from descOffset: packet offsets (from
  // BATCH_ADDR), captured lengths, wire lengths. Verdicts are u32 at outOffset.
  if (entries.includes('runBatch')) {
    const { index, body: f } = m.addFunction([I32, I32, I32], [I32]);
    const [descP, countP, outP] = [0, 1, 2];
    const runner = programRunner(f, prog, analysis, budget);
    const pktLin = f.local(I32);
    const caplen = f.local(I32);
    const wirelen = f.local(I32);
    const matches = f.local(I32);
    const i = f.local(I32);
    const j = f.local(I32);
    const groupEnd = f.local(I32);
    const touched = f.local(I32);
    const arrayBytes = f.local(I32);
    f.get(countP).i32Const(2).op(Op.i32_shl).set(arrayBytes);
    const skip = f.block();
    f.get(countP).op(Op.i32_eqz).brIf(skip);
    const next = f.loop();
    // Every TOUCH_GROUP packets, first read one byte of each header cache line of the next group in a
    // branch-free loop: their cache misses then overlap instead of stalling one filter run each.
    f.get(i).i32Const(TOUCH_GROUP - 1).op(Op.i32_and).op(Op.i32_eqz);
    const touchGroup = f.if();
    f.get(i).i32Const(TOUCH_GROUP).op(Op.i32_add).tee(groupEnd).get(countP).get(groupEnd).get(countP).op(Op.i32_lt_u).op(Op.select).set(groupEnd);
    f.get(descP).set(j);
    const touch = f.loop();
    f.get(j).mem(Op.i32_load, 2).mem(Op.i32_load8_u, 0, BATCH_ADDR + TOUCH_OFFSET).get(touched).op(Op.i32_xor).set(touched);
    f.get(j).i32Const(4).op(Op.i32_add).tee(j);
    f.get(descP).get(groupEnd).get(i).op(Op.i32_sub).i32Const(2).op(Op.i32_shl).op(Op.i32_add).op(Op.i32_lt_u).brIf(touch);
    f.end(touch);
    f.end(touchGroup);
    f.get(descP).mem(Op.i32_load, 2, 0).i32Const(BATCH_ADDR).op(Op.i32_add).set(pktLin);
    f.get(descP).get(arrayBytes).op(Op.i32_add).tee(wirelen).mem(Op.i32_load, 2).set(caplen);
    f.get(wirelen).get(arrayBytes).op(Op.i32_add).mem(Op.i32_load, 2).set(wirelen);
    runner.emitRun(pktLin, caplen, wirelen);
    f.get(outP).get(runner.verdict).mem(Op.i32_store, 2);
    f.get(matches).get(runner.verdict).op(Op.i32_eqz).op(Op.i32_eqz).op(Op.i32_add).set(matches);
    f.get(outP).i32Const(4).op(Op.i32_add).set(outP);
    f.get(descP).i32Const(4).op(Op.i32_add).set(descP);
    f.get(i).i32Const(1).op(Op.i32_add).tee(i).get(countP).op(Op.i32_lt_u).brIf(next);
    f.end(next);
    f.end(skip);
    // keep the touching loads observable
    f.i32Const(SCRATCH_ADDR).get(touched).mem(Op.i32_store, 2);
    f.get(matches);
    m.export(JIT_EXPORTS.runBatch, index);
    emitGather(m);
  }
  opts.host?.(m, (f) => programRunner(f, prog, analysis, budget));
  return m.encode();
}

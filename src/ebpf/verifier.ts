// Static checks that refuse, before running, what RFC 9669 leaves undefined or what Linux's verifier
// refuses outright: unknown opcodes, non-zero reserved fields (RFC 9669 s3.1), registers out of range,
// writes to r10, jumps out of the program or into the second slot of an lddw, stack accesses outside
// the 512 bytes (through r10 or a register known to hold r10 plus a constant), reads of registers
// never written, and control falling off the end.
// Register initialisation is a forward "definitely written" dataflow over the control-flow graph
// (local calls included): the intersection over all paths, so a read is refused when some path
// reaches it without a write.

import {
  EBPF_ABS, EBPF_ADD, EBPF_ALU, EBPF_ALU64, EBPF_ATOMIC, EBPF_CALL_HELPER, EBPF_CALL_LOCAL, EBPF_CMPXCHG, EBPF_DIV,
  EBPF_DW, EBPF_END, EBPF_FETCH, EBPF_FP, EBPF_IND, EBPF_JA, EBPF_JMP, EBPF_JMP32, EBPF_LD, EBPF_LDX, EBPF_MEM,
  EBPF_MEMSX, EBPF_MOD, EBPF_MOV, EBPF_NEG, EBPF_OP_CALL, EBPF_OP_CALLX, EBPF_OP_EXIT, EBPF_OP_LDDW,
  EBPF_K, EBPF_ST, EBPF_STACK_SIZE, EBPF_STX, EBPF_SUB, EBPF_X, EBPF_XCHG, ebpfClass, ebpfMode, ebpfOp,
  ebpfSize, ebpfSizeBytes, ebpfSrc, type EbpfInsn,
} from './insn.js';

/** One reason a program is refused; `pc` is the slot index of the instruction. */
export interface EbpfVerifierProblem {
  pc: number;
  message: string;
}

export class EbpfVerifierError extends Error {
  override readonly name = 'EbpfVerifierError';
  constructor(readonly problems: EbpfVerifierProblem[]) {
    super(problems.map((p) => `instruction ${p.pc}: ${p.message}`).join('; '));
  }
}

export interface EbpfVerifierOptions {
  /** Registers holding a value on entry (default r1 and r10; the conformance harness also sets r2). */
  initialized?: readonly number[];
}

const ALU_OPS_WITH_OPERAND = new Set([0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0]);
const JUMP_CONDITIONS = new Set([0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0]);
const ATOMIC_IMMS = new Set([0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, EBPF_XCHG, EBPF_CMPXCHG]);
const ARGUMENT_REGS = 0b111110; // r1..r5

/** All problems found (empty when the program is accepted). Structural problems stop the dataflow pass. */
export function verifyEbpf(prog: readonly EbpfInsn[], opts: EbpfVerifierOptions = {}): EbpfVerifierProblem[] {
  if (prog.length === 0) return [{ pc: 0, message: 'the program is empty' }];
  const problems: EbpfVerifierProblem[] = [];
  const secondSlot = new Set<number>();
  for (let pc = 0; pc < prog.length; pc++) {
    if (prog[pc]!.opcode === EBPF_OP_LDDW && !secondSlot.has(pc)) secondSlot.add(pc + 1);
  }
  for (let pc = 0; pc < prog.length; pc++) {
    if (secondSlot.has(pc)) continue;
    const message = checkInsn(prog, pc, secondSlot);
    if (message) problems.push({ pc, message });
  }
  if (problems.length > 0) return problems;
  return checkDataflow(prog, opts.initialized ?? [1, EBPF_FP]);
}

/** Throws EbpfVerifierError listing every problem, unless the program is accepted. */
export function assertVerifiedEbpf(prog: readonly EbpfInsn[], opts: EbpfVerifierOptions = {}): void {
  const problems = verifyEbpf(prog, opts);
  if (problems.length > 0) throw new EbpfVerifierError(problems);
}

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/** Structural check of one instruction: the reason it is refused, or undefined. */
function checkInsn(prog: readonly EbpfInsn[], pc: number, secondSlot: ReadonlySet<number>): string | undefined {
  const i = prog[pc]!;
  if (i.dst > 10 || i.src > 10) return `register r${Math.max(i.dst, i.src)} does not exist`;
  const fields = checkFields(prog, pc);
  if (fields) return fields;
  const target = jumpTarget(i, pc);
  if (target !== undefined) {
    if (target < 0 || target >= prog.length) return `jump target ${target} is outside the program (0..${prog.length - 1})`;
    if (secondSlot.has(target)) return `jump target ${target} is the second slot of an lddw`;
  }
  if (writesDst(i) && i.dst === EBPF_FP) return 'writes to r10, the read-only frame pointer';
  if (ebpfClass(i.opcode) === EBPF_STX && ebpfMode(i.opcode) === EBPF_ATOMIC && (i.imm & EBPF_FETCH) && i.src === EBPF_FP) {
    return 'writes to r10, the read-only frame pointer';
  }
  return undefined;
}

/** Opcode known and reserved fields zero: the reason it is not, or undefined. */
function checkFields(prog: readonly EbpfInsn[], pc: number): string | undefined {
  const i = prog[pc]!;
  const op = ebpfOp(i.opcode);
  const isX = ebpfSrc(i.opcode) === EBPF_X;
  const unknown = `unknown opcode ${hex(i.opcode)}`;
  const mustBeZero = (name: 'dst' | 'src' | 'off' | 'imm'): string | undefined =>
    i[name] !== 0 ? `reserved field ${name} is ${i[name]}, must be 0` : undefined;
  const zero = (...names: ('dst' | 'src' | 'off' | 'imm')[]): string | undefined => {
    for (const n of names) {
      const m = mustBeZero(n);
      if (m) return m;
    }
    return undefined;
  };
  switch (ebpfClass(i.opcode)) {
    case EBPF_ALU:
    case EBPF_ALU64: {
      const alu64 = ebpfClass(i.opcode) === EBPF_ALU64;
      if (op === EBPF_NEG) return isX ? unknown : zero('src', 'off', 'imm');
      if (op === EBPF_END) {
        if (alu64 && isX) return unknown;
        if (![16, 32, 64].includes(i.imm)) return `byte swap width ${i.imm} is not 16, 32 or 64`;
        return zero('src', 'off');
      }
      if (!ALU_OPS_WITH_OPERAND.has(op)) return unknown;
      const offsets = op === EBPF_DIV || op === EBPF_MOD ? [0, 1] : op === EBPF_MOV && isX ? (alu64 ? [0, 8, 16, 32] : [0, 8, 16]) : [0];
      if (!offsets.includes(i.off)) return `offset ${i.off} is not allowed here (${offsets.join(' or ')})`;
      return isX ? zero('imm') : zero('src');
    }
    case EBPF_JMP:
    case EBPF_JMP32: {
      const jmp32 = ebpfClass(i.opcode) === EBPF_JMP32;
      if (i.opcode === EBPF_OP_EXIT) return zero('dst', 'src', 'off', 'imm');
      if (i.opcode === EBPF_OP_CALLX) return 'callx (0x8d) is not an RFC 9669 instruction';
      if (i.opcode === EBPF_OP_CALL) {
        if (i.src !== EBPF_CALL_HELPER && i.src !== EBPF_CALL_LOCAL) return `call with src ${i.src} is not supported`;
        return zero('dst', 'off');
      }
      if (op === EBPF_JA) {
        if (isX) return unknown;
        return jmp32 ? zero('dst', 'src', 'off') : zero('dst', 'src', 'imm');
      }
      if (!JUMP_CONDITIONS.has(op)) return unknown;
      return isX ? zero('imm') : zero('src');
    }
    case EBPF_LD: {
      if (i.opcode === EBPF_OP_LDDW) {
        const next = prog[pc + 1];
        if (!next) return 'lddw without its second slot';
        if (i.src !== 0) return `lddw with src ${i.src} (maps and other pseudo sources) is not supported`;
        if (i.off !== 0) return `reserved field off is ${i.off}, must be 0`;
        if (next.opcode !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) return 'second slot of lddw must be zero except its imm';
        return undefined;
      }
      const mode = ebpfMode(i.opcode);
      if ((mode !== EBPF_ABS && mode !== EBPF_IND) || ebpfSize(i.opcode) === EBPF_DW) return unknown;
      return mode === EBPF_ABS ? zero('dst', 'src', 'off') : zero('dst', 'off');
    }
    case EBPF_LDX: {
      const mode = ebpfMode(i.opcode);
      if (mode !== EBPF_MEM && !(mode === EBPF_MEMSX && ebpfSize(i.opcode) !== EBPF_DW)) return unknown;
      return zero('imm');
    }
    case EBPF_ST:
      return ebpfMode(i.opcode) === EBPF_MEM ? zero('src') : unknown;
    default: {
      const mode = ebpfMode(i.opcode);
      if (mode === EBPF_MEM) return zero('imm');
      if (mode !== EBPF_ATOMIC || (ebpfSizeBytes(i.opcode) !== 4 && ebpfSizeBytes(i.opcode) !== 8)) return unknown;
      return ATOMIC_IMMS.has(i.imm) ? undefined : `unknown atomic operation ${hex(i.imm)}`;
    }
  }
}

/** Slot a jump or local call transfers to, or undefined for other instructions. */
function jumpTarget(i: EbpfInsn, pc: number): number | undefined {
  const cls = ebpfClass(i.opcode);
  if (i.opcode === EBPF_OP_CALL) return i.src === EBPF_CALL_LOCAL ? pc + 1 + i.imm : undefined;
  if ((cls !== EBPF_JMP && cls !== EBPF_JMP32) || i.opcode === EBPF_OP_EXIT) return undefined;
  if (cls === EBPF_JMP32 && ebpfOp(i.opcode) === EBPF_JA) return pc + 1 + i.imm;
  return pc + 1 + i.off;
}

function writesDst(i: EbpfInsn): boolean {
  const cls = ebpfClass(i.opcode);
  return cls === EBPF_ALU || cls === EBPF_ALU64 || cls === EBPF_LDX || i.opcode === EBPF_OP_LDDW;
}

/** Base register of a memory access, or undefined. */
function memoryBase(i: EbpfInsn): number | undefined {
  const cls = ebpfClass(i.opcode);
  if (cls === EBPF_LDX) return i.src;
  if (cls === EBPF_ST || cls === EBPF_STX) return i.dst;
  return undefined;
}

const bit = (r: number): number => 1 << r;

/** Registers an instruction reads (bit mask). */
function readsOf(i: EbpfInsn): number {
  const cls = ebpfClass(i.opcode);
  const op = ebpfOp(i.opcode);
  const isX = ebpfSrc(i.opcode) === EBPF_X;
  switch (cls) {
    case EBPF_ALU:
    case EBPF_ALU64:
      if (op === EBPF_MOV) return isX ? bit(i.src) : 0;
      return bit(i.dst) | (isX && op !== EBPF_END ? bit(i.src) : 0);
    case EBPF_JMP:
    case EBPF_JMP32:
      if (i.opcode === EBPF_OP_EXIT) return bit(0);
      if (i.opcode === EBPF_OP_CALL || op === EBPF_JA) return 0;
      return bit(i.dst) | (isX ? bit(i.src) : 0);
    case EBPF_LD:
      // the legacy packet loads take the context from r6 implicitly (as Linux requires)
      if (i.opcode === EBPF_OP_LDDW) return 0;
      return bit(6) | (ebpfMode(i.opcode) === EBPF_IND ? bit(i.src) : 0);
    case EBPF_LDX:
      return bit(i.src);
    case EBPF_ST:
      return bit(i.dst);
    default:
      return bit(i.dst) | bit(i.src) | (ebpfMode(i.opcode) === EBPF_ATOMIC && i.imm === EBPF_CMPXCHG ? bit(0) : 0);
  }
}

/**
 * What the dataflow knows before an instruction: the registers written on every path to it (a bit
 * mask), and for each register its offset from the frame pointer when every path agrees on one (r10
 * is 0; `mov rX, r10` and `add`/`sub` of a constant keep track), so stack accesses through copies of
 * r10 are checked too.
 */
interface State {
  init: number;
  fp: (number | undefined)[];
}

function frameEntry(init: number): State {
  const fp: (number | undefined)[] = new Array(11).fill(undefined);
  fp[EBPF_FP] = 0;
  return { init, fp };
}

/** State after an instruction (calls are handled by the caller). */
function afterInsn(i: EbpfInsn, s: State): State {
  const cls = ebpfClass(i.opcode);
  const fp = s.fp.slice();
  let init = s.init;
  if (cls === EBPF_ALU || cls === EBPF_ALU64 || cls === EBPF_LDX || i.opcode === EBPF_OP_LDDW) {
    init |= bit(i.dst);
    const known = s.fp[i.dst];
    if (i.opcode === (EBPF_ALU64 | EBPF_MOV | EBPF_X) && i.off === 0) fp[i.dst] = s.fp[i.src];
    else if (i.opcode === (EBPF_ALU64 | EBPF_ADD | EBPF_K) && known !== undefined) fp[i.dst] = known + i.imm;
    else if (i.opcode === (EBPF_ALU64 | EBPF_SUB | EBPF_K) && known !== undefined) fp[i.dst] = known - i.imm;
    else fp[i.dst] = undefined;
  } else if (cls === EBPF_LD) {
    init = (init | bit(0)) & ~ARGUMENT_REGS; // legacy loads clobber r1-r5, as in Linux
    for (let r = 0; r <= 5; r++) fp[r] = undefined;
  } else if (cls === EBPF_STX && ebpfMode(i.opcode) === EBPF_ATOMIC) {
    if (i.imm === EBPF_CMPXCHG) {
      init |= bit(0);
      fp[0] = undefined;
    } else if (i.imm & EBPF_FETCH) {
      init |= bit(i.src);
      fp[i.src] = undefined;
    }
  }
  return { init, fp };
}

/** The stack problem of a memory access whose base register points into the frame, or undefined. */
function stackProblem(i: EbpfInsn, s: State): string | undefined {
  const base = memoryBase(i);
  const known = base === undefined ? undefined : s.fp[base];
  if (known === undefined) return undefined;
  const at = known + i.off;
  const size = ebpfSizeBytes(i.opcode);
  if (at >= -EBPF_STACK_SIZE && at + size <= 0) return undefined;
  return `${size}-byte stack access at r10${at < 0 ? at : `+${at}`} (through r${base}) is outside the ${EBPF_STACK_SIZE}-byte stack`;
}

function checkDataflow(prog: readonly EbpfInsn[], initialized: readonly number[]): EbpfVerifierProblem[] {
  const problems = new Map<number, string>();
  const stateAt: (State | undefined)[] = new Array(prog.length).fill(undefined);
  const work: number[] = [];
  const flow = (pc: number, incoming: State): void => {
    const old = stateAt[pc];
    const merged = old === undefined ? incoming : { init: old.init & incoming.init, fp: old.fp.map((v, r) => (v === incoming.fp[r] ? v : undefined)) };
    if (old === undefined || merged.init !== old.init || merged.fp.some((v, r) => v !== old.fp[r])) {
      stateAt[pc] = merged;
      work.push(pc);
    }
  };
  flow(0, frameEntry(initialized.reduce((m, r) => m | bit(r), 0)));
  while (work.length > 0) {
    const pc = work.pop()!;
    const state = stateAt[pc]!;
    const i = prog[pc]!;
    const missing = readsOf(i) & ~state.init;
    if (missing) {
      const r = Math.log2(missing & -missing);
      problems.set(pc, `reads r${r}, which is not written on every path to it`);
      continue;
    }
    const stack = stackProblem(i, state);
    if (stack) {
      problems.set(pc, stack);
      continue;
    }
    if (i.opcode === EBPF_OP_EXIT) continue;
    const next = pc + (i.opcode === EBPF_OP_LDDW ? 2 : 1);
    let after = afterInsn(i, state);
    if (i.opcode === EBPF_OP_CALL) {
      // the callee gets r1-r5 and a fresh frame; after the call r0 is set and r1-r5 are clobbered
      if (i.src === EBPF_CALL_LOCAL) flow(pc + 1 + i.imm, frameEntry((state.init & ARGUMENT_REGS) | bit(EBPF_FP)));
      const fp = state.fp.map((v, r) => (r <= 5 ? undefined : v));
      after = { init: (state.init | bit(0)) & ~ARGUMENT_REGS, fp };
    }
    const target = i.opcode === EBPF_OP_CALL ? undefined : jumpTarget(i, pc);
    if (target !== undefined) flow(target, after);
    const unconditional = ebpfOp(i.opcode) === EBPF_JA && (ebpfClass(i.opcode) === EBPF_JMP || ebpfClass(i.opcode) === EBPF_JMP32);
    if (unconditional) continue;
    if (next >= prog.length) problems.set(pc, 'control falls off the end of the program');
    else flow(next, after);
  }
  return [...problems].sort((a, b) => a[0] - b[0]).map(([pc, message]) => ({ pc, message }));
}

// Assembler for the eBPF assembly syntax of the bpf_conformance suite (see
// ../shared/conformance/ebpf/README.md). One instruction or `label:` per line, `#` starts a comment,
// registers `%r0`..`%r10` (the bare `r0` is accepted too), jump targets are labels or signed `+N`/`-N`
// slot offsets, and the first `exit` defines an implicit label `exit`.
// Extensions of ours (the disassembler emits them): `ldabs{b,h,w} imm` and `ldind{b,h,w} %src, imm` for
// the legacy packet loads, `lddw` with `%dst, imm64`, and `.raw 0x<u64>` for one slot given as the 64-bit
// integer whose little-endian image it is (used for slots no mnemonic can express).

import { u64ToSlot } from './encode.js';
import {
  EBPF_ABS, EBPF_ALU, EBPF_ALU64, EBPF_ATOMIC, EBPF_CALL_HELPER, EBPF_CALL_LOCAL, EBPF_CALL_RUNTIME,
  EBPF_END, EBPF_FETCH, EBPF_IND, EBPF_JA, EBPF_JMP, EBPF_JMP32, EBPF_K, EBPF_LD, EBPF_LDX, EBPF_MEM,
  EBPF_MEMSX, EBPF_MOV, EBPF_NEG, EBPF_OP_CALL, EBPF_OP_CALLX, EBPF_OP_EXIT, EBPF_OP_LDDW, EBPF_ST,
  EBPF_STX, EBPF_TO_BE, EBPF_TO_LE, EBPF_X, EBPF_W, EBPF_DW, type EbpfInsn,
} from './insn.js';
import { ALU_OPS, ATOMIC_OPS, JUMP_OPS, MOVSX_OPS, SIZES } from './mnemonics.js';

/** A syntax or range error in assembly text; `line` is 1-based. */
export class EbpfAsmError extends Error {
  override readonly name = 'EbpfAsmError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

type Spec =
  | { kind: 'alu'; cls: number; op: number; off: number }
  | { kind: 'neg'; cls: number }
  | { kind: 'end'; opcode: number; imm: number }
  | { kind: 'ja' }
  | { kind: 'ja32' }
  | { kind: 'jcond'; cls: number; op: number }
  | { kind: 'ldx'; opcode: number }
  | { kind: 'st'; opcode: number }
  | { kind: 'stx'; opcode: number }
  | { kind: 'ldabs'; opcode: number }
  | { kind: 'ldind'; opcode: number }
  | { kind: 'lddw' }
  | { kind: 'call' }
  | { kind: 'exit' }
  | { kind: 'lock' }
  | { kind: 'raw' };

const MNEMONICS: ReadonlyMap<string, Spec> = buildMnemonics();

function buildMnemonics(): Map<string, Spec> {
  const m = new Map<string, Spec>();
  for (const { name, op, off } of ALU_OPS) {
    const spec = (cls: number): Spec => (op === EBPF_NEG ? { kind: 'neg', cls } : { kind: 'alu', cls, op, off });
    m.set(name, spec(EBPF_ALU64));
    m.set(`${name}64`, spec(EBPF_ALU64));
    m.set(`${name}32`, spec(EBPF_ALU));
  }
  for (const { name, alu64, off } of MOVSX_OPS) m.set(name, { kind: 'alu', cls: alu64 ? EBPF_ALU64 : EBPF_ALU, op: EBPF_MOV, off });
  for (const width of [16, 32, 64]) {
    m.set(`le${width}`, { kind: 'end', opcode: EBPF_ALU | EBPF_END | EBPF_TO_LE, imm: width });
    m.set(`be${width}`, { kind: 'end', opcode: EBPF_ALU | EBPF_END | EBPF_TO_BE, imm: width });
    m.set(`bswap${width}`, { kind: 'end', opcode: EBPF_ALU64 | EBPF_END, imm: width });
    m.set(`swap${width}`, { kind: 'end', opcode: EBPF_ALU64 | EBPF_END, imm: width });
  }
  m.set('ja', { kind: 'ja' });
  m.set('ja32', { kind: 'ja32' });
  for (const { name, op } of JUMP_OPS) {
    m.set(name, { kind: 'jcond', cls: EBPF_JMP, op });
    m.set(`${name}32`, { kind: 'jcond', cls: EBPF_JMP32, op });
  }
  for (const { name, size } of SIZES) {
    m.set(`ldx${name}`, { kind: 'ldx', opcode: EBPF_LDX | EBPF_MEM | size });
    m.set(`st${name}`, { kind: 'st', opcode: EBPF_ST | EBPF_MEM | size });
    m.set(`stx${name}`, { kind: 'stx', opcode: EBPF_STX | EBPF_MEM | size });
    if (size !== EBPF_DW) {
      m.set(`ldxs${name}`, { kind: 'ldx', opcode: EBPF_LDX | EBPF_MEMSX | size });
      m.set(`ldabs${name}`, { kind: 'ldabs', opcode: EBPF_LD | EBPF_ABS | size });
      m.set(`ldind${name}`, { kind: 'ldind', opcode: EBPF_LD | EBPF_IND | size });
    }
  }
  m.set('lddw', { kind: 'lddw' });
  m.set('call', { kind: 'call' });
  m.set('exit', { kind: 'exit' });
  m.set('lock', { kind: 'lock' });
  m.set('.raw', { kind: 'raw' });
  return m;
}

interface ParsedLine {
  line: number;
  spec: Spec;
  mnemonic: string;
  operands: string[];
  slot: number;
}

const LABEL_RE = /^([A-Za-z_.$][\w.$]*):$/;

/** Assemble text into instruction slots. Throws EbpfAsmError on the first error. */
export function assembleEbpf(text: string): EbpfInsn[] {
  const labels = new Map<string, number>();
  const lines: ParsedLine[] = [];
  let slot = 0;
  let implicitExit: number | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/#.*/, '').trim();
    if (content === '') return;
    const label = LABEL_RE.exec(content);
    if (label) {
      if (labels.has(label[1]!)) throw new EbpfAsmError(`label '${label[1]}' defined twice`, line);
      labels.set(label[1]!, slot);
      return;
    }
    const [mnemonic, ...operands] = tokenize(content);
    if (mnemonic === undefined) throw new EbpfAsmError(`no mnemonic in '${content}'`, line);
    const spec = MNEMONICS.get(mnemonic.toLowerCase());
    if (!spec) throw new EbpfAsmError(`unknown mnemonic '${mnemonic}'`, line);
    if (spec.kind === 'exit' && implicitExit === undefined) implicitExit = slot;
    lines.push({ line, spec, mnemonic, operands, slot });
    slot += spec.kind === 'lddw' ? 2 : 1;
  });
  if (implicitExit !== undefined && !labels.has('exit')) labels.set('exit', implicitExit);
  if (lines.length === 0) throw new EbpfAsmError('no instructions', 1);
  const prog: EbpfInsn[] = [];
  for (const l of lines) prog.push(...encodeLine(l, labels));
  return prog;
}

/** Split on whitespace, dropping a trailing comma from each operand; spaces inside `[...]` are removed. */
function tokenize(content: string): string[] {
  const squeezed = content.replace(/\[[^\]]*\]/g, (m) => m.replace(/\s+/g, ''));
  return squeezed
    .split(/[\s]+/)
    .map((t) => t.replace(/,$/, ''))
    .filter((t) => t !== '');
}

function encodeLine(l: ParsedLine, labels: ReadonlyMap<string, number>): EbpfInsn[] {
  const fail = (message: string): never => {
    throw new EbpfAsmError(message, l.line);
  };
  const ops = l.operands;
  const want = (n: number): void => {
    if (ops.length !== n) fail(`'${l.mnemonic}' takes ${n} operand${n === 1 ? '' : 's'}, got ${ops.length}`);
  };
  const reg = (t: string): number => parseRegister(t) ?? fail(`invalid register '${t}'`);
  const imm32 = (t: string): number =>
    parseImm32(t) ?? fail(/^%?r\d+$/i.test(t) ? `invalid register '${t}'` : `invalid 32-bit immediate '${t}'`);
  const target = (t: string): number => {
    if (/^[+-]/.test(t)) return parseSigned(t, -0x80000000, 0x7fffffff) ?? fail(`invalid jump offset '${t}'`);
    const at = labels.get(t);
    if (at === undefined) fail(`undefined label '${t}'`);
    return at! - (l.slot + 1);
  };
  const off16 = (value: number): number =>
    value >= -0x8000 && value <= 0x7fff ? value : fail(`offset ${value} does not fit in 16 bits`);
  const mem = (t: string): { reg: number; off: number } => parseMemOperand(t) ?? fail(`invalid memory operand '${t}'`);
  const s = l.spec;
  switch (s.kind) {
    case 'alu': {
      want(2);
      const dst = reg(ops[0]!);
      const srcReg = parseRegister(ops[1]!);
      if (srcReg !== undefined) return [insn(s.cls | s.op | EBPF_X, dst, srcReg, s.off, 0)];
      if (s.op === EBPF_MOV && s.off !== 0) fail(`'${l.mnemonic}' needs a register source`);
      return [insn(s.cls | s.op | EBPF_K, dst, 0, s.off, imm32(ops[1]!))];
    }
    case 'neg':
      want(1);
      return [insn(s.cls | EBPF_NEG | EBPF_K, reg(ops[0]!), 0, 0, 0)];
    case 'end':
      want(1);
      return [insn(s.opcode, reg(ops[0]!), 0, 0, s.imm)];
    case 'ja':
      want(1);
      return [insn(EBPF_JMP | EBPF_JA, 0, 0, off16(target(ops[0]!)), 0)];
    case 'ja32':
      want(1);
      return [insn(EBPF_JMP32 | EBPF_JA, 0, 0, 0, target(ops[0]!))];
    case 'jcond': {
      want(3);
      const dst = reg(ops[0]!);
      const off = off16(target(ops[2]!));
      const srcReg = parseRegister(ops[1]!);
      if (srcReg !== undefined) return [insn(s.cls | s.op | EBPF_X, dst, srcReg, off, 0)];
      return [insn(s.cls | s.op | EBPF_K, dst, 0, off, imm32(ops[1]!))];
    }
    case 'ldx': {
      want(2);
      const m = mem(ops[1]!);
      return [insn(s.opcode, reg(ops[0]!), m.reg, off16(m.off), 0)];
    }
    case 'st': {
      want(2);
      const m = mem(ops[0]!);
      return [insn(s.opcode, m.reg, 0, off16(m.off), imm32(ops[1]!))];
    }
    case 'stx': {
      want(2);
      const m = mem(ops[0]!);
      return [insn(s.opcode, m.reg, reg(ops[1]!), off16(m.off), 0)];
    }
    case 'ldabs':
      want(1);
      return [insn(s.opcode, 0, 0, 0, imm32(ops[0]!))];
    case 'ldind':
      want(2);
      return [insn(s.opcode, 0, reg(ops[0]!), 0, imm32(ops[1]!))];
    case 'lddw': {
      want(2);
      const value = parseImm64(ops[1]!) ?? fail(`invalid 64-bit immediate '${ops[1]}'`);
      return [
        insn(EBPF_OP_LDDW, reg(ops[0]!), 0, 0, Number(BigInt.asIntN(32, value))),
        insn(0, 0, 0, 0, Number(BigInt.asIntN(32, value >> 32n))),
      ];
    }
    case 'call':
      return encodeCall(ops, fail, reg, imm32, target);
    case 'exit':
      want(0);
      return [insn(EBPF_OP_EXIT)];
    case 'lock':
      return encodeLock(ops, fail, reg, mem, off16);
    case 'raw': {
      want(1);
      const value = parseImm64(ops[0]!) ?? fail(`invalid raw slot '${ops[0]}'`);
      return [u64ToSlot(value)];
    }
  }
}

function encodeCall(
  ops: string[],
  fail: (m: string) => never,
  reg: (t: string) => number,
  imm32: (t: string) => number,
  target: (t: string) => number,
): EbpfInsn[] {
  if (ops.length === 1 && parseRegister(ops[0]!) !== undefined) return [insn(EBPF_OP_CALLX, reg(ops[0]!))];
  if (ops.length === 1) return [insn(EBPF_OP_CALL, 0, EBPF_CALL_HELPER, 0, imm32(ops[0]!))];
  if (ops.length === 2 && ops[0] === 'local') return [insn(EBPF_OP_CALL, 0, EBPF_CALL_LOCAL, 0, target(ops[1]!))];
  if (ops.length === 2 && ops[0] === 'runtime') return [insn(EBPF_OP_CALL, 0, EBPF_CALL_RUNTIME, 0, imm32(ops[1]!))];
  return fail(`invalid operands for call: '${ops.join(' ')}'`);
}

function encodeLock(
  ops: string[],
  fail: (m: string) => never,
  reg: (t: string) => number,
  mem: (t: string) => { reg: number; off: number },
  off16: (v: number) => number,
): EbpfInsn[] {
  const fetch = ops[0] === 'fetch';
  const rest = fetch ? ops.slice(1) : ops;
  if (rest.length !== 3) fail('invalid number of operands for lock');
  const m = /^([a-z]+?)(32|64)?$/.exec(rest[0]!);
  const op = m ? ATOMIC_OPS.find((a) => a.name === m[1]) : undefined;
  if (!m || !op) return fail(`invalid atomic operation '${rest[0]}'`);
  const size = m[2] === '32' ? EBPF_W : EBPF_DW;
  const addr = mem(rest[1]!);
  const imm = fetch ? op.imm | EBPF_FETCH : op.imm;
  return [insn(EBPF_STX | EBPF_ATOMIC | size, addr.reg, reg(rest[2]!), off16(addr.off), imm)];
}

function insn(opcode: number, dst = 0, src = 0, off = 0, imm = 0): EbpfInsn {
  return { opcode, dst, src, off, imm: imm | 0 };
}

/** `%rN` or `rN` with N in 0..10. */
function parseRegister(t: string): number | undefined {
  const m = /^%?r(\d{1,2})$/i.exec(t);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n <= 10 ? n : undefined;
}

/** Signed decimal or `0x` hex (optionally negative) within [min, max]. */
function parseSigned(t: string, min: number, max: number): number | undefined {
  const m = /^([+-]?)(0x[0-9a-f]+|\d+)$/i.exec(t);
  if (!m) return undefined;
  const magnitude = Number(m[2]);
  const value = m[1] === '-' ? -magnitude : magnitude;
  return value >= min && value <= max ? value : undefined;
}

/** 32-bit immediate: signed decimal in the int32 range, or hex up to 0xffffffff taken as bits. */
function parseImm32(t: string): number | undefined {
  if (/^0x/i.test(t)) {
    const value = parseSigned(t, 0, 0xffffffff);
    return value === undefined ? undefined : value | 0;
  }
  return parseSigned(t, -0x80000000, 0x7fffffff);
}

/** 64-bit immediate: signed decimal in [-2^63, 2^64) or hex up to 64 bits, returned as unsigned. */
function parseImm64(t: string): bigint | undefined {
  const m = /^(-?)(0x[0-9a-f]{1,16}|\d+)$/i.exec(t);
  if (!m) return undefined;
  const magnitude = BigInt(m[2]!);
  const value = m[1] === '-' ? -magnitude : magnitude;
  if (value < -(1n << 63n) || value >= 1n << 64n) return undefined;
  return BigInt.asUintN(64, value);
}

/** `[%rN]`, `[%rN+off]` or `[%rN-off]` (offset decimal or hex). */
function parseMemOperand(t: string): { reg: number; off: number } | undefined {
  const m = /^\[(%?r\d{1,2})(?:([+-])(0x[0-9a-f]+|\d+))?\]$/i.exec(t);
  if (!m) return undefined;
  const r = parseRegister(m[1]!);
  if (r === undefined) return undefined;
  const magnitude = m[3] === undefined ? 0 : Number(m[3]);
  return { reg: r, off: m[2] === '-' ? -magnitude : magnitude };
}


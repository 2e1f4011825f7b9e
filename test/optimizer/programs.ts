// Random forward-only cBPF programs of any size (fast-check), and the obvious 8-bit layout of a
// wide program used as the reference to run it.
import fc from 'fast-check';
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_DIV, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT,
  BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MOD, BPF_MSH, BPF_MUL, BPF_NEG,
  BPF_OR, BPF_RET, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR, type Insn,
} from '../../src/cbpf/insn.js';

const insn = (code: number, k = 0): Insn => ({ code, jt: 0, jf: 0, k: k >>> 0 });
const size = fc.constantFrom(BPF_B, BPF_H, BPF_W);
const slot = fc.integer({ min: 0, max: 3 });
const small = fc.integer({ min: 0, max: 40 });

/** Statements over a few scratch words and the first bytes of the packet, with repeats likely. */
export const stmtArb: fc.Arbitrary<Insn> = fc.oneof(
  fc.tuple(size, small).map(([s, k]) => insn(BPF_LD | s | BPF_ABS, k)),
  fc.tuple(size, fc.integer({ min: 0, max: 12 })).map(([s, k]) => insn(BPF_LD | s | BPF_IND, k)),
  small.map((k) => insn(BPF_LDX | BPF_B | BPF_MSH, k)),
  fc.integer({ min: 0, max: 20 }).map((k) => insn(BPF_LD | BPF_IMM, k)),
  fc.integer({ min: 0, max: 20 }).map((k) => insn(BPF_LDX | BPF_IMM, k)),
  slot.map((k) => insn(BPF_LD | BPF_MEM, k)),
  slot.map((k) => insn(BPF_LDX | BPF_MEM, k)),
  slot.map((k) => insn(BPF_ST, k)),
  slot.map((k) => insn(BPF_STX, k)),
  fc.constant(insn(BPF_LD | BPF_W | BPF_LEN)),
  fc.constant(insn(BPF_MISC | BPF_TAX)),
  fc.constant(insn(BPF_MISC | BPF_TXA)),
  fc.constant(insn(BPF_ALU | BPF_NEG)),
  fc
    .tuple(fc.constantFrom(BPF_ADD, BPF_SUB, BPF_MUL, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH, BPF_DIV, BPF_MOD), fc.integer({ min: 0, max: 0xffff }))
    .map(([op, k]) => insn(BPF_ALU | op | BPF_K, op === BPF_DIV || op === BPF_MOD ? k || 1 : op === BPF_LSH || op === BPF_RSH ? k & 31 : k)),
  fc.constantFrom(BPF_ADD, BPF_SUB, BPF_AND, BPF_OR, BPF_DIV, BPF_MOD).map((op) => insn(BPF_ALU | op | BPF_X)),
);

interface BlockSpec {
  stmts: Insn[];
  /** filler statements that make offsets big */
  filler: number;
  op: number;
  src: number;
  k: number;
  t: number;
  f: number;
  kind: 'branch' | 'goto' | 'ret';
  ret: number;
}

const blockArb = (maxFiller: number): fc.Arbitrary<BlockSpec> =>
  fc.record({
    stmts: fc.array(stmtArb, { maxLength: 4 }),
    filler: maxFiller ? fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxFiller })) : fc.constant(0),
    op: fc.constantFrom(BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET),
    src: fc.constantFrom(BPF_K, BPF_K, BPF_X),
    k: fc.integer({ min: 0, max: 20 }),
    t: fc.double({ min: 0, max: 1, noNaN: true }),
    f: fc.double({ min: 0, max: 1, noNaN: true }),
    kind: fc.constantFrom('branch', 'branch', 'branch', 'goto', 'ret'),
    ret: fc.constantFrom(0, 1, 262144, -1),
  });

/** A forward-only program: blocks of statements ending in a branch, goto or return; then returns. */
function buildProgram(blocks: BlockSpec[]): Insn[] {
  const rets = [insn(BPF_RET | BPF_K, 0), insn(BPF_RET | BPF_K, 262144), insn(BPF_RET | BPF_A)];
  const starts: number[] = [];
  let pc = 0;
  for (const b of blocks) {
    starts.push(pc);
    pc += b.filler + b.stmts.length + 1;
  }
  const retAt = rets.map((_, i) => pc + i);
  const out: Insn[] = [];
  blocks.forEach((b, i) => {
    for (let j = 0; j < b.filler; j++) out.push(insn(BPF_ALU | BPF_ADD | BPF_K, j & 3));
    out.push(...b.stmts);
    const later = [...starts.slice(i + 1), ...retAt];
    const pick = (x: number): number => later[Math.min(later.length - 1, Math.floor(x * later.length))] - out.length - 1;
    if (b.kind === 'ret') out.push(b.ret < 0 ? insn(BPF_RET | BPF_A) : insn(BPF_RET | BPF_K, b.ret));
    else if (b.kind === 'goto') out.push(insn(BPF_JMP | BPF_JA, pick(b.t)));
    else out.push({ code: BPF_JMP | b.op | b.src, jt: pick(b.t), jf: pick(b.f), k: b.k });
  });
  out.push(...rets);
  return out;
}

/** Random wide programs; `maxFiller` > 0 makes jump offsets far beyond 255. */
export const programArb = (maxBlocks: number, maxFiller: number): fc.Arbitrary<Insn[]> =>
  fc.array(blockArb(maxFiller), { minLength: 1, maxLength: maxBlocks }).map(buildProgram);

/**
 * The obvious translation, as the reference: every conditional jump becomes `jxx jt 0 jf 1`
 * followed by a `ja` to each target (ja offsets are 32-bit). The interpreter, like the kernel,
 * reads only 8 bits of jt/jf, so wide programs cannot be run as they are.
 */
export function spelledOut(wide: readonly Insn[]): Insn[] {
  const isCond = (i: Insn): boolean => (i.code & 0x07) === BPF_JMP && (i.code & 0xf0) !== BPF_JA;
  const at: number[] = [];
  let pc = 0;
  for (const i of wide) {
    at.push(pc);
    pc += isCond(i) ? 3 : 1;
  }
  at.push(pc);
  return wide.flatMap((i, n): Insn[] => {
    const ja = (from: number, to: number): Insn => insn(BPF_JMP | BPF_JA, at[to] - from - 1);
    if (isCond(i)) return [{ ...i, jt: 0, jf: 1 }, ja(at[n] + 1, n + 1 + i.jt), ja(at[n] + 2, n + 1 + i.jf)];
    if (i.code === (BPF_JMP | BPF_JA)) return [ja(at[n], n + 1 + (i.k | 0))];
    return [i];
  });
}

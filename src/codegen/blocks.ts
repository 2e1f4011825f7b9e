// Block graph of a filter under construction, in the style of libpcap's gencode: each block is a
// list of statements ending in a conditional jump with a true and a false successor. A Frag is a
// sub-graph with one entry and the lists of its still-unconnected true and false exits; `and`,
// `or` and `not` connect or swap those lists. `emitProgram` lays the graph out as a flat "wide"
// program (forward jump offsets of any size; see ../optimizer for the layout into 8-bit offsets).
import { BPF_JMP, BPF_K, BPF_RET, BPF_LD, BPF_IMM, BPF_JEQ, type Insn, insn } from '../cbpf/insn.js';

export interface Block {
  /** straight-line statements (protochain's loop adds relative jumps that stay inside the list) */
  stmts: Insn[];
  /** jump opcode (BPF_JMP | op | src), or BPF_RET | BPF_K for a leaf */
  code: number;
  k: number;
  jt: Block | null;
  jf: Block | null;
}

interface Exit {
  block: Block;
  branch: 'jt' | 'jf';
}

/** Unconnected exits: a tree so that joining two lists is O(1) (big disjunctions stay linear). */
type Exits = Exit | { l: Exits; r: Exits } | null;

function cat(a: Exits, b: Exits): Exits {
  if (a === null) return b;
  if (b === null) return a;
  return { l: a, r: b };
}

export interface Frag {
  head: Block;
  t: Exits;
  f: Exits;
  /** set on a constant test: and/or fold it away as libpcap master does */
  value?: boolean;
}

function newBlock(stmts: Insn[], code: number, k: number): Block {
  return { stmts, code, k: k >>> 0, jt: null, jf: null };
}

/** A test: run `stmts`, then jump on `op` (BPF_JEQ, BPF_JGT, ... | BPF_K or BPF_X) against k. */
export function test(stmts: Insn[], op: number, k = 0): Frag {
  const b = newBlock(stmts, BPF_JMP | op, k);
  return { head: b, t: { block: b, branch: 'jt' }, f: { block: b, branch: 'jf' } };
}

function patch(exits: Exits, target: Block): void {
  const stack: Exits[] = [exits];
  while (stack.length) {
    const e = stack.pop()!;
    if (e === null) continue;
    if ('block' in e) e.block[e.branch] = target;
    else stack.push(e.r, e.l);
  }
}

/** a and b: b runs only when a holds. A constant operand is folded away (a test and'ed with false is dropped). */
export function and(a: Frag, b: Frag): Frag {
  if (a.value === false || b.value === true) return a;
  if (a.value === true || b.value === false) return b;
  patch(a.t, b.head);
  return { head: a.head, t: b.t, f: cat(a.f, b.f) };
}

/** a or b: b runs only when a fails. A constant operand is folded away (a test or'ed with true is dropped). */
export function or(a: Frag, b: Frag): Frag {
  if (a.value === true || b.value === false) return a;
  if (a.value === false || b.value === true) return b;
  patch(a.f, b.head);
  return { head: a.head, t: cat(a.t, b.t), f: b.f };
}

export function not(a: Frag): Frag {
  const r: Frag = { head: a.head, t: a.f, f: a.t };
  if (a.value !== undefined) r.value = !a.value;
  return r;
}

export function orAll(frags: Frag[]): Frag {
  return frags.reduce((acc, f) => or(acc, f));
}

/** Constant true or false, written as libpcap writes it (`ld #0|1; jeq #0`). */
export function constant(value: boolean): Frag {
  return { ...test([insn(BPF_LD | BPF_IMM, value ? 0 : 1)], BPF_JEQ | BPF_K, 0), value };
}

/** Statements that must run, as a test that always holds (never folded away like a constant). */
export function always(stmts: Insn[]): Frag {
  return test([...stmts, insn(BPF_LD | BPF_IMM, 0)], BPF_JEQ | BPF_K, 0);
}

/** Put statements in front of the entry block (they run first, on every path). */
export function prepend(frag: Frag, stmts: Insn[]): void {
  frag.head.stmts = [...stmts, ...frag.head.stmts];
}

/**
 * Lay out the graph: blocks in an order where every edge goes forward (reverse post-order of a
 * depth-first walk), then `ret #accept` and `ret #0`.
 */
export function emitProgram(frag: Frag, accept: number): Insn[] {
  const retTrue = newBlock([], BPF_RET | BPF_K, accept);
  const retFalse = newBlock([], BPF_RET | BPF_K, 0);
  patch(frag.t, retTrue);
  patch(frag.f, retFalse);
  const order: Block[] = [];
  const seen = new Set<Block>([retTrue, retFalse]);
  // iterative DFS: post-order without recursion (graphs of big filters are deep)
  const stack: Array<{ b: Block; step: number }> = [];
  const visit = (b: Block | null): void => {
    if (b && !seen.has(b)) {
      seen.add(b);
      stack.push({ b, step: 0 });
    }
  };
  visit(frag.head);
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.step === 0) {
      top.step = 1;
      visit(top.b.jf);
    } else if (top.step === 1) {
      top.step = 2;
      visit(top.b.jt);
    } else {
      order.push(top.b);
      stack.pop();
    }
  }
  order.reverse();
  order.push(retTrue, retFalse);
  const jumpAt = new Map<Block, number>();
  const startAt = new Map<Block, number>();
  let pc = 0;
  for (const b of order) {
    startAt.set(b, pc);
    pc += b.stmts.length;
    jumpAt.set(b, pc);
    pc += 1;
  }
  const prog: Insn[] = [];
  for (const b of order) {
    for (const s of b.stmts) prog.push({ ...s });
    if ((b.code & 0x07) === BPF_RET) {
      prog.push(insn(b.code, b.k));
      continue;
    }
    const at = jumpAt.get(b)!;
    const off = (t: Block | null): number => startAt.get(t!)! - at - 1;
    prog.push({ code: b.code, jt: off(b.jt), jf: off(b.jf), k: b.k });
  }
  return prog;
}

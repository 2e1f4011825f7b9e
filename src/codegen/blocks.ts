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

export interface Frag {
  head: Block;
  t: Exit[];
  f: Exit[];
}

function newBlock(stmts: Insn[], code: number, k: number): Block {
  return { stmts, code, k: k >>> 0, jt: null, jf: null };
}

/** A test: run `stmts`, then jump on `op` (BPF_JEQ, BPF_JGT, ... | BPF_K or BPF_X) against k. */
export function test(stmts: Insn[], op: number, k = 0): Frag {
  const b = newBlock(stmts, BPF_JMP | op, k);
  return { head: b, t: [{ block: b, branch: 'jt' }], f: [{ block: b, branch: 'jf' }] };
}

function patch(exits: Exit[], target: Block): void {
  for (const e of exits) e.block[e.branch] = target;
}

/** a and b: b runs only when a holds. */
export function and(a: Frag, b: Frag): Frag {
  patch(a.t, b.head);
  return { head: a.head, t: b.t, f: [...a.f, ...b.f] };
}

/** a or b: b runs only when a fails. */
export function or(a: Frag, b: Frag): Frag {
  patch(a.f, b.head);
  return { head: a.head, t: [...a.t, ...b.t], f: b.f };
}

export function not(a: Frag): Frag {
  return { head: a.head, t: a.f, f: a.t };
}

export function andAll(frags: Frag[]): Frag {
  return frags.reduce((acc, f) => and(acc, f));
}

export function orAll(frags: Frag[]): Frag {
  return frags.reduce((acc, f) => or(acc, f));
}

/** Constant true or false, written as libpcap writes it (`ld #0|1; jeq #0`). */
export function constant(value: boolean): Frag {
  return test([insn(BPF_LD | BPF_IMM, value ? 0 : 1)], BPF_JEQ | BPF_K, 0);
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

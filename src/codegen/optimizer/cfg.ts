// The block graph the optimizer works on, rebuilt from a flat "wide" program (forward jumps,
// offsets of any size), and laid out flat again.
import {
  BPF_ALU, BPF_CLASS, BPF_JA, BPF_JMP, BPF_K, BPF_LD, BPF_LDX, BPF_MEM, BPF_MEMWORDS, BPF_MISC, BPF_MODE, BPF_OP,
  BPF_RET, BPF_ST, BPF_STX, type Insn,
} from '../../cbpf/insn.js';
import { mnemonicOf } from '../../cbpf/mnemonics.js';

export interface Block {
  /** straight-line statements */
  stmts: Insn[];
  /** terminator: a conditional jump (BPF_JMP | op | src, with k), BPF_JMP | BPF_JA (goto jt), or a BPF_RET */
  code: number;
  k: number;
  /** successors: both null for a return, equal for a goto */
  jt: Block | null;
  jf: Block | null;
  /** position in the topological order of the current optimizer pass */
  id: number;
  /** visit stamp of the last walk that reached the block (cheaper than a Set on big graphs) */
  mark: number;
}

let walks = 0;

export const JA = BPF_JMP | BPF_JA;
export const isRet = (b: Block): boolean => BPF_CLASS(b.code) === BPF_RET;
export const isGoto = (b: Block): boolean => b.code === JA;
export const isCond = (b: Block): boolean => BPF_CLASS(b.code) === BPF_JMP && b.code !== JA;
/** `ret #0`: a packet load that runs off the packet ends the same way. */
export const isReject = (b: Block): boolean => b.code === (BPF_RET | BPF_K) && b.k === 0;

const isStmt = (code: number): boolean => {
  const cls = BPF_CLASS(code);
  return cls === BPF_LD || cls === BPF_LDX || cls === BPF_ST || cls === BPF_STX || cls === BPF_ALU || cls === BPF_MISC;
};

/** An opcode the interpreters know, with a scratch-word index in range where it takes one. */
function knownInsn(s: Insn): boolean {
  if (!mnemonicOf(s.code)) return false;
  const cls = BPF_CLASS(s.code);
  const mem = cls === BPF_ST || cls === BPF_STX || ((cls === BPF_LD || cls === BPF_LDX) && BPF_MODE(s.code) === BPF_MEM);
  return !mem || s.k < BPF_MEMWORDS;
}

/** Why a program cannot be rebuilt as an acyclic block graph. */
export type Unsupported = 'backward-jump' | 'malformed';

/** Blocks of a well-formed forward-only program, or why not; the first block is the entry. */
export function buildBlocks(prog: readonly Insn[]): { root: Block } | { unsupported: Unsupported } {
  const n = prog.length;
  if (n === 0) return { unsupported: 'malformed' };
  const leader = new Uint8Array(n + 1);
  leader[0] = 1;
  for (let i = 0; i < n; i++) {
    const s = prog[i];
    const cls = BPF_CLASS(s.code);
    if (!knownInsn(s)) return { unsupported: 'malformed' };
    if (cls === BPF_JMP) {
      const offs = BPF_OP(s.code) === BPF_JA ? [s.k | 0] : [s.jt, s.jf];
      for (const off of offs) {
        if (off < 0) return { unsupported: 'backward-jump' };
        if (i + 1 + off >= n) return { unsupported: 'malformed' };
        leader[i + 1 + off] = 1;
      }
      leader[i + 1] = 1;
    } else if (cls === BPF_RET) {
      leader[i + 1] = 1;
    } else if (!isStmt(s.code)) {
      return { unsupported: 'malformed' };
    }
  }
  const last = BPF_CLASS(prog[n - 1].code);
  if (last !== BPF_JMP && last !== BPF_RET) return { unsupported: 'malformed' };
  // one block from each leader to the next jump/return, or to the next leader (then a goto)
  const byStart: { block: Block; end: number }[] = new Array(n);
  for (let s = 0; s < n; ) {
    let j = s;
    while (isStmt(prog[j].code) && !leader[j + 1]) j++;
    // statements are shared with the input (passes replace them, never modify them); k is u32
    const stmts = prog.slice(s, isStmt(prog[j].code) ? j + 1 : j).map((x) => (x.k >>> 0 === x.k ? x : { ...x, k: x.k >>> 0 }));
    const t = prog[j];
    const block: Block = isStmt(t.code)
      ? { stmts, code: JA, k: 0, jt: null, jf: null, id: -1, mark: 0 }
      : { stmts, code: BPF_OP(t.code) === BPF_JA && BPF_CLASS(t.code) === BPF_JMP ? JA : t.code, k: t.k >>> 0, jt: null, jf: null, id: -1, mark: 0 };
    byStart[s] = { block, end: j };
    s = j + 1;
  }
  for (const entry of byStart) {
    if (!entry) continue;
    const { block: b, end } = entry;
    const t = prog[end];
    const next = end + 1;
    if (isStmt(t.code)) b.jt = b.jf = byStart[next].block;
    else if (b.code === JA) {
      b.jt = b.jf = byStart[next + (t.k | 0)].block;
      b.k = 0;
    } else if (BPF_CLASS(t.code) === BPF_JMP) {
      b.jt = byStart[next + t.jt].block;
      b.jf = byStart[next + t.jf].block;
    }
  }
  return { root: byStart[0].block };
}

/**
 * Reachable blocks in an order where every edge goes forward (reverse post-order); the false
 * successor (and a goto's target) is placed right after its block where possible.
 */
export function topoOrder(root: Block): Block[] {
  const order: Block[] = [];
  const stamp = ++walks;
  root.mark = stamp;
  // explicit stack (graphs of big filters are deep): a block, then how many successors it has pushed
  const blocks: Block[] = [root];
  const steps: number[] = [0];
  while (blocks.length) {
    const top = blocks.length - 1;
    const b = blocks[top];
    const step = steps[top]++;
    const s = step === 0 ? b.jt : step === 1 && b.jf !== b.jt ? b.jf : null;
    if (s) {
      if (s.mark !== stamp) {
        s.mark = stamp;
        blocks.push(s);
        steps.push(0);
      }
    } else if (step >= 1 || !b.jt) {
      order.push(b);
      blocks.pop();
      steps.pop();
    }
  }
  return order.reverse();
}

/**
 * Flat wide program: conditional offsets may exceed 255; gotos to the next block vanish, gotos to
 * a bare return become a copy of it. Returns come last: Linux's scratch-memory check carries what is
 * known after a `ret` into the next instruction, so a `ret` must not precede a block.
 */
export function emitWide(root: Block): Insn[] {
  const topo = topoOrder(root);
  const order = [...topo.filter((b) => !isRet(b)), ...topo.filter(isRet)];
  const index = new Map<Block, number>(order.map((b, i) => [b, i]));
  const needsJa = (b: Block, i: number): boolean => isGoto(b) && index.get(b.jt!) !== i + 1;
  const start = new Map<Block, number>();
  let pc = 0;
  order.forEach((b, i) => {
    start.set(b, pc);
    pc += b.stmts.length + (isGoto(b) ? (needsJa(b, i) ? 1 : 0) : 1);
  });
  const out: Insn[] = [];
  order.forEach((b, i) => {
    for (const s of b.stmts) out.push({ ...s });
    const here = out.length;
    if (isRet(b)) out.push({ code: b.code, jt: 0, jf: 0, k: b.k });
    else if (isGoto(b)) {
      const t = b.jt!;
      if (needsJa(b, i)) {
        out.push(isRet(t) && !t.stmts.length ? { code: t.code, jt: 0, jf: 0, k: t.k } : { code: JA, jt: 0, jf: 0, k: start.get(t)! - here - 1 });
      }
    } else out.push({ code: b.code, jt: start.get(b.jt!)! - here - 1, jf: start.get(b.jf!)! - here - 1, k: b.k });
  });
  return out;
}

// Forward pass in topological order: value numbering across blocks (a register keeps its value
// number where all predecessors agree), removal of statements that recompute what a cell already
// holds, constant propagation and folding, and branches on constants turned into gotos.
import {
  BPF_A, BPF_CLASS, BPF_IMM, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_MISC, BPF_MODE,
  BPF_OP, BPF_RET, BPF_RVAL, BPF_SRC, BPF_X, BPF_ALU, BPF_JMP, BPF_TAX, BPF_TXA, type Insn,
} from '../../cbpf/insn.js';
import { JA, isCond, isRet, type Block } from './cfg.js';
import { dominators, type Dominators } from './dominators.js';
import { narrowLoads } from './peephole.js';
import { A_ATOM, N_ATOMS, X_ATOM, evalStmt, fixedLoadExtent, immLoad, type State, type ValueTable, type Vn } from './values.js';

/** The graph of one optimizer pass and what the forward pass learnt about it. */
export interface Graph {
  order: Block[];
  preds: number[][];
  dom: Dominators;
  /** state at the start and at the end of each block's statements */
  entry: State[];
  exit: State[];
  /** bytes [0, extent) of the packet are known present at block entry / exit */
  extentIn: number[];
  extentOut: number[];
  /** the forward pass rewrote something */
  changed: boolean;
}

export function analyseGraph(order: Block[]): Pick<Graph, 'order' | 'preds' | 'dom'> {
  const preds: number[][] = new Array(order.length);
  for (let i = 0; i < order.length; i++) {
    order[i].id = i;
    preds[i] = [];
  }
  for (let i = 0; i < order.length; i++) {
    const b = order[i];
    if (!b.jt) continue;
    preds[b.jt.id].push(i);
    if (b.jf !== b.jt) preds[b.jf!.id].push(i);
  }
  return { order, preds, dom: dominators(preds) };
}

/** Outcome of a comparison of two constants. */
export function compareConst(op: number, a: number, b: number): boolean {
  switch (op) {
    case BPF_JEQ: return a === b;
    case BPF_JGT: return a > b;
    case BPF_JGE: return a >= b;
    case BPF_JSET: return (a & b) !== 0;
    default: throw new Error(`unknown jump op 0x${op.toString(16)}`);
  }
}

function mergeStates(vt: ValueTable, exit: State[], preds: number[]): State {
  const out = exit[preds[0]].slice();
  if (preds.length === 1) return out;
  for (let a = 0; a < N_ATOMS; a++) {
    for (let i = 1; i < preds.length; i++) {
      if (exit[preds[i]][a] !== out[a]) {
        out[a] = vt.opaque();
        break;
      }
    }
  }
  return out;
}

const isImmLoad = (s: Insn): boolean =>
  (BPF_CLASS(s.code) === BPF_LD || BPF_CLASS(s.code) === BPF_LDX) && BPF_MODE(s.code) === BPF_IMM;

/** Rewrites blocks in place; returns the graph annotated with exit states and extents. */
export function numberValues(vt: ValueTable, base: Pick<Graph, 'order' | 'preds' | 'dom'>): Graph {
  const { order, preds, dom } = base;
  const n = order.length;
  const entry: State[] = new Array(n);
  const exit: State[] = new Array(n);
  const extentIn: number[] = new Array(n);
  const extentOut: number[] = new Array(n);
  let changed = false;
  for (let i = 0; i < n; i++) {
    const b = order[i];
    const state = i === 0 ? vt.freshState() : mergeStates(vt, exit, preds[i]);
    entry[i] = state.slice();
    let extent = (extentIn[i] = i === 0 ? 0 : extentOut[dom.idom[i]]);
    const stmts: Insn[] = [];
    const input = narrowLoads(b.stmts);
    if (input !== b.stmts) changed = true;
    for (const s of input) {
      const eff = evalStmt(vt, state, s, extent);
      if (state[eff.dest] === eff.vn) {
        changed = true;
        continue;
      }
      let insn = eff.insn;
      const c = vt.constValue(eff.vn);
      const cls = BPF_CLASS(insn.code);
      if (c !== undefined && !eff.mayFault && (cls === BPF_LD || cls === BPF_LDX || cls === BPF_ALU || cls === BPF_MISC) && !isImmLoad(insn)) {
        insn = immLoad(eff.dest, c);
      } else if ((cls === BPF_LD || cls === BPF_LDX) && !isImmLoad(insn)) {
        // a load of what the other register holds is a register move (and frees a scratch word)
        if (eff.dest === A_ATOM && state[X_ATOM] === eff.vn) insn = { code: BPF_MISC | BPF_TXA, jt: 0, jf: 0, k: 0 };
        else if (eff.dest === X_ATOM && state[A_ATOM] === eff.vn) insn = { code: BPF_MISC | BPF_TAX, jt: 0, jf: 0, k: 0 };
      }
      if (insn !== s) changed = true;
      stmts.push(insn);
      state[eff.dest] = eff.vn;
      const ext = fixedLoadExtent(insn);
      if (ext && ext[1] > extent) extent = ext[1];
    }
    b.stmts = stmts;
    extentOut[i] = extent;
    exit[i] = state;
    const code = b.code;
    foldTerminator(vt, b, state);
    if (b.code !== code) changed = true;
  }
  return { ...base, entry, exit, extentIn, extentOut, changed };
}

/** Branches on known values become gotos; `ret a` of a constant becomes `ret #k`. */
function foldTerminator(vt: ValueTable, b: Block, state: State): void {
  if (isRet(b)) {
    const c = vt.constValue(state[A_ATOM]);
    if (BPF_RVAL(b.code) === BPF_A && c !== undefined) {
      b.code = BPF_RET | BPF_K;
      b.k = c;
    }
    return;
  }
  if (!isCond(b)) return;
  if (BPF_SRC(b.code) === BPF_X) {
    const xc = vt.constValue(state[X_ATOM]);
    if (xc === undefined) return;
    b.code = BPF_JMP | BPF_OP(b.code) | BPF_K;
    b.k = xc;
  }
  const ac = vt.constValue(state[A_ATOM]);
  if (ac !== undefined) setGoto(b, compareConst(BPF_OP(b.code), ac, b.k) ? b.jt! : b.jf!);
}

export function setGoto(b: Block, target: Block): void {
  b.code = JA;
  b.k = 0;
  b.jt = b.jf = target;
}

/** The value compared by a conditional block and the other operand's vn when it is X. */
export function comparison(b: Block, exit: State): { vn: Vn; other: Vn | undefined } {
  return { vn: exit[A_ATOM], other: BPF_SRC(b.code) === BPF_X ? exit[X_ATOM] : undefined };
}

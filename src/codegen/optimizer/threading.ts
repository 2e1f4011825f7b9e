// Jump threading. On an edge p -> c, the outcomes of the dominating branches (and of p's own
// branch) may decide c's branch; then the edge can go straight to where c's branch leads, skipping
// c, provided c's statements cannot end the filter and every atom live there holds on the edge
// the value c would have left. Blocks are visited in reverse topological order, so everything
// below a block is final when its edges are threaded and chains collapse in one sweep.
import { BPF_OP, BPF_SRC, BPF_X } from '../../cbpf/insn.js';
import { isCond, isGoto, isRet, type Block } from './cfg.js';
import { FactIndex, type EntryFact } from './dominators.js';
import { decideConst, decideValue, refineConst, refineValue, type Facts } from './facts.js';
import { blockLiveIn, liveOutOf } from './liveness.js';
import { comparison, compareConst, setGoto, type Graph } from './numbering.js';
import { A_ATOM, N_ATOMS, X_ATOM, evalStmt, type ValueTable, type Vn } from './values.js';

/** Upper bound on blocks skipped by one edge in one sweep (keeps a sweep linear). */
const MAX_CHAIN = 64;

function entryFacts(g: Graph): (EntryFact | undefined)[] {
  return g.order.map((b, i) => {
    if (i === 0 || g.preds[i].length !== 1) return undefined;
    const pi = g.preds[i][0];
    const p = g.order[pi];
    if (!isCond(p) || p.jt === p.jf) return undefined;
    const { vn, other } = comparison(p, g.exit[pi]);
    return { vn, other, op: BPF_OP(p.code), k: p.k, outcome: p.jt === b };
  });
}

/** Outcome of c's branch given the value of its operands and what is known about A. */
function decide(vt: ValueTable, c: Block, a: Vn, x: Vn, factsOf: (vn: Vn) => Facts): boolean | undefined {
  const op = BPF_OP(c.code);
  const k = BPF_SRC(c.code) === BPF_X ? vt.constValue(x) : c.k;
  const ac = vt.constValue(a);
  if (k !== undefined) return ac !== undefined ? compareConst(op, ac, k) : decideConst(factsOf(a), op, k);
  return decideValue(factsOf(a), op, x);
}

/** Threads every edge of the graph (in place); keeps `liveIn` current. */
export function threadJumps(vt: ValueTable, g: Graph, liveIn: number[]): void {
  const facts = new FactIndex(g.dom, entryFacts(g));
  for (let i = g.order.length - 1; i >= 0; i--) {
    const p = g.order[i];
    if (isCond(p)) {
      const { vn, other } = comparison(p, g.exit[i]);
      const d = decide(vt, p, vn, other ?? vn, (v) => facts.at(i, v));
      if (d !== undefined) setGoto(p, d ? p.jt! : p.jf!);
      else if (p.jt === p.jf) setGoto(p, p.jt!);
    }
    if (isGoto(p)) {
      p.jt = p.jf = thread(vt, g, facts, liveIn, i, p.jt!, undefined);
    } else if (isCond(p)) {
      p.jt = thread(vt, g, facts, liveIn, i, p.jt!, true);
      p.jf = thread(vt, g, facts, liveIn, i, p.jf!, false);
    }
    liveIn[i] = blockLiveIn(p, liveOutOf(p, g, liveIn));
  }
}

function thread(
  vt: ValueTable,
  g: Graph,
  facts: FactIndex,
  liveIn: number[],
  i: number,
  c: Block,
  outcome: boolean | undefined,
): Block {
  const p = g.order[i];
  const state = g.exit[i];
  const extent = g.extentOut[i];
  const own = outcome === undefined ? undefined : comparison(p, state);
  const op = BPF_OP(p.code);
  const factsOf = (vn: Vn): Facts => {
    const f = facts.at(i, vn);
    if (!own || own.vn !== vn) return f;
    return own.other === undefined ? refineConst(f, op, p.k, outcome!) : refineValue(f, op, own.other, outcome!);
  };
  for (let step = 0; step < MAX_CHAIN && !isRet(c); step++) {
    const st = state.slice();
    for (const s of c.stmts) {
      const eff = evalStmt(vt, st, s, extent);
      if (eff.mayFault && !state.includes(eff.vn)) return c;
      st[eff.dest] = eff.vn;
    }
    let next: Block;
    if (isGoto(c)) next = c.jt!;
    else {
      const d = decide(vt, c, st[A_ATOM], st[X_ATOM], factsOf);
      if (d === undefined) {
        if (c.jt !== c.jf) return c;
        next = c.jt!;
      } else next = d ? c.jt! : c.jf!;
    }
    const live = liveIn[g.index.get(next)!];
    for (let a = 0; a < N_ATOMS; a++) if (live & (1 << a) && st[a] !== state[a]) return c;
    c = next;
  }
  return c;
}

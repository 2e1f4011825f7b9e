// Jump threading. On an edge p -> c, the outcomes of the dominating branches (and of p's own
// branch) may decide c's branch; then the edge can go straight to where c's branch leads, skipping
// c, provided c's statements cannot end the filter and every atom live there holds on the edge
// the value c would have left (libpcap's use_conflict, checked where the edge lands). Blocks are
// visited in reverse topological order, so everything below a block is final when its edges are
// threaded and chains collapse in one sweep.
import { BPF_OP, BPF_SRC, BPF_X } from '../../cbpf/insn.js';
import { isCond, isGoto, isRet, type Block } from './cfg.js';
import { FactIndex, type EntryFact } from './dominators.js';
import { decideConst, decideValue, refineConst, refineValue, type Facts } from './facts.js';
import { blockLiveIn, liveOutOf } from './liveness.js';
import { comparison, compareConst, setGoto, type Graph } from './numbering.js';
import { A_ATOM, N_ATOMS, X_ATOM, evalStmt, type State, type ValueTable, type Vn } from './values.js';

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

/** The outcome of the branch taken on an edge: `vn OP k` (or `vn OP other`) is `outcome`. */
type EdgeFact = EntryFact;

/** Facts about `vn` on an edge out of block i (on entry to i, plus i's own outcome). */
function factsOnEdge(facts: FactIndex, i: number, vn: Vn, edge: EdgeFact | undefined): Facts {
  const f = facts.at(i, vn);
  if (!edge || edge.vn !== vn) return f;
  return edge.other === undefined ? refineConst(f, edge.op, edge.k, edge.outcome) : refineValue(f, edge.op, edge.other, edge.outcome);
}

/** Outcome of c's branch given the values of its operands and what is known on the edge. */
function decide(vt: ValueTable, c: Block, a: Vn, x: Vn, facts: FactIndex, i: number, edge: EdgeFact | undefined): boolean | undefined {
  const op = BPF_OP(c.code);
  const k = BPF_SRC(c.code) === BPF_X ? vt.constValue(x) : c.k;
  const ac = vt.constValue(a);
  if (k !== undefined) return ac !== undefined ? compareConst(op, ac, k) : decideConst(factsOnEdge(facts, i, a, edge), op, k);
  return decideValue(factsOnEdge(facts, i, a, edge), op, x);
}

/** Threads every edge of the graph (in place); keeps `liveIn` current. Returns whether anything changed. */
export function threadJumps(vt: ValueTable, g: Graph, liveIn: number[]): boolean {
  const facts = new FactIndex(g.dom, entryFacts(g));
  const scratch = g.exit[0].slice();
  // Dead-statement removal has dropped writes to atoms dead at a block's end, so an exit state
  // is exact only for the atoms live there (as they were before any edge moved).
  const exact = g.order.map((b) => liveOutOf(b, liveIn));
  let changed = false;
  for (let i = g.order.length - 1; i >= 0; i--) {
    const p = g.order[i];
    const { jt, jf } = p;
    if (isCond(p)) {
      const { vn, other } = comparison(p, g.exit[i]);
      const d = decide(vt, p, vn, other ?? vn, facts, i, undefined);
      if (d !== undefined) setGoto(p, d ? p.jt! : p.jf!);
      else if (p.jt === p.jf) setGoto(p, p.jt!);
      else {
        const op = BPF_OP(p.code);
        p.jt = thread(vt, g, facts, liveIn, exact[i], scratch, i, p.jt!, { vn, other, op, k: p.k, outcome: true });
        p.jf = thread(vt, g, facts, liveIn, exact[i], scratch, i, p.jf!, { vn, other, op, k: p.k, outcome: false });
      }
    }
    if (isGoto(p)) p.jt = p.jf = thread(vt, g, facts, liveIn, exact[i], scratch, i, p.jt!, undefined);
    if (p.jt !== jt || p.jf !== jf) changed = true;
    liveIn[i] = blockLiveIn(p, liveOutOf(p, liveIn));
  }
  return changed;
}

/** Whether one of the atoms in `mask` holds `vn` (then that value was computed without fault). */
function holds(state: State, mask: number, vn: Vn): boolean {
  for (let a = 0; a < N_ATOMS; a++) if (mask & (1 << a) && state[a] === vn) return true;
  return false;
}

/** Whether every atom in `live` holds, in `st`, the value it really holds on the edge (`state`). */
function agrees(st: State, state: State, exact: number, live: number): boolean {
  for (let a = 0; a < N_ATOMS; a++) if (live & (1 << a) && (st[a] !== state[a] || !(exact & (1 << a)))) return false;
  return true;
}

/**
 * Where the edge from block i to c can go instead of c; `exact`: atoms whose value in i's exit
 * state is real; `st` is scratch space for a state. The walk runs on through blocks whose branch
 * is decided, carrying the state they compute, and lands on the last block reached whose live
 * atoms hold on the edge what they would hold there: a block in the middle of the chain may read
 * a register a skipped block wrote (`ldb [20]; jeq #0x11; jeq #0x2c`), the chain's end need not.
 */
function thread(
  vt: ValueTable,
  g: Graph,
  facts: FactIndex,
  liveIn: number[],
  exact: number,
  st: State,
  i: number,
  c: Block,
  edge: EdgeFact | undefined,
): Block {
  const state = g.exit[i];
  const extent = g.extentOut[i];
  for (let a = 0; a < N_ATOMS; a++) st[a] = state[a];
  let landing = c;
  for (let step = 0; step < MAX_CHAIN && !isRet(c); step++) {
    for (const s of c.stmts) {
      const eff = evalStmt(vt, st, s, extent);
      if (eff.mayFault && !holds(state, exact, eff.vn)) return landing;
      st[eff.dest] = eff.vn;
    }
    let next: Block;
    if (isGoto(c)) next = c.jt!;
    else {
      const d = decide(vt, c, st[A_ATOM], st[X_ATOM], facts, i, edge);
      if (d === undefined) {
        if (c.jt !== c.jf) return landing;
        next = c.jt!;
      } else next = d ? c.jt! : c.jf!;
    }
    if (agrees(st, state, exact, liveIn[next.id])) landing = next;
    c = next;
  }
  return landing;
}

// The optimizer: wide cBPF in, wide cBPF out (see ./layout.ts for 8-bit offsets).
//
// The program is rebuilt as a block graph and improved by repeated linear passes until nothing
// changes: value numbering with constant propagation and redundant-load removal
// (./numbering.ts), dead-statement removal (./liveness.ts), jump threading on the outcomes of
// dominating branches (./threading.ts), tests pulled up past blocks that may fail where that
// keeps verdicts (./pullup.ts), merging of identical blocks (./merge.ts); then long
// disjunctions of equality tests become binary searches (./sets.ts; big sets as soon as their
// chains appear, so later passes work on the small searches). Unlike libpcap, every pass
// keeps the unoptimized program's verdict on every packet, short packets included.
import { BPF_K, BPF_RET, BPF_RVAL, type Insn } from '../../cbpf/insn.js';
import { buildBlocks, emitWide, isRet, topoOrder, type Block } from './cfg.js';
import { removeDeadStatements } from './liveness.js';
import { mergeBlocks } from './merge.js';
import { analyseGraph, numberValues, type Graph } from './numbering.js';
import { pullUpTests } from './pullup.js';
import { lowerSets } from './sets.js';
import { threadJumps } from './threading.js';
import { ValueTable } from './values.js';

export { layout } from './layout.js';

/**
 * libpcap's "expression rejects all packets": the optimized program can only return 0.
 * `program` is that program (`ret #0`), for callers that compile it anyway.
 */
export class RejectsAllPacketsError extends Error {
  override readonly name = 'RejectsAllPacketsError';
  readonly program: Insn[] = [{ code: BPF_RET | BPF_K, jt: 0, jf: 0, k: 0 }];
  constructor() {
    super('expression rejects all packets');
  }
}

/** Safety bound; programs settle in a handful of passes. */
const MAX_PASSES = 12;

/**
 * Optimizes a wide program (forward jumps, offsets of any size; a `ja` with a negative offset,
 * as protochain's loop emits, makes the program come back unchanged, as libpcap does).
 * Throws RejectsAllPacketsError when the result can only reject.
 * A program that is not well formed (jumps out of range, unknown opcodes) comes back unchanged.
 */
export function optimize(prog: readonly Insn[]): Insn[] {
  const built = buildBlocks(prog);
  if ('unsupported' in built) return prog.map((i) => ({ ...i }));
  const root = simplify(built.root);
  if (rejectsAll(root)) throw new RejectsAllPacketsError();
  return emitWide(root);
}

/**
 * Passes until nothing changes, then set lowering on the settled graph. Chains with a big set
 * are lowered as soon as they appear: the following passes then run on the much smaller searches
 * (on a 1,000-host filter, a fraction of the blocks).
 */
function simplify(root: Block): Block {
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const vt = new ValueTable();
    const g = numberValues(vt, analyseGraph(topoOrder(root)));
    const dead = removeDeadStatements(vt, g);
    // lowering rewires blocks: threading waits for the next pass's fresh analysis
    const lowered = lowerSets(vt, g, dead.liveIn, true);
    const threaded = !lowered && threadJumps(vt, g, dead.liveIn);
    // pulling up rewires blocks too: only on a graph the analysis still describes
    const pulled = !lowered && !threaded && pullUpTests(g, dead.liveIn);
    const merged = mergeBlocks(root);
    root = merged.root;
    // this pass's analysis still describes the graph when nothing changed
    if (!g.changed && !dead.changed && !lowered && !threaded && !pulled && !merged.changed) return lowerAll(root, vt, g, dead.liveIn);
  }
  const vt = new ValueTable();
  const g = numberValues(vt, analyseGraph(topoOrder(root)));
  return lowerAll(root, vt, g, removeDeadStatements(vt, g).liveIn);
}

/** Lowers every chain worth it; search trees that come out identical become one. */
function lowerAll(root: Block, vt: ValueTable, g: Graph, liveIn: number[]): Block {
  return lowerSets(vt, g, liveIn) ? mergeBlocks(root).root : root;
}

function rejectsAll(root: Block): boolean {
  return topoOrder(root).every((b) => !isRet(b) || (BPF_RVAL(b.code) === BPF_K && b.k === 0));
}

// The optimizer: wide cBPF in, wide cBPF out (see ./layout.ts for 8-bit offsets).
//
// The program is rebuilt as a block graph and improved by repeated linear passes until nothing
// changes: value numbering with constant propagation and redundant-load removal
// (./numbering.ts), dead-statement removal (./liveness.ts), jump threading on the outcomes of
// dominating branches (./threading.ts), merging of identical blocks (./merge.ts); then long
// disjunctions of equality tests become binary searches (./sets.ts). Unlike libpcap, every pass
// keeps the unoptimized program's verdict on every packet, short packets included.
import { BPF_K, BPF_RET, BPF_RVAL, type Insn } from '../../cbpf/insn.js';
import { buildBlocks, emitWide, isRet, topoOrder, type Block } from './cfg.js';
import { removeDeadStatements } from './liveness.js';
import { mergeBlocks } from './merge.js';
import { analyseGraph, numberValues } from './numbering.js';
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
  let root = simplify(built.root);
  const lowered = lowerSets(root);
  // search trees that came out identical become one
  if (lowered) root = mergeBlocks(lowered).root;
  if (rejectsAll(root)) throw new RejectsAllPacketsError();
  return emitWide(root);
}

function simplify(root: Block): Block {
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const vt = new ValueTable();
    const g = numberValues(vt, analyseGraph(topoOrder(root)));
    const dead = removeDeadStatements(vt, g);
    const threaded = threadJumps(vt, g, dead.liveIn);
    const merged = mergeBlocks(root);
    root = merged.root;
    if (!g.changed && !dead.changed && !threaded && !merged.changed) break;
  }
  return root;
}

function rejectsAll(root: Block): boolean {
  return topoOrder(root).every((b) => !isRet(b) || (BPF_RVAL(b.code) === BPF_K && b.k === 0));
}

// Backward pass: which atoms are live where, and removal of statements whose result is never
// read. A statement that may end the filter (a packet load that can run off the end, a division
// by a possibly-zero X) stays unless bytes it reads are known present from dominating loads.
import {
  BPF_ALU, BPF_CLASS, BPF_DIV, BPF_K, BPF_LD, BPF_LDX, BPF_MOD, BPF_MODE, BPF_ABS, BPF_MSH, BPF_IND, BPF_OP,
  BPF_RVAL, BPF_A, BPF_SRC, BPF_X, SKF_AD_OFF, type Insn,
} from '../../cbpf/insn.js';
import { isCond, isRet, type Block } from './cfg.js';
import type { Graph } from './numbering.js';
import { foldIndexOffset, fuseCompare } from './peephole.js';
import { A_ATOM, X_ATOM, fixedLoadExtent, stmtDef, stmtUses, type ValueTable } from './values.js';

/** Atoms the terminator reads. */
export function terminatorUses(b: Block): number {
  if (isRet(b)) return BPF_RVAL(b.code) === BPF_A ? 1 << A_ATOM : 0;
  if (isCond(b)) return (1 << A_ATOM) | (BPF_SRC(b.code) === BPF_X ? 1 << X_ATOM : 0);
  return 0;
}

/** Whether `s` can end the filter, given bytes [0, extent) are known present. */
export function mayFault(s: Insn, extent: number): boolean {
  const cls = BPF_CLASS(s.code);
  if (cls === BPF_LD || cls === BPF_LDX) {
    const mode = BPF_MODE(s.code);
    if (mode === BPF_IND) return true;
    if (mode === BPF_ABS && s.k >= SKF_AD_OFF) return false;
    if (mode === BPF_ABS || mode === BPF_MSH) return fixedLoadExtent(s)![1] > extent;
    return false;
  }
  if (cls === BPF_ALU) {
    const op = BPF_OP(s.code);
    return (op === BPF_DIV || op === BPF_MOD) && (BPF_SRC(s.code) === BPF_X || s.k === 0);
  }
  return false;
}

/** Live-in set of a block from its successors' live-in sets (no rewriting). */
export function blockLiveIn(b: Block, liveOut: number): number {
  let live = liveOut | terminatorUses(b);
  for (let i = b.stmts.length - 1; i >= 0; i--) {
    const s = b.stmts[i];
    live = (live & ~(1 << stmtDef(s))) | stmtUses(s);
  }
  return live;
}

export function liveOutOf(b: Block, liveIn: number[]): number {
  return b.jt ? liveIn[b.jt.id] | liveIn[b.jf!.id] : 0;
}

/** Scratch for removeDeadStatements: whether statement j of the current block cannot fault. */
let safeAt = new Uint8Array(64);

/** Removes dead statements (in place); returns live-in per block and whether anything changed. */
export function removeDeadStatements(vt: ValueTable, g: Graph): { liveIn: number[]; changed: boolean } {
  const n = g.order.length;
  let changed = false;
  const liveIn: number[] = new Array(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    const b = g.order[i];
    // whatever a block that returns 0 computes cannot change the verdict
    if (isRet(b) && BPF_RVAL(b.code) === BPF_K && b.k === 0) b.stmts = [];
    const liveOut = liveOutOf(b, liveIn);
    const size = b.stmts.length;
    const code = b.code;
    fuseCompare(vt, b, liveOut, g.exit[i]);
    foldIndexOffset(vt, b, liveOut, g.entry[i]);
    // forward: which statements cannot fault
    let extent = g.extentIn[i];
    if (safeAt.length < b.stmts.length) safeAt = new Uint8Array(2 * b.stmts.length);
    b.stmts.forEach((s, j) => {
      safeAt[j] = mayFault(s, extent) ? 0 : 1;
      const ext = fixedLoadExtent(s);
      if (ext && ext[1] > extent) extent = ext[1];
    });
    let live = liveOut | terminatorUses(b);
    // backward: drop what is dead and safe; a new array only when something is dropped
    let kept: Insn[] | undefined;
    for (let j = b.stmts.length - 1; j >= 0; j--) {
      const s = b.stmts[j];
      const def = 1 << stmtDef(s);
      if (!(live & def) && safeAt[j]) {
        kept ??= b.stmts.slice(j + 1).reverse();
        continue;
      }
      kept?.push(s);
      live = (live & ~def) | stmtUses(s);
    }
    if (kept) b.stmts = kept.reverse();
    if (b.stmts.length !== size || b.code !== code) changed = true;
    liveIn[i] = live;
  }
  return { liveIn, changed };
}


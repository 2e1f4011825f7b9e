// Rewrites of short statement sequences that value numbering alone does not find. fuseCompare
// and foldIndexOffset need to know that A (or X) is dead afterwards, so they run in the backward
// pass (./liveness.ts); narrowLoads runs in the forward pass (./numbering.ts).
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_CLASS, BPF_H, BPF_IND, BPF_JEQ, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K,
  BPF_LD, BPF_MISC, BPF_MISCOP, BPF_MODE, BPF_OP, BPF_SIZE, BPF_SRC, BPF_SUB, BPF_TAX, BPF_W, SKF_AD_OFF, type Insn,
} from '../../cbpf/insn.js';
import { isCond, type Block } from './cfg.js';
import { terminatorUses } from './liveness.js';
import { A_ATOM, X_ATOM, evalStmt, stmtDef, stmtUses, type State, type ValueTable } from './values.js';

/**
 * `and #k; jeq #0` becomes `jset #k` (targets swapped), `and #k; jgt #0` becomes `jset #k` and
 * `sub #k; jeq #0` becomes `jeq #k`, when A is dead afterwards. The exit state is updated to the
 * value A now holds.
 */
export function fuseCompare(vt: ValueTable, b: Block, liveOut: number, exit: State): void {
  const last = b.stmts[b.stmts.length - 1];
  if (!isCond(b) || !last || liveOut & (1 << A_ATOM) || BPF_SRC(b.code) !== BPF_K || b.k !== 0) return;
  if (BPF_CLASS(last.code) !== BPF_ALU || BPF_SRC(last.code) !== BPF_K) return;
  const op = BPF_OP(b.code);
  const alu = BPF_OP(last.code);
  const def = vt.defs[exit[A_ATOM]];
  const k = vt.konst(last.k);
  if (def.kind !== 'alu' || def.op !== alu || (def.a !== k && def.b !== k)) return;
  const operand = def.b === k ? def.a : def.b;
  if (alu === BPF_AND && (op === BPF_JEQ || op === BPF_JGT)) {
    b.code = BPF_JMP | BPF_JSET | BPF_K;
    if (op === BPF_JEQ) [b.jt, b.jf] = [b.jf, b.jt];
  } else if (alu === BPF_SUB && op === BPF_JEQ) {
    b.code = BPF_JMP | BPF_JEQ | BPF_K;
  } else return;
  b.k = last.k;
  b.stmts.pop();
  exit[A_ATOM] = operand;
}

/**
 * `add x; tax; ld [x + l]` where A was `X + c` becomes `ld [x + c + l]`: the index register keeps
 * its value and the constant moves into the loads' offsets (libpcap does the same), when X is
 * read only by such loads until it is next written and is dead at the block's end.
 */
export function foldIndexOffset(vt: ValueTable, b: Block, liveOut: number, entry: State): void {
  if (!b.stmts.some(isTax)) return;
  const state = entry.slice();
  for (let t = 0; t < b.stmts.length; t++) {
    const s = b.stmts[t];
    if (isTax(s)) {
      const c = offsetOverX(vt, state[A_ATOM], state[X_ATOM]);
      if (c !== undefined && retargetLoads(b, t, c, liveOut)) {
        b.stmts.splice(t, 1);
        t--;
        continue;
      }
    }
    const eff = evalStmt(vt, state, s, Infinity);
    state[eff.dest] = eff.vn;
  }
}

const isTax = (s: Insn): boolean => BPF_CLASS(s.code) === BPF_MISC && BPF_MISCOP(s.code) === BPF_TAX;

/** c when `a` is the value `x + c` (c a constant), else undefined. */
function offsetOverX(vt: ValueTable, a: number, x: number): number | undefined {
  const def = vt.defs[a];
  if (def.kind !== 'alu' || def.op !== BPF_ADD) return undefined;
  const other = def.a === x ? def.b : def.b === x ? def.a : undefined;
  return other === undefined ? undefined : vt.constValue(other);
}

/** Adds c to the offsets of the indexed loads reading the X written at t, if they are its only readers. */
function retargetLoads(b: Block, t: number, c: number, liveOut: number): boolean {
  const loads: number[] = [];
  let redefined = false;
  for (let j = t + 1; j < b.stmts.length && !redefined; j++) {
    const s = b.stmts[j];
    if (stmtUses(s) & (1 << X_ATOM)) {
      if (BPF_CLASS(s.code) !== BPF_LD || BPF_MODE(s.code) !== BPF_IND || s.k + c >= 0x80000000) return false;
      loads.push(j);
    }
    redefined = stmtDef(s) === X_ATOM;
  }
  if (!redefined && (terminatorUses(b) | liveOut) & (1 << X_ATOM)) return false;
  for (const j of loads) b.stmts[j] = { ...b.stmts[j], k: b.stmts[j].k + c };
  return true;
}

/**
 * `ld [k]; and #0xffff` is `ldh [k+2]`, `ld [k]; and #0xff` is `ldb [k+3]` and `ldh [k]; and #0xff`
 * is `ldb [k+1]`: the same bytes end the packet-length check, and the wide value is never seen.
 */
export function narrowLoads(stmts: Insn[]): Insn[] {
  let out: Insn[] | undefined;
  for (let i = 0; i + 1 < stmts.length; i++) {
    const [ld, and] = [stmts[i], stmts[i + 1]];
    if (and.code !== (BPF_ALU | BPF_AND | BPF_K) || BPF_CLASS(ld.code) !== BPF_LD || BPF_MODE(ld.code) !== BPF_ABS) continue;
    if (ld.k >= SKF_AD_OFF - 4) continue;
    const size = BPF_SIZE(ld.code);
    const narrow =
      size === BPF_W && and.k === 0xffff ? { size: BPF_H, skip: 2 }
      : size === BPF_W && and.k === 0xff ? { size: BPF_B, skip: 3 }
      : size === BPF_H && and.k === 0xff ? { size: BPF_B, skip: 1 }
      : undefined;
    if (!narrow) continue;
    out ??= stmts.slice();
    out.splice(i - (stmts.length - out.length), 2, { code: BPF_LD | narrow.size | BPF_ABS, jt: 0, jf: 0, k: ld.k + narrow.skip });
    i++;
  }
  return out ?? stmts;
}

// Pulling a test up past a block that may fail (libpcap's and_pullup, kept exact on short packets).
// Block b goes on to c or rejects; c reloads the value A held on entry to b, then goes on to Y or
// rejects. Then c's test can run first, on A as it is at b's entry, with b after it: the test does
// not depend on b, a packet that b's loads run off is rejected either way, and c's reload goes
// (`host A and host B`: `ld [26]; jeq A` false -> `ld [30]; jeq A` -> `ld [26]; jeq B`).
import { BPF_SRC, BPF_X } from '../../cbpf/insn.js';
import { isCond, isReject, type Block } from './cfg.js';
import type { Graph } from './numbering.js';
import { A_ATOM, stmtDef } from './values.js';

type Edge = 'jt' | 'jf';

const other = (e: Edge): Edge => (e === 'jt' ? 'jf' : 'jt');

/** Which edge of a conditional block leads on: the other one rejects (undefined: neither or both). */
function onward(b: Block): Edge | undefined {
  if (!isCond(b) || isReject(b.jt!) === isReject(b.jf!)) return undefined;
  return isReject(b.jf!) ? 'jt' : 'jf';
}

/**
 * Applies every pull-up the analysis of this pass allows (`g` and `liveIn` must describe the graph
 * as it is); returns whether something changed (the analysis is stale then).
 */
export function pullUpTests(g: Graph, liveIn: number[]): boolean {
  const touched = new Set<Block>();
  let changed = false;
  g.order.forEach((b, i) => {
    const next = onward(b);
    // a block rewritten in this sweep no longer has the exit state the analysis gives it
    if (!next || touched.has(b) || g.preds[i].some((p) => touched.has(g.order[p]))) return;
    const c = b[next]!;
    const cNext = onward(c);
    if (!cNext || touched.has(c) || !canRunFirst(g, liveIn, i, c, c[cNext]!)) return;
    swap(b, next, c, cNext);
    touched.add(b).add(c);
    changed = true;
  });
  return changed;
}

/**
 * Whether c (reached only from block i) can test before block i: its statements only recompute
 * into A the value every predecessor of i leaves in A for its own test, it compares A with a
 * constant, and A is dead where c goes on.
 */
function canRunFirst(g: Graph, liveIn: number[], i: number, c: Block, onto: Block): boolean {
  if (!c.stmts.length || g.preds[c.id].length !== 1 || BPF_SRC(c.code) === BPF_X) return false;
  if (!c.stmts.every((s) => stmtDef(s) === A_ATOM) || liveIn[onto.id] & (1 << A_ATOM)) return false;
  const value = g.exit[c.id][A_ATOM];
  // a predecessor's own test reads A, so its exit value of A is real (not a dropped dead write)
  return i > 0 && g.preds[i].every((p) => isCond(g.order[p]) && g.exit[p][A_ATOM] === value);
}

/** b (onward edge `next`) and c (onward edge `cNext`) trade places; c's statements go. */
function swap(b: Block, next: Edge, c: Block, cNext: Edge): void {
  const reject = b[other(next)]!;
  const onto = c[cNext]!;
  const { code, k } = c;
  // c takes b's statements and test, and goes on to where c went on
  Object.assign(c, { stmts: b.stmts, code: b.code, k: b.k, [next]: onto, [other(next)]: reject });
  // b keeps c's test alone, on A as b finds it
  Object.assign(b, { stmts: [], code, k, [cNext]: c, [other(cNext)]: reject });
}

// Merging of identical blocks (same statements, same terminator, same successors after merging,
// so identical returns and identical sub-graphs become one), bypassing of empty gotos and of
// branches whose two targets are the same; a block that can only go on to `ret #0` becomes one.
// Works bottom-up, so it is one linear pass.
import { BPF_K, BPF_RET } from '../../cbpf/insn.js';
import { isGoto, isReject, isRet, topoOrder, type Block } from './cfg.js';
import { setGoto } from './numbering.js';

function sameBlock(a: Block, b: Block): boolean {
  if (a.code !== b.code || a.k !== b.k || a.jt !== b.jt || a.jf !== b.jf || a.stmts.length !== b.stmts.length) return false;
  return a.stmts.every((s, i) => s.code === b.stmts[i].code && s.k === b.stmts[i].k);
}

function hashBlock(b: Block): number {
  let h = Math.imul(b.code, 0x9e3779b1) ^ b.k;
  h = Math.imul(h ^ (b.jt ? b.jt.id : -1), 0x85ebca6b);
  h = Math.imul(h ^ (b.jf ? b.jf.id : -1), 0xc2b2ae35);
  for (const s of b.stmts) h = Math.imul(h ^ s.code, 0x27d4eb2f) ^ s.k;
  return h;
}

function becomeReject(b: Block): void {
  Object.assign(b, { stmts: [], code: BPF_RET | BPF_K, k: 0, jt: null, jf: null });
}

/** Returns the new root and whether anything changed; blocks are rewired in place. */
export function mergeBlocks(root: Block): { root: Block; changed: boolean } {
  const order = topoOrder(root);
  order.forEach((b, i) => (b.id = i));
  // canonical block of each block, by id; representatives keep their id
  const canon: Block[] = new Array(order.length);
  const buckets = new Map<number, Block[]>();
  let changed = false;
  for (let i = order.length - 1; i >= 0; i--) {
    const b = order[i];
    if (!isRet(b)) {
      const jt = canon[b.jt!.id];
      const jf = canon[b.jf!.id];
      if (jt !== b.jt || jf !== b.jf) changed = true;
      b.jt = jt;
      b.jf = jf;
      if (b.jt === b.jf && !isGoto(b)) setGoto(b, b.jt);
      // its statements either fail, returning 0, or go on to return 0
      if (isGoto(b) && isReject(b.jt!)) {
        becomeReject(b);
        changed = true;
      } else if (isGoto(b) && b.stmts.length === 0) {
        changed = true;
        canon[i] = b.jt;
        continue;
      }
    }
    const h = hashBlock(b);
    let bucket = buckets.get(h);
    if (!bucket) buckets.set(h, (bucket = []));
    let rep = bucket.find((c) => sameBlock(c, b));
    if (!rep) {
      rep = b;
      bucket.push(b);
    } else changed = true;
    canon[i] = rep;
  }
  return { root: canon[0], changed };
}
